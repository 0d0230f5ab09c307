#include "site/serve/watched_fs.h"

namespace bulletin {
namespace {

// `path` is `prefix` or below it.
bool at_or_below(const std::string& path, const std::string& prefix) {
  return path.size() >= prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
         (path.size() == prefix.size() || path[prefix.size()] == '/');
}

template <class Map, class Key>
void erase_if_key(Map& map, Key&& drop) {
  for (auto it = map.begin(); it != map.end();) {
    if (drop(it->first)) {
      it = map.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace

WatchedFileSystem::WatchedFileSystem(std::vector<std::string> watched) : watched_(std::move(watched)) {}

bool WatchedFileSystem::cacheable(const std::string& path) const {
  // Hidden names are not watched (editor swap files, .git): never remembered.
  if (!enabled_ || path.find("/.") != std::string::npos || path.find("//") != std::string::npos) return false;
  for (const auto& w : watched_)
    if (at_or_below(path, w)) return true;
  return false;
}

void WatchedFileSystem::set_enabled(bool on) {
  forget_all();
  enabled_ = on;
}

void WatchedFileSystem::forget_all() {
  std::unique_lock lock(mutex_);
  lists_.clear();
  stamps_.clear();
  is_file_.clear();
  is_dir_.clear();
  outside_.clear();
}

void WatchedFileSystem::forget(const std::vector<std::string>& changed, bool names_kept) {
  if (changed.empty()) return;
  std::unique_lock lock(mutex_);
  for (const auto& p : changed) {
    auto below = [&](const std::string& key) { return at_or_below(key, p); };
    // A listing holds p when p is below the listed folder; one below p is gone with it.
    if (!names_kept)
      erase_if_key(lists_, [&](const std::string& dir) { return at_or_below(p, dir) || at_or_below(dir, p); });
    erase_if_key(stamps_, below);
    erase_if_key(is_file_, below);
    erase_if_key(is_dir_, below);
    erase_if_key(outside_, [&](const std::string& key) { return at_or_below(key.substr(key.find('\n') + 1), p); });
  }
}

size_t WatchedFileSystem::remembered() const {
  std::shared_lock lock(mutex_);
  return lists_.size() + stamps_.size() + is_file_.size() + is_dir_.size() + outside_.size();
}

bool WatchedFileSystem::is_file(const std::string& path) const {
  if (!cacheable(path)) return real_.is_file(path);
  {
    std::shared_lock lock(mutex_);
    auto it = is_file_.find(path);
    if (it != is_file_.end()) return it->second;
  }
  bool yes = real_.is_file(path);
  std::unique_lock lock(mutex_);
  is_file_.emplace(path, yes);
  return yes;
}

bool WatchedFileSystem::is_dir(const std::string& path) const {
  if (!cacheable(path)) return real_.is_dir(path);
  {
    std::shared_lock lock(mutex_);
    auto it = is_dir_.find(path);
    if (it != is_dir_.end()) return it->second;
  }
  bool yes = real_.is_dir(path);
  std::unique_lock lock(mutex_);
  is_dir_.emplace(path, yes);
  return yes;
}

std::vector<std::string> WatchedFileSystem::list(const std::string& dir, std::vector<ListProblem>* problems) const {
  if (!cacheable(dir)) return real_.list(dir, problems);
  {
    std::shared_lock lock(mutex_);
    auto it = lists_.find(dir);
    if (it != lists_.end()) {
      if (problems) problems->insert(problems->end(), it->second.problems.begin(), it->second.problems.end());
      return it->second.files;
    }
  }
  Listing l;
  l.files = real_.list(dir, &l.problems);
  if (problems) problems->insert(problems->end(), l.problems.begin(), l.problems.end());
  std::unique_lock lock(mutex_);
  return lists_.emplace(dir, std::move(l)).first->second.files;
}

std::string WatchedFileSystem::outside(const std::string& root, const std::string& path) const {
  if (!cacheable(path)) return real_.outside(root, path);
  std::string key = root + '\n' + path;
  {
    std::shared_lock lock(mutex_);
    auto it = outside_.find(key);
    if (it != outside_.end()) return it->second;
  }
  std::string why = real_.outside(root, path);
  std::unique_lock lock(mutex_);
  outside_.emplace(std::move(key), why);
  return why;
}

std::optional<DiskStamp> WatchedFileSystem::stamp(const std::string& path) const {
  if (!cacheable(path)) return real_.stamp(path);
  {
    std::shared_lock lock(mutex_);
    auto it = stamps_.find(path);
    if (it != stamps_.end()) return it->second;
  }
  auto st = real_.stamp(path);
  std::unique_lock lock(mutex_);
  stamps_.emplace(path, st);
  return st;
}

}  // namespace bulletin
