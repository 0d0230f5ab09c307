#include "util/fs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/diagnostics.h"

namespace bulletin {
namespace fs = std::filesystem;

std::string join_path(const std::string& a, const std::string& b) {
  if (a.empty() || a == ".") return b;
  if (b.empty()) return a;
  return a.back() == '/' ? a + b : a + '/' + b;
}

std::string file_stem(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(0, dot);
}

std::string parent_dir(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

std::optional<std::string> RealFileSystem::read(const std::string& path) const {
  // One open, fstat and read into a string of the file's size (every source
  // of a build comes through here: no stream buffers, no second copy).
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t have = 0;
  char more[4096];  // past the size fstat gave: the end, or what was appended since
  for (;;) {
    bool within = have < out.size();
    ssize_t n = within ? ::read(fd, out.data() + have, out.size() - have) : ::read(fd, more, sizeof more);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    if (!within) out.append(more, static_cast<size_t>(n));
    have += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(have);
  return out;
}

std::unique_ptr<std::istream> FileSystem::open(const std::string& path) const {
  auto bytes = read(path);
  if (!bytes) return nullptr;
  return std::make_unique<std::istringstream>(std::move(*bytes));
}

std::unique_ptr<std::istream> RealFileSystem::open(const std::string& path) const {
  if (!is_file(path)) return nullptr;
  auto in = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*in) return nullptr;
  return in;
}

bool RealFileSystem::is_file(const std::string& path) const {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

bool RealFileSystem::is_dir(const std::string& path) const {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

namespace {

struct DirId {
  dev_t dev;
  ino_t ino;
  bool operator==(const DirId& o) const { return dev == o.dev && ino == o.ino; }
};

void walk(const std::string& dir, const std::string& prefix, std::vector<DirId>& ancestors,
          std::vector<std::string>& out, std::vector<ListProblem>* problems) {
  auto problem = [&](const std::string& rel, const std::string& what) {
    if (problems) problems->push_back({rel, what});
  };
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    problem(prefix.empty() ? "." : prefix.substr(0, prefix.size() - 1),
            std::string("cannot be read: ") + std::strerror(errno));
    return;
  }
  std::vector<std::pair<std::string, unsigned char>> names;  // with the entry's type, when the folder says
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.empty() || name[0] == '.') continue;  // hidden, and . / ..
    names.emplace_back(std::move(name), e->d_type);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const auto& [name, type] : names) {
    std::string rel = prefix + name;
    if (type == DT_REG) {  // a plain file (no symlink): no stat needed
      out.push_back(rel);
      continue;
    }
    std::string full = dir + "/" + name;
    struct stat st;
    if (::stat(full.c_str(), &st) != 0) {
      int err = errno;
      struct stat lst;
      bool is_link = ::lstat(full.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode);
      if (err == ELOOP) problem(rel, "is a symlink loop");
      else if (is_link && err == ENOENT) problem(rel, "is a symlink to a file that does not exist");
      else problem(rel, std::string("cannot be read: ") + std::strerror(err));
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      DirId id{st.st_dev, st.st_ino};
      if (std::find(ancestors.begin(), ancestors.end(), id) != ancestors.end()) {
        problem(rel, "is a symlink loop (it leads back to a folder that contains it)");
        continue;
      }
      if (ancestors.size() > 256) {
        problem(rel, "is nested too deeply");
        continue;
      }
      ancestors.push_back(id);
      walk(full, rel + "/", ancestors, out, problems);
      ancestors.pop_back();
    } else if (S_ISREG(st.st_mode)) {
      out.push_back(rel);
    }
  }
}

}  // namespace

std::vector<std::string> RealFileSystem::list(const std::string& dir, std::vector<ListProblem>* problems) const {
  std::vector<std::string> out;
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return out;
  // A symlinked folder that leads to `dir` or any folder above it is a loop.
  std::vector<DirId> ancestors{{st.st_dev, st.st_ino}};
  std::error_code ec;
  fs::path up = fs::weakly_canonical(fs::absolute(dir, ec), ec);
  while (!ec && up.has_relative_path()) {
    up = up.parent_path();
    struct stat ust;
    if (::stat(up.c_str(), &ust) == 0) ancestors.push_back({ust.st_dev, ust.st_ino});
  }
  walk(dir, "", ancestors, out, problems);
  std::sort(out.begin(), out.end());
  return out;
}

std::string RealFileSystem::outside(const std::string& root, const std::string& path) const {
  std::error_code ec;
  fs::path base = fs::weakly_canonical(fs::absolute(root, ec), ec);
  if (ec) return {};
  fs::path target = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) return "cannot be resolved (" + ec.message() + ")";
  auto [b, t] = std::mismatch(base.begin(), base.end(), target.begin(), target.end());
  if (b == base.end()) return {};
  std::error_code lec;
  bool link = fs::is_symlink(path, lec);
  return std::string(link ? "is a symlink to " : "resolves to ") + target.string() +
         ", outside the project folder; bulletin reads only files inside the project";
}

