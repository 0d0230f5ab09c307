// The file system behind a small interface, so that tests can run on an
// in-memory tree and inject failing writes.
#pragma once

#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bulletin {

// An entry of a listed folder that could not be listed: a symlink loop, a
// broken symlink, a folder that cannot be read, a symlink out of `root`.
struct ListProblem {
  std::string path;  // relative to the listed folder, '/' separators
  std::string what;  // "is a symlink loop", …
};

// What a file looked like on disk (lstat), to tell cheaply that it has not
// changed since it was last read: size, mtime in nanoseconds, inode.
struct DiskStamp {
  unsigned long long size = 0;
  long long mtime_ns = 0;
  unsigned long long inode = 0;
  bool symlink = false;
  bool operator==(const DiskStamp&) const = default;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // The file's bytes, or nullopt if it does not exist or cannot be read.
  virtual std::optional<std::string> read(const std::string& path) const = 0;
  // The file as a stream, or nullptr if it cannot be read. Default: its
  // bytes from read(); files on disk are read in chunks instead.
  virtual std::unique_ptr<std::istream> open(const std::string& path) const;
  // True when paths name real files that other libraries may open
  // themselves (libzip, pread); false for in-memory file systems.
  virtual bool on_disk() const { return false; }
  virtual bool is_file(const std::string& path) const = 0;
  virtual bool is_dir(const std::string& path) const = 0;
  // Regular files under `dir`, recursively, as paths relative to `dir` with
  // '/' separators, sorted. Hidden files and folders are skipped.
  // Entries that cannot be listed are left out and, when `problems` is given,
  // reported there; listing never throws.
  virtual std::vector<std::string> list(const std::string& dir, std::vector<ListProblem>* problems) const = 0;
  std::vector<std::string> list(const std::string& dir) const { return list(dir, nullptr); }
  virtual unsigned long long size(const std::string& path) const = 0;
  // Why `path` may not be read as part of the project in `root`: it
  // resolves, after symlinks, outside `root` ("is a symlink to /etc/passwd,
  // outside the project folder"). Empty when it stays inside (or does not
  // exist, which the caller reports in its own words).
  virtual std::string outside(const std::string& root, const std::string& path) const { return {}; }
  // The file's stamp, or nullopt when it cannot be stat'ed or the file
  // system has none (in memory): callers then read and hash the file.
  virtual std::optional<DiskStamp> stamp(const std::string& path) const { return std::nullopt; }
};

class RealFileSystem : public FileSystem {
 public:
  std::optional<std::string> read(const std::string& path) const override;
  std::unique_ptr<std::istream> open(const std::string& path) const override;
  bool on_disk() const override { return true; }
  bool is_file(const std::string& path) const override;
  bool is_dir(const std::string& path) const override;
  using FileSystem::list;
  // Follows symlinked folders, but never into one of their own ancestors.
  std::vector<std::string> list(const std::string& dir, std::vector<ListProblem>* problems) const override;
  unsigned long long size(const std::string& path) const override;
  std::string outside(const std::string& root, const std::string& path) const override;
  std::optional<DiskStamp> stamp(const std::string& path) const override;
};

// A tree of files held in memory; directories exist implicitly.
class MemoryFileSystem : public FileSystem {
 public:
  void add(const std::string& path, std::string bytes) { files_[path] = std::move(bytes); }
  std::optional<std::string> read(const std::string& path) const override;
  bool is_file(const std::string& path) const override;
  bool is_dir(const std::string& path) const override;
  using FileSystem::list;
  std::vector<std::string> list(const std::string& dir, std::vector<ListProblem>* problems) const override;
  unsigned long long size(const std::string& path) const override;

 private:
  std::map<std::string, std::string> files_;
};

// The running bulletin binary as a short string (version, size, mtime, inode
// of /proc/self/exe): caches made by another build of bulletin do not match.
std::string binary_identity();

// "a/b" + "c" -> "a/b/c"; an empty side is dropped.
std::string join_path(const std::string& a, const std::string& b);
// "content/articles/x.md" -> "x".
std::string file_stem(const std::string& path);
// "content/articles/x.md" -> "content/articles"; "x.md" -> "".
std::string parent_dir(const std::string& path);

// Writes `bytes` to `path` atomically (temp file in the same folder, then rename).
void write_file_atomic(const std::string& path, const std::string& bytes);

// Creates `path` (and its folders) holding `text`, never replacing a file:
// O_EXCL, so there is no race with an editor, and a file that could not be
// written whole is removed. Throws Error at `shown`: "already exists;
// <command> never overwrites a file", "cannot create the file: <why>" or
// "cannot write the file (disk full?)".
void create_new_file(const std::string& path, const std::string& text, const std::string& command,
                     const std::string& shown);

}  // namespace bulletin
