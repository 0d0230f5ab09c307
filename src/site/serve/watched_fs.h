// The project's files as `bulletin serve` reads them between saves.
//
// A rebuild loads the whole project again (the same load as `bulletin
// build`), and at 10,000 articles most of that load is asking the kernel
// what it already said last time: the listing of content/articles, a stamp
// (lstat) per article, where each folder resolves. WatchedFileSystem is the
// real file system with those answers remembered for paths under the
// watched folders, and forgotten for every path the watcher reports changed
// (and everything below it, and every listing that holds it). File contents
// are always read afresh. It remembers nothing until enabled, and is only
// enabled while inotify reports every change: no polling fallback, no lost
// events (forget_all), no symlinks in the watched trees (a symlink's target
// can change with no event in them).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "util/fs.h"

namespace bulletin {

class WatchedFileSystem : public FileSystem {
 public:
  // `watched`: the paths the watcher watches, spelled as it reports changes
  // (project_watch_paths of the same root). Only paths equal to or below
  // one of them are remembered.
  explicit WatchedFileSystem(std::vector<std::string> watched);
  // Remember answers from now on (true), or forget all and pass through (false).
  void set_enabled(bool on);
  bool enabled() const { return enabled_; }
  // Paths changed (files or folders): their answers, those of everything
  // below them, and the listings that hold them are forgotten.
  // `names_kept`: the paths are files whose bytes changed and nothing else
  // (written to, closed): the listings that hold them stay.
  void forget(const std::vector<std::string>& changed, bool names_kept = false);
  void forget_all();
  // Answers remembered (for tests).
  size_t remembered() const;

  std::optional<std::string> read(const std::string& path) const override { return real_.read(path); }
  std::unique_ptr<std::istream> open(const std::string& path) const override { return real_.open(path); }
  bool on_disk() const override { return true; }
  bool is_file(const std::string& path) const override;
  bool is_dir(const std::string& path) const override;
  using FileSystem::list;
  std::vector<std::string> list(const std::string& dir, std::vector<ListProblem>* problems) const override;
  unsigned long long size(const std::string& path) const override { return real_.size(path); }
  std::string outside(const std::string& root, const std::string& path) const override;
  std::optional<DiskStamp> stamp(const std::string& path) const override;

 private:
  bool cacheable(const std::string& path) const;
  RealFileSystem real_;
  std::vector<std::string> watched_;
  bool enabled_ = false;
  mutable std::shared_mutex mutex_;
  struct Listing {
    std::vector<std::string> files;
    std::vector<ListProblem> problems;
  };
  mutable std::map<std::string, Listing> lists_;
  mutable std::unordered_map<std::string, std::optional<DiskStamp>> stamps_;
  mutable std::unordered_map<std::string, bool> is_file_, is_dir_;
  mutable std::unordered_map<std::string, std::string> outside_;  // root + '\n' + path -> why
};

}  // namespace bulletin