std::string binary_identity() {
  static const std::string identity = [] {
    std::string id = "bulletin " BULLETIN_VERSION;
    struct stat st;
    if (::stat("/proc/self/exe", &st) == 0) {
      id += " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
            std::to_string(st.st_mtim.tv_nsec) + " " + std::to_string(st.st_ino);
    }
    return id;
  }();
  return identity;
}

std::optional<DiskStamp> RealFileSystem::stamp(const std::string& path) const {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  return DiskStamp{static_cast<unsigned long long>(st.st_size),
                   static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec,
                   static_cast<unsigned long long>(st.st_ino), S_ISLNK(st.st_mode)};
}

unsigned long long RealFileSystem::size(const std::string& path) const {
  std::error_code ec;
  auto n = fs::file_size(path, ec);
  return ec ? 0 : n;
}

std::optional<std::string> MemoryFileSystem::read(const std::string& path) const {
  auto it = files_.find(path);
  if (it == files_.end()) return std::nullopt;
  return it->second;
}

bool MemoryFileSystem::is_file(const std::string& path) const { return files_.count(path) > 0; }

bool MemoryFileSystem::is_dir(const std::string& path) const {
  std::string prefix = path.empty() || path == "." ? "" : path + '/';
  for (const auto& [p, _] : files_)
    if (p.rfind(prefix, 0) == 0) return true;
  return false;
}

std::vector<std::string> MemoryFileSystem::list(const std::string& dir, std::vector<ListProblem>*) const {
  std::string prefix = dir.empty() || dir == "." ? "" : dir + '/';
  std::vector<std::string> out;
  for (const auto& [p, _] : files_) {
    if (p.rfind(prefix, 0) != 0) continue;
    std::string rel = p.substr(prefix.size());
    if (rel[0] == '.' || rel.find("/.") != std::string::npos) continue;
    out.push_back(rel);
  }
  return out;  // std::map keeps them sorted
}

unsigned long long MemoryFileSystem::size(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? 0 : it->second.size();
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  fs::path target(path);
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  // An unpredictable name made with O_EXCL beside the target: never an
  // existing file or a symlink someone placed at a guessable path.
  std::string pattern = path + ".tmp-XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());
  if (fd < 0) throw Error({path, 0, 0}, std::string("cannot write file: ") + std::strerror(errno));
  std::string tmp = name.data();
  size_t done = 0;
  bool ok = true;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    done += static_cast<size_t>(n);
  }
  ::fchmod(fd, 0644);
  if (ok && ::fsync(fd) != 0) ok = false;
  if (::close(fd) != 0) ok = false;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Error({path, 0, 0}, std::string("cannot write file: ") + std::strerror(err));
  }
}

void create_new_file(const std::string& path, const std::string& text, const std::string& command,
                     const std::string& shown) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) throw Error({shown, 0, 0}, "already exists; " + command + " never overwrites a file");
    throw Error({shown, 0, 0}, std::string("cannot create the file: ") + std::strerror(errno));
  }
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      ::unlink(path.c_str());
      throw Error({shown, 0, 0}, "cannot write the file (disk full?)");
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
}

}  // namespace bulletin
