// Helpers for the end-to-end tests: they run the real `bulletin` binary on
// projects copied into fresh temporary folders and look at the files and
// messages it leaves behind.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace e2e {
namespace fs = std::filesystem;

inline const fs::path kSourceDir = BULLETIN_SOURCE_DIR;
// The binary under test; BULLETIN_TEST_EXE runs the tests against another one
// (a frozen copy while the tree is rebuilt, another branch's binary).
inline const std::string kExe = std::getenv("BULLETIN_TEST_EXE") && *std::getenv("BULLETIN_TEST_EXE")
                                    ? std::getenv("BULLETIN_TEST_EXE")
                                    : BULLETIN_EXE;

// A folder under /tmp made with mkdtemp, removed with everything in it when
// the test ends.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/bulletin-e2e-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  fs::path path_;
};

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// Replaces the first occurrence of `from` in the file; fails loudly when the
// file no longer holds it (the fixture changed under the test).
inline void replace_in_file(const fs::path& path, const std::string& from, const std::string& to) {
  std::string text = read_file(path);
  size_t at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("'" + from + "' not in " + path.string());
  text.replace(at, from.size(), to);
  write_file(path, text);
}

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `bulletin ARGS` in `cwd`, capturing stdout and stderr separately.
inline RunResult run_bulletin(const std::vector<std::string>& args, const fs::path& cwd) {
  TempDir capture;
  std::string cmd = "cd " + shell_quote(cwd.string()) + " && " + shell_quote(kExe);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " >" + shell_quote((capture / "stdout").string()) + " 2>" + shell_quote((capture / "stderr").string());
  int status = std::system(cmd.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(capture / "stdout");
  r.err = read_file(capture / "stderr");
  return r;
}

inline void copy_tree(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

// Copies the repository's sample project (config, content, data, templates)
// to `to`, without its generated site/ or build folders.
inline void copy_sample_project(const fs::path& to) {
  fs::create_directories(to);
  fs::copy_file(kSourceDir / "bulletin.yaml", to / "bulletin.yaml");
  for (const char* dir : {"content", "data", "templates"}) {
    if (fs::exists(kSourceDir / dir)) copy_tree(kSourceDir / dir, to / dir);
  }
}

// Builds a copy of `project` that has no .bulletin-cache (its files' mtimes
// kept, as `cp -a` keeps them) into `out`: the site a fresh full build on
// another machine gives, with nothing taken from this project's caches.
inline RunResult build_fresh_copy(const fs::path& project, const fs::path& out) {
  TempDir copy;
  fs::path p = copy / project.filename();
  // Not `cp -a` of the whole folder: a detached process of the last build may
  // be writing .bulletin-cache, and a file that goes while cp reads the folder
  // is an error.
  std::string cmd = "mkdir " + shell_quote(p.string()) + " && cd " + shell_quote(project.string()) +
                    " && find . -mindepth 1 -maxdepth 1 ! -name .bulletin-cache -exec cp -a -t " +
                    shell_quote(p.string()) + " {} +";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot copy " + project.string());
  return run_bulletin({"build", project.filename().string(), "-o", fs::absolute(out).string()}, copy.path());
}

// Copies tests/sites/<name> to `to`, with the repository's templates (the
// valid sample projects do not carry their own).
inline void copy_test_site(const std::string& name, const fs::path& to) {
  copy_tree(kSourceDir / "tests/sites" / name, to);
  copy_tree(kSourceDir / "templates", to / "templates");
}

// Every regular file under `root`, by generic relative path, with its bytes.
inline std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) files[fs::relative(e.path(), root).generic_string()] = read_file(e.path());
  }
  return files;
}

// Inode and mtime of a file: what tells a file left alone from one rewritten.
struct FileStamp {
  ino_t ino;
  long long sec, nsec;
  bool operator==(const FileStamp&) const = default;
};

// The stamp of every regular file under `root` (symlinks not followed).
inline std::map<std::string, FileStamp> file_stamps(const fs::path& root) {
  std::map<std::string, FileStamp> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    struct stat st {};
    ::lstat(e.path().c_str(), &st);
    out[fs::relative(e.path(), root).generic_string()] = {st.st_ino, st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
  }
  return out;
}

