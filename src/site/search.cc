#include "site/search.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "util/text.h"

extern char** environ;

namespace bulletin {
namespace fs = std::filesystem;

std::optional<std::string> find_pagefind(const std::string& project_root) {
  std::error_code ec;
  fs::path local = fs::path(project_root) / "node_modules/.bin/pagefind";
  if (fs::exists(local, ec)) return fs::absolute(local, ec).string();
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    fs::path candidate = fs::path(dir) / "pagefind";
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return std::nullopt;
}

SearchIndex build_search_index(const std::string& pagefind, const std::string& site_dir) {
  // Pagefind's own output goes to a log file, shown only when it fails.
  fs::path log = fs::temp_directory_path() / ("bulletin-pagefind-" + std::to_string(getpid()) + ".log");
  std::vector<std::string> args = {pagefind, "--site", site_dir, "--output-subdir", "pagefind", "--force-language", "zh-cn"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, pagefind.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  SearchIndex result;
  int status = 0;
  if (rc != 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::ifstream in(log);
    std::string output((std::istreambuf_iterator<char>(in)), {});
    result.message = "search index failed (" + pagefind + "); the site is built without it:\n" + output;
  } else {
    std::ifstream in(log);
    std::string line, pages;
    while (std::getline(in, line))
      if (line.find("Indexed") != std::string::npos && line.find("pages") != std::string::npos) pages = trim(line);
    result.built = true;
    result.message = "search index built with Pagefind" + (pages.empty() ? "" : " (" + pages + ")");
  }
  std::error_code ec;
  fs::remove(log, ec);
  return result;
}

}  // namespace bulletin
