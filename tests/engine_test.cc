// End-to-end tests of the build engine: the same site on any number of
// threads, and an incremental build that always equals a fresh full build
// while it leaves unchanged files untouched.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <regex>
#include <thread>

#include "e2e.h"

using namespace e2e;

namespace {

// Files whose inode or mtime differ, plus those added or removed.
std::vector<std::string> touched(const std::map<std::string, FileStamp>& before,
                                 const std::map<std::string, FileStamp>& after) {
  std::vector<std::string> out;
  for (const auto& [rel, s] : after)
    if (!before.count(rel) || !(before.at(rel) == s)) out.push_back(rel);
  for (const auto& [rel, s] : before)
    if (!after.count(rel)) out.push_back(rel);
  return out;
}

void build(const fs::path& cwd, const std::string& out, const std::string& jobs = "0") {
  RunResult r = run_bulletin({"build", "project", "-o", out, "-j", jobs}, cwd);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

// Builds the project incrementally into `inc`, and a copy of it without its
// caches afresh into a new folder, and requires both trees to be byte for
// byte the same (the manifest's stamps of copied files aside).
void check_incremental_equals_fresh(const TempDir& tmp, const std::string& step) {
  INFO("after: " << step);
  static int fresh = 0;
  std::string fresh_dir = "fresh-" + std::to_string(++fresh);
  build(tmp.path(), "inc");
  RunResult r = build_fresh_copy(tmp / "project", tmp / fresh_dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto inc = site_snapshot(tmp / "inc");
  auto full = site_snapshot(tmp / fresh_dir);
  require_same_files(inc, full);
  fs::remove_all(tmp / fresh_dir);
}

const char kNewArticle[] = "---\ntitle: 新的经验交流\nunit: 测试学院\ndate: 2021-01-05\n---\n第一段。\n\n第二段。\n";

}  // namespace

TEST_CASE("a build on one thread and on eight gives byte-identical sites", "[e2e][engine]") {
  TempDir tmp;
  copy_sample_project(tmp / "project");
  build(tmp.path(), "one", "1");
  build(tmp.path(), "eight", "8");
  auto one = snapshot(tmp / "one");
  REQUIRE(one.size() > 50);
  CHECK(one == snapshot(tmp / "eight"));
}

TEST_CASE("a rebuild with nothing changed writes nothing", "[e2e][engine]") {
  TempDir tmp;
  copy_sample_project(tmp / "project");
  build(tmp.path(), "site");
  auto before = file_stamps(tmp / "site");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  RunResult r = run_bulletin({"build", "project", "-o", "site"}, tmp.path());
  REQUIRE(r.exit_code == 0);
  CHECK(touched(before, file_stamps(tmp / "site")).empty());
  // Every file but the manifest counts as kept.
  std::regex kept_row(R"(\n  unchanged, kept +(\d+)\n)");
  std::smatch m;
  REQUIRE(std::regex_search(r.out, m, kept_row));
  CHECK(m[1] == std::to_string(before.size() - 1));
}

TEST_CASE("editing one article rewrites its page and the pages that show it, nothing else", "[e2e][engine]") {
  TempDir tmp;
  copy_sample_project(tmp / "project");
  build(tmp.path(), "site");
  auto before = file_stamps(tmp / "site");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  replace_in_file(tmp / "project/content/articles/sues-four-forces.md", "date: 2020-12-16",
                  "date: 2020-12-16\nsummary: 新的摘要");
  build(tmp.path(), "site");
  auto changed = touched(before, file_stamps(tmp / "site"));
  std::sort(changed.begin(), changed.end());
  // The search index's files that hold the article (its fragment, the docs
  // table, buckets of its new terms) change; the others keep their inode.
  std::vector<std::string> search;
  std::erase_if(changed, [&](const std::string& f) {
    if (!f.starts_with("search/data/")) return false;
    search.push_back(f);
    return true;
  });
  CHECK(std::find(search.begin(), search.end(), "search/data/shards.json") != search.end());
  CHECK(search.size() < 20);
  // The article, the list and the home page that show its summary, the feed,
  // and the manifest; the issue that embeds it is published, so it stays.
  CHECK(changed == std::vector<std::string>{".bulletin-site", "articles/index.html",
                                            "articles/sues-four-forces/index.html", "feed.xml", "index.html"});
}

TEST_CASE("an incremental build equals a fresh full build after every kind of edit", "[e2e][engine]") {
  TempDir tmp;
  copy_sample_project(tmp / "project");
  fs::path p = tmp / "project";
  build(tmp.path(), "inc");
  check_incremental_equals_fresh(tmp, "nothing");

  replace_in_file(p / "content/articles/sues-four-forces.md", "一是明确站位", "一是明确政治站位");
  check_incremental_equals_fresh(tmp, "an edited article");

  write_file(p / "content/articles/new-one.md", kNewArticle);
  check_incremental_equals_fresh(tmp, "an added article");

  fs::rename(p / "content/articles/new-one.md", p / "content/articles/renamed-one.md");
  check_incremental_equals_fresh(tmp, "a renamed article");

  fs::remove(p / "content/articles/renamed-one.md");
  check_incremental_equals_fresh(tmp, "a deleted article");

  replace_in_file(p / "data/exports/units-2020-12.json", "\"积分合计\": 119068", "\"积分合计\": 119070");
  check_incremental_equals_fresh(tmp, "an edited export");

  fs::remove(p / "data/exports/shnu-units-2020-11.jsonl");
  check_incremental_equals_fresh(tmp, "a deleted export");

  write_file(p / "templates/article.mustache", read_file(p / "templates/article.mustache") + "<!-- edited -->\n");
  check_incremental_equals_fresh(tmp, "an edited page template");

  write_file(p / "templates/partials/footer.mustache",
             read_file(p / "templates/partials/footer.mustache") + "<!-- edited -->\n");
  check_incremental_equals_fresh(tmp, "an edited partial");

  write_file(p / "templates/assets/style.css", read_file(p / "templates/assets/style.css") + "/* edited */\n");
  check_incremental_equals_fresh(tmp, "an edited asset");

  replace_in_file(p / "bulletin.yaml", "title: ", "title: 新");
  check_incremental_equals_fresh(tmp, "an edited bulletin.yaml");
}

TEST_CASE("notices and issues taken from the parse cache give the site a build without it gives", "[e2e][engine]") {
  TempDir tmp;
  copy_test_site("series-and-notices", tmp / "project");
  fs::path p = tmp / "project";
  build(tmp.path(), "inc");
  check_incremental_equals_fresh(tmp, "nothing");

  replace_in_file(p / "content/notices/2020-xdw-12.md", "决定开展学习竞赛", "决定开展学习知识竞赛");
  check_incremental_equals_fresh(tmp, "an edited notice");

  write_file(p / "content/notices/2020-xdw-12/attachment-1.md",
             read_file(p / "content/notices/2020-xdw-12/attachment-1.md") + "\n新增的一段。\n");
  check_incremental_equals_fresh(tmp, "an edited attachment page of a notice");

  write_file(p / "content/notices/2020-xdw-12/统计表.pdf",
             read_file(p / "content/notices/2020-xdw-12/统计表.pdf") + "% edited\n");
  check_incremental_equals_fresh(tmp, "an edited attachment file of a notice");

  replace_in_file(p / "content/bulletins/gzjb/2020-01.md", "学院经验交流专刊", "学院经验交流专刊（一）");
  check_incremental_equals_fresh(tmp, "an edited issue");

  write_file(p / "content/articles/college-practice.md",
             read_file(p / "content/articles/college-practice.md") + "\n新增的一段。\n");
  check_incremental_equals_fresh(tmp, "an edited article the issue embeds");

  replace_in_file(p / "bulletin.yaml", "editor: 中共测试大学委员会办公室", "editor: 中共测试大学委员会宣传部");
  check_incremental_equals_fresh(tmp, "an edited series");
}

TEST_CASE("a build killed at any point is repaired by the next build", "[e2e][engine]") {
  TempDir tmp;
  copy_sample_project(tmp / "project");
  fs::path p = tmp / "project";
  build(tmp.path(), "inc");
  for (int delay_ms : {1, 3, 6, 10, 15, 25, 40, 70}) {
    INFO("killed after " << delay_ms << " ms");
    // A change that touches many pages, so the kill lands mid-build or mid-commit.
    write_file(p / "templates/partials/footer.mustache",
               read_file(p / "templates/partials/footer.mustache") + "<!-- " + std::to_string(delay_ms) + " -->\n");
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      if (chdir(tmp.path().c_str()) != 0) _exit(127);
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      execl(kExe.c_str(), kExe.c_str(), "build", "project", "-o", "inc", static_cast<char*>(nullptr));
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    check_incremental_equals_fresh(tmp, "a build killed after " + std::to_string(delay_ms) + " ms");
    // A build that swapped folders removes the old site in the background.
    std::vector<std::string> hidden;
    for (int wait = 0; wait < 100; ++wait) {
      hidden.clear();
      for (const auto& e : fs::directory_iterator(tmp.path()))
        if (e.path().filename().string()[0] == '.') hidden.push_back(e.path().filename().string());
      if (hidden.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(hidden.empty());
  }
}

namespace {
// Adds `count` articles dated in `year`, one a day from January 1st.
void add_articles(const fs::path& project, int year, int count) {
  for (int i = 0; i < count; ++i) {
    char name[64], date[16];
    std::snprintf(name, sizeof name, "content/articles/y%d-%03d.md", year, i);
    std::snprintf(date, sizeof date, "%d-%02d-%02d", year, 1 + i / 28, 1 + i % 28);
    write_file(project / name, std::string("---\ntitle: 文章") + std::to_string(year) + "-" + std::to_string(i) +
                                   "\nunit: 测试学院\ndate: " + date + "\n---\n正文。\n");
  }
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("a long section list is split by year and pages, and feeds keep the latest entries", "[e2e][engine]") {
  TempDir tmp;
  copy_test_site("series-and-notices", tmp / "project");
  add_articles(tmp / "project", 2019, 30);
  add_articles(tmp / "project", 2020, 130);  // past one page of 100
  build(tmp.path(), "site");
  fs::path site = tmp / "site";
  std::string index = read_file(site / "articles/index.html");
  // The section page shows the newest page and links every year.
  CHECK(index.find("href=\"../articles/2019/index.html\">2019年</a>（30）") != std::string::npos);
  CHECK(index.find("<strong>2020年</strong>（131）") != std::string::npos);  // with the sample article
  CHECK(index.find("rel=\"next\" href=\"../articles/2020/page/2/index.html\">2020年 第2页 →") != std::string::npos);
  CHECK(fs::is_regular_file(site / "articles/2020/index.html"));
  std::string second = read_file(site / "articles/2020/page/2/index.html");
  CHECK(second.find("rel=\"prev\" href=\"../../../../articles/2020/index.html\">← 2020年") != std::string::npos);
  CHECK(second.find("rel=\"next\" href=\"../../../../articles/2019/index.html\">2019年 →") != std::string::npos);
  CHECK(count_of(second, "文章2020-") == 31);  // 131 - 100
  CHECK(count_of(read_file(site / "articles/2019/index.html"), "文章2019-") == 30);
  // Feeds: the default limit of 50.
  CHECK(count_of(read_file(site / "feed.xml"), "<entry>") == 50);
  // check follows every link of the split lists.
  RunResult check = run_bulletin({"check", "project"}, tmp.path());
  INFO(check.err);
  CHECK(check.exit_code == 0);

  replace_in_file(tmp / "project/bulletin.yaml", "base_path: /", "base_path: /\nfeed_limit: 3");
  build(tmp.path(), "site");
  CHECK(count_of(read_file(site / "feed.xml"), "<entry>") == 3);
}

TEST_CASE("feed_limit must be a positive whole number", "[e2e][engine]") {
  TempDir tmp;
  copy_test_site("series-and-notices", tmp / "project");
  replace_in_file(tmp / "project/bulletin.yaml", "base_path: /", "base_path: /\nfeed_limit: 0");
  RunResult r = run_bulletin({"build", "project", "-o", "site"}, tmp.path());
  CHECK(r.exit_code == 1);
  CHECK(r.err ==
        "bulletin.yaml:5:13: error: 'feed_limit' must be a whole number from 1 to 100000 (entries per feed)\n"
        "    feed_limit: 0\n"
        "                ^\n"
        "build failed: 1 error; site was not changed\n");
}

TEST_CASE("editing an old article of a long list rewrites its page and its list page, no other list page",
          "[e2e][engine]") {
  TempDir tmp;
  copy_test_site("series-and-notices", tmp / "project");
  add_articles(tmp / "project", 2019, 30);
  add_articles(tmp / "project", 2020, 130);
  build(tmp.path(), "inc");
  auto before = file_stamps(tmp / "inc");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  // The oldest of 2020: on the year's second page, in no feed, not on the home page.
  replace_in_file(tmp / "project/content/articles/y2020-000.md", "title: 文章2020-0\n", "title: 改过的文章\n");
  build(tmp.path(), "inc");
  auto changed = touched(before, file_stamps(tmp / "inc"));
  std::sort(changed.begin(), changed.end());
  std::erase_if(changed, [](const std::string& f) { return f.starts_with("search/data/"); });
  CHECK(changed ==
        std::vector<std::string>{".bulletin-site", "articles/2020/page/2/index.html", "articles/y2020-000/index.html"});
  CHECK(read_file(tmp / "inc/articles/2020/page/2/index.html").find("改过的文章") != std::string::npos);
  check_incremental_equals_fresh(tmp, "an old article's title edited");
  fs::remove(tmp / "project/content/articles/y2020-050.md");  // every later 2020 page shifts by one
  check_incremental_equals_fresh(tmp, "an article of a long list deleted");
}
