// Chinese full-text search that works offline: Pagefind (npm package
// `pagefind`, pinned in package-lock.json) indexes the built site into
// site/pagefind/, which the search page loads. Pagefind is optional: without
// it the build succeeds and says that search was skipped.
#pragma once

#include <optional>
#include <string>

namespace bulletin {

// PROJECT/node_modules/.bin/pagefind, else `pagefind` on the PATH.
std::optional<std::string> find_pagefind(const std::string& project_root);

struct SearchIndex {
  bool built = false;
  std::string message;  // one line for the build summary
};

// Runs Pagefind over the site folder `site_dir`.
SearchIndex build_search_index(const std::string& pagefind, const std::string& site_dir);

}  // namespace bulletin
