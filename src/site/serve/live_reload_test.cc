#include "site/serve/live_reload.h"

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
  CHECK(content_type_for("notices/a/表.xlsx") == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  CHECK(content_type_for("README") == "application/octet-stream");
}

TEST_CASE("the status says which build is served and why the last one failed", "[serve]") {
  CHECK(status_json({}) == R"({"build":0,"errors":"","ok":true})");
  CHECK(status_json({4, false, "content/a.md:2:8: error: the title is empty\n"}) ==
        R"({"build":4,"errors":"content/a.md:2:8: error: the title is empty\n","ok":false})");
}

TEST_CASE("hostile request paths decoded once stay inside the site or are refused", "[serve][hostile]") {
  // What cpp-httplib hands over after its one decoding of the target.
  CHECK(site_file_for("//etc/passwd") == "etc/passwd");  // "//etc/passwd"
  CHECK(site_file_for("//etc/passwd/") == "etc/passwd/index.html");
  CHECK(site_file_for("/./a/./b.css") == "a/b.css");
  CHECK(site_file_for("/../etc/passwd") == std::nullopt);  // "/..%2fetc/passwd"
  CHECK(site_file_for("/a/..") == std::nullopt);
  CHECK(site_file_for("/a\\..\\b") == std::nullopt);                   // "%5c"
  CHECK(site_file_for(std::string_view("/a\0b", 4)) == std::nullopt);  // "%00"
  CHECK(site_file_for("/a\x1b[2J") == std::nullopt);
  CHECK(site_file_for("/%2e%2e/x") == "%2e%2e/x");  // "%252e%252e": never decoded twice
}

TEST_CASE("serve answers only requests addressed to the address it listens on", "[serve][hostile]") {
  CHECK(host_allowed("127.0.0.1:8000", "127.0.0.1", 8000));
  CHECK(host_allowed("localhost:8000", "127.0.0.1", 8000));
  CHECK(host_allowed("LOCALHOST:8000", "127.0.0.1", 8000));
  CHECK(host_allowed("[::1]:8000", "127.0.0.1", 8000));
  CHECK(host_allowed("[::1]:8000", "::1", 8000));
  CHECK_FALSE(host_allowed("127.0.0.1:8001", "127.0.0.1", 8000));
  CHECK_FALSE(host_allowed("127.0.0.1", "127.0.0.1", 8000));
  CHECK_FALSE(host_allowed("", "127.0.0.1", 8000));
  CHECK_FALSE(host_allowed("evil.example:8000", "127.0.0.1", 8000));
  CHECK_FALSE(host_allowed("127.0.0.1.evil.example:8000", "127.0.0.1", 8000));
  CHECK_FALSE(host_allowed("localhost.:8000", "127.0.0.1", 8000));
  // Shared with the network: the machine's addresses, never a host name.
  CHECK(host_allowed("10.1.2.3:8000", "0.0.0.0", 8000));
  CHECK_FALSE(host_allowed("intranet.example:8000", "0.0.0.0", 8000));
  CHECK_FALSE(host_allowed("10.1.2.3:8000", "127.0.0.1", 8000));
}
