#include "site/serve/watch.h"

#include <sys/stat.h>

#include <filesystem>

#include "util/fs.h"

namespace bulletin {
namespace fs = std::filesystem;
namespace {

bool stamp_of(const std::string& path, FileStamp& out) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  out.mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  out.size = static_cast<unsigned long long>(st.st_size);
  return true;
}

bool hidden(const fs::path& p) {
  std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

}  // namespace

FileSnapshot take_snapshot(const std::vector<std::string>& paths) {
  FileSnapshot snap;
  for (const auto& root : paths) {
    FileStamp stamp;
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
      if (stamp_of(root, stamp)) snap[root] = stamp;
      continue;
    }
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      if (hidden(it->path())) {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      std::string rel = fs::relative(it->path(), root, ec).generic_string();
      std::string path = join_path(root, rel);
      if (stamp_of(path, stamp)) snap[path] = stamp;
    }
  }
  return snap;
}

std::vector<std::string> changed_files(const FileSnapshot& before, const FileSnapshot& after) {
  std::vector<std::string> out;
  auto a = before.begin();
  auto b = after.begin();
  while (a != before.end() || b != after.end()) {
    if (b == after.end() || (a != before.end() && a->first < b->first)) {
      out.push_back(a->first);  // removed
      ++a;
    } else if (a == before.end() || b->first < a->first) {
      out.push_back(b->first);  // added
      ++b;
    } else {
      if (!(a->second == b->second)) out.push_back(a->first);
      ++a;
      ++b;
    }
  }
  return out;
}

std::vector<std::string> project_watch_paths(const std::string& root) {
  return {join_path(root, "bulletin.yaml"), join_path(root, "content"), join_path(root, "data"),
          join_path(root, "templates")};
}

Watcher::Watcher(std::vector<std::string> paths) : paths_(std::move(paths)), last_(take_snapshot(paths_)) {}

std::vector<std::string> Watcher::poll() {
  FileSnapshot now = take_snapshot(paths_);
  std::vector<std::string> changed = changed_files(last_, now);
  last_ = std::move(now);
  return changed;
}

}  // namespace bulletin
