// `bulletin build`: renders a loaded project into an OutputWriter as a list
// of steps (home, articles, notices, bulletins, assets), each a function.
#pragma once

#include <map>
#include <string>

#include "site/project.h"
#include "site/writer.h"

namespace bulletin {

struct BuildReport {
  std::map<std::string, int> documents;  // "articles" -> 3, …
  int pages = 0;
  int files = 0;
};

// Throws Error on a problem found while rendering (nothing is committed then).
BuildReport build_site(const Project& project, const FileSystem& fs, OutputWriter& out);

}  // namespace bulletin
