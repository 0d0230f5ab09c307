#include "load/parse_cache.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "load/config.h"

namespace fs = std::filesystem;
using namespace bulletin;

namespace {

struct TempProject {
  std::string root;
  TempProject() {
    char tmpl[] = "/tmp/bulletin-parse-cache-XXXXXX";
    root = mkdtemp(tmpl);
    fs::create_directories(root + "/content/articles");
  }
  ~TempProject() { fs::remove_all(root); }
  void write(const std::string& rel, const std::string& text, bool aged = true) const {
    std::ofstream(root + "/" + rel, std::ios::binary) << text;
    // Old enough for its stamp to be trusted (see kRacyNs).
    if (aged) fs::last_write_time(root + "/" + rel, fs::file_time_type::clock::now() - std::chrono::seconds(10));
  }
  std::string cache_file() const { return root + "/.bulletin-cache/parse/articles.bin"; }
};

const char kArticle[] =
    "---\ntitle: 经验交流\nunit: 测试学院\ndate: 2021-01-05\ntags: [党建, 学习]\n---\n第一段**加粗**。\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";

struct Loaded {
  std::vector<Article> articles;
  int hits = 0;
  std::string diags;
};

Loaded load(const TempProject& p, const std::string& key = "k1") {
  RealFileSystem fs;
  Diagnostics diags;
  SiteConfig config;
  ParseCache cache(p.cache_file(), key);
  cache.load();
  std::vector<std::string> broken;
  int files = 0;
  Loaded out;
  out.articles = load_articles(fs, p.root, config, diags, cache, broken, files, 2);
  out.hits = cache.hits();
  out.diags = diags.format_all();
  cache.save(out.articles);
  return out;
}

void require_same(const Article& a, const Article& b) {
  CHECK(a.source == b.source);
  CHECK(a.slug == b.slug);
  CHECK(a.title == b.title);
  CHECK(a.unit == b.unit);
  CHECK(a.date == b.date);
  CHECK(a.tags == b.tags);
  CHECK(a.summary == b.summary);
  CHECK(a.body_html == b.body_html);
}

}  // namespace

TEST_CASE("articles come from the parse cache when unchanged, and are parsed again when edited", "[parse_cache]") {
  TempProject p;
  p.write("content/articles/a.md", kArticle);
  p.write("content/articles/b.md", std::string(kArticle) + "\n第三段。\n");
  Loaded first = load(p);
  REQUIRE(first.articles.size() == 2);
  CHECK(first.hits == 0);
  CHECK(first.articles[0].body_html.str().find("<table>") != std::string::npos);
  Loaded second = load(p);
  CHECK(second.hits == 2);
  REQUIRE(second.articles.size() == 2);
  for (size_t i = 0; i < 2; ++i) require_same(first.articles[i], second.articles[i]);
  // Same size, new text: the stamp differs, so the digest decides.
  std::string edited = kArticle;
  edited.replace(edited.find("第一段"), std::string("第一段").size(), "第二段");
  p.write("content/articles/a.md", edited);
  Loaded third = load(p);
  CHECK(third.hits == 1);
  CHECK(third.articles[0].body_html.str().find("第二段") != std::string::npos);
  // A file edited just now is read and hashed, not trusted by its stamp, on every load.
  p.write("content/articles/b.md", std::string(kArticle) + "\n第四段。\n", false);
  CHECK(load(p).articles[1].body_html.str().find("第四段") != std::string::npos);
  CHECK(load(p).hits == 2);  // by digest
}

TEST_CASE("a parse cache made with another key is not used", "[parse_cache]") {
  TempProject p;
  p.write("content/articles/a.md", kArticle);
  load(p, "bulletin 0.1.0 raw_html=0");
  CHECK(load(p, "bulletin 0.1.0 raw_html=0").hits == 1);
  CHECK(load(p, "bulletin 0.1.0 raw_html=1").hits == 0);
}

