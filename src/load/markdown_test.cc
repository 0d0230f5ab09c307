#include "load/markdown.h"

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

using namespace bulletin;

TEST_CASE("GFM tables, strikethrough, autolinks and footnotes are rendered", "[markdown]") {
  std::string html =
      render_markdown("| 排序 | 单位 |\n|---|---|\n| 1 | 甲 |\n\n~~删~~ www.example.cn 注[^1]\n\n[^1]: 脚注\n");
  CHECK(html.find("<table>") != std::string::npos);
  CHECK(html.find("<td>甲</td>") != std::string::npos);
  CHECK(html.find("<del>删</del>") != std::string::npos);
  CHECK(html.find("<a href=\"http://www.example.cn\">") != std::string::npos);
  CHECK(html.find("class=\"footnotes\"") != std::string::npos);
}

TEST_CASE("a table without a pipe (its delimiter row only colons and dashes) is still a table", "[markdown]") {
  CHECK(render_markdown("单位\n:--\n甲\n") ==
        "<table>\n<thead>\n<tr>\n<th align=\"left\">单位</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n"
        "<td align=\"left\">甲</td>\n</tr>\n</tbody>\n</table>\n");
  CHECK(render_markdown("> 得分\n> --:\n").find("<th align=\"right\">得分</th>") != std::string::npos);
  // Without '|' or a colon beside a dash, "---" under a line is a heading.
  CHECK(render_markdown("单位\n---\n") == "<h3>单位</h3>\n");
}

TEST_CASE("raw HTML is off by default and filtered by tagfilter when on", "[markdown]") {
  CHECK(render_markdown("<b>粗</b>\n") == "<p><!-- raw HTML omitted -->粗<!-- raw HTML omitted --></p>\n");
  MarkdownOptions raw{true, false};
  CHECK(render_markdown("<b>粗</b>\n", raw) == "<p><b>粗</b></p>\n");
  CHECK(render_markdown("<script>alert(1)</script>\n", raw) == "&lt;script>alert(1)&lt;/script>\n");
}

TEST_CASE("Chinese quotes and dashes are left alone (no smart punctuation)", "[markdown]") {
  CHECK(render_markdown("“学习强国”--平台 \"x\"\n") == "<p>“学习强国”--平台 &quot;x&quot;</p>\n");
}

TEST_CASE("Markdown headings start at h2 because the page title is the h1", "[markdown]") {
  CHECK(render_markdown("# 一\n## 二\n") == "<h2>一</h2>\n<h3>二</h3>\n");
}

TEST_CASE("headings inside quotes and list items are shifted too", "[markdown]") {
  CHECK(render_markdown("> # 引\n\n- # 列\n") ==
        "<blockquote>\n<h2>引</h2>\n</blockquote>\n<ul>\n<li>\n<h2>列</h2>\n</li>\n</ul>\n");
}

TEST_CASE("bold lead-ins ending in Chinese punctuation are bold", "[markdown]") {
  CHECK(render_markdown("**加强组织领导。**建立机制。\n") == "<p><strong>加强组织领导。</strong>建立机制。</p>\n");
}

TEST_CASE("official heading levels are recognised as staff type them", "[markdown]") {
  MarkdownOptions gw{false, true};
  CHECK(render_markdown("一、指导思想\n", gw) == "<h2>一、指导思想</h2>\n");
  CHECK(render_markdown("（一）切实提高政治站位\n", gw) == "<h3>（一）切实提高政治站位</h3>\n");
  CHECK(render_markdown("(二)校级管理组：设置在学校党办。\n", gw) ==
        "<p><span class=\"gw-l2\">(二)</span>校级管理组：设置在学校党办。</p>\n");
  CHECK(render_markdown("1. **加强组织领导。**建立机制。\n", gw) ==
        "<p><span class=\"gw-l3\">1.</span> <strong>加强组织领导。</strong>建立机制。</p>\n");
  CHECK(render_markdown("（1）具体要求\n", gw) == "<h5>（1）具体要求</h5>\n");
  CHECK(render_markdown("（1）具体要求。\n", gw) == "<p><span class=\"gw-l4\">（1）</span>具体要求。</p>\n");
  CHECK(official_heading_level("十二、其他") == 1);
  CHECK(official_heading_level("一是明确站位") == 0);
  CHECK(official_heading_level("2020年") == 0);
}

TEST_CASE("without official headings 1. still starts an ordered list", "[markdown]") {
  CHECK(render_markdown("1. 甲\n2. 乙\n") == "<ol>\n<li>甲</li>\n<li>乙</li>\n</ol>\n");
}

TEST_CASE("text that cmark splits renders the same with and without '**' in the document", "[markdown]") {
  // Brackets, entities and lone stars split a paragraph's text into several
  // nodes; the CJK-bold repair (merging them) runs only when "**" occurs.
  std::string plain = "<p>甲[乙]&amp;丙*丁_戊</p>\n";
  CHECK(render_markdown("甲[乙]&amp;丙*丁_戊\n") == plain);
  CHECK(render_markdown("甲[乙]&amp;丙*丁_戊\n\n**加强。**建立\n") == plain + "<p><strong>加强。</strong>建立</p>\n");
  MarkdownOptions gw{false, true};
  CHECK(render_markdown("（一）工作[要求]\n", gw) == "<h3>（一）工作[要求]</h3>\n");
  CHECK(render_markdown("（二）[工作]要求：一是加强。\n", gw) ==
        "<p><span class=\"gw-l2\">（二）</span>[工作]要求：一是加强。</p>\n");
}

TEST_CASE("documents parsed on eight threads at once render as they do one at a time", "[markdown]") {
  // Every document uses the extensions' characters (~ for strikethrough, : and
  // w for autolinks) that cmark-gfm's inline pass sets and clears in its one
  // table; a document whose pass ran while another cleared them would lose its
  // <del> or its links.
  std::vector<std::string> docs;
  for (int i = 0; i < 24; ++i) {
    std::string d = "# 标题 " + std::to_string(i) + "\n\n";
    for (int j = 0; j <= i % 7; ++j)
      d += "第" + std::to_string(j) + "段：~~删去~~ 见 www.example.com/" + std::to_string(j) +
           " 与 https://example.org/a?b=" + std::to_string(i) + "，**一是明确站位。**其后。\n\n";
    d += "| 单位 | 得分 |\n|---|---|\n| 学院 | " + std::to_string(i) + " |\n";
    docs.push_back(d);
  }
  std::vector<std::string> alone;
  for (const auto& d : docs) alone.push_back(render_markdown(d));
  for (const auto& html : alone) {
    REQUIRE(html.find("<del>删去</del>") != std::string::npos);
    REQUIRE(html.find("<a href=\"http://www.example.com/0\">") != std::string::npos);
  }
  std::vector<std::vector<std::string>> seen(8);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < seen.size(); ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 40; ++round)
        for (size_t k = 0; k < docs.size(); ++k) {
          size_t at = (k + t * 5) % docs.size();
          std::string html = render_markdown(docs[at]);
          if (html != alone[at]) seen[t].push_back("document " + std::to_string(at) + ":\n" + html);
        }
    });
  for (auto& th : threads) th.join();
  for (const auto& s : seen) CHECK(s.empty());
}

TEST_CASE("Debian's cmark-gfm lets documents parse in parallel", "[markdown]") {
  // The character table is fixed once and the library's calls to change it
  // reach the program's definition (markdown.cc). Were that to stop working
  // (a relinked library), parsing would silently fall back to one lock: this
  // says so.
  CHECK(markdown_parses_in_parallel());
}
