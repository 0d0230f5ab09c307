#include "render/templates.h"

#include <catch2/catch.hpp>

using namespace bulletin;

namespace {
MemoryFileSystem theme() {
  MemoryFileSystem fs;
  fs.add("p/templates/layout.mustache", "<title>{{page_title}} - {{site_title}}</title>\n{{> content}}\n");
  fs.add("p/templates/article.mustache", "<h1>{{title}}</h1>{{> byline}}");
  fs.add("p/templates/partials/byline.mustache", "<p>{{unit}}</p>");
  return fs;
}
}  // namespace

TEST_CASE("a page is rendered inside the layout with its partials", "[templates]") {
  MemoryFileSystem fs = theme();
  TemplateSet t;
  Diagnostics diags;
  t.load(fs, "p", {"article"}, diags);
  REQUIRE(diags.items().empty());
  TemplateData site;
  site.set("site_title", "站点");
  TemplateData page;
  page.set("page_title", "文章");
  page.set("title", "标题 & <b>");
  page.set("unit", "上海工程技术大学");
  CHECK(t.render("article", page, site) ==
        "<title>文章 - 站点</title>\n<h1>标题 &amp; &lt;b&gt;</h1><p>上海工程技术大学</p>\n");
}

TEST_CASE("{{value}} is escaped exactly as kainjow's own html_escape does", "[templates]") {
  MemoryFileSystem fs;
  fs.add("p/templates/layout.mustache", "{{> content}}");
  fs.add("p/templates/article.mustache", "[{{a}}]{{#list}}({{.}}){{/list}}[{{{a}}}]");
  TemplateSet t;
  Diagnostics diags;
  t.load(fs, "p", {"article"}, diags);
  REQUIRE(diags.items().empty());
  const std::vector<std::string> values = {"",      "&",   "<>\"'&",  "通报 & <第6期> \"发\"：'各单位'",
                                           "plain", "a&&b", "x<", ">y", std::string("\0<\0", 3)};
  for (const std::string& v : values) {
    TemplateData page;
    page.set("a", v);
    TemplateData list = TemplateData::type::list;
    list.push_back(TemplateData(v));
    page.set("list", list);
    const std::string e = kainjow::mustache::html_escape(v);
    CHECK(t.render("article", page, TemplateData()) == "[" + e + "](" + e + ")[" + v + "]");
  }
}

TEST_CASE("an unknown partial is an error with its place and a suggestion", "[templates]") {
  MemoryFileSystem fs = theme();
  fs.add("p/templates/article.mustache", "<h1>{{title}}</h1>\n  {{> bylin}}");
  TemplateSet t;
  Diagnostics diags;
  t.load(fs, "p", {"article"}, diags);
  CHECK(diags.format_all() ==
        "templates/article.mustache:2:3: error: unknown partial 'bylin': there is no "
        "templates/partials/bylin.mustache; did you mean 'byline'?\n"
        "      {{> bylin}}\n"
        "      ^\n");
}

TEST_CASE("a template syntax error names the file, line and column", "[templates]") {
  MemoryFileSystem fs = theme();
  fs.add("p/templates/article.mustache", "<h1>{{title}}</h1>\n{{#tags}}\n<p>x</p>\n");
  TemplateSet t;
  Diagnostics diags;
  t.load(fs, "p", {"article"}, diags);
  CHECK(diags.format_all() ==
        "templates/article.mustache:2:1: error: template error: unclosed section \"tags\"\n"
        "    {{#tags}}\n"
        "    ^\n");
}

TEST_CASE("a missing page template or layout is an error", "[templates]") {
  MemoryFileSystem fs;
  fs.add("p/templates/home.mustache", "x");
  TemplateSet t;
  Diagnostics diags;
  t.load(fs, "p", {"home", "notice"}, diags);
  CHECK(diags.format_all() ==
        "templates/layout.mustache: error: missing template: every page is rendered into "
        "templates/layout.mustache\n"
        "templates/notice.mustache: error: missing template: templates/notice.mustache is needed to render "
        "notice pages\n");
}

TEST_CASE("a partial that includes itself is an error", "[templates]") {
  MemoryFileSystem fs = theme();
  fs.add("p/templates/partials/byline.mustache", "<p>{{> loop}}</p>");
  fs.add("p/templates/partials/loop.mustache", "{{> byline}}");
  TemplateSet t;
  Diagnostics diags;
  t.load(fs, "p", {"article"}, diags);
  CHECK(diags.format_all() ==
        "templates/partials/loop.mustache:1:1: error: partial 'byline' includes itself (byline -> loop -> byline)\n"
        "    {{> byline}}\n"
        "    ^\n");
}

TEST_CASE("put and push move data in without copying it", "[templates]") {
  TemplateData obj;
  TemplateData list(TemplateData::type::list);
  TemplateData item;
  item.set("x", "1");
  push(list, std::move(item));
  put(obj, "items", std::move(list));
  REQUIRE(obj.get("items"));
  CHECK(obj.get("items")->list_value().size() == 1);
  CHECK(obj.get("items")->list_value()[0].get("x")->string_value() == "1");
}
