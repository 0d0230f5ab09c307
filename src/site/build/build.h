// `bulletin build`: plans a loaded project's site as a list of steps (home,
// articles, notices, bulletins, rankings, archive, feeds, assets), each a
// function that appends jobs (one per output file) to the plan; the plan is
// then rendered on a pool of threads into an OutputWriter, which keeps the
// files whose inputs have not changed since the last build.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "site/build/project.h"
#include "site/build/writer.h"

namespace bulletin {

struct BuildReport {
  std::map<std::string, int> documents;  // "articles" -> 3, …
  int pages = 0;
  int files = 0;
  int kept = 0;                    // of pages + files: unchanged since the last build, left as they were
  std::vector<std::string> notes;  // e.g. whether search was indexed or skipped
  // An input was modified too recently for its stamp to be trusted (the
  // parse cache saw it): no up-to-date record can be written for this build.
  bool inputs_young = false;
};

struct BuildOptions {
  // Called after each step with its name ("articles") and the pages written
  // so far; for progress display. May be empty.
  std::function<void(const std::string& step, int pages_so_far)> progress;
  // Write the site's search index (search/data/) when the output is a
  // folder. Default: true.
  bool search = true;
  // Make PDFs and web-font subsets when their tools are installed (off for
  // `check`, which writes nothing). Default: true.
  bool pdf = true;
  // Threads that render pages. Default: 0, one per core.
  int jobs = 0;
};

// Throws Error on a problem found while rendering (nothing is committed then).
BuildReport build_site(const Project& project, const FileSystem& fs, OutputWriter& out,
                       const BuildOptions& options = {});

}  // namespace bulletin
