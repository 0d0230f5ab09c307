// The pages of a built site, end to end: series archive and previous/next
// navigation, the notices index, the parts of a notice page, and links that
// stay inside the site. Uses tests/sites/series-and-notices (three issues of
// one series over two years, a 增刊 among them; three notices from two
// organs, one with a page and a PDF attachment) and the sample project.
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>

#include <yaml-cpp/yaml.h>

#include "e2e.h"

using namespace e2e;

namespace {

// The file a link on `page` (site-relative) points to, site-relative; empty
// when it leaves the site.
std::string resolve(const std::string& page, const std::string& href) {
  std::string target = href.substr(0, href.find_first_of("#?"));
  fs::path dir = fs::path(page).parent_path();
  fs::path resolved = (dir / percent_decode(target)).lexically_normal();
  std::string s = resolved.generic_string();
  if (s.starts_with("..")) return "";
  return s;
}

struct Anchor {
  std::string href;
  std::string text;  // without tags and whitespace
};

std::vector<Anchor> anchors_of(const std::string& html) {
  static const std::regex anchor(R"re(<a\s[^>]*href="([^"]*)"[^>]*>([\s\S]*?)</a>)re");
  std::vector<Anchor> out;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), anchor); it != std::sregex_iterator(); ++it) {
    out.push_back({(*it)[1], without_spaces(page_text((*it)[2]))});
  }
  return out;
}

// Targets of the links whose text contains `text`.
std::vector<std::string> targets_of_links_saying(const std::string& page, const std::string& html,
                                                 const std::string& text) {
  std::vector<std::string> out;
  for (const auto& a : anchors_of(html))
    if (a.text.find(text) != std::string::npos) out.push_back(resolve(page, a.href));
  return out;
}

// The part of `html` under the element whose whole text is `heading`, up to
// the next heading element.
std::string under_heading(const std::string& html, const std::string& heading) {
  size_t at = html.find(">" + heading + "<");
  if (at == std::string::npos) return "";
  size_t end = html.find("<h", at);
  return html.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

std::vector<std::string> link_targets(const std::string& page, const std::string& html) {
  std::vector<std::string> out;
  for (const auto& href : links_of(html)) out.push_back(resolve(page, href));
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

size_t index_in(const std::vector<std::string>& v, const std::string& s) {
  return static_cast<size_t>(std::find(v.begin(), v.end(), s) - v.begin());
}

std::string text_of(const fs::path& site, const std::string& page) {
  return without_spaces(page_text(read_file(site / page)));
}

// Checks that the pieces occur in `text` in this order.
void check_in_order(const std::string& text, const std::vector<std::string>& pieces) {
  size_t pos = 0;
  for (const auto& p : pieces) {
    INFO("looking for '" << p << "' in order");
    size_t at = text.find(p, pos);
    REQUIRE(at != std::string::npos);
    pos = at + p.size();
  }
}

// Drops XML namespace declarations (xmlns="http://www.w3.org/2005/Atom",
// also inside SVG data: URLs): names of vocabularies, never fetched.
std::string without_xml_namespaces(const std::string& text) {
  static const std::regex xmlns(R"re(xmlns(:\w+)?=(["'])[^"']*\2)re");
  return std::regex_replace(text, xmlns, "");
}

// The 404 page is served in place of any missing URL, so its links cannot be
// relative: they start with the project's base_path instead.
void check_links_stay_inside(const fs::path& site, const std::string& base_path = "/") {
  auto files = snapshot(site);
  REQUIRE(files.size() > 5);
  for (const auto& [path, bytes] : files) {
    INFO(path);
    if (path.ends_with(".html") || path.ends_with(".css")) {
      std::string text = without_xml_namespaces(bytes);
      CHECK(text.find("http://") == std::string::npos);
      CHECK(text.find("https://") == std::string::npos);
    }
    if (!path.ends_with(".html")) continue;
    for (std::string href : links_of(bytes)) {
      INFO("link " << href);
      if (href.starts_with("data:") || href.starts_with("#")) continue;
      CHECK_FALSE(href.empty());
      CHECK_FALSE(href.starts_with("//"));
      CHECK(href.find(':') == std::string::npos);  // no scheme (http:, file:, mailto:…)
      if (path == "404.html") {
        REQUIRE(href.starts_with(base_path));
        href = href.substr(base_path.size());
      } else {
        CHECK_FALSE(href.starts_with("/"));
      }
      std::string target = resolve(path, href);
      CHECK_FALSE(target.empty());
      CHECK(files.count(target) == 1);
    }
  }
}

// Every http(s) address in every file of the site, except XML namespace
// names and addresses under the site's own base_url (feeds and sitemap need them).
void check_no_outside_addresses(const fs::path& site, const std::string& base_url) {
  static const std::regex address(R"re(https?://[^\s"'<>)]*)re");
  for (const auto& [path, bytes] : snapshot(site)) {
    std::string text = without_xml_namespaces(bytes);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), address); it != std::sregex_iterator(); ++it) {
      std::string found = it->str();
      if (!base_url.empty() && (found == base_url || found.starts_with(base_url + "/"))) continue;
      INFO(path << ": " << found);
      CHECK(false);
    }
  }
}

}  // namespace

