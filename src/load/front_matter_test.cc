#include "load/front_matter.h"

#include <catch2/catch.hpp>

using namespace bulletin;

namespace {
std::string message_of(const SourceFile& file) {
  try {
    parse_front_matter(file);
  } catch (const Error& e) {
    return e.diagnostic().format();
  }
  return "no error";
}
}  // namespace

TEST_CASE("front matter is split from the body and parsed", "[front_matter]") {
  SourceFile f{"a.md", "---\ntitle: 标题\ndate: 2020-12-16\n---\n正文\n"};
  FrontMatter fm = parse_front_matter(f);
  CHECK(fm.root["title"].Scalar() == "标题");
  CHECK(fm.body == "正文\n");
  CHECK(fm.body_line == 5);
}

TEST_CASE("a front matter block that is never closed is an error at line 1", "[front_matter]") {
  CHECK(message_of({"content/articles/a.md", "---\ntitle: x\n正文\n"}) ==
        "content/articles/a.md:1:1: error: front matter is never closed: add a line '---' after the last field\n"
        "    ---\n"
        "    ^");
}

TEST_CASE("bad YAML in front matter is located in the file", "[front_matter]") {
  CHECK(
      message_of({"content/articles/a.md", "---\ntitle: x\ndate: [2020\n---\n"}) ==
      "content/articles/a.md:4:1: error: invalid YAML in front matter: a list opened with '[' is never closed with ']'\n"
      "    ---\n"
      "    ^");
  CHECK(
      message_of({"content/articles/b.md", "---\ntitle: a: b\n---\n"}) ==
      "content/articles/b.md:2:9: error: invalid YAML in front matter: unexpected ':'; if a value contains a colon, put it in quotes (title: \"甲: 乙\")\n"
      "    title: a: b\n"
      "            ^");
}

TEST_CASE("a file without front matter is an error that says how to add one", "[front_matter]") {
  CHECK(message_of({"a.md", "正文"}) ==
        "a.md:1:1: error: missing front matter: the file must start with a line '---', then the "
        "document's fields (title, date, …), then another line '---'\n"
        "    正文\n"
        "    ^");
}

TEST_CASE("fields accept Chinese keys, warn about unknown ones and require what they must", "[front_matter]") {
  SourceFile f{"a.md", "---\n标题: 通知\n日其: 2020年12月16日\nunit: 某单位\n---\n"};
  FrontMatter fm = parse_front_matter(f);
  Diagnostics diags;
  Fields fields(fm, {{"title", {"标题"}, true}, {"date", {"日期"}, true}, {"unit", {"单位"}}}, diags);
  CHECK(fields.text("title") == "通知");
  CHECK(fields.text("unit") == "某单位");
  CHECK(diags.format_all() ==
        "a.md:1:1: error: missing required field 'date' (日期)\n"
        "    ---\n"
        "    ^\n"
        "a.md:3:1: warning: unknown field '日其'; did you mean '日期' (date)?\n"
        "    日其: 2020年12月16日\n"
        "    ^\n");
}

TEST_CASE("an invalid date points at the value", "[front_matter]") {
  SourceFile f{"a.md", "---\n日期: 2020年2月30日\n---\n"};
  FrontMatter fm = parse_front_matter(f);
  Diagnostics diags;
  Fields fields(fm, {{"date", {"日期"}, true}}, diags);
  CHECK_FALSE(fields.date("date"));
  CHECK(diags.format_all() ==
        "a.md:2:5: error: invalid date '2020年2月30日': 2020年2月 has no day 30\n"
        "    日期: 2020年2月30日\n"
        "          ^\n");
}

TEST_CASE("a key given twice, in English and in Chinese, is an error", "[front_matter]") {
  SourceFile f{"a.md", "---\ntitle: a\n标题: b\n---\n"};
  FrontMatter fm = parse_front_matter(f);
  Diagnostics diags;
  Fields fields(fm, {{"title", {"标题"}, true}}, diags);
  CHECK(diags.format_all() ==
        "a.md:3:1: error: field '标题' is given twice ('title')\n"
        "    标题: b\n"
        "    ^\n");
}
