// Watching a project for changes, for `bulletin serve`. ChangeWatcher asks
// the kernel (inotify) to report every change under the watched paths, so a
// save is seen at once and an idle project costs nothing. Where inotify is
// not available (another OS, a file system without it, the watch limit
// reached) it falls back to polling: a snapshot of the size and modification
// time of every file, taken again every few hundred milliseconds and compared.
#pragma once

#include <chrono>
#include <cstdint>
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

// What one change to a path says about it, for deciding when a save is over.
enum class ChangeKind {
  Created,   // a new file, not closed yet (IN_CREATE)
  Modified,  // written to, not closed yet (IN_MODIFY)
  Written,   // closed after writing (IN_CLOSE_WRITE)
  Removed,   // deleted (IN_DELETE, IN_DELETE_SELF)
  MovedOut,  // renamed away: half of a rename until its other half (same cookie) arrives
  MovedIn,   // renamed here (IN_MOVED_TO)
  Touched,   // metadata only (IN_ATTRIB): does not open or close anything
  Complete,  // whole as seen: a new folder, a file found in one, a lost-events notice
  Polled,    // seen by comparing snapshots: may still be being written
};

struct Change {
  std::string path;
  ChangeKind kind = ChangeKind::Complete;
  uint32_t cookie = 0;  // MovedOut / MovedIn: pairs the two halves of one rename
};

// When `serve` rebuilds after changes. Editors save in several steps (write
// a file and close it; or write a temporary file, rename the old one away,
// rename the new one in; then chmod). A save is taken as over when every
// changed path is in a final state (closed after writing, renamed in,
// removed, both halves of a rename seen) and nothing more arrived for
// `grace`; while a file is still open for writing, or a rename is half done,
// or the changes come from polling, the rebuild waits for `quiet` without
// events instead. Never later than `longest` after the first change. Pure
// (time is passed in), so it is tested without clocks.
class SaveSettle {
 public:
  using Clock = std::chrono::steady_clock;
  struct Waits {
    std::chrono::milliseconds grace{10}, quiet{50}, longest{500};
  };
  SaveSettle() = default;
  explicit SaveSettle(Waits waits) : waits_(waits) {}
  void add(const std::vector<Change>& changes, Clock::time_point now);
  bool pending() const { return !paths_.empty(); }
  // Every changed path in a final state.
  bool settled() const;
  // When to rebuild if nothing more arrives (only while pending()).
  Clock::time_point due() const;
  // The changed paths (sorted, each once); clears the state.
  std::vector<std::string> take();

 private:
  Waits waits_;
  std::map<std::string, bool> paths_;       // path -> in a final state
  std::map<uint32_t, std::string> moving_;  // cookie -> path renamed away, other half not seen
  Clock::time_point first_{}, last_{};
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
  // The same, as changes with what each event said (for SaveSettle).
  std::vector<Change> wait_changes(std::chrono::milliseconds timeout);
  bool event_driven() const { return fd_ >= 0; }
  // A symlink was seen in the watched trees (its target may change with no
  // event here), so what is read through it cannot be remembered.
  bool saw_symlink() const { return saw_symlink_; }
  // Events were lost (the kernel's queue overflowed) since the last call.
  bool take_overflow() {
    bool was = overflowed_;
    overflowed_ = false;
    return was;
  }

 private:
  void watch_tree(const std::string& dir);
  std::vector<std::string> paths_;
  int fd_ = -1;
  std::map<int, std::string> dirs_;                           // watch descriptor -> folder
  std::map<std::string, std::vector<std::string>> names_in_;  // folder -> watched names in it (parents of paths)
  std::unique_ptr<Watcher> poller_;
  bool saw_symlink_ = false;
  bool overflowed_ = false;
};

}  // namespace bulletin
