// The file system behind a small interface, so that tests can run on an
// in-memory tree and inject failing writes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bulletin {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // The file's bytes, or nullopt if it does not exist or cannot be read.
  virtual std::optional<std::string> read(const std::string& path) const = 0;
  virtual bool is_file(const std::string& path) const = 0;
  virtual bool is_dir(const std::string& path) const = 0;
  // Regular files under `dir`, recursively, as paths relative to `dir` with
  // '/' separators, sorted. Hidden files and folders are skipped.
  virtual std::vector<std::string> list(const std::string& dir) const = 0;
  virtual unsigned long long size(const std::string& path) const = 0;
};

class RealFileSystem : public FileSystem {
 public:
  std::optional<std::string> read(const std::string& path) const override;
  bool is_file(const std::string& path) const override;
  bool is_dir(const std::string& path) const override;
  std::vector<std::string> list(const std::string& dir) const override;
  unsigned long long size(const std::string& path) const override;
};

// A tree of files held in memory; directories exist implicitly.
class MemoryFileSystem : public FileSystem {
 public:
  void add(const std::string& path, std::string bytes) { files_[path] = std::move(bytes); }
  std::optional<std::string> read(const std::string& path) const override;
  bool is_file(const std::string& path) const override;
  bool is_dir(const std::string& path) const override;
  std::vector<std::string> list(const std::string& dir) const override;
  unsigned long long size(const std::string& path) const override;

 private:
  std::map<std::string, std::string> files_;
};

// "a/b" + "c" -> "a/b/c"; an empty side is dropped.
std::string join_path(const std::string& a, const std::string& b);

// Writes `bytes` to `path` atomically (temp file in the same folder, then rename).
void write_file_atomic(const std::string& path, const std::string& bytes);

}  // namespace bulletin
