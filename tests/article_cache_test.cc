// End-to-end tests of the article path of an incremental build: an article's
// page is known unchanged from its source text's digest (its body is read
// from the parse cache only when a page needs it), so an edit of its body
// alone or of its title alone, and a parse cache whose body bytes are
// damaged, must still give what a fresh full build gives.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "e2e.h"

using namespace e2e;

namespace {

const char kArticle[] = "content/articles/sues-four-forces.md";
const char kCache[] = ".bulletin-cache/parse/articles.bin";

void build(const fs::path& cwd, const std::string& out) {
  RunResult r = run_bulletin({"build", "project", "-o", out}, cwd);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

// The parse cache is written by a detached process after a build: waits
// until it is in place and no write is under way.
void wait_for_parse_cache(const fs::path& project) {
  for (int i = 0; i < 500; ++i) {
    bool writing = false;
    for (const auto& e : fs::directory_iterator(project / ".bulletin-cache/parse"))
      writing |= e.path().filename().string().find(".tmp-") != std::string::npos;
    if (!writing && fs::exists(project / kCache)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("the parse cache was not written");
}

void require_same_site(const fs::path& a, const fs::path& b) {
  auto x = site_snapshot(a), y = site_snapshot(b);
  REQUIRE(x.size() > 50);
  for (const auto& [rel, bytes] : y) {
    INFO(rel);
    REQUIRE(x.count(rel) == 1);
    CHECK(x.at(rel) == bytes);
  }
  CHECK(x.size() == y.size());
}

// Builds incrementally into `inc`, and a copy of the project without its
// caches afresh, and compares the two.
void check_incremental_equals_fresh(const fs::path& tmp, const std::string& step) {
  INFO("after: " << step);
  wait_for_parse_cache(tmp / "project");
  build(tmp, "inc");
  fs::remove_all(tmp / "fresh");
  RunResult r = build_fresh_copy(tmp / "project", tmp / "fresh");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  require_same_site(tmp / "inc", tmp / "fresh");
}

}  // namespace

TEST_CASE("an article edited only in its body or only in its title rebuilds as a fresh build does", "[e2e][engine]") {
  TempDir tmp;
  copy_sample_project(tmp / "project");
  fs::path p = tmp / "project";
  build(tmp.path(), "inc");
  // The same length, so only the digest (not the size) tells the text changed.
  replace_in_file(p / kArticle, "一是明确站位", "一是坚定站位");
  check_incremental_equals_fresh(tmp.path(), "an edit of the body only");
  CHECK(read_file(tmp / "inc/articles/sues-four-forces/index.html").find("一是坚定站位") != std::string::npos);
  replace_in_file(p / kArticle, "title: \"聚焦", "title: \"围绕");
  check_incremental_equals_fresh(tmp.path(), "an edit of the title only");
  CHECK(read_file(tmp / "inc/articles/sues-four-forces/index.html").find("围绕“四个力”") != std::string::npos);
  CHECK(read_file(tmp / "inc/articles/index.html").find("围绕“四个力”") != std::string::npos);
}

TEST_CASE("a parse cache whose article body is damaged gives the site a fresh build gives", "[e2e][engine]") {
  TempDir tmp;
  copy_sample_project(tmp / "project");
  fs::path p = tmp / "project";
  build(tmp.path(), "before");
  wait_for_parse_cache(p);
  // One byte of the body (in the body area, after every record's fields).
  std::string bytes = read_file(p / kCache);
  size_t at = bytes.rfind("一是明确站位");
  REQUIRE(at != std::string::npos);
  bytes[at + 1] = 'X';
  write_file(p / kCache, bytes);
  // A new folder: every page is made, the damaged body read.
  build(tmp.path(), "after");
  require_same_site(tmp / "after", tmp / "before");
  // The cache was written again whole.
  wait_for_parse_cache(p);
  CHECK(read_file(p / kCache).find(std::string("\xe4X", 2)) == std::string::npos);
  fs::remove_all(tmp / "after");
  build(tmp.path(), "after");
  require_same_site(tmp / "after", tmp / "before");
}
