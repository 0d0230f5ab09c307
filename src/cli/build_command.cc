#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <iostream>

#include "cli/commands.h"
#include "model/urls.h"
#include "site/build/build.h"
#include "site/build/up_to_date.h"
#include "site/check/links.h"
#include "site/search/search.h"
#include "util/timing.h"

namespace bulletin {

std::string plural(int n, const char* one) { return std::to_string(n) + " " + one + (n == 1 ? "" : "s"); }

void print_diagnostics(const Diagnostics& diags) { std::cerr << diags.format_all(); }

WriterOptions writer_options(const std::string& project_root) {
  WriterOptions options;
  options.link_roots.push_back(join_path(project_root, kCacheDir));
  // Search and PDFs come from the job plan and the cache, so only changed
  // files are staged.
  return options;
}

namespace {

struct BuildArgs {
  std::string project = ".";
  std::string out;
  int jobs = 0;
};

struct CheckArgs {
  std::string project = ".";
  bool external = false;
};

std::string format_seconds(double seconds) {
  char time[32];
  std::snprintf(time, sizeof time, "%.2f s", seconds);
  return time;
}

// Build progress: one updating line on a terminal, plain lines otherwise
// (CI logs, pipes). Written to stderr so that stdout holds only the summary.
class BuildProgress {
 public:
  BuildProgress() : tty_(isatty(fileno(stderr)) != 0) {}
  void loading(const std::string& project) {
    if (tty_) std::cerr << "\r\033[Kloading " << project << " …" << std::flush;
  }
  void step(const std::string& name, int pages) {
    ++steps_;
    if (tty_) {
      std::cerr << "\r\033[Kbuilding: [" << steps_ << "] " << name << " done, " << plural(pages, "page") << " so far"
                << std::flush;
    } else {
      std::cerr << "built " << name << " (" << plural(pages, "page") << " so far)\n";
    }
  }
  // Clears the updating line before anything else is printed.
  void finish() {
    if (tty_) std::cerr << "\r\033[K" << std::flush;
  }

 private:
  bool tty_;
  int steps_ = 0;
};

// The table that ends a build: documents by type, pages, files, time.
std::string summary_table(const BuildReport& report, double seconds) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& [type, count] : report.documents) rows.emplace_back(type, std::to_string(count));
  rows.emplace_back("pages written", std::to_string(report.pages));
  rows.emplace_back("files copied", std::to_string(report.files));
  rows.emplace_back("unchanged, kept", std::to_string(report.kept));
  rows.emplace_back("time", format_seconds(seconds));
  size_t label = 0, value = 0;
  for (const auto& [l, v] : rows) {
    label = std::max(label, l.size());
    value = std::max(value, v.size());
  }
  std::string out;
  for (const auto& [l, v] : rows)
    out += "  " + l + std::string(label - l.size() + 2 + value - v.size(), ' ') + v + "\n";
  return out;
}

int run_build(const BuildArgs& o) {
  auto start = std::chrono::steady_clock::now();
  std::string out_dir = o.out.empty() ? join_path(o.project, "site") : o.out;
  // Before any work: the output folder must be bulletin's to replace.
  if (auto problem = output_folder_problem(out_dir, o.project)) {
    std::cerr << out_dir << ": error: " << *problem << "\n";
    return kUsageError;
  }
  long long started_ns = wall_clock_ns();
  StageTimer timer;
  // Nothing the last build depended on changed: the site is what a build would make.
  if (auto report = site_is_up_to_date(o.project, out_dir)) {
    timer.mark("up to date");
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "built " << out_dir << ": " << plural(report->pages, "page") << ", " << plural(report->files, "file")
              << " copied in " << format_seconds(seconds) << "\n"
              << summary_table(*report, seconds);
    for (const auto& note : report->notes) std::cout << note << "\n";
    return kOk;
  }
  timer.mark("stamps");
  BuildProgress progress;
  progress.loading(o.project);
  WriterOptions writing = writer_options(o.project);
  writing.waiting = [&] { std::cerr << "waiting: another build is writing beside " << out_dir << "\n"; };
  // Rebuilding an existing site: its writer (the folder's lock, the last
  // manifest read, the old site's folders checked: ~25 ms at 10k pages) is
  // opened on another thread while the project loads. A new output is opened
  // after a successful load, so that a failed first build makes no folder.
  std::future<std::unique_ptr<StagedSiteWriter>> opening;
  if (std::error_code ec; std::filesystem::is_directory(out_dir, ec))
    opening = std::async(std::launch::async, [&] { return std::make_unique<StagedSiteWriter>(out_dir, writing); });
  RealFileSystem fs;
  Diagnostics diags;
  ProjectOptions load;
  load.defer_cache_save = true;
  load.threads = o.jobs;
  Project project = load_project(fs, o.project, diags, load);
  // The parse cache is written (by a detached process) once the build is done.
  struct SaveCachesAtEnd {
    const Project& p;
    ~SaveCachesAtEnd() { save_caches(p); }
  } save_caches_at_end{project};
  timer.mark("load");
  progress.finish();
  print_diagnostics(diags);
  if (diags.has_errors()) {
    std::cerr << "build failed: " << plural(diags.error_count(), "error") << "; " << out_dir << " was not changed\n";
    return kContentError;
  }
  try {
    std::unique_ptr<StagedSiteWriter> writer =
        opening.valid() ? opening.get() : std::make_unique<StagedSiteWriter>(out_dir, writing);
    StagedSiteWriter& out = *writer;
    timer.mark("writer");
    BuildOptions options;
    options.jobs = o.jobs;
    options.progress = [&](const std::string& step, int pages) { progress.step(step, pages); };
    BuildReport report = build_site(project, fs, out, options);
    timer.mark("build");
    out.commit();
    timer.mark("commit");
    // A build that warned runs again next time, so that its warnings are seen.
    if (diags.items().empty()) {
      auto site = report.inputs_young ? std::nullopt : out.site_stamps();  // the writer's view: not walked again
      record_up_to_date_in_background(o.project, out_dir, report, started_ns, site ? &*site : nullptr);
    }
    timer.mark("record");
    progress.finish();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "built " << out_dir << ": " << plural(report.pages, "page") << ", " << plural(report.files, "file")
              << " copied in " << format_seconds(seconds) << "\n"
              << summary_table(report, seconds);
    for (const auto& note : report.notes) std::cout << note << "\n";
  } catch (const Error& e) {
    progress.finish();
    std::cerr << e.diagnostic().format() << "\nbuild failed; " << out_dir << " was not changed\n";
    return kContentError;
  }
  // Done: the caches are saved (by a detached process) and the output
  // flushed; freeing the loaded project object by object only delays the
  // exit (0.1-0.2 s at 100k articles), so the process ends here.
  save_caches(project);
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  ::_exit(kOk);
}