// Requires two snapshots to hold the same files with the same bytes (`inc`
// the incremental site, `full` the fresh one).
inline void require_same_files(const std::map<std::string, std::string>& inc,
                               const std::map<std::string, std::string>& full) {
  for (const auto& [rel, bytes] : full) {
    INFO(rel);
    REQUIRE(inc.count(rel) == 1);
    CHECK(inc.at(rel) == bytes);
  }
  for (const auto& [rel, bytes] : inc) {
    INFO(rel);
    CHECK(full.count(rel) == 1);
  }
}

// snapshot() of a site, with the stamps of copied files in its manifest
// (`copy:SIZE:MTIME`, the source file's mtime) left out: a site built from a
// copy of the project, or with new search shards, differs only there.
inline std::map<std::string, std::string> site_snapshot(const fs::path& root) {
  auto files = snapshot(root);
  auto it = files.find(".bulletin-site");
  if (it != files.end()) {
    static const std::regex stamp(R"(\bcopy:\d+:\d+\.\d+\t)");
    it->second = std::regex_replace(it->second, stamp, "copy:*\t");
  }
  return files;
}

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// stderr without the progress lines a build prints while it runs
// ("built notices (12 pages so far)").
inline std::string without_progress(const std::string& err) {
  std::string out;
  for (const auto& line : split_lines(err)) {
    if (line.starts_with("built ") && line.ends_with(" so far)")) continue;
    out += line + "\n";
  }
  return out;
}

// Builds `project` into a temporary folder once per test run; later calls
// return the same folder. Fails the calling test if the build does.
inline fs::path built_once(const fs::path& project, const std::string& label) {
  static std::map<std::string, std::unique_ptr<TempDir>> built;
  auto& dir = built[label];
  if (!dir) {
    auto tmp = std::make_unique<TempDir>();
    RunResult r = run_bulletin({"build", project.string(), "-o", "site"}, tmp->path());
    if (r.exit_code != 0 || !without_progress(r.err).empty()) {
      FAIL(label << " does not build cleanly (exit " << r.exit_code << "):\n" << r.err);
    }
    dir = std::move(tmp);
  }
  return dir->path() / "site";
}

// The repository's sample site, built once.
inline fs::path sample_site() { return built_once(kSourceDir, "the sample project"); }

// tests/sites/series-and-notices, built once.
inline fs::path series_and_notices_site() {
  static TempDir project;
  static bool copied = (copy_test_site("series-and-notices", project / "project"), true);
  (void)copied;
  return built_once(project / "project", "tests/sites/series-and-notices");
}

// The text of an HTML page as a reader gets it: tags dropped, the usual
// entities decoded.
inline std::string page_text(const std::string& html) {
  std::string text;
  bool in_tag = false;
  for (char c : html) {
    if (c == '<') {
      in_tag = true;
    } else if (c == '>' && in_tag) {
      in_tag = false;
    } else if (!in_tag) {
      text += c;
    }
  }
  static const std::pair<const char*, const char*> kEntities[] = {{"&lt;", "<"},  {"&gt;", ">"},   {"&quot;", "\""},
                                                                  {"&#39;", "'"}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [entity, ch] : kEntities) {
    std::string out;
    size_t last = 0, at;
    while ((at = text.find(entity, last)) != std::string::npos) {
      out += text.substr(last, at - last) + ch;
      last = at + std::string(entity).size();
    }
    text = out + text.substr(last);
  }
  return text;
}

// Drops every ASCII whitespace byte and the ideographic space U+3000, so text
// compares the same whatever the line breaks and spacing of the source.
inline std::string without_spaces(const std::string& s) {
  static const std::string kIdeographicSpace = "\xE3\x80\x80";
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 3, kIdeographicSpace) == 0) {
      i += 2;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') continue;
    out += s[i];
  }
  return out;
}

// Values of every href="…" and src="…" attribute in a page.
inline std::vector<std::string> links_of(const std::string& html) {
  std::vector<std::string> links;
  for (const std::string attr : {" href=\"", " src=\""}) {
    for (size_t at = html.find(attr); at != std::string::npos; at = html.find(attr, at + 1)) {
      size_t start = at + attr.size();
      size_t end = html.find('"', start);
      if (end == std::string::npos) break;
      links.push_back(html.substr(start, end - start));
    }
  }
  return links;
}

// Decodes %XX escapes in a URL path.
inline std::string percent_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace e2e
