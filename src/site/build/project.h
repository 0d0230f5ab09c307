// A bulletin project loaded and checked: config, content, rankings, templates. This is
// everything `build` needs and everything `check` validates.
#pragma once

#include <memory>
#include <string>

#include "load/config.h"
#include "load/documents.h"
#include "render/ranking_pages.h"
#include "render/templates.h"
#include "site/publish/archive.h"
#include "util/fs.h"

namespace bulletin {

class ParseCache;

struct Project {
  std::string root;  // project folder
  SiteConfig config;
  SeriesIndex series;  // of config.series
  Content content;
  std::vector<RuleOutput> rankings;  // every rule with its computed periods
  Archive archive;                   // published documents, by permanent URL
  TemplateSet templates;
  // The parse cache this load used, when its saving was deferred
  // (ProjectOptions::defer_cache_save): save_caches() writes it.
  std::shared_ptr<ParseCache> parse_cache;
};

// Writes the deferred parse cache (in a detached process). Called when the
// build is done: a process forked earlier would share every page of memory
// the build then writes (copy-on-write faults all through the build).
void save_caches(const Project& project);

// Page templates the site needs besides the layout.
const std::vector<std::string>& required_templates();

struct ProjectOptions {
  // Take published ranking periods from their snapshots, and do not read
  // again an export file whose records all belong to published periods
  // (unchanged since). Default: true; `publish` turns it off to recompute.
  bool reuse_published = true;
  // Write the parse cache (.bulletin-cache/parse/) after loading. It is read
  // either way. Default: true; `check`, which writes nothing, turns it off.
  bool write_caches = true;
  // Leave the writing to save_caches(), called after the build. Default: false.
  bool defer_cache_save = false;
  // Threads that parse the articles (`-j N`); 0: one per core.
  int threads = 0;
};

// Loads and checks the whole project; every problem goes to diags. The
// returned project is only fit to build when diags has no errors.
Project load_project(const FileSystem& fs, const std::string& root, Diagnostics& diags,
                     const ProjectOptions& options = {});

}  // namespace bulletin
