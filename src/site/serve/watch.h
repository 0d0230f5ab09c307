// Watching a project for changes, for `bulletin serve`. ChangeWatcher asks
// the kernel (inotify) to report every change under the watched paths, so a
// save is seen at once and an idle project costs nothing. Where inotify is
// not available (another OS, a file system without it, the watch limit
// reached) it falls back to polling: a snapshot of the size and modification
// time of every file, taken again every few hundred milliseconds and compared.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace bulletin {

struct FileStamp {
  long long mtime_ns = 0;
  unsigned long long size = 0;
  bool operator==(const FileStamp&) const = default;
};

// Path (as given, joined with the relative path below it) -> stamp.
using FileSnapshot = std::map<std::string, FileStamp>;

// Stamps every regular file under each of `paths` (a folder, recursively, or
// a single file). Missing paths are skipped; hidden files and folders (editor
// swap files, .git) are ignored.
FileSnapshot take_snapshot(const std::vector<std::string>& paths);

// Files added, removed or modified between two snapshots, sorted.
std::vector<std::string> changed_files(const FileSnapshot& before, const FileSnapshot& after);

// The paths `serve` watches in a project: content/, data/, templates/ and bulletin.yaml.
std::vector<std::string> project_watch_paths(const std::string& root);

// Remembers the last snapshot; poll() reports what changed since the last call.
class Watcher {
 public:
  explicit Watcher(std::vector<std::string> paths);
  std::vector<std::string> poll();

 private:
  std::vector<std::string> paths_;
  FileSnapshot last_;
};

// Event-driven watching with a polling fallback. Hidden files and folders
// (editor swap files, .git) are ignored, as by the snapshots.
class ChangeWatcher {
 public:
  // `paths`: folders (watched with every folder below them, including ones
  // created later) and files; a path missing now is seen when it appears.
  // `force_polling`: do not use inotify (tests of the fallback).
  explicit ChangeWatcher(std::vector<std::string> paths, bool force_polling = false);
  ~ChangeWatcher();
  ChangeWatcher(const ChangeWatcher&) = delete;
  ChangeWatcher& operator=(const ChangeWatcher&) = delete;
  // Waits up to `timeout` for changes and returns the paths changed (sorted,
  // each once; empty when nothing changed or a signal interrupted the wait).
  // Polling: sleeps `timeout`, then compares snapshots.
  std::vector<std::string> wait(std::chrono::milliseconds timeout);
  bool event_driven() const { return fd_ >= 0; }

 private:
  void watch_tree(const std::string& dir);
  std::vector<std::string> paths_;
  int fd_ = -1;
  std::map<int, std::string> dirs_;                           // watch descriptor -> folder
  std::map<std::string, std::vector<std::string>> names_in_;  // folder -> watched names in it (parents of paths)
  std::unique_ptr<Watcher> poller_;
};

}  // namespace bulletin
