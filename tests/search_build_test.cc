// End-to-end tests of the search index in a real build: a one-article edit
// touches only the files of that article's shard (the other shards' folders
// are kept as a whole), and an incremental build with search equals a fresh
// build of a copy of the project that has no cache.
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "e2e.h"

using namespace e2e;

namespace {

void build_into(const fs::path& cwd, const std::string& project, const std::string& out) {
  RunResult r = run_bulletin({"build", project, "-o", out}, cwd);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

// 1,200 articles over four years (300 a year: one shard each), so that the
// index has several shards.
void add_articles(const fs::path& project) {
  for (int year = 2018; year <= 2021; ++year) {
    for (int i = 0; i < 300; ++i) {
      char name[64], date[16];
      std::snprintf(name, sizeof name, "content/articles/s%d-%03d.md", year, i);
      std::snprintf(date, sizeof date, "%d-%02d-%02d", year, 1 + i / 28, 1 + i % 28);
      write_file(project / name, std::string("---\ntitle: 检索文章") + std::to_string(year) + "-" + std::to_string(i) +
                                     "\nunit: 测试学院\ndate: " + date + "\n---\n第" + std::to_string(i) +
                                     "段正文，学习强国平台推广工作。\n");
    }
  }
}

// The incremental site `inc` equals a fresh build of a copy of the project
// without .bulletin-cache, file for file (the manifest .bulletin-site aside:
// it stamps copied files by their mtime, which a copy does not keep).
void check_equals_fresh_copy(const TempDir& tmp, const std::string& step) {
  INFO("after: " << step);
  build_into(tmp.path(), "project", "inc");
  fs::remove_all(tmp / "fresh");
  RunResult r = build_fresh_copy(tmp / "project", tmp / "fresh");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto inc = snapshot(tmp / "inc");
  auto full = snapshot(tmp / "fresh");
  inc.erase(".bulletin-site");
  full.erase(".bulletin-site");
  REQUIRE(full.size() > 1200);
  require_same_files(inc, full);
}

// Builds tmp/project into `site`, edits one article of 2018 and builds again:
// the files of every other shard, and those of 2018's shard whose bytes did
// not change, keep their inode and mtime.
void check_one_edit_keeps_files(const TempDir& tmp, const fs::path& site) {
  build_into(tmp.path(), "project", site.string());
  auto before = file_stamps(site);
  size_t shard_files = 0, in_2018 = 0;
  for (const auto& [rel, _] : before) {
    shard_files += rel.starts_with("search/data/") && rel != "search/data/shards.json";
    in_2018 += rel.starts_with("search/data/2018/");
  }
  REQUIRE(in_2018 > 10);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  replace_in_file(tmp / "project/content/articles/s2018-007.md", "第7段正文", "第7段正文，新增一句修订内容");
  build_into(tmp.path(), "project", site.string());
  auto after = file_stamps(site);
  std::vector<std::string> touched_search, touched_2018;
  for (const auto& [rel, s] : after) {
    if (before.count(rel) && before.at(rel) == s) continue;
    if (rel.starts_with("search/data/2018/")) {
      touched_2018.push_back(rel);
    } else if (rel.starts_with("search/data/")) {
      touched_search.push_back(rel);
    }
  }
  for (const auto& [rel, _] : before) CHECK(after.count(rel) == 1);  // nothing removed
  // Only the manifest of shards changes outside the edited article's shard;
  // in that shard, the files whose bytes did not change keep their inode.
  CHECK(touched_search == std::vector<std::string>{"search/data/shards.json"});
  CHECK_FALSE(touched_2018.empty());
  CHECK(touched_2018.size() < in_2018 / 2);
  CHECK(shard_files > in_2018 * 3);
}

}  // namespace

TEST_CASE("with search on, editing one article leaves every other shard's files untouched", "[e2e][engine][search]") {
  TempDir tmp;
  copy_sample_project(tmp / "project");
  add_articles(tmp / "project");
  check_one_edit_keeps_files(tmp, tmp / "site");
}

// A site on tmpfs (or serve's in /dev/shm) cannot hard-link the shards from
// the project's cache: the unchanged files come from the last build's site.
TEST_CASE("with search on and the site on another file system than its cache, one edit keeps the unchanged shard files",
          "[e2e][engine][search]") {
  TempDir tmp;
  copy_sample_project(tmp / "project");
  add_articles(tmp / "project");
  struct stat shm {}, here {};
  if (::stat("/dev/shm", &shm) != 0 || ::stat(tmp.path().c_str(), &here) != 0 || shm.st_dev == here.st_dev) {
    WARN("no /dev/shm on another file system than " << tmp.path() << ": not tested here");
    return;
  }
  char pattern[] = "/dev/shm/bulletin-test-XXXXXX";
  REQUIRE(::mkdtemp(pattern) != nullptr);
  struct Remove {
    fs::path path;
    ~Remove() { fs::remove_all(path); }
  } remove{pattern};
  check_one_edit_keeps_files(tmp, remove.path / "site");
}

TEST_CASE("with search on, an incremental build equals a fresh build of a copy without the cache", "[e2e][engine][search]") {
  TempDir tmp;
  copy_sample_project(tmp / "project");
  add_articles(tmp / "project");
  fs::path p = tmp / "project";
  check_equals_fresh_copy(tmp, "the first build");
  replace_in_file(p / "content/articles/s2020-100.md", "第100段正文", "第100段正文，另有检索词汇");
  check_equals_fresh_copy(tmp, "an edited article");
  write_file(p / "content/articles/s2021-new.md",
             "---\ntitle: 新增检索文章\nunit: 新的学院\ndate: 2021-06-01\n---\n新的正文。\n");
  check_equals_fresh_copy(tmp, "an added article");
  fs::rename(p / "content/articles/s2021-new.md", p / "content/articles/s2021-renamed.md");
  check_equals_fresh_copy(tmp, "a renamed article");
  for (int i = 0; i < 300; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "content/articles/s2018-%03d.md", i);
    fs::remove(p / name);
  }
  check_equals_fresh_copy(tmp, "a year's articles deleted (its shard goes)");
  replace_in_file(p / "content/articles/s2019-001.md", "date: 2019-01-02", "date: 2020-01-02");
  check_equals_fresh_copy(tmp, "an article moved to another year's shard");
  // An article's record stands for its source's digest: bulletin.yaml's
  // Markdown options, which change its body (and what search finds in it)
  // without changing its source, must reach its shard too.
  write_file(p / "content/articles/s2020-html.md",
             "---\ntitle: 原始HTML文章\nunit: 测试学院\ndate: 2020-07-01\n---\n正文。\n\n<div>只在原始HTML里的检索词</div>\n");
  check_equals_fresh_copy(tmp, "an article with an HTML block, raw_html off");
  replace_in_file(p / "bulletin.yaml", "raw_html: false", "raw_html: true");
  check_equals_fresh_copy(tmp, "raw_html turned on in bulletin.yaml");
}
