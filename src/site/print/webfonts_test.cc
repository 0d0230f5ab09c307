#include "site/print/webfonts.h"

#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace bulletin;
namespace fs = std::filesystem;

TEST_CASE("document_characters: the text of the pages, sorted, with printable ASCII", "[webfonts]") {
  std::string ascii;
  for (char c = 0x20; c < 0x7f; ++c) ascii += c;
  std::vector<PdfPage> pages{{"b/", "<p title=\"标签\">仿宋，仿宋</p>"}, {"a/", "<h1 class=\"gw\">黑体</h1>"}};
  std::string chars = document_characters(pages);
  CHECK(
      chars ==
      ascii +
          "仿体宋黑，");  // UTF-8 byte order (U+4EFF U+4F53 U+5B8B U+9ED1 U+FF0C); the attribute's 标签 is markup, not text
  std::swap(pages[0], pages[1]);
  CHECK(document_characters(pages) == chars);
}

TEST_CASE("web_fonts_wanted: the project's fonts only when bulletin.yaml allows them", "[webfonts]") {
  char pattern[] = "/tmp/bulletin-webfonts-XXXXXX";
  REQUIRE(mkdtemp(pattern));
  fs::path root = pattern;
  fs::create_directories(root / "fonts");
  for (const char* name : {"仿宋_GB2312.ttf", "FZXBSJW.OTF", "LICENSE.txt"})
    std::ofstream(root / "fonts" / name) << "x";
  SiteConfig config;
  CHECK(web_fonts_wanted(config, root.string()).empty());
  config.web_fonts_project = true;
  auto fonts = web_fonts_wanted(config, root.string());
  REQUIRE(fonts.size() == 2);
  CHECK(fonts[0].name == "FZXBSJW");
  CHECK(fonts[0].path == (root / "fonts/FZXBSJW.OTF").string());
  CHECK(fonts[1].name == "仿宋_GB2312");
  fs::remove_all(root);
}
