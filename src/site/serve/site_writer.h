// The folder `bulletin serve` serves, and the writer its rebuilds use.
//
// serve owns its site folder (a private temporary folder nobody else writes
// to), so it needs neither the build's on-disk manifest nor a check of every
// kept file: ServedSite remembers, in memory, the digest each file of the
// folder was made from, and ServeSiteWriter keeps a file when the rebuild
// gives the same digest (a hash lookup, no lstat), stages the changed files
// in a folder beside the site and renames them in at commit(), then removes
// the files this rebuild did not produce (and the folders they leave empty).
// A rebuild that fails before commit() leaves the site as it was: the last
// good site keeps being served. The files are the ones `bulletin build`
// writes, byte for byte (the same jobs, kept on the same digests); only the
// build's manifest (.bulletin-site) is not written.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "site/build/writer.h"

namespace bulletin {

class ServedSite {
 public:
  // `dir`: the site folder (made when missing). Starts empty: the first
  // rebuild writes every file.
  explicit ServedSite(std::string dir);
  const std::string& dir() const { return dir_; }
  // Files in the site, by site-relative path.
  size_t size() const { return files_.size(); }

 private:
  friend class ServeSiteWriter;
  struct Made {
    std::string digest;  // what the file was made from
  };
  std::string dir_;
  std::unordered_map<std::string, Made> files_;
};

class ServeSiteWriter : public OutputWriter {
 public:
  // Stages into a new folder beside the site (removed unless commit() runs).
  // `link_roots`: as WriterOptions::link_roots (copies from there are
  // hard-linked when the folder is on the same file system).
  ServeSiteWriter(ServedSite& site, std::vector<std::string> link_roots = {});
  ~ServeSiteWriter() override;
  ServeSiteWriter(const ServeSiteWriter&) = delete;
  ServeSiteWriter& operator=(const ServeSiteWriter&) = delete;

  void write(const std::string& rel, std::string_view bytes) override;
  void write_made_from(const std::string& rel, std::string_view bytes, const std::string& digest) override;
  void copy(const std::string& rel, const std::string& source_path) override;
  bool keep(const std::string& rel, const std::string& digest) override;
  std::optional<std::string> directory() const override { return staging_; }
  // Moves the staged files into the site and removes the ones not produced.
  // Throws Error when a file cannot be moved in; the site is then emptied,
  // so that the next rebuild writes every file again.
  void commit();
  // Files staged (written or copied) by this rebuild.
  size_t staged() const;

 private:
  bool claim(const std::string& rel, const std::string& digest, bool staged, const char* what);
  void prepare_parent(const std::string& rel);
  ServedSite& site_;
  std::vector<std::string> link_roots_;
  std::string staging_;
  bool committed_ = false;
  mutable std::mutex mutex_;
  struct Produced {
    std::string digest;
    bool staged = false;
  };
  std::unordered_map<std::string, Produced> produced_;
  std::unordered_map<std::string, bool> made_dirs_;  // in the staging folder
};

}  // namespace bulletin
