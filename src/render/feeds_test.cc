#include "render/feeds.h"

#include <catch2/catch.hpp>

using namespace bulletin;

TEST_CASE("feed entry ids are stable name-based UUIDs of the permanent URL", "[feeds]") {
  SiteConfig c;
  std::string id = entry_id(c, "notices/某发/2020/3/");
  CHECK(id == entry_id(c, "notices/某发/2020/3/"));
  CHECK(id != entry_id(c, "notices/某发/2020/4/"));
  REQUIRE(id.size() == 45);
  CHECK(id.rfind("urn:uuid:", 0) == 0);
  CHECK(id[23] == '5');  // version nibble
}

TEST_CASE("an Atom feed lists entries newest first with relative links without a base URL", "[feeds]") {
  SiteConfig c;
  c.title = "站";
  c.organization = "办公室";
  Feed f{"bulletins/jb/feed.xml",
         "工作简报",
         "办公室",
         {{"bulletins/jb/2020/1/", "第 1 期", Date{2020, 11, 1}, "一", "工作简报"},
          {"bulletins/jb/2020/2/", "第 2 期 <&>", Date{2020, 12, 1}, "", "工作简报"}}};
  std::string xml = atom_feed(c, f);
  CHECK(xml.find("<updated>2020-12-01T00:00:00+08:00</updated>\n  <author>") != std::string::npos);
  CHECK(xml.find("<title>第 2 期 &lt;&amp;&gt;</title>") != std::string::npos);
  CHECK(xml.find("第 2 期") < xml.find("第 1 期"));
  CHECK(xml.find("href=\"../../bulletins/jb/2020/1/\"") != std::string::npos);
  CHECK(xml.find("<link rel=\"self\" type=\"application/atom+xml\" href=\"feed.xml\"/>") != std::string::npos);
}

TEST_CASE("a sitemap has absolute, percent-encoded URLs", "[feeds]") {
  SiteConfig c;
  c.base_url = "http://oa.example.cn";
  c.base_path = "/bulletin/";
  std::string xml = sitemap(c, {{"notices/某发/2020/3/", Date{2020, 9, 4}}, {"", Date{}}});
  CHECK(xml.find("<url><loc>http://oa.example.cn/bulletin/</loc></url>") != std::string::npos);
  CHECK(
      xml.find(
          "<loc>http://oa.example.cn/bulletin/notices/%E6%9F%90%E5%8F%91/2020/3/</loc><lastmod>2020-09-04</lastmod>") !=
      std::string::npos);
}
