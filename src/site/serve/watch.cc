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
    if (it->is_directory(ec) && !it->is_symlink(ec)) watch_tree(it->path().string());
  }
}

std::vector<std::string> ChangeWatcher::wait(std::chrono::milliseconds timeout) {
  if (fd_ < 0) {
    std::this_thread::sleep_for(timeout);
    return poller_->poll();
  }
  struct pollfd p = {fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return {};
  std::set<std::string> changed;
  alignas(struct inotify_event) char buf[64 * 1024];
  std::vector<std::string> new_dirs;
  while (true) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) break;
    for (char* at = buf; at < buf + n;) {
      auto* e = reinterpret_cast<struct inotify_event*>(at);
      at += sizeof(struct inotify_event) + e->len;
      if (e->mask & IN_Q_OVERFLOW) {
        changed.insert(paths_.empty() ? std::string(".") : paths_.front());  // lost events: build anyway
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
      std::string full = d->second + "/" + name;
      if ((e->mask & (IN_CREATE | IN_MOVED_TO)) && (e->mask & IN_ISDIR)) new_dirs.push_back(full);
      changed.insert(full);
    }
  }
  // A folder created or moved in: watch it, and count what it already holds.
  for (const auto& dir : new_dirs) {
    watch_tree(dir);
    if (fd_ < 0) break;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (!hidden(it->path())) changed.insert(it->path().string());
  }
  return {changed.begin(), changed.end()};
}

}  // namespace bulletin
