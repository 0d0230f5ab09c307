#include "site/build/up_to_date.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "model/urls.h"
#include "util/fs.h"
#include "util/parallel.h"
#include "util/sha256.h"

namespace bulletin {
namespace fs = std::filesystem;
namespace {

constexpr const char* kMagic = "bulletin up-to-date 1";
constexpr long long kRacyNs = 100'000'000LL;  // as the parse cache

struct Stamp {
  char kind = 'm';  // f file, d folder, m missing
  unsigned long long size = 0, inode = 0;
  long long mtime_ns = 0;
  bool operator==(const Stamp&) const = default;
};

Stamp from(const struct stat& st) {
  Stamp s;
  s.kind = S_ISDIR(st.st_mode) ? 'd' : 'f';
  s.size = S_ISDIR(st.st_mode) ? 0 : static_cast<unsigned long long>(st.st_size);
  s.inode = st.st_ino;
  s.mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  return s;
}

Stamp lstamp(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 ? from(st) : Stamp{};
}

Stamp stamp_following(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? from(st) : Stamp{};
}

std::string absolute(const std::string& path) {
  std::error_code ec;
  return fs::absolute(path, ec).lexically_normal().string();
}

std::string key_of(const std::string& root, const std::string& out) {
  const char* path = std::getenv("PATH");
  const char* pdf = std::getenv("BULLETIN_PDF");
  const char* search = std::getenv("BULLETIN_SEARCH");
  return sha256(binary_identity() + "\n" + absolute(root) + "\n" + absolute(out) + "\n" + (path ? path : "") + "\n" +
                (pdf ? pdf : "-") + "\n" + (search ? search : "-"));
}

// The tools a build probes for, stamped following symlinks (missing counts).
std::vector<std::string> probed() { return {"/usr/lib/python3/dist-packages/weasyprint", "/usr/bin/python3"}; }

struct Walk {
  std::vector<std::pair<std::string, Stamp>> entries;
  std::string skip;      // absolute path not to enter (the output inside the project)
  bool hidden = false;   // also record hidden entries (the site's own manifest)
  bool symlink = false;  // met one: its target is not stamped, so no record
  // Entries are stamped relative to their folder (fstatat), not by their
  // whole path: most of an lstat of a deep path is the path walk.
  void dir(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return;
    DIR* d = ::fdopendir(fd);
    if (!d) {
      ::close(fd);
      return;
    }
    std::vector<std::pair<std::string, Stamp>> here;
    std::vector<size_t> subdirs;
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      if (!hidden && name[0] == '.') continue;
      std::string full = path + "/" + name;
      if (full == skip) continue;
      struct stat st;
      if (::fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (S_ISLNK(st.st_mode)) symlink = true;
      if (S_ISDIR(st.st_mode) && name != "node_modules") subdirs.push_back(here.size());
      here.emplace_back(std::move(full), from(st));
    }
    ::closedir(d);
    size_t next = 0;
    for (size_t i = 0; i < here.size(); ++i) {
      entries.push_back(here[i]);
      if (next < subdirs.size() && subdirs[next] == i) {
        ++next;
        dir(here[i].first);
      }
    }
  }
};

// lstat of paths that come folder by folder: each relative to an open fd of
// its folder (the record lists a folder's entries together, after the
// folder's own stamp, so a folder replaced by a symlink is caught by that).
struct NearStamper {
  std::string dir;
  int fd = -1;
  ~NearStamper() {
    if (fd >= 0) ::close(fd);
  }
  Stamp lstamp(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos || slash == 0) return bulletin::lstamp(path);
    if (path.compare(0, slash, dir) != 0 || dir.size() != slash) {
      // A new folder: its first entry by its whole path; the folder is
      // opened only when a second one follows (a folder of one file costs
      // one lstat, not an open as well).
      if (fd >= 0) ::close(fd);
      fd = -1;
      dir = path.substr(0, slash);
      return bulletin::lstamp(path);
    }
    if (fd < 0) fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return bulletin::lstamp(path);
    struct stat st;
    return ::fstatat(fd, path.c_str() + slash + 1, &st, AT_SYMLINK_NOFOLLOW) == 0 ? from(st) : Stamp{};
  }
};

std::string staging_prefix(const std::string& out) { return "." + fs::path(out).filename().string() + ".staging-"; }

// True when a staging folder of another (running, killed or committing) build is beside the output.
bool staging_beside(const std::string& out) {
  fs::path parent = fs::path(out).has_parent_path() ? fs::path(out).parent_path() : fs::path(".");
  std::string prefix = staging_prefix(out);
  DIR* d = ::opendir(parent.c_str());
  if (!d) return true;
  bool found = false;
  while (dirent* e = ::readdir(d)) found = found || std::strncmp(e->d_name, prefix.c_str(), prefix.size()) == 0;
  ::closedir(d);
  return found;
}

// Held by the process writing the record, shared by the one about to read it.
std::string lock_path(const std::string& record) { return record.substr(0, record.rfind('.')) + ".lock"; }

std::string trimmed(std::string out) {
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace

long long wall_clock_ns() {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<long long>(t.tv_sec) * 1000000000LL + t.tv_nsec;
}

std::string up_to_date_record(const std::string& project_root, const std::string& out_dir) {
  return join_path(project_root,
                   cache_path("build") + "/" + sha256(absolute(trimmed(out_dir))).substr(0, 16) + ".stamps");
}

std::optional<BuildReport> site_is_up_to_date(const std::string& project_root, const std::string& out_dir) {
  std::string out = trimmed(out_dir);
  std::string record = up_to_date_record(project_root, out);
  // A record still being written by the last build's background process:
  // wait for it (its lock is held until the record is renamed in).
  int lock = ::open(lock_path(record).c_str(), O_RDONLY | O_CLOEXEC);
  if (lock >= 0) {
    while (::flock(lock, LOCK_SH) != 0 && errno == EINTR) {
    }
    ::close(lock);
  }
  std::FILE* f = std::fopen(record.c_str(), "rb");
  if (!f) return std::nullopt;
  std::string text;
  char buf[1 << 16];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  std::fclose(f);
  // magic \n key \n report \n entries…
  size_t a = text.find('\n'), b = a == std::string::npos ? a : text.find('\n', a + 1);
  size_t c = b == std::string::npos ? b : text.find('\n', b + 1);
  if (c == std::string::npos || text.compare(0, a, kMagic) != 0) return std::nullopt;
  if (text.compare(a + 1, b - a - 1, key_of(project_root, out)) != 0) return std::nullopt;
  if (staging_beside(out)) return std::nullopt;
  BuildReport report;
  {
    // "pages files" then "name=count" fields, tab-separated.
    std::string line = text.substr(b + 1, c - b - 1);
    char* end = nullptr;
    report.pages = static_cast<int>(std::strtol(line.c_str(), &end, 10));
    report.files = static_cast<int>(std::strtol(end, &end, 10));
    for (size_t pos = static_cast<size_t>(end - line.c_str()); pos < line.size();) {
      size_t tab = line.find('\t', pos + 1);
      std::string field = line.substr(pos + 1, tab == std::string::npos ? tab : tab - pos - 1);
      size_t eq = field.rfind('=');
      if (eq != std::string::npos) report.documents[field.substr(0, eq)] = std::atoi(field.c_str() + eq + 1);
      pos = tab == std::string::npos ? line.size() : tab;
    }
    report.kept = report.pages + report.files;
  }
  // Entries: "kind size mtime inode path", one a line.
  const char* p = text.c_str() + c + 1;
  const char* stop = text.c_str() + text.size();
  size_t count = 0;
  NearStamper near;
  if (!text.ends_with("\nend\n")) return std::nullopt;  // cut short
  stop -= 4;
  while (p < stop) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', stop - p));
    if (!nl) return std::nullopt;
    Stamp want;
    want.kind = *p;
    char* q = nullptr;
    want.size = std::strtoull(p + 1, &q, 10);
    want.mtime_ns = std::strtoll(q, &q, 10);
    want.inode = std::strtoull(q, &q, 10);
    if (q >= nl || *q != ' ') return std::nullopt;
    std::string path(static_cast<const char*>(q + 1), nl);
    bool follow = want.kind == 'x' || want.kind == 'X';
    Stamp have = follow ? stamp_following(path) : near.lstamp(path);
    if (follow) {
      if ((want.kind == 'X') != (have.kind == 'm')) return std::nullopt;
      want.kind = have.kind;
      if (have.kind == 'm') want = have;
    }
    if (!(have == want)) return std::nullopt;
    p = nl + 1;
    ++count;
  }
  if (count == 0) return std::nullopt;
  report.notes.push_back("nothing changed since the last build: every file was kept");
  return report;
}

void record_up_to_date(const std::string& project_root, const std::string& out_dir, const BuildReport& report,
                       long long started_ns, const std::vector<std::pair<std::string, struct stat>>* known_site) {
  std::string out = trimmed(out_dir);
  std::string record = up_to_date_record(project_root, out);
  std::error_code ec;
  fs::remove(record, ec);
  fs::create_directories(fs::path(record).parent_path(), ec);  // before the project folder is stamped
  Walk inputs;
  inputs.skip = absolute(out);
  std::string root = absolute(project_root);
  inputs.dir(root);
  if (inputs.symlink) return;
  for (const auto& [path, s] : inputs.entries)
    if (s.mtime_ns + kRacyNs >= started_ns) return;  // changed while (or just before) building
  Walk site;
  site.hidden = true;
  if (known_site) {
    std::string base = absolute(out) + "/";
    for (const auto& [rel, st] : *known_site) {
      if (S_ISLNK(st.st_mode)) site.symlink = true;
      site.entries.emplace_back(base + rel, from(st));
    }
  } else {
    site.dir(absolute(out));
  }
  if (site.symlink || site.entries.empty()) return;
  std::string text = std::string(kMagic) + "\n" + key_of(project_root, out) + "\n";
  text += std::to_string(report.pages) + " " + std::to_string(report.files);
  for (const auto& [name, n] : report.documents) text += "\t" + name + "=" + std::to_string(n);
  text += "\n";
  auto line = [&](char kind, const Stamp& s, const std::string& path) {
    text += kind;
    text +=
        std::to_string(s.size) + " " + std::to_string(s.mtime_ns) + " " + std::to_string(s.inode) + " " + path + "\n";
  };
  line('d', lstamp(root), root);
  for (const auto& [path, s] : inputs.entries) line(s.kind, s, path);
  for (const auto& path : probed()) {
    Stamp s = stamp_following(absolute(path));
    line(s.kind == 'm' ? 'X' : 'x', s, absolute(path));
  }
  Stamp site_root = lstamp(absolute(out));
  line(site_root.kind, site_root, absolute(out));
  for (const auto& [path, s] : site.entries) line(s.kind, s, path);
  // Only an optimisation: on any error the next build takes the full path.
  // No fsync: a record lost or cut short by a crash does not parse or match.
  std::string tmp = record + ".tmp-" + std::to_string(::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return;
  text += "end\n";
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), record.c_str()) != 0) std::remove(tmp.c_str());
}

