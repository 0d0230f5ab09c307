#include "site/live_reload.h"

#include <catch2/catch.hpp>

using namespace bulletin;

TEST_CASE("the live-reload script goes before the last </body> of a served page", "[serve]") {
  std::string html = "<html><body><p>正文</p></BODY></html>";
  std::string out = inject_live_reload(html, 3);
  CHECK(out == "<html><body><p>正文</p>" + live_reload_script(3) + "</BODY></html>");
  CHECK(live_reload_script(3).find("var build=3,") != std::string::npos);
  CHECK(inject_live_reload("<p>片段</p>", 1) == "<p>片段</p>" + live_reload_script(1));
}

TEST_CASE("request paths map to site files and never outside the site", "[serve]") {
  CHECK(site_file_for("/") == "index.html");
  CHECK(site_file_for("/notices/校党委发/2020/51/") == "notices/校党委发/2020/51/index.html");
  CHECK(site_file_for("/assets/style.css") == "assets/style.css");
  CHECK(site_file_for("/a/../../etc/passwd") == std::nullopt);
  CHECK(site_file_for("/..") == std::nullopt);
  CHECK(site_file_for("/a\\b") == std::nullopt);
  CHECK(site_file_for("/a..b/") == "a..b/index.html");
}

TEST_CASE("served files get their content type, text in UTF-8", "[serve]") {
  CHECK(content_type_for("a/index.html") == "text/html; charset=utf-8");
  CHECK(content_type_for("rankings/x/2020-11/index.CSV") == "text/csv; charset=utf-8");
  CHECK(content_type_for("rankings/x/2020-11/index.json") == "application/json; charset=utf-8");
  CHECK(content_type_for("notices/a/表.xlsx") ==
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  CHECK(content_type_for("README") == "application/octet-stream");
}

TEST_CASE("the status says which build is served and why the last one failed", "[serve]") {
  CHECK(status_json({}) == R"({"build":0,"errors":"","ok":true})");
  CHECK(status_json({4, false, "content/a.md:2:8: error: the title is empty\n"}) ==
        R"({"build":4,"errors":"content/a.md:2:8: error: the title is empty\n","ok":false})");
}
