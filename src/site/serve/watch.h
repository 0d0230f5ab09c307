// Watching a project for changes, for `bulletin serve`: a snapshot of the
// size and modification time of every file under the watched paths, taken
// again every few hundred milliseconds and compared. Polling is simple and
// works the same on every file system (network shares included), and a
// project has at most a few thousand files.
#pragma once

#include <map>
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

}  // namespace bulletin