void record_up_to_date_in_background(const std::string& project_root, const std::string& out_dir,
                                     const BuildReport& report, long long started_ns,
                                     const std::vector<std::pair<std::string, struct stat>>* site) {
  std::string record = up_to_date_record(project_root, trimmed(out_dir));
  std::error_code ec;
  fs::remove(record, ec);  // the old one says nothing about the new site
  // A record would not be written (an input too young): no process to start,
  // and none for the next build to wait for.
  if (report.inputs_young) return;
  fs::create_directories(fs::path(record).parent_path(), ec);
  int lock = ::open(lock_path(record).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    if (lock >= 0) ::close(lock);
    record_up_to_date(project_root, out_dir, report, started_ns, site);
    return;
  }
  // One fork, not waited for: `build` exits right after, and init reaps the
  // child (a second fork would copy the page tables of a large process again).
  pid_t child = ::fork();
  if (child == 0) {
    // The child writes the record and holds the lock until it has; it keeps
    // none of the caller's pipes, sockets or locks open (a pipe held open
    // would make a caller reading the build's output wait for it).
    int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd < 3 && null >= 0; ++fd) ::dup2(null, fd);
    if (::dup2(lock, 3) == 3) ::closefrom(4);
    ::setsid();
    lower_to_background_priority();
    try {
      record_up_to_date(project_root, out_dir, report, started_ns, site);
    } catch (...) {
    }
    ::_exit(0);
  }
  if (child > 0) {
    ::close(lock);  // the child's copy keeps the lock
    return;
  }
  ::close(lock);  // fork failed: write it now
  record_up_to_date(project_root, out_dir, report, started_ns, site);
}

}  // namespace bulletin
