// bulletin publish PATH…: freezes documents as published. Each gets a
// snapshot under data/published/<permanent URL>/v<N>.yaml (and a frozen copy
// of its attachment files) that `build` renders from then on.
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "model/urls.h"
#include "site/build/publishable.h"
#include "site/print/pdf.h"

namespace bulletin {
namespace {

struct PublishArgs {
  std::string project = ".";
  std::vector<std::string> paths;
  std::string date;  // default: today
  std::string note;
};

int run_publish(const PublishArgs& a) {
  Date date = local_today();
  if (!a.date.empty()) {
    std::string why;
    auto d = parse_date(a.date, &why);
    if (!d) {
      std::cerr << "bulletin publish: --date '" << a.date << "': " << why << "\n";
      return kUsageError;
    }
    date = *d;
  }
  RealFileSystem fs;
  Diagnostics diags;
  // Recompute everything: what is published now must come from the sources.
  Project project = load_project(fs, a.project, diags, ProjectOptions{false});
  print_diagnostics(diags);
  if (diags.has_errors()) {
    std::cerr << "publish failed: fix the " << plural(diags.error_count(), "error")
              << " above first; nothing was published\n";
    return kContentError;
  }
  // Plan everything first: publish all or nothing.
  std::vector<Snapshot> snapshots;
  std::vector<std::pair<std::string, std::string>> copies;  // frozen path -> source
  bool failed = false;
  for (const auto& path : a.paths) {
    std::string error;
    auto docs = find_publishables(project, fs, path, &error);
    if (docs.empty()) {
      std::cerr << path << ": error: " << error << "\n";
      failed = true;
      continue;
    }
    for (const auto& doc : docs) {
      PublishOutcome outcome = plan_publication(doc, project.archive.find(doc.url), date, a.note);
      if (outcome.error) {
        std::cerr << doc.source << ": error: " << outcome.message << "\n";
        failed = true;
      } else if (!outcome.snapshot) {
        std::cout << outcome.message << "\n";
      } else {
        for (const auto& [name, source] : doc.copies) {
          copies.emplace_back(frozen_file_path(doc.url, outcome.snapshot->version, name), source);
        }
        std::cout << outcome.message << "\n";
        snapshots.push_back(std::move(*outcome.snapshot));
      }
    }
  }
  if (failed) {
    std::cerr << "publish failed; nothing was published\n";
    return kContentError;
  }
  // Every file publish writes lands inside data/published, even when a folder
  // on the way is a symlink: check them all before writing any.
  for (const auto& [frozen, source] : copies) {
    std::string why = fs.outside(a.project, join_path(a.project, frozen));
    if (why.empty()) why = fs.outside(a.project, join_path(a.project, source));
    if (!why.empty()) {
      std::cerr << frozen << ": error: " << why << "\npublish failed; nothing was published\n";
      return kContentError;
    }
  }
  for (const auto& s : snapshots) {
    std::string path = snapshot_path(s.url, s.version);
    if (std::string why = fs.outside(a.project, join_path(a.project, path)); !why.empty()) {
      std::cerr << path << ": error: " << why << "\npublish failed; nothing was published\n";
      return kContentError;
    }
  }
  namespace stdfs = std::filesystem;
  for (const auto& [frozen, source] : copies) {
    stdfs::path target = stdfs::path(a.project) / frozen;
    stdfs::create_directories(target.parent_path());
    stdfs::copy_file(stdfs::path(a.project) / source, target, stdfs::copy_options::overwrite_existing);
  }
  std::optional<std::string> pdf_engine = find_pdf_engine(join_path(a.project, cache_path("pdf")));
  for (auto& s : snapshots)  // before the snapshot is written: it records the PDF's digest
    if (std::string line = pdf_engine ? freeze_pdf(*pdf_engine, project, s) : ""; !line.empty())
      std::cout << line << "\n";
  for (const auto& s : snapshots) {
    std::string path = snapshot_path(s.url, s.version);
    write_file_atomic(join_path(a.project, path), write_snapshot(s));
    std::cout << "  wrote " << path << "\n";
  }
  if (!snapshots.empty())
    std::cout << "commit data/published to keep the record; run `bulletin build` to update the site\n";
  return kOk;
}

}  // namespace

void setup_publish(CLI::App& cmd, Run& run) {
  auto a = std::make_shared<PublishArgs>();
  cmd.add_option("PATH", a->paths,
                 "Documents to publish: content files (content/notices/x.md), permanent URLs, or ranking "
                 "periods (rankings/xxqg-units/2020-11)")
      ->required();
  cmd.add_option("-p,--project", a->project, "Project folder (default: .)");
  cmd.add_option("--date", a->date, "Publication date (default: today), e.g. 2020-12-16");
  cmd.add_option("--note", a->note, "What a new version of a ranking period corrects (修订说明)");
  run = [a] { return run_publish(*a); };
}

}  // namespace bulletin
