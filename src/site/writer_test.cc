#include "site/writer.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "util/diagnostics.h"

using namespace bulletin;
namespace fs = std::filesystem;

namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/bulletin-writer-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};
}  // namespace

TEST_CASE("a committed build replaces the old site as a whole", "[writer]") {
  TempDir tmp;
  fs::path site = tmp.path / "site";
  {  // the old site, built by bulletin (it carries the marker)
    StagedSiteWriter out(site.string());
    out.write("old/index.html", "old");
    out.commit();
  }
  {
    StagedSiteWriter out(site.string());
    out.write("index.html", "新");
    out.write("articles/a/index.html", "文章");
    out.commit();
    CHECK(out.pages() == 2);
  }
  CHECK(slurp(site / "index.html") == "新");
  CHECK(slurp(site / "articles/a/index.html") == "文章");
  CHECK_FALSE(fs::exists(site / "old"));
  CHECK(tmp.entries() == std::vector<std::string>{"site"});  // no staging folder left
}

TEST_CASE("a build that fails before commit leaves the old site exactly as it was", "[writer]") {
  TempDir tmp;
  fs::path site = tmp.path / "site";
  {
    StagedSiteWriter out(site.string());
    out.write("index.html", "old");
    out.commit();
  }
  {
    StagedSiteWriter out(site.string());
    out.write("index.html", "half");
    // destroyed without commit, as when a later step throws
  }
  CHECK(slurp(site / "index.html") == "old");
  CHECK(tmp.entries() == std::vector<std::string>{"site"});
}

TEST_CASE("the first build creates the output folder", "[writer]") {
  TempDir tmp;
  fs::path site = tmp.path / "deep" / "site";
  StagedSiteWriter out(site.string());
  out.write("index.html", "x");
  out.commit();
  CHECK(slurp(site / "index.html") == "x");
}

TEST_CASE("two pages written to the same file is an error", "[writer]") {
  MemoryWriter out;
  out.write("a/index.html", "1");
  try {
    out.write("a/index.html", "2");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.diagnostic().format() == "a/index.html: error: two pages would be written to the same file a/index.html");
  }
}