TEST_CASE("the series archive groups issues by year, newest year first, newest issue first", "[e2e][pages]") {
  const std::string page = "bulletins/gzjb/index.html";
  std::string html = read_file(series_and_notices_site() / page);
  size_t y2020 = html.find(">2020年<"), y2019 = html.find(">2019年<");
  REQUIRE(y2020 != std::string::npos);
  REQUIRE(y2019 != std::string::npos);
  CHECK(y2020 < y2019);

  auto in2020 = link_targets(page, under_heading(html, "2020年"));
  auto in2019 = link_targets(page, under_heading(html, "2019年"));
  REQUIRE(contains(in2020, "bulletins/gzjb/2020/zk1/index.html"));
  REQUIRE(contains(in2020, "bulletins/gzjb/2020/1/index.html"));
  CHECK(index_in(in2020, "bulletins/gzjb/2020/zk1/index.html") < index_in(in2020, "bulletins/gzjb/2020/1/index.html"));
  CHECK_FALSE(contains(in2020, "bulletins/gzjb/2019/5/index.html"));
  CHECK(contains(in2019, "bulletins/gzjb/2019/5/index.html"));

  std::string text = without_spaces(page_text(html));
  check_in_order(
      text, {"党建工作简报", "2020年", "增刊第1期", "学习竞赛获奖名单", "2020年6月1日", "第1期", "学院经验交流专刊",
             "2020年3月10日", "2019年", "第5期", "学习平台推广使用情况", "2019年11月20日"});
}

TEST_CASE("each issue links to the previous and next issue of its series", "[e2e][pages]") {
  struct Expect {
    std::string page, previous, next;
  };
  for (const Expect& e : {Expect{"bulletins/gzjb/2019/5/index.html", "", "bulletins/gzjb/2020/1/index.html"},
                          Expect{"bulletins/gzjb/2020/1/index.html", "bulletins/gzjb/2019/5/index.html",
                                 "bulletins/gzjb/2020/zk1/index.html"},
                          Expect{"bulletins/gzjb/2020/zk1/index.html", "bulletins/gzjb/2020/1/index.html", ""}}) {
    INFO(e.page);
    REQUIRE(fs::is_regular_file(series_and_notices_site() / e.page));
    std::string html = read_file(series_and_notices_site() / e.page);
    auto previous = targets_of_links_saying(e.page, html, "上一期");
    auto next = targets_of_links_saying(e.page, html, "下一期");
    if (e.previous.empty()) {
      CHECK(previous.empty());
    } else {
      REQUIRE(previous.size() == 1);
      CHECK(previous[0] == e.previous);
      CHECK(fs::is_regular_file(series_and_notices_site() / previous[0]));
    }
    if (e.next.empty()) {
      CHECK(next.empty());
    } else {
      REQUIRE(next.size() == 1);
      CHECK(next[0] == e.next);
      CHECK(fs::is_regular_file(series_and_notices_site() / next[0]));
    }
  }
}

