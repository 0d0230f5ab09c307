#include "site/build/writer.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "site/build/spread_folders.h"
#include "util/cache_digest.h"
#include "util/diagnostics.h"
#include "util/parallel.h"
#include "util/sha256.h"

namespace bulletin {
namespace fs = std::filesystem;

namespace {

constexpr const char* kManifestHeader = "bulletin site 1\n";
constexpr const char* kStagingMarker = ".bulletin-staging";
constexpr const char* kJournal = "journal";
// In the staging folder: "files-XXXXXX", an in-place build's files, named by
// staged_name; a random name, so that ext4 (the staging folder carries
// FS_TOPDIR_FL) places it, and so the inodes of its files, in a block group
// picked at random, not in the one where the last build's files, removed
// moments ago, make every new inode scan past them (spread_folders.h).
constexpr const char* kFlatPrefix = "files-";
constexpr const char* kFileList = "staged";  // in the staging folder: "inode\trel" of each file in files-XXXXXX/

std::string errno_text() { return std::strerror(errno); }

// A file descriptor closed when it goes out of scope.
struct Fd {
  int fd = -1;
  explicit Fd(int f = -1) : fd(f) {}
  Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (fd >= 0) ::close(fd);
    fd = o.fd;
    o.fd = -1;
    return *this;
  }
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::vector<std::string> segments(const std::string& rel) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t slash = rel.find('/', start);
    out.push_back(rel.substr(start, slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

// Reads a manifest: "digest\tsize\trel" lines after the header (written
// sorted by rel, so each entry goes in at the end of the map).
std::map<std::string, StagedSiteWriter::Entry> parse_manifest(std::string_view text) {
  std::map<std::string, StagedSiteWriter::Entry> out;
  if (!text.starts_with(kManifestHeader)) return out;
  text.remove_prefix(std::strlen(kManifestHeader));
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    size_t a = line.find('\t'), b = a == std::string_view::npos ? a : line.find('\t', a + 1);
    if (b == std::string_view::npos) continue;
    StagedSiteWriter::Entry e;
    e.digest = std::string(line.substr(0, a));
    e.size = std::strtoull(std::string(line.substr(a + 1, b - a - 1)).c_str(), nullptr, 10);
    out.emplace_hint(out.end(), std::string(line.substr(b + 1)), std::move(e));
  }
  return out;
}

std::string format_manifest(const std::map<std::string, StagedSiteWriter::Entry>& entries) {
  std::string out = kManifestHeader;
  for (const auto& [rel, e] : entries) out += e.digest + "\t" + std::to_string(e.size) + "\t" + rel + "\n";
  return out;
}

std::optional<std::string> read_all(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.fd < 0) return std::nullopt;
  std::string out;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd.fd, buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Creates `path` (which must not exist) with `bytes`.
bool create_file(const std::string& path, std::string_view bytes) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (fd.fd < 0) return false;
  bool ok = write_all(fd.fd, bytes);
  return ::close(std::exchange(fd.fd, -1)) == 0 && ok;
}

// Creates `rel` (which must not exist) below the folder open at `dir_fd`;
// its inode number goes to `ino` when given.
bool create_file_at(int dir_fd, const std::string& rel, std::string_view bytes, ino_t* ino = nullptr) {
  Fd fd(::openat(dir_fd, rel.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (fd.fd < 0) return false;
  bool ok = write_all(fd.fd, bytes);
  struct stat st;
  if (ino) ok = ok && ::fstat(fd.fd, &st) == 0 && (*ino = st.st_ino, true);
  return ::close(std::exchange(fd.fd, -1)) == 0 && ok;
}

// Writes `bytes` over the spare file `name` of the folder open at `dir_fd`
// (see spare_path): only a regular file with no other link (never a file
// hard-linked from the cache, nor through a symlink). Written from offset 0,
// then cut to size, never truncated to 0 first (ext4 would write it out at
// close, as for a file truncated and rewritten). False when there is no such
// file (it is removed if it cannot be used).
bool overwrite_spare(int dir_fd, const std::string& name, std::string_view bytes, ino_t* ino) {
  Fd fd(::openat(dir_fd, name.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (fd.fd < 0) {
    if (errno != ENOENT) ::unlinkat(dir_fd, name.c_str(), 0);
    return false;
  }
  struct stat st;
  if (::fstat(fd.fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
    ::unlinkat(dir_fd, name.c_str(), 0);
    return false;
  }
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::pwrite(fd.fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  if (static_cast<unsigned long long>(st.st_size) > bytes.size() &&
      ::ftruncate(fd.fd, static_cast<off_t>(bytes.size())) != 0)
    return false;
  *ino = st.st_ino;
  return ::close(std::exchange(fd.fd, -1)) == 0;
}

// Makes folder `rel` and its missing parents below the folder open at
// `dir_fd`: one mkdirat when the parent is there (the usual case: no stat
// of every component, as create_directories does). False with errno set.
// With `spread`, a folder directly below `dir_fd` (the site's `articles`,
// `notices`…) gets FS_TOPDIR_FL, so that ext4 spreads its subfolders (one per
// page) over the block groups (spread_folders.h).
bool make_dirs_at(int dir_fd, const std::string& rel, bool spread) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (::mkdirat(dir_fd, rel.c_str(), 0755) == 0) {
      if (spread && rel.find('/') == std::string::npos) {
        int fd = ::openat(dir_fd, rel.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
          mark_top_folder(fd);
          ::close(fd);
        }
      }
      return true;
    }
    if (errno == EEXIST) {
      struct stat st;
      if (::fstatat(dir_fd, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) return true;
      errno = EEXIST;
      return false;
    }
    size_t slash = rel.rfind('/');
    if (errno != ENOENT || slash == std::string::npos || attempt > 0) return false;
    if (!make_dirs_at(dir_fd, rel.substr(0, slash), spread)) return false;
  }
  return false;
}

struct WalkedFile {
  unsigned long long size;
  struct timespec mtime;
};

// Calls fn(dir_fd, name, rel, st) for each entry of the folder open at
// `dir_fd` (which it closes), not following symlinks; `rel` is `prefix/name`.
// "." and "..", and entries that vanish before they are stat'ed, are skipped.
template <class Fn>
void for_each_entry(int dir_fd, const std::string& prefix, Fn&& fn) {
  DIR* d = ::fdopendir(dir_fd);
  if (!d) {
    ::close(dir_fd);
    return;
  }
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string rel = prefix.empty() ? name : prefix + "/" + name;
    struct stat st;
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    fn(::dirfd(d), e->d_name, rel, st);
  }
  ::closedir(d);
}

int open_subfolder(int dir_fd, const char* name) {
  return ::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

// Every regular file and folder under `dir` (not following symlinks); other
// entries (symlinks, sockets…) count as files so that a commit removes them.
void walk(int dir_fd, const std::string& prefix, std::map<std::string, WalkedFile>& files,
          std::set<std::string>& dirs) {
  for_each_entry(dir_fd, prefix, [&](int fd, const char* name, const std::string& rel, const struct stat& st) {
    if (S_ISDIR(st.st_mode)) {
      int sub = open_subfolder(fd, name);
      if (sub < 0) return;
      dirs.insert(rel);
      walk(sub, rel, files, dirs);
    } else {
      files[rel] = {S_ISREG(st.st_mode) ? static_cast<unsigned long long>(st.st_size) : ~0ULL, st.st_mtim};
    }
  });
}

bool later(const timespec& a, const timespec& b) {
  return a.tv_sec != b.tv_sec ? a.tv_sec > b.tv_sec : a.tv_nsec > b.tv_nsec;
}

// Opens the folder that holds `rel` inside `root_fd`, creating folders as
// needed. Never follows a symlink: an entry in the way that is not a folder
// (in bulletin's own site) is removed first.
Fd open_parent(int root_fd, const std::vector<std::string>& parts, const std::string& shown) {
  Fd cur(::dup(root_fd));
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    const char* name = parts[i].c_str();
    for (int attempt = 0;; ++attempt) {
      int next = open_subfolder(cur.fd, name);
      if (next >= 0) {
        cur = Fd(next);
        break;
      }
      if (attempt > 2) throw Error({shown, 0, 0}, "cannot create the folder for " + shown + ": " + errno_text());
      if (errno == ENOENT) {
        if (::mkdirat(cur.fd, name, 0755) != 0 && errno != EEXIST)
          throw Error({shown, 0, 0}, "cannot create the folder for " + shown + ": " + errno_text());
      } else if (errno == ELOOP || errno == ENOTDIR) {
        ::unlinkat(cur.fd, name, 0);  // a file or symlink where a folder must be: never followed
      } else {
        throw Error({shown, 0, 0}, "cannot open the folder for " + shown + ": " + errno_text());
      }
    }
  }
  return cur;
}

// Moves the staged file `from` (relative to the folder open at `from_fd`)
// over out/rel, making the folders it needs (a new article's
// `articles/<slug>/`) on the way, none of them through a symlink.
//
// With `ino` (a flat-staged file, its inode): the staged file and the old one
// trade places in one step (RENAME_EXCHANGE), so the old file goes to the
// staging folder, removed with it, not freed here; and ext4 does not flush
// the new file's data as it does when a rename replaces a file
// (auto_da_alloc: a rename over an existing file costs a write-out). The
// inode tells whether a replay finds the new file already in place, and
// whether the staged name still holds the new file or now the old one.
void move_in(int from_fd, const std::string& from, int out_fd, const std::string& out_dir, const std::string& rel,
             ino_t ino = 0, bool check = false) {
  auto parts = segments(rel);
  std::string shown = out_dir + "/" + rel;
  Fd parent = open_parent(out_fd, parts, shown);
  const char* name = parts.back().c_str();
  if (ino) {
    struct stat st;
    if (check) {  // replaying: done already, or never staged, or still to do
      if (::fstatat(parent.fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_ino == ino) return;
      if (::fstatat(from_fd, from.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || st.st_ino != ino)
        throw Error({shown, 0, 0}, "cannot move the new file into place: the staged file " + from + " is missing");
    }
    if (renameat2(from_fd, from.c_str(), parent.fd, name, RENAME_EXCHANGE) == 0) return;
    if (errno != ENOENT && errno != EINVAL) throw Error({shown, 0, 0}, "cannot move the new file into place: " + errno_text());
    // ENOENT: no old file (a new page); EINVAL: no RENAME_EXCHANGE here.
  }
  if (::renameat(from_fd, from.c_str(), parent.fd, name) == 0) return;
  if (errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST) {
    // A folder of the old site where the new one has a file.
    std::error_code ec;
    fs::remove_all(fs::path(out_dir) / rel, ec);  // remove_all never follows symlinks
    if (::renameat(from_fd, from.c_str(), parent.fd, name) == 0) return;
  }
  throw Error({shown, 0, 0}, "cannot move the new file into place: " + errno_text());
}

// Removes out/rel if it is there; never creates a folder nor follows a symlink on the way.
void remove_in(int out_fd, const std::string& rel, bool dir) {
  auto parts = segments(rel);
  Fd cur(::dup(out_fd));
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    int next = open_subfolder(cur.fd, parts[i].c_str());
    if (next < 0) return;
    cur = Fd(next);
  }
  ::unlinkat(cur.fd, parts.back().c_str(), dir ? AT_REMOVEDIR : 0);
}

// A folder entry of a manifest ("search/data/2020/"): a folder kept or
// replaced as a whole, its files not listed.
bool is_folder_entry(const std::string& key) { return !key.empty() && key.back() == '/'; }

// Whether `rel` lies inside one of `folders` (folder entries without their '/').
bool inside_folder(const std::string& rel, const std::set<std::string>& folders) {
  if (folders.empty()) return false;
  for (size_t slash = rel.find('/'); slash != std::string::npos; slash = rel.find('/', slash + 1))
    if (folders.count(rel.substr(0, slash))) return true;
  return false;
}

// Checks the folder open at `fd` (closed here), site-relative `rel`, and its
// subfolders without a stat per file: each holds only regular files and
// folders (readdir's type), and, when `limit` is given, none was changed
// (an entry added, removed or renamed) after it. Counts the files and
// collects each folder's stat. False when a check fails.
bool scan_folder(int fd, const std::string& rel, const timespec* limit, size_t& files,
                 std::vector<std::pair<std::string, struct stat>>& dirs) {
  if (fd < 0) return false;
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode) || (limit && later(st.st_mtim, *limit))) {
    ::close(fd);
    return false;
  }
  dirs.emplace_back(rel, st);
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return false;
  }
  bool ok = true;
  std::vector<std::string> subs;
  while (dirent* e = ::readdir(d)) {
    const char* name = e->d_name;
    if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
    unsigned char type = e->d_type;
    if (type == DT_UNKNOWN) {
      struct stat est;
      if (::fstatat(::dirfd(d), name, &est, AT_SYMLINK_NOFOLLOW) != 0) {
        ok = false;
        break;
      }
      type = S_ISREG(est.st_mode) ? DT_REG : S_ISDIR(est.st_mode) ? DT_DIR : DT_LNK;
    }
    if (type == DT_REG) {
      ++files;
    } else if (type == DT_DIR) {
      subs.push_back(name);
    } else {
      ok = false;  // a symlink, socket…: not what the build made
      break;
    }
  }
  std::sort(subs.begin(), subs.end());
  for (size_t i = 0; ok && i < subs.size(); ++i)
    ok = scan_folder(open_subfolder(::dirfd(d), subs[i].c_str()), rel + "/" + subs[i], limit, files, dirs);
  ::closedir(d);
  return ok;
}

// Removes entry `name` of the folder open at `parent_fd` and, if it is a
// folder, everything in it; never follows a symlink.
void remove_tree_at(int parent_fd, const std::string& name) {
  if (::unlinkat(parent_fd, name.c_str(), 0) == 0 || (errno != EISDIR && errno != EPERM)) return;
  int fd = ::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return;
  }
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  for (const auto& n : names) remove_tree_at(::dirfd(d), n);
  ::closedir(d);
  ::unlinkat(parent_fd, name.c_str(), AT_REMOVEDIR);
}

// Removes out/rel and everything below it; never creates a folder nor follows a symlink.
void remove_folder_in(int out_fd, const std::string& rel) {
  auto parts = segments(rel);
  Fd cur(::dup(out_fd));
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    int next = open_subfolder(cur.fd, parts[i].c_str());
    if (next < 0) return;
    cur = Fd(next);
  }
  remove_tree_at(cur.fd, parts.back());
}

constexpr const char* kFolders = "folders";  // in the staging folder: "inode\trel" of each staged folder

// Puts the staged folder staging/site/rel (inode `ino`) in place of out/rel
// as a whole. With RENAME_EXCHANGE the old folder takes the staged one's
// place in one step, so every file is old or new at any time; the inode
// says which of the two is the new one, so that completing a commit twice
// never brings the old folder back.
void install_folder(const std::string& staged_site, int out_fd, const std::string& out_dir, const std::string& rel,
                    ino_t ino) {
  auto parts = segments(rel);
  std::string shown = out_dir + "/" + rel;
  Fd parent = open_parent(out_fd, parts, shown);
  const char* name = parts.back().c_str();
  std::string from = staged_site + "/" + rel;
  struct stat there, staged;
  bool has = ::fstatat(parent.fd, name, &there, AT_SYMLINK_NOFOLLOW) == 0;
  if (has && S_ISDIR(there.st_mode) && there.st_ino == ino) return;  // done already
  if (::lstat(from.c_str(), &staged) != 0 || !S_ISDIR(staged.st_mode) || staged.st_ino != ino)
    throw Error({shown, 0, 0}, "cannot move the new folder into place: the staged folder " + from + " is missing");
  if (has && !S_ISDIR(there.st_mode)) {
    ::unlinkat(parent.fd, name, 0);  // a file or symlink where the folder goes
    has = false;
  }
  if (!has) {
    if (::renameat(AT_FDCWD, from.c_str(), parent.fd, name) == 0) return;
    throw Error({shown, 0, 0}, "cannot move the new folder into place: " + errno_text());
  }
  if (renameat2(AT_FDCWD, from.c_str(), parent.fd, name, RENAME_EXCHANGE) == 0) return;  // the old one is in staging
  // No RENAME_EXCHANGE here: the old folder out of the way first, then the new one in.
  std::string aside = staged_site + "/../old-" + std::to_string(there.st_ino);
  if (::renameat(parent.fd, name, AT_FDCWD, aside.c_str()) != 0 ||
      ::renameat(AT_FDCWD, from.c_str(), parent.fd, name) != 0)
    throw Error({shown, 0, 0}, "cannot move the new folder into place: " + errno_text());
}

// Brings `out_dir` to the site the manifest `manifest_text` lists: moves in
// every file left in `staging/files` (flat, under staged_name) or in
// `staging/site` and every staged folder, removes every other file and the
// folders left empty, then installs the manifest. Used by commit and to
// complete a commit that a killed build left half done. A file already moved
// in is no longer staged, so completing a commit twice changes nothing.
//
// `known`, when given, is what the caller knows of both folders, so that
// neither is walked: the files (all in `files/`) and folders it staged, and
// every entry the old site holds (its manifest and what else was found in
// folders changed since).
struct KnownFiles {
  std::vector<std::pair<std::string, ino_t>> staged;  // in files/, under staged_name
  std::vector<std::pair<std::string, ino_t>> staged_folders;
  std::vector<std::string> existing;
};
void apply_commit(const std::string& out_dir, const std::string& staging, const std::string& manifest_text,
                  const KnownFiles* known = nullptr,
                  const std::function<void(const std::string&)>* after_step = nullptr) {
  auto manifest = parse_manifest(manifest_text);
  std::set<std::string> folders;  // the new site's folders kept or replaced as a whole
  for (const auto& [rel, _] : manifest)
    if (is_folder_entry(rel)) folders.insert(rel.substr(0, rel.size() - 1));
  Fd out_fd(::open(out_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (out_fd.fd < 0) throw Error({out_dir, 0, 0}, "cannot open the site folder: " + errno_text());
  std::string staged_site = staging + "/site";
  std::string flat_dir;
  {
    std::error_code ec;
    for (fs::directory_iterator it(staging, ec), end; !ec && it != end; it.increment(ec))
      if (it->path().filename().string().starts_with(kFlatPrefix)) flat_dir = it->path().string();
  }
  Fd flat_fd(flat_dir.empty() ? -1 : ::open(flat_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  std::vector<std::pair<std::string, ino_t>> staged;
  std::vector<std::string> existing;
  std::vector<std::string> tree_staged;  // in staging/site (a build of an older bulletin)
  std::vector<std::pair<std::string, ino_t>> staged_folders;
  if (known) {
    staged = known->staged;
    staged_folders = known->staged_folders;
    existing = known->existing;
  } else {
    std::map<std::string, WalkedFile> files;
    std::set<std::string> dirs;
    int staged_fd = ::open(staged_site.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (staged_fd >= 0) walk(staged_fd, "", files, dirs);
    for (const auto& [rel, _] : files)
      if (!inside_folder(rel, folders)) tree_staged.push_back(rel);
    std::stringstream file_list(read_all(staging + "/" + kFileList).value_or(""));
    for (std::string line; std::getline(file_list, line);) {
      size_t tab = line.find('\t');
      if (tab != std::string::npos)
        staged.emplace_back(line.substr(tab + 1), static_cast<ino_t>(std::strtoull(line.c_str(), nullptr, 10)));
    }
    std::stringstream list(read_all(staging + "/" + kFolders).value_or(""));
    for (std::string line; std::getline(list, line);) {
      size_t tab = line.find('\t');
      if (tab != std::string::npos)
        staged_folders.emplace_back(line.substr(tab + 1), static_cast<ino_t>(std::strtoull(line.c_str(), nullptr, 10)));
    }
    std::map<std::string, WalkedFile> old_files;
    std::set<std::string> old_dirs;
    walk(::dup(out_fd.fd), "", old_files, old_dirs);
    for (const auto& [rel, _] : old_files) existing.push_back(rel);
  }
  std::set<std::string> emptied;  // folders that lost an entry: removed if now empty
  auto emptying = [&](const std::string& rel) {
    for (size_t slash = rel.rfind('/'); slash != std::string::npos && slash > 0; slash = rel.rfind('/', slash - 1))
      emptied.insert(rel.substr(0, slash));
  };
  // Folders of the old site that the new one does not have, before anything
  // is moved in where they were.
  for (const auto& rel : existing) {
    if (!is_folder_entry(rel) || manifest.count(rel)) continue;
    std::string dir = rel.substr(0, rel.size() - 1);
    if (inside_folder(dir, folders)) continue;
    remove_folder_in(out_fd.fd, dir);
    emptying(dir);
  }
  for (const auto& [rel, ino] : staged_folders)
    if (folders.count(rel)) install_folder(staged_site, out_fd.fd, out_dir, rel, ino);
  for (const auto& rel : tree_staged)
    if (manifest.count(rel)) move_in(AT_FDCWD, staged_site + "/" + rel, out_fd.fd, out_dir, rel);
  if (!staged.empty() && flat_fd.fd < 0)
    throw Error({out_dir, 0, 0}, "cannot find the staged files in " + staging);
  for (const auto& [rel, ino] : staged) {
    if (!manifest.count(rel)) continue;
    move_in(flat_fd.fd, staged_name(rel), out_fd.fd, out_dir, rel, ino, /*check=*/!known);
    if (after_step && *after_step) (*after_step)(rel);
  }
  for (const auto& rel : existing) {
    if (is_folder_entry(rel) || manifest.count(rel) || rel == kSiteMarker) continue;
    if (inside_folder(rel, folders)) continue;  // its folder was replaced as a whole
    remove_in(out_fd.fd, rel, false);
    emptying(rel);
  }
  // Deepest folders first; rmdir leaves the ones that still hold files.
  for (auto it = emptied.rbegin(); it != emptied.rend(); ++it) remove_in(out_fd.fd, *it, true);
  std::string tmp = staging + "/manifest";
  ::unlink(tmp.c_str());
  if (!create_file(tmp, manifest_text) || ::renameat(AT_FDCWD, tmp.c_str(), out_fd.fd, kSiteMarker) != 0)
    throw Error({out_dir + "/" + kSiteMarker, 0, 0}, "cannot write the site manifest: " + errno_text());
}

std::string staging_prefix(const fs::path& out) { return "." + out.filename().string() + ".staging-"; }

// Beside the output: the old versions of the pages the last large in-place
// commit replaced, each under its staged_name. The next in-place build takes
// the folder as its flat staging folder and writes each page it stages over
// its old version's file (same inode, same blocks) instead of creating a file:
// ext4 then allocates no inode and frees none (a template edit of 10,000
// pages made and removed 10,000 files, and each new inode scanned past the
// ones removed moments before).
std::string spare_path(const fs::path& out) {
  fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
  return (parent / ("." + out.filename().string() + ".spare")).string();
}

// Removes a staging folder, its marker last: a removal cut short leaves the
// marker (the next build takes the folder for a leftover) or an empty folder
// (which clean_leftovers removes), never a folder of ours without its marker.
void remove_staging(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename() != kStagingMarker) entries.push_back(it->path());
  for (const auto& e : entries) fs::remove_all(e, ec);  // remove_all never follows symlinks
  fs::remove(dir / kStagingMarker, ec);
  ::rmdir(dir.c_str());
}

// One build at a time into a folder: two at once would each commit over the
// other's files from the same old manifest (a file one replaced, the other
// kept as it knew it), and one's leftover cleaning could take the other's new
// staging folder before its marker is made. The lock is on the folder that
// holds the output (the output itself is replaced whole by a first build), so
// no file is added for it; it goes with the process, killed or not. Where the
// file system has no such locks (some network mounts), builds go unlocked, as
// before. A process holds it once: a second writer in the same process (the
// tests) shares it rather than waiting for itself.
struct HeldLock {
  int fd;      // the open folder that holds the lock
  int writers; // of this process, sharing it
};
std::mutex held_mutex;
std::map<std::pair<dev_t, ino_t>, HeldLock> held;  // folders this process has locked

std::optional<std::pair<dev_t, ino_t>> lock_output_folder(const fs::path& parent, const std::function<void()>& waiting) {
  int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    if (fd >= 0) ::close(fd);
    return std::nullopt;
  }
  auto key = std::make_pair(st.st_dev, st.st_ino);
  std::lock_guard<std::mutex> guard(held_mutex);
  if (auto it = held.find(key); it != held.end()) {
    ::close(fd);
    ++it->second.writers;
    return key;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    bool locked = false;
    if (errno == EWOULDBLOCK) {
      if (waiting) waiting();
      while (!(locked = ::flock(fd, LOCK_EX) == 0) && errno == EINTR) {
      }
    }
    if (!locked) {
      ::close(fd);
      return std::nullopt;  // no locks on this file system: unlocked
    }
  }
  held[key] = {fd, 1};
  return key;
}

void unlock_output_folder(const std::optional<std::pair<dev_t, ino_t>>& key) {
  if (!key) return;
  std::lock_guard<std::mutex> guard(held_mutex);
  auto it = held.find(*key);
  if (it == held.end() || --it->second.writers > 0) return;
  ::close(it->second.fd);  // lets go of the lock
  held.erase(it);
}

// Removes staging folders of earlier builds of `out` that are no longer
// running (their marker is not locked), completing those that were committing.
void clean_leftovers(const fs::path& out) {
  fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
  std::string prefix = staging_prefix(out);
  std::error_code ec;
  std::vector<fs::path> found;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.starts_with(prefix) && it->is_directory(ec) && !it->is_symlink(ec)) found.push_back(it->path());
  }
  for (const auto& dir : found) {
    Fd marker(::open((dir / kStagingMarker).c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
    if (marker.fd < 0) {
      // Not ours, left alone; unless empty (a build killed before it made its
      // marker, or after its removal took the marker): rmdir removes nothing else.
      ::rmdir(dir.c_str());
      continue;
    }
    if (::flock(marker.fd, LOCK_EX | LOCK_NB) != 0) continue;  // a build still running
    if (auto journal = read_all((dir / kJournal).string())) {
      try {
        if (fs::is_directory(out)) apply_commit(out.string(), dir.string(), *journal);
      } catch (const Error&) {
        continue;  // keep it for a later build rather than lose the journal
      }
    }
    remove_staging(dir);
  }
}

bool is_empty_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec) && fs::directory_iterator(p, ec) == fs::directory_iterator();
}

bool has_marker(const fs::path& out) {
  auto text = read_all((out / kSiteMarker).string());
  return text && text->starts_with(kManifestHeader);
}

// True when `name` in the folder `dir_fd` is a regular file with exactly the
// bytes of the file at `path` (both read whole: shard files are small).
// The whole of an open file, or nothing when it cannot be read.
std::optional<std::string> read_fd(int fd) {
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0) return std::nullopt;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

bool same_bytes(int dir_fd, const char* name, const std::string& path) {
  struct stat a, b;
  if (::fstatat(dir_fd, name, &a, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(a.st_mode) ||
      ::stat(path.c_str(), &b) != 0 || !S_ISREG(b.st_mode) || a.st_size != b.st_size)
    return false;
  auto read_all = [](int fd, std::string& out) {
    if (fd < 0) return false;
    char buf[65536];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) != 0;) {
      if (n < 0) {
        ::close(fd);
        return false;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return true;
  };
  std::string x, y;
  return read_all(::openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), x) &&
         read_all(::open(path.c_str(), O_RDONLY | O_CLOEXEC), y) && x == y;
}

fs::path normal(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// Whether `inner` is `outer` or inside it.
bool within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

}  // namespace

void check_site_path(const std::string& rel, const std::string& where) {
  auto bad = [&](const std::string& why) {
    std::string shown;
    for (unsigned char c : rel) {
      if (c < 0x20 || c == 0x7f) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "\\x%02x", c);
        shown += hex;
      } else {
        shown += static_cast<char>(c);
      }
    }
    throw Error({where, 0, 0}, "refusing to write '" + shown + "' into the site: " + why);
  };
  if (rel.empty()) bad("the path is empty");
  if (rel[0] == '/') bad("the path is absolute");
  for (unsigned char c : rel) {
    if (c == '\\') bad("the path contains a backslash");
    if (c < 0x20 || c == 0x7f) bad("the path contains a control character");
  }
  for (const auto& s : segments(rel)) {
    if (s.empty()) bad("the path has an empty segment");
    if (s == ".") bad("the path has a '.' segment");
    if (s == "..") bad("the path has a '..' segment");
  }
}

std::optional<std::string> output_folder_problem(const std::string& out_dir, const std::string& project_root) {
  fs::path out = normal(out_dir);
  const std::string proceed = "; nothing was changed: pass -o with a new or empty folder";
  if (out == "/") return out_dir + " is the root folder of the machine" + proceed;
  if (const char* home = std::getenv("HOME"); home && *home) {
    fs::path h = normal(home);
    if (out == h) return out_dir + " is your home folder" + proceed;
    if (within(h, out)) return out_dir + " holds your home folder" + proceed;
  }
  if (!project_root.empty()) {
    fs::path project = normal(project_root);
    if (out == project) return out_dir + " is the project folder" + proceed + " such as " + project_root + "/site";
    if (within(project, out))
      return out_dir + " holds the project folder " + project_root + proceed + " such as " + project_root + "/site";
    for (const char* source : {"content", "data", "templates", ".git", "node_modules", ".bulletin-cache"}) {
      if (within(out, project / source))
        return out_dir + (out == project / source ? " is" : " is inside") + " the project's source folder " + source +
               "/" + proceed + " such as " + project_root + "/site";
    }
  }
  std::error_code ec;
  auto status = fs::status(out, ec);
  if (!fs::exists(status)) return std::nullopt;
  if (!fs::is_directory(status)) return out_dir + " is a file, not a folder" + proceed + ", or move the file away";
  if (is_empty_dir(out) || has_marker(out)) return std::nullopt;
  if (fs::exists(out / "index.html", ec) && fs::exists(out / "assets", ec))
    return out_dir + " holds a site without bulletin's " + kSiteMarker +
           " marker (built by an older bulletin, or by hand), so it was left as it is: move it away (mv " + out_dir +
           " " + out_dir + ".old) or delete it, then build again";
  return out_dir + " holds files that bulletin did not write (it has no " + kSiteMarker + " marker)" + proceed +
         ", or move " + out_dir + " away";
}

void OutputWriter::count(const std::string& rel, bool kept) {
  std::lock_guard<std::mutex> lock(count_mutex_);
  if (rel.ends_with(".html")) {
    ++pages_;
  } else {
    ++files_;
  }
  kept_ += kept;
}

void OutputWriter::count_files(size_t n, bool kept) {
  std::lock_guard<std::mutex> lock(count_mutex_);
  files_ += static_cast<int>(n);
  if (kept) kept_ += static_cast<int>(n);
}

void OutputWriter::copy_folder(const std::string& rel, const std::string& source_dir,
                               const std::vector<std::string>& files, const std::string&) {
  for (const auto& f : files) copy(rel + "/" + f, source_dir + "/" + f);
}

int OutputWriter::pages() const {
  std::lock_guard<std::mutex> lock(count_mutex_);
  return pages_;
}
int OutputWriter::files() const {
  std::lock_guard<std::mutex> lock(count_mutex_);
  return files_;
}
int OutputWriter::kept() const {
  std::lock_guard<std::mutex> lock(count_mutex_);
  return kept_;
}

StagedSiteWriter::StagedSiteWriter(std::string out_dir, WriterOptions options)
    : out_dir_(std::move(out_dir)), options_(std::move(options)) {
  while (out_dir_.size() > 1 && out_dir_.back() == '/') out_dir_.pop_back();
  fs::path out(out_dir_);
  fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(parent, ec);
  parent_lock_.key = lock_output_folder(parent, options_.waiting);
  clean_leftovers(out);
  if (auto problem = output_folder_problem(out_dir_, "")) throw Error({out_dir_, 0, 0}, *problem);

  std::string pattern = (parent / (staging_prefix(out) + "XXXXXX")).string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    throw Error({out_dir_, 0, 0}, "cannot create a staging folder beside the output: " + errno_text());
  }
  staging_ = buf.data();
  // Held locked while this build runs, so no other build takes the folder for a leftover.
  lock_fd_ = ::open((staging_ + "/" + kStagingMarker).c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX) != 0)
    throw Error({out_dir_, 0, 0}, "cannot create a staging folder beside the output: " + errno_text());
  staged_site_ = staging_ + "/site";
  if (::mkdir(staged_site_.c_str(), 0755) != 0 ||
      (staged_fd_ = ::open(staged_site_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
    throw Error({out_dir_, 0, 0}, "cannot create a staging folder beside the output: " + errno_text());
  if (options_.spread_folders) mark_top_folder(staged_fd_);  // its folders spread over ext4's block groups

  if (!fs::is_directory(out, ec) || !has_marker(out)) return;  // fresh: a new or empty folder
  mode_ = Mode::InPlace;
  // An in-place build stages its files flat, so that it makes no folder per page.
  if (options_.spread_folders) {
    Fd staging_fd(::open(staging_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (staging_fd.fd >= 0) mark_top_folder(staging_fd.fd);
  }
  std::string flat_pattern = staging_ + "/" + kFlatPrefix + "XXXXXX";
  std::vector<char> flat_buf(flat_pattern.begin(), flat_pattern.end());
  flat_buf.push_back('\0');
  if (!mkdtemp(flat_buf.data()))
    throw Error({out_dir_, 0, 0}, "cannot create a staging folder beside the output: " + errno_text());
  // The last large commit's old files, if any (a rename over the empty folder:
  // one build takes them; a symlink is never taken).
  took_spare_ = ::rename(spare_path(out).c_str(), flat_buf.data()) == 0;
  if ((flat_fd_ = ::open(flat_buf.data(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
    throw Error({out_dir_, 0, 0}, "cannot create a staging folder beside the output: " + errno_text());
  flat_ = flat_buf.data();
  ::fchmod(flat_fd_, 0755);
  std::string marker = out_dir_ + "/" + kSiteMarker;
  struct stat manifest_stat;
  if (::stat(marker.c_str(), &manifest_stat) != 0) return;
  previous_text_ = read_all(marker).value_or("");
  previous_ = parse_manifest(previous_text_);
  manifest_mtime_ = manifest_stat.st_mtim;
  scan_old_site();
}

// What the old site holds, without walking it: its manifest lists every file
// the last build left, and a folder whose mtime is not later than the
// manifest's has had no entry added, removed or renamed since (the commit
// changes folders before it writes the manifest). Only the other folders are
// read, for files put there by hand (strays, removed at commit). Each folder
// is lstat'ed, parents first: a file is kept only inside a folder that is a
// real folder all the way up (never through a symlink). Whether a kept
// file itself is untouched is asked when it is kept (keep()).
void StagedSiteWriter::scan_old_site() {
  out_fd_ = ::open(out_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (out_fd_ < 0) return;
  std::set<std::string> dirs;
  std::string_view last_parent;
  for (const auto& [rel, _] : previous_) {
    // A folder kept as a whole is not one of these: its parents are.
    size_t end = rel.size() - (is_folder_entry(rel) ? 1 : 0);
    if (end < rel.size()) old_folders_.insert(rel.substr(0, end));
    size_t last = rel.rfind('/', end - 1);
    if (last == std::string::npos) continue;
    std::string_view parent(rel.data(), last);
    if (parent == last_parent) continue;  // (sorted: most entries share the previous one's folder)
    last_parent = parent;
    for (size_t slash = rel.find('/'); slash != std::string::npos && slash <= last; slash = rel.find('/', slash + 1))
      dirs.insert(rel.substr(0, slash));
  }
  std::set<std::string> listed;  // files of the manifest, plus its folders
  auto read_changed = [&](int dir_fd, const std::string& prefix) {
    for_each_entry(dir_fd, prefix, [&](int fd, const char* name, const std::string& rel, const struct stat& st) {
      if (rel == kSiteMarker) return;
      bool known_file = previous_.count(rel) > 0, known_dir = dirs.count(rel) > 0;
      if (S_ISDIR(st.st_mode)) {
        if (known_dir) return;  // stamped on its own below
        if (old_folders_.count(rel)) return;  // checked as a whole by keep_folder
        // A folder put here by hand: every file in it is a stray.
        int sub = open_subfolder(fd, name);
        if (sub < 0) return;
        std::map<std::string, WalkedFile> files;
        std::set<std::string> sub_dirs;
        walk(sub, rel, files, sub_dirs);
        for (const auto& [f, _] : files) strays_.push_back(f);
        if (known_file) strays_.push_back(rel);  // where the manifest has a file
      } else if (!known_file) {
        strays_.push_back(rel);  // a file, symlink, socket… not made by bulletin
      }
    });
  };
  // The root holds the manifest, renamed in after everything else: always read.
  read_changed(::dup(out_fd_), "");
  for (const auto& dir : dirs) {
    size_t slash = dir.rfind('/');
    if (slash != std::string::npos && !good_dirs_.count(dir.substr(0, slash))) continue;  // parent not a folder
    struct stat st;
    if (::fstatat(out_fd_, dir.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (!S_ISDIR(st.st_mode)) {
      if (!previous_.count(dir)) strays_.push_back(dir);  // a file or symlink where a folder was
      continue;
    }
    good_dirs_.insert(dir);
    dir_stats_[dir] = st;
    if (!later(st.st_mtim, manifest_mtime_)) continue;
    int fd = open_subfolder(out_fd_, dir.c_str());
    if (fd >= 0) read_changed(fd, dir);
  }
}

StagedSiteWriter::~StagedSiteWriter() {
  if (!committed_ && !staging_.empty()) {
    std::error_code ec;
    remove_staging(staging_);
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
  if (out_fd_ >= 0) ::close(out_fd_);
  if (staged_fd_ >= 0) ::close(staged_fd_);
  if (flat_fd_ >= 0) ::close(flat_fd_);
}

StagedSiteWriter::FolderLock::~FolderLock() { unlock_output_folder(key); }

std::string staged_name(const std::string& rel) { return sha256(rel).substr(std::strlen("sha256:")); }

std::string StagedSiteWriter::staged_path(const std::string& rel) const {
  return mode_ == Mode::InPlace ? flat_ + "/" + staged_name(rel) : staged_site_ + "/" + rel;
}

std::optional<std::string> StagedSiteWriter::directory() const {
  // Also when updating in place: the output is a folder, so search and PDFs
  // are made (they come from the job plan and the cache, not from this folder).
  return staged_site_;
}

StagedSiteWriter::Entry* StagedSiteWriter::claim(const std::string& rel) {
  if (rel == kSiteMarker)
    throw Error({rel, 0, 0},
                std::string("refusing to write '") + rel + "' into the site: the name is bulletin's own manifest");
  auto [it, fresh] = produced_.emplace(rel, Entry{});
  return fresh ? &it->second : nullptr;
}

void StagedSiteWriter::prepare_parent(const std::string& rel) {
  size_t slash = rel.rfind('/');
  if (slash == std::string::npos) return;
  std::string dir = rel.substr(0, slash);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (made_dirs_.count(dir)) return;
  }
  if (!make_dirs_at(staged_fd_, dir, options_.spread_folders))
    throw Error({out_dir_ + "/" + rel, 0, 0}, "cannot create a folder in the staging area: " + errno_text());
  std::lock_guard<std::mutex> lock(mutex_);
  made_dirs_.insert(dir);
}

// Whether `rel` lies in the old site in a folder that is a real folder all
// the way up (never reached through a symlink), so what is there may be kept.
bool StagedSiteWriter::in_old_real_folder(const std::string& rel) const {
  size_t slash = rel.rfind('/');
  return out_fd_ >= 0 && (slash == std::string::npos || good_dirs_.count(std::string_view(rel).substr(0, slash)));
}

// The last build's file at `rel`, still as that build left it: a regular
// file of `size` bytes, not modified after the manifest was written, in a
// real folder. Its stat goes to `st`.
bool StagedSiteWriter::old_file_intact(const std::string& rel, unsigned long long size, struct stat& st) const {
  return in_old_real_folder(rel) && ::fstatat(out_fd_, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
         S_ISREG(st.st_mode) && static_cast<unsigned long long>(st.st_size) == size &&
         !later(st.st_mtim, manifest_mtime_);
}

void StagedSiteWriter::record_kept(const std::string& rel, const std::string& digest, unsigned long long size,
                                   const struct stat& st, const char* what) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Entry* e = claim(rel);
    if (!e) throw Error({rel, 0, 0}, std::string(what) + rel);
    *e = Entry{digest, size, false, true, st};
  }
  count(rel, true);
}

bool StagedSiteWriter::keep(const std::string& rel, const std::string& digest) {
  check_site_path(rel, out_dir_);
  if (mode_ == Mode::Fresh) return false;
  unsigned long long size = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto p = previous_.find(rel);
    if (p == previous_.end() || p->second.digest != digest) return false;
    size = p->second.size;
  }
  struct stat st;
  if (!old_file_intact(rel, size, st)) return false;
  record_kept(rel, digest, size, st, "two files would be written to the same path ");
  return true;
}

// A file made again whose bytes came out as the last build's (a page whose
// data changed only in what its template does not show; a source touched,
// not edited) keeps the old file, same inode and mtime, under the new digest.
// Its bytes are read only when the sizes match.
bool StagedSiteWriter::keep_same_bytes(const std::string& rel, const std::string& digest, unsigned long long size,
                                       const std::function<bool(int fd)>& same) {
  if (mode_ == Mode::Fresh) return false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto p = previous_.find(rel);
    if (p == previous_.end() || p->second.size != size || is_folder_entry(rel)) return false;
  }
  struct stat st;
  if (!old_file_intact(rel, size, st)) return false;
  Fd fd(::openat(out_fd_, rel.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.fd < 0 || !same(fd.fd)) return false;
  record_kept(rel, digest, size, st, "two pages would be written to the same file ");
  return true;
}

bool StagedSiteWriter::keep_folder(const std::string& rel, const std::string& digest) {
  check_site_path(rel, out_dir_);
  if (mode_ == Mode::Fresh) return false;
  std::string key = rel + "/";
  unsigned long long files = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto p = previous_.find(key);
    if (p == previous_.end() || p->second.digest != digest) return false;
    files = p->second.size;
  }
  // Still the folder the last build left: in a real folder, holding only
  // files and folders, none of its folders changed after the manifest was
  // written, and as many files. (Its files are not stat'ed one by one:
  // they are hard links to the cache, never edited in place by bulletin.)
  if (!in_old_real_folder(rel)) return false;
  size_t found = 0;
  std::vector<std::pair<std::string, struct stat>> dirs;
  int fd = ::openat(out_fd_, rel.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (!scan_folder(fd, rel, &manifest_mtime_, found, dirs) || found != files) return false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!claim(key)) throw Error({rel, 0, 0}, "two folders would be written to the same path " + rel);
    produced_[key] = Entry{digest, files, false};
    folder_stats_[rel] = std::move(dirs);
  }
  count_files(files, true);
  return true;
}

void StagedSiteWriter::copy_folder(const std::string& rel, const std::string& source_dir,
                                   const std::vector<std::string>& files, const std::string& digest) {
  check_site_path(rel, out_dir_);
  for (const auto& f : files) check_site_path(rel + "/" + f, out_dir_);
  std::string key = rel + "/";
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!claim(key)) throw Error({rel, 0, 0}, "two folders would be written to the same path " + rel);
  }
  if (!make_dirs_at(staged_fd_, rel, options_.spread_folders))
    throw Error({out_dir_ + "/" + rel, 0, 0}, "cannot create a folder in the staging area: " + errno_text());
  bool link = false;
  fs::path source = normal(source_dir);
  for (const auto& root : options_.link_roots) link = link || within(source, normal(root));
  // Linked folder by folder (linkat between open folders, not a path walk per file).
  Fd src_root(link ? ::open(source_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1);
  Fd dst_root(::openat(staged_fd_, rel.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  // Where a file cannot be linked from the cache (the site on another file
  // system: a tmpfs output, serve's), the last build's copy of this folder
  // lends the files whose bytes did not change: a shard whose index changed
  // in a few files keeps the inodes and mtimes of the others.
  bool had_folder = false;
  if (in_old_real_folder(rel)) {
    std::lock_guard<std::mutex> lock(mutex_);
    had_folder = previous_.count(key) > 0;
  }
  Fd old_root(had_folder ? ::openat(out_fd_, rel.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1);
  std::string current = "\n";  // no folder yet
  Fd src_dir, dst_dir, old_dir;
  for (const auto& f : files) {
    std::string from = source_dir + "/" + f, to = staged_site_ + "/" + rel + "/" + f;
    size_t slash = f.rfind('/');
    std::string dir = slash == std::string::npos ? "" : f.substr(0, slash);
    const char* name = f.c_str() + (slash == std::string::npos ? 0 : slash + 1);
    if (dir != current) {
      current = dir;
      prepare_parent(rel + "/" + f);
      src_dir = Fd(src_root.fd < 0 ? -1 : dir.empty() ? ::dup(src_root.fd) : open_subfolder(src_root.fd, dir.c_str()));
      dst_dir = Fd(dst_root.fd < 0 ? -1 : dir.empty() ? ::dup(dst_root.fd) : open_subfolder(dst_root.fd, dir.c_str()));
      old_dir = Fd(old_root.fd < 0 ? -1 : dir.empty() ? ::dup(old_root.fd) : open_subfolder(old_root.fd, dir.c_str()));
    }
    if (src_dir.fd >= 0 && dst_dir.fd >= 0 && ::linkat(src_dir.fd, name, dst_dir.fd, name, 0) == 0) continue;
    if (old_dir.fd >= 0 && dst_dir.fd >= 0 && same_bytes(old_dir.fd, name, from) &&
        ::linkat(old_dir.fd, name, dst_dir.fd, name, 0) == 0)
      continue;
    std::error_code ec;
    fs::copy_file(from, to, ec);
    if (ec) throw Error({from, 0, 0}, "cannot copy to " + out_dir_ + "/" + rel + "/" + f + ": " + ec.message());
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    produced_[key] = Entry{digest, files.size(), true};
  }
  count_files(files.size(), false);
}

void StagedSiteWriter::stage_file(const std::string& rel, std::string_view bytes) {
  bool ok;
  if (mode_ == Mode::InPlace) {
    ino_t ino = 0;
    std::string name = staged_name(rel);
    ok = took_spare_ && overwrite_spare(flat_fd_, name, bytes, &ino);
    if (!ok) ok = create_file_at(flat_fd_, name, bytes, &ino);
    std::lock_guard<std::mutex> lock(mutex_);
    staged_inodes_[rel] = ino;
  } else {
    prepare_parent(rel);
    ok = create_file_at(staged_fd_, rel, bytes);
  }
  if (!ok)
    throw Error({out_dir_ + "/" + rel, 0, 0}, "cannot write file (disk full or no permission?)");
}

void StagedSiteWriter::write(const std::string& rel, std::string_view bytes) {
  std::string digest = cache_digest(bytes);
  if (keep(rel, digest)) return;
  write_made_from(rel, bytes, digest);
}

void StagedSiteWriter::write_made_from(const std::string& rel, std::string_view bytes, const std::string& digest) {
  check_site_path(rel, out_dir_);
  if (keep_same_bytes(rel, digest, bytes.size(), [&](int fd) { return read_fd(fd) == bytes; })) return;
  Entry* entry;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    entry = claim(rel);
    if (!entry) throw Error({rel, 0, 0}, "two pages would be written to the same file " + rel);
  }
  stage_file(rel, bytes);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    *entry = Entry{digest, bytes.size(), true};
  }
  count(rel);
}

void StagedSiteWriter::copy(const std::string& rel, const std::string& source_path) {
  check_site_path(rel, out_dir_);
  struct stat st;
  if (::stat(source_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    throw Error({source_path, 0, 0}, "cannot copy to " + out_dir_ + "/" + rel + ": not a readable file");
  // The copy is made again when the source changes: its size and mtime stand for its bytes.
  std::string digest = "copy:" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
                       std::to_string(st.st_mtim.tv_nsec);
  if (keep(rel, digest)) return;
  if (keep_same_bytes(rel, digest, static_cast<unsigned long long>(st.st_size), [&](int fd) {
        Fd source(::open(source_path.c_str(), O_RDONLY | O_CLOEXEC));
        auto theirs = read_fd(source.fd);
        return theirs && read_fd(fd) == *theirs;
      }))
    return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!claim(rel)) throw Error({rel, 0, 0}, "two files would be written to the same path " + rel);
  }
  if (mode_ == Mode::Fresh) prepare_parent(rel);
  if (mode_ == Mode::InPlace && took_spare_) ::unlinkat(flat_fd_, staged_name(rel).c_str(), 0);  // a spare file
  std::string to = staged_path(rel);
  bool linked = false;
  fs::path source = normal(source_path);
  for (const auto& root : options_.link_roots) {
    if (within(source, normal(root))) {
      linked = ::link(source.c_str(), to.c_str()) == 0;
      break;
    }
  }
  if (!linked) {
    std::error_code ec;
    fs::copy_file(source_path, to, ec);
    if (ec) throw Error({source_path, 0, 0}, "cannot copy to " + out_dir_ + "/" + rel + ": " + ec.message());
  }
  if (mode_ == Mode::InPlace) {
    struct stat staged;
    if (::lstat(to.c_str(), &staged) != 0)
      throw Error({source_path, 0, 0}, "cannot copy to " + out_dir_ + "/" + rel + ": " + errno_text());
    std::lock_guard<std::mutex> lock(mutex_);
    staged_inodes_[rel] = staged.st_ino;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    produced_[rel] = Entry{digest, static_cast<unsigned long long>(st.st_size), true};
  }
  count(rel);
}

void StagedSiteWriter::commit() {
  std::string manifest = format_manifest(produced_);
  std::error_code ec;
  if (mode_ == Mode::InPlace) {
    // File by file, also when most of the site changed (a template edit):
    // a rename into a folder that is already there costs less than staging a
    // whole folder tree to swap in (ext4 places each new folder; bench/README.md).
    KnownFiles known;
    std::string folder_list, file_list;
    for (const auto& [rel, e] : produced_) {
      if (!e.staged) continue;
      if (!is_folder_entry(rel)) {
        ino_t ino = staged_inodes_.at(rel);
        known.staged.emplace_back(rel, ino);
        file_list += std::to_string(ino) + "\t" + rel + "\n";
        continue;
      }
      std::string dir = rel.substr(0, rel.size() - 1);
      struct stat st;
      if (::lstat((staged_site_ + "/" + dir).c_str(), &st) != 0)
        throw Error({out_dir_ + "/" + dir, 0, 0}, "cannot find the staged folder: " + errno_text());
      known.staged_folders.emplace_back(dir, st.st_ino);
      folder_list += std::to_string(st.st_ino) + "\t" + dir + "\n";
    }
    for (const auto& [rel, _] : previous_) known.existing.push_back(rel);
    known.existing.insert(known.existing.end(), strays_.begin(), strays_.end());
    bool changed = !known.staged.empty() || !known.staged_folders.empty();
    for (const auto& rel : known.existing) changed = changed || (!produced_.count(rel) && rel != kSiteMarker);
    if (changed || previous_text_ != manifest) {
      // The commit point: from here a killed build is completed by the next one.
      std::string tmp = staging_ + "/" + kJournal + ".tmp";
      if ((!folder_list.empty() && !create_file(staging_ + "/" + kFolders, folder_list)) ||
          (!file_list.empty() && !create_file(staging_ + "/" + kFileList, file_list)))
        throw Error({out_dir_, 0, 0}, "cannot write the build journal: " + errno_text());
      if (!create_file(tmp, manifest) || ::rename(tmp.c_str(), (staging_ + "/" + kJournal).c_str()) != 0)
        throw Error({out_dir_, 0, 0}, "cannot write the build journal: " + errno_text());
      if (options_.after_commit_step) options_.after_commit_step("journal");
      apply_commit(out_dir_, staging_, manifest, &known, &options_.after_commit_step);
      auto touch = [&](const std::string& rel) {
        for (size_t slash = rel.rfind('/'); slash != std::string::npos && slash > 0; slash = rel.rfind('/', slash - 1))
          touched_dirs_.insert(rel.substr(0, slash));
      };
      for (const auto& [rel, _] : known.staged) touch(rel);
      for (const auto& [dir, _] : known.staged_folders) touch(dir);
      for (const auto& rel : known.existing)
        if (!produced_.count(rel)) touch(is_folder_entry(rel) ? rel.substr(0, rel.size() - 1) : rel);
    }
    committed_in_place_ = true;
    committed_ = true;
    // The staging folder now holds the old versions of the files replaced.
    // Many (a template edit): removed off the critical path, its journal
    // first, so that a removal cut short is a leftover, not a commit to replay.
    // Many, or a spare folder was taken: they are kept beside the site as
    // its spare files (spare_path), the journal removed first.
    ::unlink((staging_ + "/" + kJournal).c_str());
    if ((known.staged.size() > 1000 || took_spare_) &&
        ::rename(flat_.c_str(), spare_path(fs::path(out_dir_)).c_str()) != 0 && known.staged.size() > 1000) {
      remove_in_background(staging_);  // another build's spare folder is there
      return;
    }
    remove_staging(staging_);
    return;
  }
  if (!create_file(staged_site_ + "/" + kSiteMarker, manifest))
    throw Error({out_dir_, 0, 0}, "cannot write the site manifest: " + errno_text());
  if (!fs::exists(fs::symlink_status(out_dir_, ec))) {
    if (::rename(staged_site_.c_str(), out_dir_.c_str()) != 0)
      throw Error({out_dir_, 0, 0}, "cannot move the new site into place: " + errno_text());
  } else if (!fs::is_directory(out_dir_, ec)) {
    throw Error({out_dir_, 0, 0}, "the output path exists and is not a folder; nothing was changed");
  } else if (renameat2(AT_FDCWD, staged_site_.c_str(), AT_FDCWD, out_dir_.c_str(), RENAME_EXCHANGE) != 0) {
    // File systems without RENAME_EXCHANGE: two renames, the old site kept until the end.
    std::string old = staging_ + "/old";
    if (::rename(out_dir_.c_str(), old.c_str()) != 0)
      throw Error({out_dir_, 0, 0}, "cannot replace the site: " + errno_text());
    if (::rename(staged_site_.c_str(), out_dir_.c_str()) != 0) {
      int saved = errno;
      ::rename(old.c_str(), out_dir_.c_str());
      throw Error({out_dir_, 0, 0}, std::string("cannot replace the site: ") + std::strerror(saved));
    }
  }
  committed_ = true;
  remove_staging(staging_);  // holds the previous site, if any
}

std::optional<std::vector<std::pair<std::string, struct stat>>> StagedSiteWriter::site_stamps() const {
  if (!committed_in_place_ || !strays_.empty() || out_fd_ < 0) return std::nullopt;
  std::vector<std::pair<std::string, struct stat>> out;
  std::set<std::string> dirs;
  std::string_view last_parent;
  for (const auto& [rel, _] : produced_) {
    size_t end = rel.size() - (is_folder_entry(rel) ? 1 : 0);
    size_t last = rel.rfind('/', end - 1);
    if (last == std::string::npos) continue;
    std::string_view parent(rel.data(), last);
    if (parent == last_parent) continue;
    last_parent = parent;
    for (size_t slash = rel.find('/'); slash != std::string::npos && slash <= last; slash = rel.find('/', slash + 1))
      dirs.insert(rel.substr(0, slash));
  }
  struct stat st;
  for (const auto& dir : dirs) {
    auto known = dir_stats_.find(dir);
    if (known != dir_stats_.end() && !touched_dirs_.count(dir)) {
      out.emplace_back(dir, known->second);
    } else if (::fstatat(out_fd_, dir.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      out.emplace_back(dir, st);
    } else {
      return std::nullopt;
    }
  }
  for (const auto& [rel, e] : produced_) {
    if (is_folder_entry(rel)) {  // its folders, as keep_folder checks it
      std::string dir = rel.substr(0, rel.size() - 1);
      auto kept = folder_stats_.find(dir);
      if (!e.staged && kept != folder_stats_.end()) {
        out.insert(out.end(), kept->second.begin(), kept->second.end());
        continue;
      }
      size_t files = 0;
      std::vector<std::pair<std::string, struct stat>> found;
      int fd = ::openat(out_fd_, dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (!scan_folder(fd, dir, nullptr, files, found)) return std::nullopt;
      out.insert(out.end(), found.begin(), found.end());
      continue;
    }
    if (!e.staged && e.stat_known) {
      out.emplace_back(rel, e.kept_stat);
    } else if (::fstatat(out_fd_, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      out.emplace_back(rel, st);
    } else {
      return std::nullopt;
    }
  }
  if (::fstatat(out_fd_, kSiteMarker, &st, AT_SYMLINK_NOFOLLOW) != 0) return std::nullopt;
  out.emplace_back(kSiteMarker, st);
  return out;
}

void remove_in_background(const std::string& dir) {
  // Unlocked once this process lets go of the marker: if the removal is cut
  // short, the next build takes the folder for a leftover and removes it. The
  // marker goes last (remove_staging), so a cut leaves it or an empty folder.
  pid_t child = ::fork();
  if (child == 0) {
    if (::fork() == 0) {
      lower_to_background_priority();
      ::execlp("sh", "sh", "-c",
               "find \"$1\" -mindepth 1 -maxdepth 1 ! -name .bulletin-staging -exec rm -rf -- {} + ; rm -rf -- \"$1\"",
               "sh", dir.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::_exit(0);
  }
  if (child > 0 && ::waitpid(child, nullptr, 0) == child) return;
  remove_staging(dir);
}

void MemoryWriter::write(const std::string& rel, std::string_view bytes) {
  check_site_path(rel);
  std::lock_guard<std::mutex> lock(mutex_);
  if (before_write) before_write(rel);
  if (files.count(rel)) throw Error({rel, 0, 0}, "two pages would be written to the same file " + rel);
  files[rel] = keep_contents ? std::string(bytes) : std::string();
  count(rel);
}

void MemoryWriter::copy(const std::string& rel, const std::string& source_path) {
  check_site_path(rel);
  std::lock_guard<std::mutex> lock(mutex_);
  if (before_write) before_write(rel);
  if (files.count(rel)) throw Error({rel, 0, 0}, "two files would be written to the same path " + rel);
  files[rel] = "<copy of " + source_path + ">";
  count(rel);
}

}  // namespace bulletin
