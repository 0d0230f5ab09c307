#include "util/html.h"

#include <catch2/catch.hpp>

#include "util/text.h"

using namespace bulletin;

TEST_CASE("escaping for HTML and XML", "[text]") {
  CHECK(html_escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  CHECK(xml_escape("a&b<\x01>") == "a&amp;b&lt;&gt;");
  CHECK(human_size(512) == "512 B");
  CHECK(human_size(2048) == "2.0 KB");
  CHECK(human_size(3 * 1024 * 1024) == "3.0 MB");
}

TEST_CASE("html_to_text drops tags and decodes entities", "[markdown]") {
  CHECK(html_to_text("<p>甲&amp;乙</p><p>丙</p>") == "甲&乙\n丙\n");
}

TEST_CASE("character references decode by name and by number, and stay when they are not references", "[html]") {
  CHECK(decode_entities("&lt;&#20013;&#x6587;&gt; &amp;&quot;&apos;") == "<中文> &\"'");
  CHECK(decode_entities("a&nbsp;b") ==
        "a\xC2\xA0"
        "b");
  CHECK(decode_entities("AT&T &unknown; &#xZZ; &") == "AT&T &unknown; &#xZZ; &");
  std::string out;
  CHECK(decode_entity("x&nbsp;", 1, out, Nbsp::AsSpace) == 6);
  CHECK(out == " ");
  CHECK(decode_entity("x&nbsp;", 0, out) == 0);
}

TEST_CASE("html_to_text ends a line at block elements only", "[html]") {
  CHECK(html_to_text("<h2>一、总体</h2><p>甲<br/>乙 <em>丙</em>&#39;</p><ul><li>丁</li></ul>") ==
        "一、总体\n甲\n乙 丙'\n丁\n");
}

TEST_CASE("start tags carry lower-case names, decoded attribute values and their offsets", "[html]") {
  std::string html =
      "<!-- <a href=x> --><A HREF='a&amp;b.html' id=top><script>var s = '<img src=y>';</script><img src=\"c.png\">";
  std::vector<HtmlTag> tags = start_tags(html);
  REQUIRE(tags.size() == 3);
  CHECK(tags[0].name == "a");
  REQUIRE(tags[0].attributes.size() == 2);
  CHECK(tags[0].attributes[0].name == "href");
  CHECK(tags[0].attributes[0].value == "a&b.html");
  CHECK(html.substr(tags[0].attributes[0].offset, 5) == "a&amp");
  CHECK(tags[0].attributes[1].value == "top");
  CHECK(tags[1].name == "script");
  CHECK(tags[2].name == "img");
  CHECK(tags[2].attributes[0].value == "c.png");
}

TEST_CASE("percent-encoding round-trips Chinese paths and leaves stray percent signs", "[html]") {
  CHECK(percent_encode("/通知/a b/") == "/%E9%80%9A%E7%9F%A5/a%20b/");
  CHECK(percent_decode("/%E9%80%9A%E7%9F%A5/a%20b/") == "/通知/a b/");
  CHECK(percent_decode("100%") == "100%");
  CHECK(percent_decode("%zz") == "%zz");
}

TEST_CASE("normalize_path folds . and .. and refuses to climb above the root", "[html]") {
  std::string out;
  CHECK(normalize_path("a/b/../c/./d", out));
  CHECK(out == "a/c/d");
  CHECK(normalize_path("a/b/../", out));
  CHECK(out == "a/");
  CHECK(normalize_path("a/..", out));
  CHECK(out.empty());
  CHECK_FALSE(normalize_path("a/../../b", out));
  CHECK(normalize_path("a/../../b/", out, AboveRoot::StayAtRoot));
  CHECK(out == "b/");
}
