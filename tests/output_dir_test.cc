// End-to-end tests of what `bulletin build -o DIR` may replace: only a new or
// empty folder or a site bulletin built (it carries the .bulletin-site
// marker); never the project, its source folders, an ancestor, / or $HOME.
// Every refusal is exit 2 with one sentence, and nothing is touched.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "e2e.h"

using namespace e2e;

namespace {

// Builds `-o out` from `cwd` and checks the refusal: exit 2, nothing on
// stdout, exactly `message` on stderr, and the project and `out` unchanged.
void check_refused(const TempDir& tmp, const std::string& out, const std::string& message) {
  auto before = snapshot(tmp.path());
  RunResult r = run_bulletin({"build", "project", "-o", out}, tmp.path());
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == message);
  CHECK(snapshot(tmp.path()) == before);
}

}  // namespace

TEST_CASE("build refuses to write into a source folder of the project", "[e2e][output]") {
  TempDir tmp;
  copy_test_site("series-and-notices", tmp / "project");
  for (const char* dir : {"content", "data", "templates"}) {
    INFO(dir);
    fs::create_directories(tmp / "project" / dir);
    std::string out = std::string("project/") + dir;
    check_refused(tmp, out,
                  out + ": error: " + out + " is the project's source folder " + dir +
                      "/; nothing was changed: pass -o with a new or empty folder such as project/site\n");
  }
  check_refused(tmp, "project/content/site",
                "project/content/site: error: project/content/site is inside the project's source folder "
                "content/; nothing was changed: pass -o with a new or empty folder such as project/site\n");
}

TEST_CASE("build refuses the project folder itself and its ancestors", "[e2e][output]") {
  TempDir tmp;
  copy_test_site("series-and-notices", tmp / "project");
  check_refused(tmp, "project",
                "project: error: project is the project folder; nothing was changed: pass -o with a new or "
                "empty folder such as project/site\n");
  check_refused(tmp, ".",
                ".: error: . holds the project folder project; nothing was changed: pass -o with a new or "
                "empty folder such as project/site\n");
  check_refused(tmp, "/",
                "/: error: / is the root folder of the machine; nothing was changed: pass -o with a new or "
                "empty folder\n");
}

TEST_CASE("build refuses the home folder whatever it holds", "[e2e][output]") {
  TempDir tmp;
  copy_test_site("series-and-notices", tmp / "project");
  fs::create_directories(tmp / "home");
  const char* old = std::getenv("HOME");
  std::string saved = old ? old : "";
  setenv("HOME", (tmp / "home").c_str(), 1);
  std::string home = (tmp / "home").string();
  check_refused(
      tmp, home,
      home + ": error: " + home + " is your home folder; nothing was changed: pass -o with a new or empty folder\n");
  check_refused(tmp, tmp.path().string(),
                tmp.path().string() + ": error: " + tmp.path().string() +
                    " holds your home folder; nothing was changed: pass -o with a new or empty folder\n");
  if (old) setenv("HOME", saved.c_str(), 1);
  else unsetenv("HOME");
}

TEST_CASE("build refuses a folder of someone else's files", "[e2e][output]") {
  TempDir tmp;
  copy_test_site("series-and-notices", tmp / "project");
  write_file(tmp / "photos/2020/a.jpg", "jpeg");
  check_refused(tmp, "photos",
                "photos: error: photos holds files that bulletin did not write (it has no .bulletin-site "
                "marker); nothing was changed: pass -o with a new or empty folder, or move photos away\n");
  write_file(tmp / "notes.txt", "a file");
  check_refused(tmp, "notes.txt",
                "notes.txt: error: notes.txt is a file, not a folder; nothing was changed: pass -o with a new "
                "or empty folder, or move the file away\n");
}

TEST_CASE("a site from an older bulletin without the marker gets a clear message", "[e2e][output]") {
  TempDir tmp;
  copy_test_site("series-and-notices", tmp / "project");
  write_file(tmp / "project/site/index.html", "<p>old</p>");
  write_file(tmp / "project/site/assets/style.css", "p{}");
  auto before = snapshot(tmp.path());
  RunResult r = run_bulletin({"build"}, tmp / "project");
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "site: error: site holds a site without bulletin's .bulletin-site marker (built by an older "
        "bulletin, or by hand), so it was left as it is: move it away (mv site site.old) or delete it, "
        "then build again\n");
  CHECK(snapshot(tmp.path()) == before);
}

TEST_CASE("build fills a new or empty folder and then replaces only its own site", "[e2e][output]") {
  TempDir tmp;
  copy_test_site("series-and-notices", tmp / "project");
  fs::create_directories(tmp / "empty");
  RunResult r = run_bulletin({"build", "project", "-o", "empty"}, tmp.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(fs::is_regular_file(tmp / "empty/index.html"));
  CHECK(read_file(tmp / "empty/.bulletin-site").starts_with("bulletin site 1\n"));
  r = run_bulletin({"build", "project", "-o", "empty"}, tmp.path());
  CHECK(r.exit_code == 0);
}

TEST_CASE("a build removes the staging folders of killed builds, and only those", "[e2e][output]") {
  TempDir tmp;
  copy_test_site("series-and-notices", tmp / "project");
  REQUIRE(run_bulletin({"build", "project", "-o", "site"}, tmp.path()).exit_code == 0);
  // As a build killed before its commit leaves it: a staging folder with its marker.
  write_file(tmp / ".site.staging-Ab12Cd/.bulletin-staging", "");
  write_file(tmp / ".site.staging-Ab12Cd/site/index.html", "half");
  // Not bulletin's (no marker): left alone.
  write_file(tmp / ".site.staging-mine/notes.txt", "keep");
  RunResult r = run_bulletin({"build", "project", "-o", "site"}, tmp.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_FALSE(fs::exists(tmp / ".site.staging-Ab12Cd"));
  CHECK(read_file(tmp / ".site.staging-mine/notes.txt") == "keep");
  CHECK(read_file(tmp / "site/index.html") != "half");
}
