#include "load/documents.h"

#include <catch2/catch.hpp>

using namespace bulletin;

namespace {
// "ok <number>", or the one error's message.
std::string number_error(const std::string& text) {
  Diagnostics diags;
  auto n = parse_document_number(text, {"content/notices/a.md", 3, 9}, diags);
  if (n) return diags.items().empty() ? "ok " + n->text() : "ok, but " + diags.format_all();
  return diags.items().size() == 1 ? diags.items()[0].message : "not one error: " + diags.format_all();
}

SiteConfig config_with_series() {
  SiteConfig c;
  c.series.push_back({"jiaowei", "教卫工作通报", "中共上海市教育卫生工作委员会办公室", true, {}});
  return c;
}
}  // namespace

TEST_CASE("document numbers are parsed as 机关代字〔年份〕序号号", "[documents]") {
  Diagnostics diags;
  auto n = parse_document_number("校党委发〔2020〕51号", {}, diags);
  REQUIRE(n);
  CHECK(diags.items().empty());
  CHECK(n->code == "校党委发");
  CHECK(n->year == 2020);
  CHECK(n->number == 51);
  CHECK(number_error("武宣文〔2019〕7号") == "ok 武宣文〔2019〕7号");
}

TEST_CASE("common mistakes in document numbers say what the right form is", "[documents]") {
  const std::string form = " (机关代字〔年份〕序号号)";
  CHECK(number_error("校党委发[2020]51号") ==
        "document number '校党委发[2020]51号' puts the year in []; the year goes in hexagonal brackets 〔〕; "
        "write it as 校党委发〔2020〕51号" +
            form);
  CHECK(number_error("校党委发（2020）51号") ==
        "document number '校党委发（2020）51号' puts the year in （）; the year goes in hexagonal brackets 〔〕; "
        "write it as 校党委发〔2020〕51号" +
            form);
  CHECK(number_error("校党委发【2020】51号") ==
        "document number '校党委发【2020】51号' puts the year in 【】; the year goes in hexagonal brackets 〔〕; "
        "write it as 校党委发〔2020〕51号" +
            form);
  CHECK(
      number_error("校党委发〔2020〕第51号") ==
      "document number '校党委发〔2020〕第51号' must not have 第 before the number; write it as 校党委发〔2020〕51号" +
          form);
  CHECK(number_error("校党委发〔2020〕051号") ==
        "document number '校党委发〔2020〕051号' must not pad the number with zeros; write it as 校党委发〔2020〕51号" +
            form);
  CHECK(
      number_error("校党委发〔20〕51号") ==
      "document number '校党委发〔20〕51号' must give the year in full (four digits); write it as 校党委发〔2020〕51号" +
          form);
  CHECK(number_error("校党委发〔2020〕51") ==
        "document number '校党委发〔2020〕51' must end with 号; write it as 校党委发〔2020〕51号" + form);
  CHECK(number_error("51号") == "document number '51号' has no year in 〔〕; write it as 校党委发〔2020〕51号" + form);
}

TEST_CASE("a malformed document number is an error where it was written", "[documents]") {
  Diagnostics diags;
  CHECK_FALSE(
      parse_document_number("校党委发〔2020〕51", {"content/notices/a.md", 3, 9}, diags, "doc_no: 校党委发〔2020〕51"));
  CHECK(diags.format_all() ==
        "content/notices/a.md:3:9: error: document number '校党委发〔2020〕51' must end with 号; write it as "
        "校党委发〔2020〕51号 (机关代字〔年份〕序号号)\n"
        "    doc_no: 校党委发〔2020〕51\n"
        "            ^\n");
}

TEST_CASE("an article needs a title, a unit and a date", "[documents]") {
  SiteConfig config;
  Diagnostics diags;
  auto a = load_article(
      {"content/articles/x.md", "---\n标题: 经验\n单位: 上海工程技术大学\n日期: 2020年12月16日\n---\n正文。\n"}, config,
      diags);
  REQUIRE(a);
  CHECK(a->slug == "x");
  CHECK(a->url() == "articles/x/");
  CHECK(a->date == Date{2020, 12, 16});
  CHECK(a->body_html == "<p>正文。</p>\n");
  CHECK(diags.items().empty());

  Diagnostics missing;
  CHECK_FALSE(load_article({"content/articles/y.md", "---\ntitle: 经验\n---\n"}, config, missing));
  CHECK(missing.format_all() ==
        "content/articles/y.md:1:1: error: missing required field 'unit' (单位)\n    ---\n    ^\n"
        "content/articles/y.md:1:1: error: missing required field 'date' (日期)\n    ---\n    ^\n");
}

TEST_CASE("a required field written with no value is an error where it is written", "[documents]") {
  SiteConfig config;
  Diagnostics diags;
  CHECK_FALSE(load_article({"content/articles/z.md", "---\ntitle: 经验\n单位: 上海工程技术大学\ndate:\n---\n正文。\n"},
                           config, diags));
  CHECK(diags.format_all() ==
        "content/articles/z.md:4:1: error: required field 'date' has no value\n    date:\n    ^\n");
}

