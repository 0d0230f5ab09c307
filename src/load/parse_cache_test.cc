#include "load/parse_cache.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "load/config.h"
#include "load/documents.h"

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
    fs::create_directories(fs::path(root + "/" + rel).parent_path());
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
  SECTION("garbage") { std::ofstream(p.cache_file(), std::ios::binary) << "bulletin parse cache 3\n\xff\xff\xff\xff"; }
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

namespace {

const char kNotice[] =
    "---\nissuer: 中共测试大学委员会\ndoc_no: 校党委发〔2020〕12号\ntitle: 关于开展学习竞赛的通知\n"
    "recipients: 各二级党组织\nattachments:\n  - title: 安排表\n    page: att.md\n  - title: 统计表\n"
    "    file: 统计表.pdf\nsignature: 中共测试大学委员会\ndate: 2020-05-06\n---\n第一段：经研究，决定开展竞赛。\n";
const char kNoticePage[] = "---\ntitle: 学习竞赛安排表\n---\n| 周次 | 内容 |\n|---|---|\n| 一 | 开班 |\n";
const char kIssue[] =
    "---\nseries: gzjb\nnumber: 1\ndate: 2020-03-10\ntitle: 学院经验交流专刊\nsections:\n"
    "  - heading: 经验交流\n    articles: [college-practice]\n  - heading: 学习情况\n    body: 第一段：人均积分35.2分。\n"
    "distribution:\n  发: 各二级党组织、各学院\n---\n本期导语。\n";

SiteConfig series_config(const std::string& editor = "中共测试大学委员会办公室") {
  SiteConfig config;
  Series s;
  s.id = "gzjb";
  s.name = "党建工作简报";
  s.editor = editor;
  config.series.push_back(s);
  return config;
}

struct LoadedContent {
  Content content;
  int hits = 0;
  std::string diags;
};

LoadedContent load_all(const TempProject& p, const SiteConfig& config = series_config()) {
  RealFileSystem fs;
  Diagnostics diags;
  ParseCache cache(p.cache_file(), "k1");
  cache.load();
  LoadedContent out;
  out.content = load_content(fs, p.root, config, SeriesIndex(config.series), diags, {}, &cache);
  out.hits = cache.hits();
  out.diags = diags.format_all();
  cache.save(out.content.articles);
  return out;
}

void require_same(const Notice& a, const Notice& b) {
  CHECK(a.source == b.source);
  CHECK(a.title == b.title);
  CHECK(a.issuer == b.issuer);
  CHECK(a.doc_no.has_value() == b.doc_no.has_value());
  if (a.doc_no && b.doc_no) CHECK(a.doc_no->text() == b.doc_no->text());
  CHECK(a.doc_no_where.line == b.doc_no_where.line);
  CHECK(a.body_html == b.body_html);
  CHECK(a.date == b.date);
  CHECK(a.source_digest == b.source_digest);
  REQUIRE(a.attachments.size() == b.attachments.size());
  for (size_t k = 0; k < a.attachments.size(); ++k) {
    CHECK(a.attachments[k].title == b.attachments[k].title);
    CHECK(a.attachments[k].page_html == b.attachments[k].page_html);
    CHECK(a.attachments[k].file_size == b.attachments[k].file_size);
    CHECK(a.attachments[k].where.line == b.attachments[k].where.line);
  }
}

void require_same(const BulletinIssue& a, const BulletinIssue& b) {
  CHECK(a.source == b.source);
  CHECK(a.series == b.series);
  CHECK(a.number == b.number);
  CHECK(a.date == b.date);
  CHECK(a.editor == b.editor);
  CHECK(a.intro_html == b.intro_html);
  CHECK(a.source_digest == b.source_digest);
  REQUIRE(a.sections.size() == b.sections.size());
  for (size_t k = 0; k < a.sections.size(); ++k) {
    CHECK(a.sections[k].heading == b.sections[k].heading);
    CHECK(a.sections[k].body_html == b.sections[k].body_html);
    CHECK(a.sections[k].articles == b.sections[k].articles);
    CHECK(a.sections[k].article_locations.size() == b.sections[k].article_locations.size());
  }
  REQUIRE(a.distribution.size() == b.distribution.size());
  CHECK(a.distribution[0].recipients == b.distribution[0].recipients);
}

}  // namespace

