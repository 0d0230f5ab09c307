#include "site/check/links.h"

#include <catch2/catch.hpp>

using namespace bulletin;

namespace {

std::vector<std::string> values(const std::vector<HtmlLink>& links) {
  std::vector<std::string> out;
  for (const auto& l : links) out.push_back(l.attribute + "=" + l.value);
  return out;
}

const std::string kArticle =
    "---\ntitle: 经验\nunit: 单位\ndate: 2020-12-16\n---\n"
    "第一段。\n\n详见[通知](../../notices/某发/2020/3/)和[附件](../../files/表.xlsx)。\n";

// A rendered site: an article page whose body links to a notice, the notice.
std::map<std::string, std::string> site() {
  return {
      {"index.html",
       "<html><head><link rel=\"stylesheet\" href=\"assets/style.css\"></head>\n"
       "<body><a href=\"articles/a/index.html\">经验</a> <a href=\"notices/某发/2020/3\">通知</a>\n"
       "<a href=\"https://www.xuexi.cn/\">学习强国</a> <a href=\"mailto:office@example.cn\">信箱</a>\n"
       "<img src=\"data:,\"></body></html>"},
      {"articles/a/index.html",
       "<html><body><main>\n<p>详见<a href=\"../../notices/%E6%9F%90%E5%8F%91/2020/3/\">通知</a>"
       "和<a href=\"../../files/%E8%A1%A8.xlsx\">附件</a>。</p>\n"
       "<p><a href=\"../../notices/%E6%9F%90%E5%8F%91/2020/3/#part-2\">第二部分</a></p></main></body></html>"},
      {"notices/某发/2020/3/index.html",
       "<html><body><h2 id=\"part-1\">一</h2><a href=\"#part-1\">上</a></body></html>"},
      {"assets/style.css", "body{}"},
  };
}

PageSources sources() { return {{"articles/a/index.html", {{"content/articles/a.md", kArticle}}}}; }

}  // namespace

TEST_CASE("links are read from href and src, decoded, outside comments and scripts", "[links]") {
  std::string html =
      "<a href=\"a.html?x=1&amp;y=2\">x</a><!-- <a href=\"commented.html\"> -->"
      "<img alt='图' src='img/图.png'><A HREF=up/>"
      "<script>var s = '<a href=\"in-script.html\">';</script><script src=\"s.js\"></script>";
  CHECK(values(extract_links(html)) ==
        std::vector<std::string>{"href=a.html?x=1&y=2", "src=img/图.png", "href=up/", "src=s.js"});
  CHECK(extract_links(html)[0].offset == 9);
  CHECK(extract_anchors("<h2 id=\"一、\">一</h2><a name=top></a><p name=x>") ==
        std::vector<std::string>{"一、", "top"});
}

TEST_CASE("a site whose links all resolve has no problems", "[links]") {
  std::map<std::string, std::string> files = site();
  files["articles/a/index.html"] =
      "<a href=\"../../notices/%E6%9F%90%E5%8F%91/2020/3/#part-1\">通知</a><a href=\"../../index.html\">首页</a>"
      "<a href=\"#\">顶部</a><a href=\"\">本页</a>";
  CHECK(check_links(files, sources()).format_all() == "");
}

TEST_CASE("a broken link in an article body is reported in its Markdown source", "[links]") {
  CHECK(check_links(site(), sources()).format_all() ==
        "articles/a/index.html:3:13: error: broken link '../../notices/某发/2020/3/#part-2' (from /articles/a/)\n"
        "content/articles/a.md:8:39: error: broken link '../../files/表.xlsx' (from /articles/a/)\n"
        "    详见[通知](../../notices/某发/2020/3/)和[附件](../../files/表.xlsx)。\n"
        "                                                   ^\n");
}

TEST_CASE("a broken link from a template is reported at the page", "[links]") {
  std::map<std::string, std::string> files = site();
  files.erase("assets/style.css");
  files.erase("articles/a/index.html");
  CHECK(check_links(files, sources()).format_all() ==
        "index.html:1:42: error: broken link 'assets/style.css' (from /)\n"
        "index.html:2:16: error: broken link 'articles/a/index.html' (from /)\n");
}

TEST_CASE("absolute links must stay under the base path", "[links]") {
  std::map<std::string, std::string> files = {
      {"index.html", "<a href=\"/bulletin/notices/\">a</a>\n<a href=\"/other/\">b</a>\n<a href=\"../x/\">c</a>"},
      {"notices/index.html", ""}};
  LinkCheckOptions options;
  options.base_path = "/bulletin/";
  CHECK(check_links(files, {}, options).format_all() ==
        "index.html:2:10: error: broken link '/other/' (from /)\n"
        "index.html:3:10: error: broken link '../x/' (from /)\n");
}

TEST_CASE("external links are checked only when asked, once per URL", "[links]") {
  std::map<std::string, std::string> files = {
      {"index.html", "<a href=\"https://www.xuexi.cn/\">a</a> <a href=\"http://oa.example.cn/x\">b</a>"},
      {"a.html", "<a href=\"https://www.xuexi.cn/\">a</a>"}};
  CHECK(check_links(files, {}).format_all() == "");
  std::vector<std::string> asked;
  LinkCheckOptions options;
  options.check_external = [&](const std::string& url) {
    asked.push_back(url);
    if (url.starts_with("https://www.xuexi.cn")) return ExternalLinkCheck{ExternalLinkCheck::Unchecked, "no network"};
    return ExternalLinkCheck{ExternalLinkCheck::Broken, "HTTP 404"};
  };
  Diagnostics diags = check_links(files, {}, options);
  CHECK(asked == std::vector<std::string>{"https://www.xuexi.cn/", "http://oa.example.cn/x"});
  CHECK(diags.format_all() ==
        "index.html:1:48: error: broken external link 'http://oa.example.cn/x' (HTTP 404) (from /)\n"
        "a.html:1:10: warning: external link 'https://www.xuexi.cn/' not checked (no network) (from /a.html)\n"
        "index.html:1:10: warning: external link 'https://www.xuexi.cn/' not checked (no network) (from /)\n");
}