TEST_CASE("an issue shows its numbered sections and the articles they reference in full", "[e2e][pages]") {
  std::string text = text_of(series_and_notices_site(), "bulletins/gzjb/2020/1/index.html");
  check_in_order(
      text, {"党建工作简报", "第1期", "中共测试大学委员会办公室", "2020年3月10日", "学院经验交流专刊", "一、经验交流",
             "以“三个抓手”推动学习平台用起来", "测试大学机械学院党委", "学院党委把学习平台使用纳入支部工作考核。",
             "各支部每月通报一次学习情况。", "二、学习情况", "2月，全校日人均积分为35.2分。"});
  std::string zk = text_of(series_and_notices_site(), "bulletins/gzjb/2020/zk1/index.html");
  check_in_order(zk, {"内部资料", "党建工作简报", "增刊第1期", "学习竞赛获奖名单"});
  std::string five = text_of(series_and_notices_site(), "bulletins/gzjb/2019/5/index.html");
  check_in_order(five, {"第5期", "截至11月底，全校学员总数达到2000人。", "发：各二级党组织", "共印30份"});
}

TEST_CASE("the home page shows the latest issue of each series and the latest notices", "[e2e][pages]") {
  std::string html = read_file(series_and_notices_site() / "index.html");
  auto targets = link_targets("index.html", html);
  CHECK(contains(targets, "bulletins/gzjb/2020/zk1/index.html"));
  CHECK_FALSE(contains(targets, "bulletins/gzjb/2019/5/index.html"));
  CHECK(contains(targets, "notices/校党委发/2020/12/index.html"));
  CHECK(contains(targets, "articles/college-practice/index.html"));
}

TEST_CASE("the notices index groups notices by year and by issuing organ", "[e2e][pages]") {
  const std::string page = "notices/index.html";
  const std::string n12 = "notices/校党委发/2020/12/index.html", n8 = "notices/校办发/2020/8/index.html",
                    n3 = "notices/校办发/2019/3/index.html";
  std::string html = read_file(series_and_notices_site() / page);
  size_t y2020 = html.find(">2020年<"), y2019 = html.find(">2019年<");
  REQUIRE(y2020 != std::string::npos);
  REQUIRE(y2019 != std::string::npos);
  CHECK(y2020 < y2019);

  auto in2020 = link_targets(page, under_heading(html, "2020年"));
  CHECK(in2020.size() == 2);
  CHECK(index_in(in2020, n12) < index_in(in2020, n8));  // newest first
  CHECK(index_in(in2020, n8) < in2020.size());
  CHECK(link_targets(page, under_heading(html, "2019年")) == std::vector<std::string>{n3});

  CHECK(link_targets(page, under_heading(html, "中共测试大学委员会")) == std::vector<std::string>{n12});
  auto office = link_targets(page, under_heading(html, "测试大学校长办公室"));
  CHECK(office.size() == 2);
  CHECK(contains(office, n8));
  CHECK(contains(office, n3));
}

TEST_CASE("a notice page shows its header, 主送机关, numbered 附件说明 and 版记", "[e2e][pages]") {
  const std::string page = "notices/校党委发/2020/12/index.html";
  std::string html = read_file(series_and_notices_site() / page);
  std::string text = without_spaces(page_text(html));
  check_in_order(
      text, {"中共测试大学委员会", "校党委发〔2020〕12号", "签发人：", "张明", "李华", "关于开展学习平台学习竞赛的通知",
             "各二级党组织：", "为推动学习平台用起来，经研究，决定开展学习竞赛。", "一、竞赛时间", "附件：",
             "1.学习竞赛安排表", "2.学习情况统计表", "中共测试大学委员会", "2020年5月6日"});
  check_in_order(text, {"抄送：校领导", "中共测试大学委员会办公室", "2020年5月7日印发"});

  auto page_links = targets_of_links_saying(page, html, "学习竞赛安排表");
  REQUIRE_FALSE(page_links.empty());
  CHECK(page_links[0] == "notices/校党委发/2020/12/attachment-1/index.html");
  REQUIRE(fs::is_regular_file(series_and_notices_site() / page_links[0]));
  check_in_order(text_of(series_and_notices_site(), page_links[0]),
                 {"学习竞赛安排表", "周次", "内容", "第一周", "动员部署"});
}