TEST_CASE("notices and issues come from the parse cache, and an edit of them or what they take is seen",
          "[parse_cache]") {
  TempProject p;
  p.write("content/notices/n1.md", kNotice);
  p.write("content/notices/n1/att.md", kNoticePage);
  p.write("content/notices/n1/统计表.pdf", "%PDF-1.4 one");
  p.write("content/bulletins/gzjb/i1.md", kIssue);
  p.write("content/articles/college-practice.md", kArticle);  // the one the issue embeds
  SiteConfig config = series_config();
  LoadedContent first = load_all(p, config);
  INFO(first.diags);
  REQUIRE(first.diags.empty());
  REQUIRE(first.content.notices.size() == 1);
  REQUIRE(first.content.issues.size() == 1);
  CHECK(first.hits == 0);
  CHECK(first.content.notices[0].attachments[0].page_html.find("<table>") != std::string::npos);
  LoadedContent second = load_all(p, config);
  CHECK(second.hits == 3);
  REQUIRE(second.content.notices.size() == 1);
  REQUIRE(second.content.issues.size() == 1);
  require_same(first.content.notices[0], second.content.notices[0]);
  require_same(first.content.issues[0], second.content.issues[0]);
  auto same_size_edit = [&](const std::string& rel, std::string text) {
    text.replace(text.find("第一段"), std::string("第一段").size(), "第二段");
    p.write(rel, text);
  };
  SECTION("a same-size edit of the notice") {
    same_size_edit("content/notices/n1.md", kNotice);
    LoadedContent third = load_all(p);
    CHECK(third.hits == 2);
    CHECK(third.content.notices[0].body_html.find("第二段") != std::string::npos);
  }
  SECTION("a same-size edit of the issue") {
    same_size_edit("content/bulletins/gzjb/i1.md", kIssue);
    LoadedContent third = load_all(p);
    CHECK(third.hits == 2);
    CHECK(third.content.issues[0].sections[1].body_html.find("第二段") != std::string::npos);
  }
  SECTION("an edited attachment page and file of the notice") {
    p.write("content/notices/n1/att.md", std::string(kNoticePage) + "| 二 | 结业 |\n");
    p.write("content/notices/n1/统计表.pdf", "%PDF-1.4 two, longer");
    LoadedContent third = load_all(p);
    CHECK(third.hits == 2);
    CHECK(third.content.notices[0].attachments[0].page_html.find("结业") != std::string::npos);
    CHECK(third.content.notices[0].attachments[1].file_size == std::string("%PDF-1.4 two, longer").size());
  }
  SECTION("another editor declared for the issue's series") {
    config = series_config("校党委办公室");
    LoadedContent third = load_all(p, config);
    CHECK(third.hits == 2);
    CHECK(third.content.issues[0].editor == "校党委办公室");
  }
  CHECK(load_all(p, config).hits == 3);  // the edited ones cached again
}

TEST_CASE("a notice or issue with a warning is not cached, so its warning shows on every load", "[parse_cache]") {
  TempProject p;
  p.write("content/notices/n1.md", std::string(kNotice).insert(4, "titel: x\n"));
  p.write("content/notices/n1/att.md", kNoticePage);
  p.write("content/notices/n1/统计表.pdf", "%PDF-1.4 one");
  p.write("content/bulletins/gzjb/i1.md", std::string(kIssue).insert(4, "titel: x\n"));
  p.write("content/articles/college-practice.md", kArticle);
  LoadedContent first = load_all(p);
  REQUIRE(first.content.notices.size() == 1);
  REQUIRE(first.content.issues.size() == 1);
  CHECK(first.diags.find("content/notices/n1.md:2:1: warning") != std::string::npos);
  CHECK(first.diags.find("content/bulletins/gzjb/i1.md:2:1: warning") != std::string::npos);
  LoadedContent second = load_all(p);
  CHECK(second.hits == 1);  // the article only
  CHECK(second.diags == first.diags);
}

