#include "site/serve/site_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "util/cache_digest.h"
#include "util/diagnostics.h"

namespace bulletin {
namespace fs = std::filesystem;
namespace {

std::string errno_text() { return std::strerror(errno); }

bool create_file(const std::string& path, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return false;
  const char* at = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, at, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return false;
    }
    at += n;
    left -= static_cast<size_t>(n);
  }
  return ::close(fd) == 0;
}

bool within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing slash
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

}  // namespace

ServedSite::ServedSite(std::string dir) : dir_(std::move(dir)) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
}

ServeSiteWriter::ServeSiteWriter(ServedSite& site, std::vector<std::string> link_roots)
    : site_(site), link_roots_(std::move(link_roots)) {
  fs::path parent = fs::path(site_.dir()).parent_path();
  if (parent.empty()) parent = ".";
  std::string pattern = (parent / ".staging-XXXXXX").string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data()))
    throw Error({site_.dir(), 0, 0}, "cannot create a staging folder beside the site: " + errno_text());
  staging_ = buf.data();
  for (auto& root : link_roots_) root = fs::path(root).lexically_normal().string();
}

ServeSiteWriter::~ServeSiteWriter() {
  if (committed_) return;
  std::error_code ec;
  fs::remove_all(staging_, ec);
}

size_t ServeSiteWriter::staged() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<size_t>(std::count_if(produced_.begin(), produced_.end(),
                                           [](const auto& p) { return p.second.staged; }));
}

// The same refusals, in the same words, as the build's writer.
bool ServeSiteWriter::claim(const std::string& rel, const std::string& digest, bool staged, const char* what) {
  if (rel == kSiteMarker)
    throw Error({rel, 0, 0},
                std::string("refusing to write '") + rel + "' into the site: the name is bulletin's own manifest");
  std::lock_guard<std::mutex> lock(mutex_);
  if (!produced_.emplace(rel, Produced{digest, staged}).second)
    throw Error({rel, 0, 0}, std::string(what) + rel);
  return true;
}

bool ServeSiteWriter::keep(const std::string& rel, const std::string& digest) {
  check_site_path(rel, site_.dir());
  auto old = site_.files_.find(rel);  // read only while the rebuild runs
  if (old == site_.files_.end() || old->second.digest != digest) return false;
  claim(rel, digest, false, "two files would be written to the same path ");
  count(rel, true);
  return true;
}

void ServeSiteWriter::prepare_parent(const std::string& rel) {
  size_t slash = rel.rfind('/');
  if (slash == std::string::npos) return;
  std::string dir = rel.substr(0, slash);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (made_dirs_.count(dir)) return;
  }
  std::error_code ec;
  fs::create_directories(staging_ + "/" + dir, ec);
  if (ec) throw Error({site_.dir() + "/" + rel, 0, 0}, "cannot create a folder in the staging area: " + ec.message());
  std::lock_guard<std::mutex> lock(mutex_);
  made_dirs_[dir] = true;
}

void ServeSiteWriter::write(const std::string& rel, std::string_view bytes) {
  std::string digest = cache_digest(bytes);
  if (keep(rel, digest)) return;
  write_made_from(rel, bytes, digest);
}

void ServeSiteWriter::write_made_from(const std::string& rel, std::string_view bytes, const std::string& digest) {
  check_site_path(rel, site_.dir());
  claim(rel, digest, true, "two pages would be written to the same file ");
  prepare_parent(rel);
  if (!create_file(staging_ + "/" + rel, bytes))
    throw Error({site_.dir() + "/" + rel, 0, 0}, "cannot write file (disk full or no permission?)");
  count(rel);
}

void ServeSiteWriter::copy(const std::string& rel, const std::string& source_path) {
  check_site_path(rel, site_.dir());
  struct stat st;
  if (::stat(source_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    throw Error({source_path, 0, 0}, "cannot copy to " + site_.dir() + "/" + rel + ": not a readable file");
  // As the build's writer: the copy is made again when the source's size or mtime changes.
  std::string digest = "copy:" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
                       std::to_string(st.st_mtim.tv_nsec);
  if (keep(rel, digest)) return;
  claim(rel, digest, true, "two files would be written to the same path ");
  prepare_parent(rel);
  std::string to = staging_ + "/" + rel;
  fs::path source = fs::path(source_path).lexically_normal();
  bool linked = false;
  for (const auto& root : link_roots_)
    if (within(source, root)) linked = ::link(source.c_str(), to.c_str()) == 0;  // not across file systems
  if (!linked) {
    std::error_code ec;
    fs::copy_file(source_path, to, ec);
    if (ec) throw Error({source_path, 0, 0}, "cannot copy to " + site_.dir() + "/" + rel + ": " + ec.message());
  }
  count(rel);
}

void ServeSiteWriter::commit() {
  const std::string& site = site_.dir();
  std::error_code ec;
  std::unordered_map<std::string, ServedSite::Made> now;
  now.reserve(produced_.size());
  for (const auto& [rel, p] : produced_) now.emplace(rel, ServedSite::Made{p.digest});
  if (site_.files_.empty()) {
    // The first site (or one emptied by a failed commit): the staging folder becomes it.
    fs::remove_all(site, ec);
    if (::rename(staging_.c_str(), site.c_str()) != 0)
      throw Error({site, 0, 0}, "cannot move the new site into place: " + errno_text());
    committed_ = true;
    site_.files_ = std::move(now);
    return;
  }
  try {
    // Files of the last site this rebuild did not produce, then the folders they leave empty.
    std::set<std::string, std::greater<>> emptied;  // deepest first
    for (const auto& [rel, _] : site_.files_) {
      if (produced_.count(rel)) continue;
      ::unlink((site + "/" + rel).c_str());
      for (size_t slash = rel.rfind('/'); slash != std::string::npos && slash > 0; slash = rel.rfind('/', slash - 1))
        emptied.insert(rel.substr(0, slash));
    }
    std::set<std::string> made;
    for (const auto& [rel, p] : produced_) {
      if (!p.staged) continue;
      size_t slash = rel.rfind('/');
      if (slash != std::string::npos && made.insert(rel.substr(0, slash)).second) {
        std::string dir = site + "/" + rel.substr(0, slash);
        if (!fs::is_directory(dir, ec)) {
          // A file where a folder is needed, or a missing folder.
          for (fs::path up = fs::path(rel).parent_path(); !up.empty(); up = up.parent_path()) {
            std::string at = site + "/" + up.string();
            struct stat st;
            if (::lstat(at.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) ::unlink(at.c_str());
          }
          fs::create_directories(dir, ec);
          if (ec) throw Error({site + "/" + rel, 0, 0}, "cannot create a folder in the site: " + ec.message());
        }
      }
      std::string from = staging_ + "/" + rel, to = site + "/" + rel;
      if (::rename(from.c_str(), to.c_str()) != 0) {
        fs::remove_all(to, ec);  // a folder where the file goes
        if (::rename(from.c_str(), to.c_str()) != 0)
          throw Error({to, 0, 0}, "cannot move the rebuilt file into the site: " + errno_text());
      }
    }
    for (const auto& dir : emptied) ::rmdir((site + "/" + dir).c_str());  // only if empty
  } catch (...) {
    // Some files moved, some not: start again from an empty site next time.
    site_.files_.clear();
    fs::remove_all(site, ec);
    fs::create_directories(site, ec);
    throw;
  }
  committed_ = true;
  fs::remove_all(staging_, ec);
  site_.files_ = std::move(now);
}

}  // namespace bulletin