TEST_CASE("a damaged parse cache is ignored, not trusted", "[parse_cache]") {
  TempProject p;
  p.write("content/articles/a.md", kArticle);
  Loaded good = load(p);
  std::string bytes;
  {
    std::ifstream in(p.cache_file(), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  size_t at = bytes.find("测试学院");  // the unit, in the record's fields
  REQUIRE(at != std::string::npos);
  SECTION("a changed byte") {
    std::string bad = bytes;
    bad[at + 1] = 'X';
    std::ofstream(p.cache_file(), std::ios::binary) << bad;
  }
  SECTION("cut short") { std::ofstream(p.cache_file(), std::ios::binary) << bytes.substr(0, at); }
  SECTION("garbage") { std::ofstream(p.cache_file(), std::ios::binary) << "bulletin parse cache 2\n\xff\xff\xff\xff"; }
  Loaded again = load(p);
  CHECK(again.hits == 0);
  REQUIRE(again.articles.size() == 1);
  require_same(again.articles[0], good.articles[0]);
  CHECK(load(p).hits == 1);  // rewritten whole
}

namespace {

// The cache file with one byte of the first article's body changed.
void damage_body(const TempProject& p) {
  std::string bytes;
  {
    std::ifstream in(p.cache_file(), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  size_t at = bytes.find("<table>");
  REQUIRE(at != std::string::npos);
  bytes[at + 1] = 'X';  // <tXble>
  std::ofstream(p.cache_file(), std::ios::binary) << bytes;
}

}  // namespace

TEST_CASE("an article's body is read from the parse cache only when asked for, and checked then", "[parse_cache]") {
  TempProject p;
  p.write("content/articles/a.md", kArticle);
  Loaded good = load(p);
  damage_body(p);
  // The record's fields are intact: a hit, whose body is made again from the
  // unchanged source when it is read; the file is then written again.
  RealFileSystem fs;
  Diagnostics diags;
  SiteConfig config;
  ParseCache cache(p.cache_file(), "k1");
  cache.load();
  std::vector<std::string> broken;
  int files = 0;
  auto articles = load_articles(fs, p.root, config, diags, cache, broken, files, 2);
  CHECK(cache.hits() == 1);
  REQUIRE(articles.size() == 1);
  require_same(articles[0], good.articles[0]);
  CHECK(articles[0].source_digest == good.articles[0].source_digest);
  cache.save(articles);
  std::string bytes;
  {
    std::ifstream in(p.cache_file(), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  CHECK(bytes.find("<tXble>") == std::string::npos);
  CHECK(bytes.find("<table>") != std::string::npos);
  Loaded last = load(p);
  CHECK(last.hits == 1);
  require_same(last.articles[0], good.articles[0]);
}

TEST_CASE("a damaged cached body whose source changed during the load is an error when read", "[parse_cache]") {
  TempProject p;
  p.write("content/articles/a.md", kArticle);
  load(p);
  damage_body(p);
  RealFileSystem fs;
  Diagnostics diags;
  SiteConfig config;
  ParseCache cache(p.cache_file(), "k1");
  cache.load();
  std::vector<std::string> broken;
  int files = 0;
  auto articles = load_articles(fs, p.root, config, diags, cache, broken, files, 2);
  REQUIRE(articles.size() == 1);
  CHECK(cache.hits() == 1);
  p.write("content/articles/a.md", std::string(kArticle) + "\n新的一段。\n");
  try {
    (void)articles[0].body_html.str();
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.diagnostic().format() ==
          "content/articles/a.md: error: its cached body (.bulletin-cache/parse/articles.bin) is damaged and the file "
          "changed during the build: build again");
  }
}

TEST_CASE("an article with a warning is not cached, so its warning shows on every load", "[parse_cache]") {
  TempProject p;
  p.write("content/articles/a.md", "---\ntitle: 标题\nunit: 学院\ndate: 2021-01-05\ntitel: x\n---\n正文。\n");
  Loaded first = load(p);
  REQUIRE(first.diags.find("warning") != std::string::npos);
  Loaded second = load(p);
  CHECK(second.hits == 0);
  CHECK(second.diags == first.diags);
}