TEST_CASE("a damaged notice or issue record is parsed again, and the cache written again", "[parse_cache]") {
  TempProject p;
  p.write("content/notices/n1.md", kNotice);
  p.write("content/notices/n1/att.md", kNoticePage);
  p.write("content/notices/n1/统计表.pdf", "%PDF-1.4 one");
  p.write("content/bulletins/gzjb/i1.md", kIssue);
  p.write("content/articles/college-practice.md", kArticle);
  LoadedContent good = load_all(p);
  std::string bytes;
  {
    std::ifstream in(p.cache_file(), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (const char* field : {"学习竞赛安排表", "学院经验交流专刊"}) {
    size_t at = bytes.find(field);
    REQUIRE(at != std::string::npos);
    bytes[at + 1] = 'X';
  }
  std::ofstream(p.cache_file(), std::ios::binary) << bytes;
  LoadedContent again = load_all(p);
  CHECK(again.hits == 1);  // the article only
  REQUIRE(again.content.notices.size() == 1);
  REQUIRE(again.content.issues.size() == 1);
  require_same(again.content.notices[0], good.content.notices[0]);
  require_same(again.content.issues[0], good.content.issues[0]);
  CHECK(load_all(p).hits == 3);
}

namespace {

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Inode, size and mtime: whether a file was written again.
std::string file_stamp(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "missing";
  return std::to_string(st.st_ino) + " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) +
         "." + std::to_string(st.st_mtim.tv_nsec);
}

}  // namespace

TEST_CASE("an edit writes only its record, to a delta of the cache file, and a removal the whole file again",
          "[parse_cache]") {
  TempProject p;
  p.write("content/articles/a.md", kArticle);
  p.write("content/articles/b.md", std::string(kArticle) + "\n第三段。\n");
  load(p);
  const std::string delta = p.cache_file() + ".delta";
  const std::string whole = file_stamp(p.cache_file());
  CHECK(file_stamp(delta) == "missing");
  // One edit: the cache file is left as it is, the delta holds that record only.
  p.write("content/articles/a.md", std::string(kArticle) + "\n第五段。\n");
  CHECK(load(p).hits == 1);
  CHECK(file_stamp(p.cache_file()) == whole);
  REQUIRE(file_stamp(delta) != "missing");
  std::string first_delta = read_bytes(delta);
  CHECK(first_delta.find("第五段") != std::string::npos);
  CHECK(first_delta.find("第三段") == std::string::npos);
  Loaded again = load(p);
  CHECK(again.hits == 2);
  REQUIRE(again.articles.size() == 2);
  CHECK(again.articles[0].body_html.str().find("第五段") != std::string::npos);
  CHECK(again.articles[1].body_html.str().find("第三段") != std::string::npos);
  // A second edit: the delta keeps the first one's record too.
  p.write("content/articles/b.md", std::string(kArticle) + "\n第六段。\n");
  CHECK(load(p).hits == 1);
  CHECK(file_stamp(p.cache_file()) == whole);
  CHECK(read_bytes(delta).find("第五段") != std::string::npos);
  std::string second_delta = read_bytes(delta);
  CHECK(second_delta.find("第六段") != std::string::npos);
  Loaded both = load(p);
  CHECK(both.hits == 2);
  CHECK(both.articles[1].body_html.str().find("第六段") != std::string::npos);
  // A removal: the whole file is written again (a new generation), the delta removed.
  fs::remove(p.root + "/content/articles/b.md");
  CHECK(load(p).hits == 1);
  CHECK(file_stamp(p.cache_file()) != whole);
  CHECK(file_stamp(delta) == "missing");
  CHECK(read_bytes(p.cache_file()).find("第五段") != std::string::npos);
  // A delta made on the older file does not apply to the new one: b, back
  // with the text that delta holds for it, is parsed again, not taken from it.
  std::ofstream(delta, std::ios::binary) << second_delta;
  p.write("content/articles/b.md", std::string(kArticle) + "\n第六段。\n");
  Loaded stale = load(p);
  CHECK(stale.hits == 1);  // a, from the new cache file; not b
  REQUIRE(stale.articles.size() == 2);
  CHECK(stale.articles[1].body_html.str().find("第六段") != std::string::npos);
  CHECK(load(p).hits == 2);
}
