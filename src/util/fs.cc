#include "util/fs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "util/diagnostics.h"

namespace bulletin {
namespace fs = std::filesystem;

std::string join_path(const std::string& a, const std::string& b) {
  if (a.empty() || a == ".") return b;
  if (b.empty()) return a;
  return a.back() == '/' ? a + b : a + '/' + b;
}

std::optional<std::string> RealFileSystem::read(const std::string& path) const {
  std::ifstream in(path, std::ios::binary);
  if (!in || !fs::is_regular_file(path)) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool RealFileSystem::is_file(const std::string& path) const {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

bool RealFileSystem::is_dir(const std::string& path) const {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

std::vector<std::string> RealFileSystem::list(const std::string& dir) const {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  // Entries are dir / relative path: strip the prefix instead of calling
  // fs::relative (which canonicalises both paths, per file).
  const std::string base = fs::path(dir).generic_string();
  const size_t prefix = base.ends_with('/') ? base.size() : base.size() + 1;
  fs::recursive_directory_iterator it(dir, fs::directory_options::follow_directory_symlink, ec), end;
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) out.push_back(it->path().generic_string().substr(prefix));
  }
  std::sort(out.begin(), out.end());
  return out;
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

std::vector<std::string> MemoryFileSystem::list(const std::string& dir) const {
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
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) throw Error({path, 0, 0}, "cannot write file");
  }
  fs::rename(tmp, path);
}

}  // namespace bulletin
