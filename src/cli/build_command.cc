#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "site/build.h"

namespace bulletin {

std::string plural(int n, const char* one) {
  return std::to_string(n) + " " + one + (n == 1 ? "" : "s");
}

void print_diagnostics(const Diagnostics& diags) { std::cerr << diags.format_all(); }

namespace {

struct BuildArgs {
  std::string project = ".";
  std::string out;
};

int run_build(const BuildArgs& o) {
  auto start = std::chrono::steady_clock::now();
  std::string out_dir = o.out.empty() ? join_path(o.project, "site") : o.out;
  RealFileSystem fs;
  Diagnostics diags;
  Project project = load_project(fs, o.project, diags);
  print_diagnostics(diags);
  if (diags.has_errors()) {
    std::cerr << "build failed: " << plural(diags.error_count(), "error") << "; " << out_dir
              << " was not changed\n";
    return kContentError;
  }
  try {
    StagedSiteWriter out(out_dir);
    BuildReport report = build_site(project, fs, out);
    out.commit();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char time[32];
    std::snprintf(time, sizeof time, "%.2f s", seconds);
    std::cout << "built " << out_dir << ": " << plural(report.pages, "page") << ", "
              << plural(report.files, "file") << " copied in " << time << "\n";
  } catch (const Error& e) {
    std::cerr << e.diagnostic().format() << "\nbuild failed; " << out_dir << " was not changed\n";
    return kContentError;
  }
  return kOk;
}

int run_check(const std::string& project_dir) {
  RealFileSystem fs;
  Diagnostics diags;
  Project project = load_project(fs, project_dir, diags);
  if (!diags.has_errors()) {
    // Render everything in memory: problems found while rendering show up too.
    MemoryWriter out;
    out.keep_contents = false;
    try {
      build_site(project, fs, out);
    } catch (const Error& e) {
      diags.add(e.diagnostic());
    }
  }
  print_diagnostics(diags);
  if (diags.has_errors()) {
    std::cerr << "check failed: " << plural(diags.error_count(), "error") << ", "
              << plural(diags.warning_count(), "warning") << "\n";
    return kContentError;
  }
  const Content& c = project.content;
  std::cout << "check passed: " << plural(static_cast<int>(c.articles.size()), "article") << ", "
            << plural(static_cast<int>(c.notices.size()), "notice") << ", "
            << plural(static_cast<int>(c.issues.size()), "bulletin issue");
  if (diags.warning_count() > 0) std::cout << ", " << plural(diags.warning_count(), "warning");
  std::cout << "\n";
  return kOk;
}

}  // namespace

void setup_build(CLI::App& cmd, Run& run) {
  auto o = std::make_shared<BuildArgs>();
  cmd.add_option("PROJECT", o->project, "Project folder (default: .)");
  cmd.add_option("-o,--out", o->out, "Output folder (default: PROJECT/site)");
  run = [o] { return run_build(*o); };
}

void setup_check(CLI::App& cmd, Run& run) {
  auto project = std::make_shared<std::string>(".");
  cmd.add_option("PROJECT", *project, "Project folder (default: .)");
  run = [project] { return run_check(*project); };
}

}  // namespace bulletin
