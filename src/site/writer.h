// Where a build writes its files. The real writer stages the whole new site
// in a hidden folder beside the output and swaps it in only when the build is
// complete, so a failed build leaves the previous site exactly as it was.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace bulletin {

class OutputWriter {
 public:
  virtual ~OutputWriter() = default;
  // `rel` is a site-relative path with '/' separators ("articles/x/index.html").
  virtual void write(const std::string& rel, std::string_view bytes) = 0;
  virtual void copy(const std::string& rel, const std::string& source_path) = 0;
  // The folder being written, for tools that work on files (the search
  // indexer); nullopt when the output is not a folder.
  virtual std::optional<std::string> directory() const { return std::nullopt; }
  int pages() const { return pages_; }
  int files() const { return files_; }

 protected:
  int pages_ = 0;  // .html files written
  int files_ = 0;  // everything else
  void count(const std::string& rel);
};

class StagedSiteWriter : public OutputWriter {
 public:
  // Stages into a new hidden folder beside `out_dir`.
  explicit StagedSiteWriter(std::string out_dir);
  // Removes the staging folder unless commit() succeeded.
  ~StagedSiteWriter() override;
  void write(const std::string& rel, std::string_view bytes) override;
  void copy(const std::string& rel, const std::string& source_path) override;
  // Atomically replaces `out_dir` with the staged site.
  void commit();
  const std::string& staging_dir() const { return staging_; }
  std::optional<std::string> directory() const override { return staging_; }

 private:
  std::string out_dir_;
  std::string staging_;
  bool committed_ = false;
  std::set<std::string> written_;
};

// Keeps files in memory: for tests and for `check`, which writes nothing.
// Can be told to fail on a given write, to test that failures lose nothing.
class MemoryWriter : public OutputWriter {
 public:
  void write(const std::string& rel, std::string_view bytes) override;
  void copy(const std::string& rel, const std::string& source_path) override;
  std::map<std::string, std::string> files;
  // Called before each write; throw from it to inject a failure.
  std::function<void(const std::string&)> before_write;
  bool keep_contents = true;
};

}  // namespace bulletin
