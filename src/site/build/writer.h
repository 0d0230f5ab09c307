// Where a build writes its files.
//
// The real writer never writes into the published site directly. Every new or
// changed file is written into a hidden staging folder beside the output and
// moved in only when the whole build has succeeded. The output carries a
// manifest (`.bulletin-site`, also the marker that says the folder is
// bulletin's) listing every file with the digest of what it was made from; a
// file whose digest is unchanged is kept as it is (same inode, same mtime) and
// not even rendered. See ARCHITECTURE.md (src/site/build) for the commit protocol and
// what a killed build leaves behind.
//
// Every site-relative path goes through one gate (check_site_path) before
// anything is written, and nothing is ever written through a symlink.
// All writer methods may be called from several threads at once.
#pragma once

#include <sys/stat.h>
#include <time.h>

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace bulletin {

// The marker and manifest file bulletin writes at the root of every site.
inline constexpr const char* kSiteMarker = ".bulletin-site";

// Throws Error unless `rel` is a plain site-relative path: not empty, not
// absolute, '/'-separated segments that are neither empty, "." nor "..", no
// backslash, no NUL or other control character. `where` locates the error.
void check_site_path(const std::string& rel, const std::string& where = "site");

// Why `out_dir` may not be replaced by a build of the project at
// `project_root`, as one sentence; nullopt when it may (it does not exist, is
// an empty folder, or carries the marker). Never allowed, whatever it holds:
// `/`, $HOME, the project folder, an ancestor of it, or a folder inside one of
// its source folders (content, data, templates, …).
std::optional<std::string> output_folder_problem(const std::string& out_dir, const std::string& project_root);

class OutputWriter {
 public:
  virtual ~OutputWriter() = default;
  // `rel` is a site-relative path with '/' separators ("articles/x/index.html").
  virtual void write(const std::string& rel, std::string_view bytes) = 0;
  virtual void copy(const std::string& rel, const std::string& source_path) = 0;
  // True when the file at `rel` was made from inputs with this digest by the
  // previous build and is untouched since: it is kept, and counts as written.
  // Default: false (nothing is kept).
  virtual bool keep(const std::string& rel, const std::string& digest) { return false; }
  // write() that records the digest of the inputs the bytes were made from.
  virtual void write_made_from(const std::string& rel, std::string_view bytes, const std::string& digest) {
    write(rel, bytes);
  }
  // A folder of files made together (a search shard): true when folder
  // `rel` was made from inputs with this digest by the previous build (by
  // copy_folder) and no entry was added, removed or renamed in it or in its
  // subfolders since: it is kept as a whole, without a look at each file,
  // and its files count as written. Default: false.
  virtual bool keep_folder(const std::string& rel, const std::string& digest) { return false; }
  // Copies `files` (paths relative to `source_dir`, '/'-separated) into
  // folder `rel`, made from inputs with `digest`; the folder holds nothing
  // else. The staged writer records it as one entry and replaces the old
  // folder as a whole at commit. Default: copy() of each file.
  virtual void copy_folder(const std::string& rel, const std::string& source_dir, const std::vector<std::string>& files,
                           const std::string& digest);
  // The folder being written (a staging folder holding this build's changed
  // files); nullopt when the output is not a folder, and then search and
  // PDFs are skipped.
  virtual std::optional<std::string> directory() const { return std::nullopt; }
  int pages() const;
  int files() const;
  int kept() const;  // of pages() + files(): left as they were

 protected:
  mutable std::mutex count_mutex_;
  int pages_ = 0;  // .html files written
  int files_ = 0;  // everything else
  int kept_ = 0;
  void count(const std::string& rel, bool kept = false);
  void count_files(size_t n, bool kept);  // n files that are not pages
};

struct WriterOptions {
  // Folders whose files copy() hard-links instead of copying (bulletin's own
  // caches: their files are never edited in place). Default: none.
  std::vector<std::string> link_roots;
  // FS_TOPDIR_FL on the site's root and on each folder directly below it, so
  // that ext4 spreads their subfolders over its block groups (a full build
  // after `rm -rf` of the last site is ~4× faster; spread_folders.h). Only a
  // placement hint: ignored where the file system has no such flag, and the
  // files are the same either way. Default: on.
  bool spread_folders = true;
  // Called once, before waiting, when another process is building an output
  // in the same folder (builds of one folder's outputs run one at a time).
  std::function<void()> waiting = nullptr;
  // For tests: called during an in-place commit with "journal" once the
  // commit point is written, then with each file's path once it is moved in,
  // so a test can stop the process there (a kill at that point).
  std::function<void(const std::string&)> after_commit_step = nullptr;
};

class StagedSiteWriter : public OutputWriter {
 public:
  // Waits until no other process is building into the folder that holds
  // `out_dir` (a lock on that folder, held until this writer is destroyed),
  // then stages into a new hidden folder beside `out_dir`, after removing the
  // staging folders of earlier killed builds (completing one that was
  // committing). Throws Error when `out_dir` holds something that is not a
  // bulletin site (see output_folder_problem; the project checks are the
  // caller's).
  explicit StagedSiteWriter(std::string out_dir, WriterOptions options = {});
  // Removes the staging folder unless commit() succeeded.
  ~StagedSiteWriter() override;
  void write(const std::string& rel, std::string_view bytes) override;
  void write_made_from(const std::string& rel, std::string_view bytes, const std::string& digest) override;
  void copy(const std::string& rel, const std::string& source_path) override;
  bool keep(const std::string& rel, const std::string& digest) override;
  bool keep_folder(const std::string& rel, const std::string& digest) override;
  void copy_folder(const std::string& rel, const std::string& source_dir, const std::vector<std::string>& files,
                   const std::string& digest) override;
  // Moves the staged files into `out_dir`, removes the files this build did
  // not produce, and writes the manifest.
  void commit();
  const std::string& staging_dir() const { return staging_; }
  // After a commit that updated the site in place: the lstat of every file
  // and folder below the site's root (site-relative paths), as the writer saw
  // them, without walking the site: kept files as keep() found them, folders
  // the commit did not touch as found before, the rest stat'ed again.
  // A folder kept or copied as a whole (keep_folder, copy_folder) is stamped
  // by its folders only, as keep_folder checks it.
  // nullopt when the writer cannot vouch for the list (a new or swapped
  // site, or files found in it that no build made): walk it instead.
  std::optional<std::vector<std::pair<std::string, struct stat>>> site_stamps() const;
  std::optional<std::string> directory() const override;

  // In the manifest, a folder kept as a whole is one entry, "rel/" (a path
  // no file can have), whose size is its number of files.
  struct Entry {
    std::string digest;
    unsigned long long size = 0;
    bool staged = false;  // written by this build (else kept)
    bool stat_known = false;  // kept by keep(): `kept_stat` is the old file as it stat'ed it
    struct stat kept_stat {};
  };

 private:
  enum class Mode { Fresh, InPlace };
  void stage_file(const std::string& rel, std::string_view bytes);
  Entry* claim(const std::string& rel);  // its entry in produced_; nullptr: already produced by this build
  void prepare_parent(const std::string& staged_rel);
  std::string staged_path(const std::string& rel) const;  // where the file for `rel` is staged

  // The output's folder, locked while this writer lives (also when its
  // constructor throws); let go of last.
  struct FolderLock {
    std::optional<std::pair<dev_t, ino_t>> key;
    FolderLock() = default;
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;
    ~FolderLock();
  } parent_lock_;
  std::string out_dir_;
  std::string staging_;      // the hidden folder beside the output
  std::string staged_site_;  // staging_/site: the files of this build (a first build's site, whole folders)
  std::string flat_;         // staging_/files: an in-place build's files, flat (staged_name)
  WriterOptions options_;
  Mode mode_ = Mode::Fresh;
  int lock_fd_ = -1;
  bool committed_ = false;
  std::mutex mutex_;
  void scan_old_site();
  bool in_old_real_folder(const std::string& rel) const;
  bool old_file_intact(const std::string& rel, unsigned long long size, struct stat& st) const;
  bool keep_same_bytes(const std::string& rel, const std::string& digest, unsigned long long size,
                       const std::function<bool(int fd)>& same);
  void record_kept(const std::string& rel, const std::string& digest, unsigned long long size,
                   const struct stat& st, const char* what);

  std::map<std::string, Entry> previous_;  // the old site's manifest
  std::string previous_text_;              // as read
  struct timespec manifest_mtime_ {};
  int out_fd_ = -1;                                // the old site's folder
  int staged_fd_ = -1;                             // staged_site_, where a first build's files are created
  int flat_fd_ = -1;                               // flat_, where an in-place build's files are created
  std::set<std::string, std::less<>> good_dirs_;                // its folders that are real folders all the way up
  std::vector<std::string> strays_;                // files in it that its manifest does not list
  std::map<std::string, struct stat> dir_stats_;   // good_dirs_ as stat'ed
  std::set<std::string> touched_dirs_;             // folders the commit changed
  bool committed_in_place_ = false;
  std::set<std::string> old_folders_;      // the old manifest's folder entries (without the '/')
  std::map<std::string, std::vector<std::pair<std::string, struct stat>>> folder_stats_;  // kept folders' folders
  std::map<std::string, Entry> produced_;  // this build's files
  std::unordered_set<std::string> made_dirs_;  // in the staging folder (looked up once per file)
  std::map<std::string, ino_t> staged_inodes_;  // an in-place build's files in flat_, by path
  bool took_spare_ = false;                    // flat_ is the last large commit's spare folder
};

// The name under which an in-place build stages the file for site path `rel`
// in its staging folder's `files/` (flat: no folder per page, so a template
// edit makes no folders): the hex SHA-256 of `rel`, so that a build replaying
// a journal finds each staged file from the journal's paths alone.
std::string staged_name(const std::string& rel);

// Removes `dir` in a detached process, so the command does not wait for it.
void remove_in_background(const std::string& dir);

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

 private:
  std::mutex mutex_;
};

}  // namespace bulletin
