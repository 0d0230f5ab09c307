#include "render/pages.h"

#include <catch2/catch.hpp>

using namespace bulletin;

TEST_CASE("links written for an article still lead to the same places inside an issue", "[pages]") {
  std::string html =
      "<p><a href=\"../other/\">甲</a> <img src=\"chart.png\" alt=\"\"> <a href=\"#fn1\">1</a> "
      "<a href=\"http://x.cn/\">外</a> <a href=\"/abs/\">根</a></p>";
  CHECK(rebase_links(html, "articles/a/", "bulletins/jb/2020/6/") ==
        "<p><a href=\"../../../../articles/other/\">甲</a> <img src=\"../../../../articles/a/chart.png\" alt=\"\"> "
        "<a href=\"#fn1\">1</a> <a href=\"http://x.cn/\">外</a> <a href=\"/abs/\">根</a></p>");
  CHECK(rebase_links(html, "articles/a/", "articles/a/") == html);
}

TEST_CASE("the way back to the site root follows the URL's depth", "[pages]") {
  CHECK(root_for("") == "");
  CHECK(root_for("articles/") == "../");
  CHECK(root_for("notices/校党委发/2020/51/") == "../../../../");
  CHECK(root_for("404.html") == "");
}

TEST_CASE("empty optional fields are false so that their sections hide", "[pages]") {
  Notice n;
  n.issuer = {"中共某某委员会"};
  n.title = "通知";
  PageData d = notice_page(n);
  CHECK(d["note"] == false);
  CHECK(d["doc_no"] == false);
  CHECK(d["title"] == "通知");
  TemplateData t = to_template(d);
  CHECK(t.get("note")->is_false());
  CHECK(t.get("title")->string_value() == "通知");
}

TEST_CASE("a title's lines are split where the source put a space between Chinese characters", "[pages]") {
  PageData d = PageData::object();
  d["title"] = "关于印发《湖南省高校“学习强国” 学习平台建设推广工作方案》的通知";
  d["page_title"] = "学校名单 (31 所)";
  TemplateData t = to_template(d);
  const auto& lines = t.get("title_lines")->list_value();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].get("line")->string_value() == "关于印发《湖南省高校“学习强国”");
  CHECK(lines[1].get("line")->string_value() == "学习平台建设推广工作方案》的通知");
  // A space beside ASCII is an ordinary space.
  const auto& one = t.get("page_title_lines")->list_value();
  REQUIRE(one.size() == 1);
  CHECK(one[0].get("line")->string_value() == "学校名单 (31 所)");
}
