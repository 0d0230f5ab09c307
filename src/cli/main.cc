// bulletin: the command line. Each subcommand is a short script over the
// core library; errors are printed once, here.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "site/build.h"
#include "site/project.h"
#include "site/writer.h"
#include "util/text.h"

namespace bulletin {
namespace {

enum ExitCode { kOk = 0, kContentError = 1, kUsageError = 2 };

void print_diagnostics(const Diagnostics& diags) { std::cerr << diags.format_all(); }

std::string plural(int n, const char* one) { return std::to_string(n) + " " + one + (n == 1 ? "" : "s"); }

int run_build(const std::string& project_dir, std::string out_dir) {
  auto start = std::chrono::steady_clock::now();
  if (out_dir.empty()) out_dir = join_path(project_dir, "site");
  RealFileSystem fs;
  Diagnostics diags;
  Project project = load_project(fs, project_dir, diags);
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
    // Render everything in memory: template and link problems show up too.
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
}  // namespace bulletin

int main(int argc, char** argv) {
  using namespace bulletin;
  CLI::App app{"bulletin: builds the static site of official bulletins, notices and rankings"};
  app.set_version_flag("--version", std::string("bulletin ") + BULLETIN_VERSION);
  app.require_subcommand(1);

  std::string project = ".";
  std::string out;
  auto* build = app.add_subcommand("build", "Build the project into a static site (default: PROJECT/site)");
  build->add_option("PROJECT", project, "Project folder (default: .)");
  build->add_option("-o,--out", out, "Output folder (default: PROJECT/site)");

  auto* check = app.add_subcommand("check", "Load and validate everything, report every problem, write nothing");
  check->add_option("PROJECT", project, "Project folder (default: .)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsageError;
  }
  if (*build) return run_build(project, out);
  if (*check) return run_check(project);
  return kUsageError;
}
