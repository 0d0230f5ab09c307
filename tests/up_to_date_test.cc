// End-to-end tests of the no-op fast path (site/up_to_date.h): a build whose
// inputs and site are unchanged loads nothing, and after any edit the next
// build still equals a fresh one.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>

#include "e2e.h"

using namespace e2e;

namespace {

// Sets every file and folder of `root` to a modification time in the past
// (a distinct one each call), as if it had been edited a while ago: only
// stamps older than a build are trusted by the fast path.
void age(const fs::path& root) {
  static int calls = 0;
  auto when = fs::file_time_type::clock::now() - std::chrono::seconds(100) + std::chrono::milliseconds(++calls);
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (!e.is_symlink()) fs::last_write_time(e.path(), when);
  fs::last_write_time(root, when);
}

RunResult build(const fs::path& cwd, const std::string& out) {
  RunResult r = run_bulletin({"build", "project", "-o", out}, cwd);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r;
}

bool was_fast(const RunResult& r) { return r.out.find("nothing changed since the last build") != std::string::npos; }

// Ages the project, builds `inc` (which must not take the fast path when
// `changed`) and a fresh site, and requires them byte for byte equal.
void check(const TempDir& tmp, const std::string& step, bool changed = true) {
  INFO("after: " << step);
  if (changed) age(tmp / "project");  // aging is itself a change of every stamp
  RunResult r = build(tmp.path(), "inc");
  CHECK(was_fast(r) == !changed);
  static int n = 0;
  std::string fresh = "fresh-" + std::to_string(++n);
  build(tmp.path(), fresh);
  auto inc = snapshot(tmp / "inc"), full = snapshot(tmp / fresh);
  require_same_files(inc, full);
  fs::remove_all(tmp / fresh);
  // The build after it has nothing to do.
  CHECK(was_fast(build(tmp.path(), "inc")));
}

}  // namespace

TEST_CASE("a rebuild with nothing changed takes the fast path and prints the last build's counts", "[e2e][engine]") {
  TempDir tmp;
  copy_sample_project(tmp / "project");
  age(tmp / "project");
  RunResult full = build(tmp.path(), "site");
  CHECK_FALSE(was_fast(full));
  RunResult noop = build(tmp.path(), "site");
  CHECK(was_fast(noop));
  auto row = [](const std::string& out, const std::string& label) {
    size_t at = out.find("\n  " + label);
    return at == std::string::npos ? std::string() : out.substr(at, out.find('\n', at + 1) - at);
  };
  CHECK(row(noop.out, "pages written") == row(full.out, "pages written"));
  CHECK(row(noop.out, "articles") == row(full.out, "articles"));
  // Another output folder has its own record.
  CHECK_FALSE(was_fast(build(tmp.path(), "other")));
}

TEST_CASE("after every kind of edit the fast path is not taken and the site equals a fresh build", "[e2e][engine]") {
  TempDir tmp;
  copy_sample_project(tmp / "project");
  fs::path p = tmp / "project";
  age(p);
  build(tmp.path(), "inc");
  check(tmp, "nothing", false);

  // Same size, so only the file's stamp (mtime, here set back) tells.
  replace_in_file(p / "content/articles/sues-four-forces.md", "一是明确站位", "二是明确站位");
  check(tmp, "an article edited, same size");

  write_file(p / "content/articles/new-one.md", "---\ntitle: 新的\nunit: 测试学院\ndate: 2021-01-05\n---\n正文。\n");
  check(tmp, "an added article");

  fs::rename(p / "content/articles/new-one.md", p / "content/articles/renamed-one.md");
  check(tmp, "a renamed article");

  fs::remove(p / "content/articles/renamed-one.md");
  check(tmp, "a deleted article");

  replace_in_file(p / "data/exports/units-2020-12.json", "\"积分合计\": 119068", "\"积分合计\": 119070");
  check(tmp, "an edited export");

  write_file(p / "templates/article.mustache", read_file(p / "templates/article.mustache") + "<!-- edited -->\n");
  check(tmp, "an edited page template");

  replace_in_file(p / "bulletin.yaml", "title: ", "title: 新");
  check(tmp, "an edited bulletin.yaml");

  write_file(tmp / "inc/articles/index.html", "edited by hand");
  check(tmp, "a site page edited by hand");

  fs::remove(tmp / "inc/feed.xml");
  check(tmp, "a site file deleted by hand");

  write_file(tmp / "inc/articles/stray.html", "added by hand");
  check(tmp, "a file added to the site by hand");
}

TEST_CASE("a damaged or foreign fast-path record is not trusted", "[e2e][engine]") {
  TempDir tmp;
  copy_sample_project(tmp / "project");
  age(tmp / "project");
  build(tmp.path(), "site");
  fs::path dir = tmp / "project/.bulletin-cache/build";
  REQUIRE(fs::is_directory(dir));
  // The record is written by a process the build leaves behind, which
  // holds the lock beside it until the record is in place.
  fs::path record, lock;
  for (const auto& e : fs::directory_iterator(dir)) (e.path().extension() == ".lock" ? lock : record) = e.path();
  REQUIRE(!lock.empty());
  int fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_SH) == 0);
  ::close(fd);
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".stamps") record = e.path();
  REQUIRE(record.extension() == ".stamps");
  std::string text = read_file(record);
  SECTION("cut short, with the file of its last line edited by hand") {
    // The last line before "end" names a site file: cut the record before it.
    size_t end = text.rfind("\nend\n");
    size_t last = text.rfind('\n', end - 1) + 1;
    std::string line = text.substr(last, end - last);
    fs::path file = line.substr(line.find(' ', line.find(' ', line.find(' ') + 1) + 1) + 1);
    REQUIRE(fs::is_regular_file(file));
    write_file(record, text.substr(0, last));
    std::string before = read_file(file);
    write_file(file, before + " ");
    age(tmp / "project");
    CHECK_FALSE(was_fast(build(tmp.path(), "site")));
    CHECK(read_file(file) == before);
  }
  SECTION("made by another bulletin") {
    size_t key = text.find('\n') + 1;
    write_file(record, text.substr(0, key) + (text[key] == '0' ? "1" : "0") + text.substr(key + 1));
    CHECK_FALSE(was_fast(build(tmp.path(), "site")));
    CHECK(was_fast(build(tmp.path(), "site")));
  }
}

TEST_CASE("a build just after an edit starts no record writer, and the build after it still equals a fresh one",
          "[e2e][engine]") {
  TempDir tmp;
  copy_sample_project(tmp / "project");
  fs::path article;
  for (const auto& e : fs::directory_iterator(tmp / "project/content/articles"))
    if (e.path().extension() == ".md" && (article.empty() || e.path() < article)) article = e.path();
  REQUIRE_FALSE(article.empty());
  // Edited just now (as a benchmark's or an editor's save right before the
  // build): no record could be trusted, so none is written, and no process
  // is started that holds its lock while it walks the project for nothing.
  std::ofstream(article, std::ios::binary | std::ios::app) << "\n新的一段。\n";
  CHECK_FALSE(was_fast(build(tmp.path(), "inc")));
  bool left = false;
  if (fs::exists(tmp / "project/.bulletin-cache/build"))
    for (const auto& e : fs::directory_iterator(tmp / "project/.bulletin-cache/build")) {
      INFO(e.path());
      left = true;
    }
  CHECK_FALSE(left);  // neither a record nor its lock
  check(tmp, "an article edited just before the build");
}
