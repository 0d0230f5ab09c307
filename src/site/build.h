// `bulletin build`: renders a loaded project into an OutputWriter as a list
// of steps (home, articles, notices, bulletins, assets), each a function.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "site/project.h"
#include "site/writer.h"

namespace bulletin {

struct BuildReport {
  std::map<std::string, int> documents;  // "articles" -> 3, …
  int pages = 0;
  int files = 0;
  std::vector<std::string> notes;  // e.g. whether search was indexed or skipped
};

struct BuildOptions {
  // Called after each step with its name ("articles") and the pages written
  // so far; for progress display. May be empty.
  std::function<void(const std::string& step, int pages_so_far)> progress;
  // Index the site for search with Pagefind when it is installed and the
  // output is a folder. Default: true.
  bool search = true;
};

// Throws Error on a problem found while rendering (nothing is committed then).
BuildReport build_site(const Project& project, const FileSystem& fs, OutputWriter& out,
                       const BuildOptions& options = {});

}  // namespace bulletin