// `check --external`: one HEAD (or GET) request per URL, a few seconds each.
ExternalLinkCheck check_external_url(const std::string& url) {
  if (url.rfind("mailto:", 0) == 0) return {};
  std::string full = url.rfind("//", 0) == 0 ? "http:" + url : url;
  size_t scheme_end = full.find("://");
  if (scheme_end == std::string::npos) return {ExternalLinkCheck::Unchecked, "not an http(s) link"};
  size_t path_start = full.find_first_of("/?#", scheme_end + 3);
  std::string origin = full.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "/" : full.substr(path_start);
  if (size_t hash = path.find('#'); hash != std::string::npos) path.resize(hash);
  if (path.empty() || path[0] != '/') path.insert(path.begin(), '/');
  try {
    httplib::Client client(origin);
    client.set_connection_timeout(5);
    client.set_read_timeout(5);
    client.set_follow_location(true);
    auto res = client.Head(path.c_str());
    if (res && (res->status == 405 || res->status == 501)) res = client.Get(path.c_str());
    if (!res) return {ExternalLinkCheck::Unchecked, "cannot connect: " + httplib::to_string(res.error())};
    if (res->status >= 400) return {ExternalLinkCheck::Broken, "HTTP " + std::to_string(res->status)};
    return {};
  } catch (const std::exception& e) {
    return {ExternalLinkCheck::Unchecked, e.what()};
  }
}

int run_check(const CheckArgs& o) {
  RealFileSystem fs;
  Diagnostics diags;
  ProjectOptions load;
  load.write_caches = false;  // check writes nothing; it reads the caches builds left
  Project project = load_project(fs, o.project, diags, load);
  if (!diags.has_errors()) {
    // Render everything in memory: problems found while rendering show up
    // too, and the pages' links can be checked.
    MemoryWriter out;
    out.keep_contents = true;
    try {
      BuildOptions options;
      options.pdf = false;  // frozen PDFs are still checked against their snapshots
      build_site(project, fs, out, options);
      LinkCheckOptions links;
      links.base_path = project.config.base_path;
      if (o.external) links.check_external = check_external_url;
      diags.append(check_links(out.files, page_sources(project, fs), links));
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
  cmd.add_option("-o,--out", o->out,
                 "Output folder (default: PROJECT/site); replaced only if it is new, empty or a site bulletin built");
  cmd.add_option("-j,--jobs", o->jobs, "Threads that parse and render pages (default: 0, one per core)")
      ->check(CLI::Range(0, 1024));
  run = [o] { return run_build(*o); };
}

void setup_check(CLI::App& cmd, Run& run) {
  auto o = std::make_shared<CheckArgs>();
  cmd.add_option("PROJECT", o->project, "Project folder (default: .)");
  cmd.add_flag("--external", o->external,
               "Also check http(s) links over the network (default: off; intranets have no internet)");
  run = [o] { return run_check(*o); };
}

}  // namespace bulletin