TEST_CASE("a notice reads its header, signers, joint issuers and the 文件 mark", "[documents]") {
  MemoryFileSystem fs;
  Diagnostics diags;
  auto n = load_notice({"content/notices/a.md",
                        "---\nissuer: [中共武汉市委宣传部, 中共武汉市委组织部, 文件]\ndoc_no: 武宣文〔2019〕7号\n"
                        "签发人: [张三, 李四]\ntitle: 通知\nrecipients: 各区：\ndate: 2019-03-01\n---\n正文\n"},
                       fs, ".", SiteConfig{}, diags);
  REQUIRE(n);
  CHECK(diags.items().empty());
  CHECK(n->issuer == std::vector<std::string>{"中共武汉市委宣传部", "中共武汉市委组织部"});
  CHECK(n->file_mark);
  CHECK(n->signers.size() == 2);
  CHECK(n->recipients == "各区");
  CHECK(n->url() == "notices/武宣文/2019/7/");

  Diagnostics single;
  auto m = load_notice({"content/notices/b.md", "---\nissuer: 中共广西纺织工业学校委员会文件\ntitle: 通知\n---\n"}, fs,
                       ".", SiteConfig{}, single);
  REQUIRE(m);
  CHECK(m->issuer == std::vector<std::string>{"中共广西纺织工业学校委员会"});
  CHECK(m->file_mark);
}

TEST_CASE("a notice's attachments are pages or files in its folder", "[documents]") {
  MemoryFileSystem fs;
  fs.add("p/content/notices/a/附件1.md", "---\ntitle: 名单 (31 所)\n---\n一、本科学校（3 所）\n");
  fs.add("p/content/notices/a/表.xlsx", std::string(2048, 'x'));
  Diagnostics diags;
  auto n = load_notice({"content/notices/a.md",
                        "---\nissuer: 甲\ntitle: 通知\nattachments:\n  - {title: 名单, page: 附件1.md}\n"
                        "  - {title: 统计表, file: 表.xlsx}\n  - 缺.pdf\n---\n"},
                       fs, "p", SiteConfig{}, diags);
  CHECK_FALSE(n);  // the missing file is an error
  CHECK(diags.format_all() ==
        "content/notices/a.md:7:5: error: attachment file '缺.pdf' not found: expected the file "
        "content/notices/a/缺.pdf\n"
        "      - 缺.pdf\n"
        "        ^\n");
}

TEST_CASE("an issue reads its series, sections and distribution", "[documents]") {
  Diagnostics diags;
  auto i = load_issue({"content/bulletins/jiaowei/6.md",
                       "---\nnumber: 6\ndate: 2020年12月16日\ntitle: 情况\nsections:\n"
                       "  - heading: 经验交流\n    articles: [a]\n  - heading: 学习情况\n    body: 见下图。\n"
                       "distribution:\n  发: 市卫生健康委、各有关高校\nprint_count: 44\n---\n"},
                      config_with_series(), diags);
  REQUIRE(i);
  CHECK(diags.items().empty());
  CHECK(i->series == "jiaowei");  // taken from the folder
  CHECK(i->editor == "中共上海市教育卫生工作委员会办公室");
  CHECK(i->url() == "bulletins/jiaowei/2020/6/");
  CHECK(i->number_text() == "第 6 期");
  REQUIRE(i->sections.size() == 2);
  CHECK(i->sections[0].articles == std::vector<std::string>{"a"});
  CHECK(i->sections[1].body_html == "<p>见下图。</p>\n");
  REQUIRE(i->distribution.size() == 1);
  CHECK(i->distribution[0].recipients == std::vector<std::string>{"市卫生健康委", "各有关高校"});
  CHECK(i->print_count == 44);
}

TEST_CASE("an unknown series is an error with a suggestion", "[documents]") {
  Diagnostics diags;
  CHECK_FALSE(
      load_issue({"content/bulletins/x.md", "---\nseries: jiaowi\nnumber: 1\ndate: 2020-01-01\ntitle: t\n---\n"},
                 config_with_series(), diags));
  CHECK(diags.format_all() ==
        "content/bulletins/x.md:2:9: error: unknown bulletin series 'jiaowi'; did you mean 'jiaowei'?\n"
        "    series: jiaowi\n"
        "            ^\n");
}

TEST_CASE("two issues with the same number in a series and year are an error", "[documents]") {
  MemoryFileSystem fs;
  fs.add("p/bulletin.yaml", "title: t\n");
  fs.add("p/content/bulletins/jiaowei/a.md", "---\nnumber: 6\ndate: 2020-12-16\ntitle: a\n---\n");
  fs.add("p/content/bulletins/jiaowei/b.md", "---\nnumber: 6\ndate: 2020-11-16\ntitle: b\n---\n");
  fs.add("p/content/bulletins/jiaowei/c.md", "---\nnumber: 6\ndate: 2021-01-16\ntitle: c\n---\n");
  Diagnostics diags;
  SiteConfig config = config_with_series();
  Content c = load_content(fs, "p", config, SeriesIndex(config.series), diags);
  CHECK(diags.format_all() ==
        "content/bulletins/jiaowei/b.md:2:9: error: 教卫工作通报 2020年第 6 期 is already used by "
        "content/bulletins/jiaowei/a.md\n"
        "    number: 6\n"
        "            ^\n");
  CHECK(c.issues.size() == 3);
  CHECK(c.issues[0].title == "c");  // newest first
}
