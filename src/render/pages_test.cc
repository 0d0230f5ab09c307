#include "render/pages.h"

#include <catch2/catch.hpp>
#include <functional>

#include "load/schema.h"

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

namespace {

// Gives the member `field` is bound to another value; false for a field the
// loader reads by hand.
template <class Doc>
bool change_field(Doc& doc, const DocumentField<Doc>& field) {
  return std::visit(
      [&](auto member) {
        using M = decltype(member);
        if constexpr (std::is_same_v<M, std::monostate>) return false;
        else {
          if constexpr (std::is_same_v<M, std::string Doc::*>) doc.*member += "改";
          else if constexpr (std::is_same_v<M, std::vector<std::string> Doc::*>) (doc.*member).push_back("改");
          else if constexpr (std::is_same_v<M, std::optional<Date> Doc::*>) doc.*member = Date{2001, 2, 3};
          else doc.*member = !(doc.*member);
          return true;
        }
      },
      field.into);
}

// Changes each bound field of `schema` in turn: the page changes, and a field
// the page shows as it is appears under its key, not as false.
template <class Doc, class Page>
int check_every_bound_field(const DocumentSchema<Doc>& schema, const Doc& sample, Page page) {
  int bound = 0;
  for (const auto& field : schema.fields()) {
    Doc changed = sample;
    if (!change_field(changed, field)) continue;
    ++bound;
    INFO("field " << field.spec.key);
    PageData d = page(changed);
    CHECK(d != page(sample));
    if (field.page == OnPage::AsIs) {
      REQUIRE(d.contains(field.spec.key));
      CHECK(d[field.spec.key] != false);
    }
  }
  return bound;
}

}  // namespace

TEST_CASE("every bound field of a document's schema is in its page data", "[pages][schema]") {
  Article a;
  a.slug = "a";
  a.title = "标题";
  a.unit = "单位";
  a.date = Date{2020, 12, 16};
  CHECK(check_every_bound_field(article_schema(), a, [](const Article& x) { return article_page(x); }) > 0);

  Notice n;
  n.issuer = {"中共某某委员会"};
  n.title = "通知";
  CHECK(check_every_bound_field(notice_schema(), n, [](const Notice& x) { return notice_page(x); }) > 0);

  BulletinIssue issue;
  issue.series = "jb";
  issue.number = 6;
  issue.date = Date{2020, 12, 16};
  issue.title = "工作通报";
  CHECK(check_every_bound_field(issue_schema(), issue,
                                [](const BulletinIssue& x) { return issue_page(x, IssueContext{}); }) > 0);
}

TEST_CASE("an article's page source changes with every field its page is made from", "[pages][schema]") {
  Article a;
  a.source = "content/articles/a.md";
  a.slug = "a";
  a.title = "标题";
  a.unit = "单位";
  a.date = Date{2020, 12, 16};
  a.body_html = "<p>正文</p>\n";
  const std::string before = article_page_source(a);
  int bound = 0;
  for (const auto& field : article_schema().fields()) {
    Article changed = a;
    if (!change_field(changed, field)) continue;
    ++bound;
    INFO("field " << field.spec.key);
    CHECK(article_page_source(changed) != before);
  }
  CHECK(bound > 0);
  // A value moved from one field to the next is a change too.
  Article moved = a;
  moved.title = "标题单位";
  moved.unit = "";
  CHECK(article_page_source(moved) != before);
  // The fields read by hand.
  for (auto edit : std::vector<std::function<void(Article&)>>{[](Article& x) { x.slug = "b"; },
                                                              [](Article& x) {
                                                                x.date = Date{2020, 12, 17};
                                                              },
                                                              [](Article& x) { x.body_html += "<p>又</p>"; },
                                                              [](Article& x) { x.source = "content/articles/b.md"; }}) {
    Article changed = a;
    edit(changed);
    CHECK(article_page_source(changed) != before);
  }
  CHECK(article_page_source(a) == before);
}

namespace {
// A canonical text of Mustache data, walked along the shape of the page data
// it was converted from (plus the *_lines to_template derives).
std::string dump(const TemplateData* t, const PageData& shape) {
  if (!t) return "<missing>";
  std::string out;
  if (shape.is_object()) {
    if (!t->is_object()) return "<not an object>";
    for (const auto& [key, value] : shape.items()) {
      out += key + "=" + dump(t->get(key), value) + ";";
      if ((key == "title" || key == "page_title") && value.is_string()) {
        const TemplateData* lines = t->get(key + "_lines");
        out += key + "_lines=";
        if (!lines || !lines->is_list()) return out + "<no lines>";
        for (const auto& l : lines->list_value()) out += "[" + dump(l.get("line"), PageData("")) + "]";
        out += ";";
      }
    }
    return "{" + out + "}";
  }
  if (shape.is_array()) {
    if (!t->is_list() || t->list_value().size() != shape.size()) return "<not the list>";
    for (size_t k = 0; k < shape.size(); ++k) out += dump(&t->list_value()[k], shape[k]) + ",";
    return "[" + out + "]";
  }
  if (shape.is_string()) return t->is_string() ? "'" + t->string_value() + "'" : "<not a string>";
  if (shape.is_boolean()) return t->is_true() ? "true" : t->is_false() ? "false" : "<not a bool>";
  return "<other>";
}
}  // namespace

TEST_CASE("an article's Mustache data is what its page data converts to", "[pages]") {
  Article a;
  a.slug = "a";
  a.source = "content/articles/a.md";
  a.title = "关于“学习强国” 学习平台的经验 & 做法";
  a.unit = "单位甲";
  a.date = Date{2021, 3, 4};
  a.body_html = LazyText(std::string("<p>正文。</p>\n"));
  std::vector<Article> samples{a};
  Article bare = a;
  bare.author = "";
  bare.summary = "";
  bare.tags = {};
  bare.body_html = LazyText(std::string());
  samples.push_back(bare);
  Article full = a;
  full.author = "作者乙";
  full.summary = "摘要";
  full.tags = {"标签一", "", "标签三"};
  samples.push_back(full);
  for (const auto& s : samples) {
    INFO(s.title << " tags " << s.tags.size());
    PageData page = article_page(s);
    page["root"] = root_for(s.url());
    TemplateData converted = to_template(page), direct = article_template(s);
    CHECK(dump(&direct, page) == dump(&converted, page));
    for (const char* wrong : {"<missing>", "<not", "<no lines>", "<other>"})  // no missing or mistyped value
      CHECK(dump(&direct, page).find(wrong) == std::string::npos);
  }
}
