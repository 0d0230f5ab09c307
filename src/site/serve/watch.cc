#include "site/serve/watch.h"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <set>
#include <thread>

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

namespace {
constexpr uint32_t kEvents = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO |
                             IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
}  // namespace

ChangeWatcher::ChangeWatcher(std::vector<std::string> paths, bool force_polling) : paths_(std::move(paths)) {
  if (!force_polling) fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  bool ok = fd_ >= 0;
  for (const auto& path : paths_) {
    if (!ok || fd_ < 0) break;
    // The parent is watched for the path itself appearing, going or being replaced.
    std::string parent = fs::path(path).parent_path().string();
    if (parent.empty()) parent = ".";
    if (!names_in_.count(parent)) {
      int wd = ::inotify_add_watch(fd_, parent.c_str(), kEvents | IN_ONLYDIR);
      if (wd < 0) {
        ok = false;
        break;
      }
      dirs_[wd] = parent;
    }
    names_in_[parent].push_back(fs::path(path).filename().string());
    std::error_code ec;
    if (fs::is_symlink(path, ec)) saw_symlink_ = true;
    if (fs::is_directory(path, ec)) watch_tree(path);
  }
  if (!ok || fd_ < 0) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    dirs_.clear();
    if (!poller_) poller_ = std::make_unique<Watcher>(paths_);
  }
}

ChangeWatcher::~ChangeWatcher() {
  if (fd_ >= 0) ::close(fd_);
}

void ChangeWatcher::watch_tree(const std::string& dir) {
  int wd = ::inotify_add_watch(fd_, dir.c_str(), kEvents | IN_ONLYDIR | IN_DONT_FOLLOW);
  if (wd < 0) {
    // Out of watches (fs.inotify.max_user_watches): poll instead.
    if (errno == ENOSPC || errno == ENOMEM) {
      ::close(fd_);
      fd_ = -1;
      dirs_.clear();
      poller_ = std::make_unique<Watcher>(paths_);
    }
    return;
  }
  dirs_[wd] = dir;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (fd_ < 0) return;
    if (hidden(it->path())) continue;
    if (it->is_symlink(ec)) {
      saw_symlink_ = true;
      continue;
    }
    if (it->is_directory(ec)) watch_tree(it->path().string());
  }
}

std::vector<std::string> ChangeWatcher::wait(std::chrono::milliseconds timeout) {
  std::set<std::string> changed;
  for (auto& c : wait_changes(timeout)) changed.insert(std::move(c.path));
  return {changed.begin(), changed.end()};
}

std::vector<Change> ChangeWatcher::wait_changes(std::chrono::milliseconds timeout) {
  std::vector<Change> changes;
  if (fd_ < 0) {
    std::this_thread::sleep_for(timeout);
    for (auto& path : poller_->poll()) changes.push_back({std::move(path), ChangeKind::Polled});
    return changes;
  }
  struct pollfd p = {fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return {};
  alignas(struct inotify_event) char buf[64 * 1024];
  std::vector<std::string> new_dirs;
  while (true) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) break;
    for (char* at = buf; at < buf + n;) {
      auto* e = reinterpret_cast<struct inotify_event*>(at);
      at += sizeof(struct inotify_event) + e->len;
      if (e->mask & IN_Q_OVERFLOW) {
        // Lost events: build anyway.
        overflowed_ = true;
        changes.push_back({paths_.empty() ? std::string(".") : paths_.front(), ChangeKind::Complete});
        continue;
      }
      auto d = dirs_.find(e->wd);
      if (d == dirs_.end()) continue;
      if (e->mask & IN_IGNORED) {
        dirs_.erase(d);
        continue;
      }
      std::string name = e->len ? std::string(e->name) : std::string();
      if (name.empty()) continue;  // the folder itself: its parent reports it
      if (name[0] == '.') continue;
      // In a parent of the watched paths, only the watched names count.
      auto watched = names_in_.find(d->second);
      bool inside = false;
      for (const auto& path : paths_) {
        if (d->second == path || d->second.starts_with(path + "/")) inside = true;
      }
      if (!inside) {
        if (watched == names_in_.end()) continue;
        bool ours = false;
        for (const auto& n2 : watched->second) ours = ours || n2 == name;
        if (!ours) continue;
      }
      std::string full = join_path(d->second, name);  // "./x" is "x", as the watched paths spell it
      bool dir = e->mask & IN_ISDIR;
      if ((e->mask & (IN_CREATE | IN_MOVED_TO)) && dir) new_dirs.push_back(full);
      ChangeKind kind = ChangeKind::Touched;
      if (e->mask & IN_CLOSE_WRITE) {
        kind = ChangeKind::Written;
      } else if (e->mask & IN_MOVED_TO) {
        kind = ChangeKind::MovedIn;
      } else if (e->mask & IN_MOVED_FROM) {
        kind = ChangeKind::MovedOut;
      } else if (e->mask & (IN_DELETE | IN_DELETE_SELF)) {
        kind = ChangeKind::Removed;
      } else if (e->mask & IN_CREATE) {
        kind = dir ? ChangeKind::Complete : ChangeKind::Created;
      } else if (e->mask & IN_MODIFY) {
        kind = ChangeKind::Modified;
      }
      if (e->mask & (IN_CREATE | IN_MOVED_TO)) {
        struct stat st;
        if (::lstat(full.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) saw_symlink_ = true;
      }
      changes.push_back({std::move(full), kind, e->cookie});
    }
  }
  // A folder created or moved in: watch it, and count what it already holds.
  for (const auto& dir : new_dirs) {
    watch_tree(dir);
    if (fd_ < 0) break;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (!hidden(it->path())) changes.push_back({it->path().string(), ChangeKind::Complete});
  }
  return changes;
}

void SaveSettle::add(const std::vector<Change>& changes, Clock::time_point now) {
  if (changes.empty()) return;
  if (paths_.empty()) first_ = now;
  last_ = now;
  for (const auto& c : changes) {
    auto it = paths_.emplace(c.path, true).first;
    bool& done = it->second;
    switch (c.kind) {
      case ChangeKind::Created:
      case ChangeKind::Modified:
      case ChangeKind::Polled: done = false; break;
      case ChangeKind::Touched: break;  // as it was (a new path: final)
      case ChangeKind::MovedOut:
        done = false;
        moving_[c.cookie] = c.path;
        break;
      case ChangeKind::MovedIn: {
        done = true;
        auto from = moving_.find(c.cookie);
        if (from != moving_.end()) {
          paths_[from->second] = true;  // its other half
          moving_.erase(from);
        }
        break;
      }
      case ChangeKind::Written:
      case ChangeKind::Removed:
      case ChangeKind::Complete: done = true; break;
    }
  }
}

bool SaveSettle::settled() const {
  for (const auto& [path, done] : paths_)
    if (!done) return false;
  return true;
}

SaveSettle::Clock::time_point SaveSettle::due() const {
  return std::min(last_ + (settled() ? waits_.grace : waits_.quiet), first_ + waits_.longest);
}

std::vector<std::string> SaveSettle::take() {
  std::vector<std::string> out;
  for (auto& [path, done] : paths_) out.push_back(path);
  paths_.clear();
  moving_.clear();
  return out;
}

}  // namespace bulletin
