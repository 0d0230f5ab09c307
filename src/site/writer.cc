#include "site/writer.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "util/diagnostics.h"

namespace bulletin {
namespace fs = std::filesystem;

void OutputWriter::count(const std::string& rel) {
  if (rel.ends_with(".html")) {
    ++pages_;
  } else {
    ++files_;
  }
}

StagedSiteWriter::StagedSiteWriter(std::string out_dir) : out_dir_(std::move(out_dir)) {
  while (out_dir_.size() > 1 && out_dir_.back() == '/') out_dir_.pop_back();
  fs::path out(out_dir_);
  fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(parent, ec);
  std::string pattern = (parent / ("." + out.filename().string() + ".staging-XXXXXX")).string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    throw Error({out_dir_, 0, 0}, std::string("cannot create a staging folder beside the output: ") +
                                      std::strerror(errno));
  }
  staging_ = buf.data();
  fs::permissions(staging_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec);
}

StagedSiteWriter::~StagedSiteWriter() {
  if (committed_) return;
  std::error_code ec;
  fs::remove_all(staging_, ec);
}

void StagedSiteWriter::write(const std::string& rel, std::string_view bytes) {
  if (!written_.insert(rel).second) {
    throw Error({rel, 0, 0}, "two pages would be written to the same file " + rel);
  }
  fs::path path = fs::path(staging_) / rel;
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw Error({out_dir_ + "/" + rel, 0, 0}, "cannot write file (disk full or no permission?)");
  count(rel);
}

void StagedSiteWriter::copy(const std::string& rel, const std::string& source_path) {
  if (!written_.insert(rel).second) {
    throw Error({rel, 0, 0}, "two files would be written to the same path " + rel);
  }
  fs::path path = fs::path(staging_) / rel;
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  fs::copy_file(source_path, path, fs::copy_options::overwrite_existing, ec);
  if (ec) throw Error({source_path, 0, 0}, "cannot copy to " + out_dir_ + "/" + rel + ": " + ec.message());
  count(rel);
}

void StagedSiteWriter::commit() {
  std::error_code ec;
  if (!fs::exists(out_dir_, ec)) {
    fs::rename(staging_, out_dir_, ec);
    if (ec) throw Error({out_dir_, 0, 0}, "cannot move the new site into place: " + ec.message());
    committed_ = true;
    return;
  }
  if (!fs::is_directory(out_dir_)) {
    throw Error({out_dir_, 0, 0}, "the output path exists and is not a folder; nothing was changed");
  }
  // Swap old and new in one step, so readers never see a missing site.
  if (renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, out_dir_.c_str(), RENAME_EXCHANGE) == 0) {
    committed_ = true;
    fs::remove_all(staging_, ec);  // now holds the previous site
    return;
  }
  // File systems without RENAME_EXCHANGE: two renames, the old site kept until the end.
  std::string old = staging_ + ".old";
  fs::rename(out_dir_, old, ec);
  if (ec) throw Error({out_dir_, 0, 0}, "cannot replace the site: " + ec.message());
  fs::rename(staging_, out_dir_, ec);
  if (ec) {
    std::error_code ignored;
    fs::rename(old, out_dir_, ignored);
    throw Error({out_dir_, 0, 0}, "cannot replace the site: " + ec.message());
  }
  committed_ = true;
  fs::remove_all(old, ec);
}

void MemoryWriter::write(const std::string& rel, std::string_view bytes) {
  if (before_write) before_write(rel);
  if (files.count(rel)) throw Error({rel, 0, 0}, "two pages would be written to the same file " + rel);
  files[rel] = keep_contents ? std::string(bytes) : std::string();
  count(rel);
}

void MemoryWriter::copy(const std::string& rel, const std::string& source_path) {
  if (before_write) before_write(rel);
  if (files.count(rel)) throw Error({rel, 0, 0}, "two files would be written to the same path " + rel);
  files[rel] = "<copy of " + source_path + ">";
  count(rel);
}

}  // namespace bulletin
