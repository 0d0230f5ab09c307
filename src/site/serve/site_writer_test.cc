#include "site/serve/site_writer.h"

#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "site/serve/serve_testing.h"
#include "util/diagnostics.h"

using namespace bulletin;
using namespace bulletin::serve_testing;
namespace fs = std::filesystem;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every entry below `dir` (folders end with '/').
std::vector<std::string> tree(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    out.push_back(fs::relative(e.path(), dir).generic_string() + (e.is_directory() ? "/" : ""));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("serve's writer keeps what has the same digest, moves the rest in, and removes what is gone",
          "[serve][site_writer]") {
  TempFolder dir;
  ServedSite site(dir / "site");
  {
    ServeSiteWriter out(site);
    out.write_made_from("index.html", "home 1", "d-home-1");
    out.write_made_from("articles/a/index.html", "a 1", "d-a-1");
    out.write_made_from("articles/b/index.html", "b 1", "d-b-1");
    out.write("feed.xml", "<feed/>");
    out.commit();
    CHECK(out.staged() == 4);
  }
  CHECK(tree(dir / "site") == std::vector<std::string>{"articles/", "articles/a/", "articles/a/index.html",
                                                       "articles/b/", "articles/b/index.html", "feed.xml",
                                                       "index.html"});
  CHECK(site.size() == 4);
  struct stat before;
  REQUIRE(::stat((dir / "site/articles/a/index.html").c_str(), &before) == 0);
  {
    ServeSiteWriter out(site);
    CHECK(out.keep("articles/a/index.html", "d-a-1"));
    CHECK_FALSE(out.keep("index.html", "d-home-other"));
    out.write_made_from("index.html", "home 2", "d-home-2");
    out.write("feed.xml", "<feed/>");  // the same bytes: kept
    out.write_made_from("articles/c/index.html", "c 1", "d-c-1");
    CHECK(out.kept() == 2);
    CHECK(out.staged() == 2);
    out.commit();
  }
  // b is gone with its folder; a is the same file as before.
  CHECK(tree(dir / "site") == std::vector<std::string>{"articles/", "articles/a/", "articles/a/index.html",
                                                       "articles/c/", "articles/c/index.html", "feed.xml",
                                                       "index.html"});
  CHECK(read(dir / "site/index.html") == "home 2");
  struct stat after;
  REQUIRE(::stat((dir / "site/articles/a/index.html").c_str(), &after) == 0);
  CHECK(after.st_ino == before.st_ino);
  // Nothing left beside the site.
  CHECK(tree(dir.path) == std::vector<std::string>{"site/", "site/articles/", "site/articles/a/",
                                                  "site/articles/a/index.html", "site/articles/c/",
                                                  "site/articles/c/index.html", "site/feed.xml", "site/index.html"});
}

TEST_CASE("a rebuild that is not committed leaves serve's site as it was", "[serve][site_writer]") {
  TempFolder dir;
  ServedSite site(dir / "site");
  {
    ServeSiteWriter out(site);
    out.write_made_from("index.html", "home 1", "d1");
    out.commit();
  }
  {
    ServeSiteWriter out(site);
    out.write_made_from("index.html", "home 2", "d2");
    out.write_made_from("new/index.html", "new", "d3");
    // A render failed: no commit.
  }
  CHECK(tree(dir.path) == std::vector<std::string>{"site/", "site/index.html"});
  CHECK(read(dir / "site/index.html") == "home 1");
  ServeSiteWriter out(site);
  CHECK(out.keep("index.html", "d1"));  // still known as made from d1
}

TEST_CASE("serve's writer refuses the manifest's name and a path written twice, as the build's writer does",
          "[serve][site_writer]") {
  TempFolder dir;
  ServedSite site(dir / "site");
  ServeSiteWriter out(site);
  out.write_made_from("a/index.html", "a", "d");
  auto message = [&](auto&& f) {
    try {
      f();
    } catch (const Error& e) {
      return e.diagnostic().format();
    }
    return std::string("no error");
  };
  CHECK(message([&] { out.write_made_from("a/index.html", "b", "d2"); }) ==
        "a/index.html: error: two pages would be written to the same file a/index.html");
  CHECK(message([&] { out.write(".bulletin-site", "x"); }) ==
        ".bulletin-site: error: refusing to write '.bulletin-site' into the site: the name is bulletin's own "
        "manifest");
  CHECK(message([&] { out.copy("b.css", dir / "missing.css"); }) ==
        dir / "missing.css" + ": error: cannot copy to " + dir / "site" + "/b.css: not a readable file");
}