TEST_CASE("a file attachment is copied into the site and linked with its size", "[e2e][pages]") {
  const std::string page = "notices/校党委发/2020/12/index.html";
  std::string html = read_file(series_and_notices_site() / page);
  auto file_links = targets_of_links_saying(page, html, "学习情况统计表");
  REQUIRE(file_links.size() == 1);
  CHECK(file_links[0] == "notices/校党委发/2020/12/统计表.pdf");
  fs::path source = kSourceDir / "tests/sites/series-and-notices/content/notices/2020-xdw-12/统计表.pdf";
  REQUIRE(fs::is_regular_file(series_and_notices_site() / file_links[0]));
  CHECK(read_file(series_and_notices_site() / file_links[0]) == read_file(source));
  auto size = fs::file_size(source);
  REQUIRE(size < 1024);
  CHECK(without_spaces(page_text(html)).find("2.学习情况统计表（" + std::to_string(size) + "B）") != std::string::npos);
}

TEST_CASE("a notice written with Chinese keys shows the same elements", "[e2e][pages]") {
  std::string text = text_of(series_and_notices_site(), "notices/校办发/2020/8/index.html");
  check_in_order(text, {"测试大学校长办公室", "校办发〔2020〕8号", "关于延期开学的通知", "各学院、各部门：",
                        "根据上级要求，本学期延期开学。", "2020年2月1日"});
}

TEST_CASE("every link and stylesheet url in the sample site is relative and resolves to a file in the site",
          "[e2e][pages]") {
  SECTION("links in pages") {
    YAML::Node config = YAML::LoadFile((kSourceDir / "bulletin.yaml").string());
    check_links_stay_inside(sample_site(), config["base_path"] ? config["base_path"].as<std::string>() : "/");
  }
  SECTION("url() in stylesheets and pages") {
    static const std::regex url(R"re(url\(\s*['"]?([^'")]*))re");
    for (const auto& [path, bytes] : snapshot(sample_site())) {
      if (!path.ends_with(".css") && !path.ends_with(".html")) continue;
      INFO(path);
      CHECK(bytes.find("@import") == std::string::npos);
      for (auto it = std::sregex_iterator(bytes.begin(), bytes.end(), url); it != std::sregex_iterator(); ++it) {
        std::string target = (*it)[1];
        INFO("url(" << target << ")");
        if (target.starts_with("data:") || target.starts_with("#")) continue;
        CHECK_FALSE(target.starts_with("/"));
        CHECK(target.find(':') == std::string::npos);
        CHECK(fs::is_regular_file(sample_site() / resolve(path, target)));
      }
    }
  }
}

TEST_CASE("every link in every page of the series-and-notices site is relative and resolves to a file in the site",
          "[e2e][pages]") {
  check_links_stay_inside(series_and_notices_site());
}

TEST_CASE("no id attribute in a built page contains whitespace", "[e2e][pages]") {
  // templates/notice.mustache writes id="attachment-{{label}}" and the label
  // is "附件 1": an id with a space is invalid HTML and cannot be linked to.
  static const std::regex id(R"re(\sid="([^"]*)")re");
  for (const fs::path& site : {series_and_notices_site()}) {
    for (const auto& [path, bytes] : snapshot(site)) {
      if (!path.ends_with(".html")) continue;
      for (auto it = std::sregex_iterator(bytes.begin(), bytes.end(), id); it != std::sregex_iterator(); ++it) {
        INFO(path << ": id=\"" << (*it)[1] << "\"");
        CHECK(std::string((*it)[1]).find_first_of(" \t\n") == std::string::npos);
      }
    }
  }
}

TEST_CASE("no file of the sample site holds an address outside the site", "[e2e][pages]") {
  // The sample's own base_url may appear (feeds, sitemap); nothing else may.
  YAML::Node config = YAML::LoadFile((kSourceDir / "bulletin.yaml").string());
  std::string base_url = config["base_url"] ? config["base_url"].as<std::string>() : "";
  while (base_url.ends_with("/")) base_url.pop_back();
  check_no_outside_addresses(sample_site(), base_url);
}

TEST_CASE("no file of the series-and-notices site holds an outside address", "[e2e][pages]") {
  check_no_outside_addresses(series_and_notices_site(), "");
}
