// End-to-end tests of `bulletin build` and `bulletin check` on the sample
// project (the repository itself): exit codes, the files written, determinism
// and atomic replacement of an existing site.
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>

#include "e2e.h"

using namespace e2e;

namespace {

// Built pages per seed, from tests/fixtures/seeds/pages.txt.
std::vector<std::string> pages_of_seeds() {
  std::vector<std::string> pages;
  for (const auto& line : split_lines(read_file(kSourceDir / "tests/fixtures/seeds/pages.txt"))) {
    std::istringstream words(line);
    std::string seed, page;
    words >> seed;
    while (words >> page) pages.push_back(page);
  }
  return pages;
}

// Hidden folders beside `site` (staging leftovers of the writer).
std::vector<std::string> hidden_entries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    // .bulletin-cache/ is where builds keep their caches (parse, no-op record).
    if (!name.empty() && name[0] == '.' && name != ".bulletin-cache") out.push_back(name);
  }
  return out;
}

}  // namespace

TEST_CASE("the sample project builds with exit 0 and its home page links to the sample article", "[e2e]") {
  fs::path site = sample_site();  // fails here if the build does
  CHECK(fs::is_regular_file(site / "assets/style.css"));
  REQUIRE(fs::is_regular_file(site / "index.html"));
  std::string home = read_file(site / "index.html");
  auto links = links_of(home);
  CHECK(std::find(links.begin(), links.end(), "articles/sues-four-forces/index.html") != links.end());
  CHECK(fs::is_regular_file(site / "articles/sues-four-forces/index.html"));
  CHECK(page_text(home).find("聚焦“四个力”") != std::string::npos);

  auto pages = pages_of_seeds();  // every page that carries a seed document
  REQUIRE(pages.size() >= 5);
  for (const auto& page : pages) {
    INFO(page);
    CHECK(fs::is_regular_file(site / page));
  }
}

TEST_CASE("a build ends with a summary line on stdout and no diagnostics", "[e2e]") {
  TempDir tmp;
  copy_test_site("series-and-notices", tmp / "project");
  RunResult r = run_bulletin({"build", "project", "-o", (tmp / "site").string()}, tmp.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(without_progress(r.err).empty());
  auto lines = split_lines(r.out);
  REQUIRE_FALSE(lines.empty());
  // "built /tmp/…/site: 15 pages, 4 files copied in 0.01 s"
  std::regex summary("built " + (tmp / "site").string() + R"re(: \d+ pages, \d+ files? copied in \d+\.\d+ s)re");
  CHECK(std::regex_match(lines[0], summary));
}

TEST_CASE("the default output folder is site/ inside the project", "[e2e]") {
  TempDir tmp;
  copy_test_site("series-and-notices", tmp / "project");
  RunResult r = run_bulletin({"build"}, tmp / "project");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(fs::is_regular_file(tmp / "project/site/index.html"));
  CHECK(hidden_entries(tmp / "project").empty());
}

TEST_CASE("building the sample twice gives byte-identical trees", "[e2e]") {
  TempDir tmp;
  REQUIRE(run_bulletin({"build", kSourceDir.string(), "-o", "two"}, tmp.path()).exit_code == 0);
  auto one = snapshot(sample_site());
  auto two = snapshot(tmp / "two");
  CHECK(one.size() == two.size());
  for (const auto& [path, bytes] : one) {
    INFO(path);
    REQUIRE(two.count(path) == 1);
    CHECK(two.at(path) == bytes);
  }
}

TEST_CASE("a rebuild replaces the previous site as a whole", "[e2e]") {
  TempDir tmp;
  copy_test_site("series-and-notices", tmp / "project");
  REQUIRE(run_bulletin({"build", "project", "-o", "site"}, tmp.path()).exit_code == 0);
  write_file(tmp / "site/stale.html", "left over from an old build");
  RunResult r = run_bulletin({"build", "project", "-o", "site"}, tmp.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_FALSE(fs::exists(tmp / "site/stale.html"));
  CHECK(fs::is_regular_file(tmp / "site/index.html"));
  CHECK(hidden_entries(tmp.path()).empty());
}

TEST_CASE("a build with a broken front matter leaves the previous site untouched", "[e2e]") {
  TempDir tmp;
  copy_test_site("series-and-notices", tmp / "project");
  REQUIRE(run_bulletin({"build", "project", "-o", "site"}, tmp.path()).exit_code == 0);
  write_file(tmp / "site/marker.txt", "put here by hand");
  auto before = snapshot(tmp / "site");

  replace_in_file(tmp / "project/content/notices/2019-xb-3.md", "\nrecipients: ", "\nrecipients: [各学院\nwrong: ");
  RunResult r = run_bulletin({"build", "project", "-o", "site"}, tmp.path());
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  auto lines = split_lines(r.err);
  REQUIRE(lines.size() >= 2);
  CHECK(std::regex_search(
      lines[0], std::regex(R"re(^content/notices/2019-xb-3\.md:\d+:\d+: error: invalid YAML in front matter: )re")));
  CHECK(lines.back() == "build failed: 1 error; site was not changed");

  CHECK(snapshot(tmp / "site") == before);
  CHECK(hidden_entries(tmp.path()).empty());
}

TEST_CASE("a build that fails while writing pages leaves the previous site untouched", "[e2e]") {
  // An attachment file named index.html collides with the notice page: the
  // writer only notices it half-way through, after the staging folder exists.
  TempDir tmp;
  copy_test_site("series-and-notices", tmp / "project");
  REQUIRE(run_bulletin({"build", "project", "-o", "site"}, tmp.path()).exit_code == 0);
  write_file(tmp / "site/marker.txt", "put here by hand");
  auto before = snapshot(tmp / "site");

  write_file(tmp / "project/content/notices/2099-collision.md",
             "---\nissuer: 测试机关\ntitle: 测试通知\ndate: 2099-01-02\nattachments:\n"
             "  - {title: 附表, file: index.html}\n---\n正文。\n");
  write_file(tmp / "project/content/notices/2099-collision/index.html", "<p>附表</p>\n");
  RunResult r = run_bulletin({"build", "project", "-o", "site"}, tmp.path());
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("index.html") != std::string::npos);
  CHECK(r.err.find("error: ") != std::string::npos);
  CHECK(snapshot(tmp / "site") == before);
  CHECK(hidden_entries(tmp.path()).empty());
}

TEST_CASE("check passes on the sample project and writes nothing", "[e2e]") {
  TempDir tmp;
  copy_sample_project(tmp / "project");
  auto before = snapshot(tmp.path());
  RunResult r = run_bulletin({"check", "project"}, tmp.path());
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.starts_with("check passed: 1 article, 4 notices, 1 bulletin issue"));
  CHECK_FALSE(fs::exists(tmp / "project/site"));
  CHECK(snapshot(tmp.path()) == before);
}

TEST_CASE("check reports the same problem as build, exits 1 and writes nothing", "[e2e]") {
  TempDir tmp;
  copy_sample_project(tmp / "project");
  replace_in_file(tmp / "project/content/notices/2020-shnu-51.md", "\ndate: 2020-09-04", "\ndate: 2020-09-31");
  auto before = snapshot(tmp.path());
  RunResult check = run_bulletin({"check", "project"}, tmp.path());
  CHECK(check.exit_code == 1);
  CHECK(check.out.empty());
  CHECK_FALSE(fs::exists(tmp / "project/site"));
  CHECK(snapshot(tmp.path()) == before);
  CHECK(hidden_entries(tmp / "project").empty());

  RunResult build = run_bulletin({"build", "project"}, tmp.path());
  CHECK(build.exit_code == 1);
  CHECK_FALSE(fs::exists(tmp / "project/site"));
  CHECK(hidden_entries(tmp / "project").empty());

  std::string diagnostic =
      "content/notices/2020-shnu-51.md:7:7: error: invalid date '2020-09-31': 2020年9月 has no day 31\n"
      "    date: 2020-09-31\n"
      "          ^\n";
  CHECK(check.err == diagnostic + "check failed: 1 error, 0 warnings\n");
  CHECK(build.err == diagnostic + "build failed: 1 error; project/site was not changed\n");
}

TEST_CASE("a broken article is reported once, not again by the issue that shows it", "[e2e]") {
  // load_content reports "no article 'sues-four-forces' in content/articles"
  // for the issue as well, although the article exists and has its own error.
  TempDir tmp;
  copy_sample_project(tmp / "project");
  replace_in_file(tmp / "project/content/articles/sues-four-forces.md", "\ndate: 2020-12-16", "\ndate: 2020-12-32");
  RunResult r = run_bulletin({"check", "project"}, tmp.path());
  CHECK(r.exit_code == 1);
  CHECK(r.err ==
        "content/articles/sues-four-forces.md:4:7: error: invalid date '2020-12-32': 2020年12月 has no day 32\n"
        "    date: 2020-12-32\n"
        "          ^\n"
        "check failed: 1 error, 0 warnings\n");
}

TEST_CASE("check reports every problem it finds, not just the first", "[e2e]") {
  TempDir tmp;
  copy_sample_project(tmp / "project");
  replace_in_file(tmp / "project/content/notices/2020-shnu-51.md", "\ndate: 2020-09-04", "\ndate: 2020-02-30");
  replace_in_file(tmp / "project/content/notices/2019-wuhan-7.md", "武宣文〔2019〕7号", "武宣文[2019]7号");
  RunResult r = run_bulletin({"check", "project"}, tmp.path());
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("content/notices/2020-shnu-51.md:7:7: error: invalid date '2020-02-30'") != std::string::npos);
  CHECK(r.err.find("content/notices/2019-wuhan-7.md:") != std::string::npos);
  CHECK(r.err.find("puts the year in []") != std::string::npos);
  CHECK(r.err.ends_with("check failed: 2 errors, 0 warnings\n"));
}

TEST_CASE("the --version flag prints the version and exits 0", "[e2e]") {
  TempDir tmp;
  RunResult r = run_bulletin({"--version"}, tmp.path());
  CHECK(r.exit_code == 0);
  CHECK(r.out.starts_with("bulletin "));
  CHECK(r.out.find_first_of("0123456789") != std::string::npos);
}

TEST_CASE("a command line without a subcommand is a usage error", "[e2e]") {
  TempDir tmp;
  RunResult r = run_bulletin({}, tmp.path());
  CHECK(r.exit_code == 2);
  CHECK_FALSE(r.err.empty());
  CHECK_FALSE(fs::exists(tmp / "site"));
}

TEST_CASE("an unknown option is a usage error that names the option", "[e2e]") {
  TempDir tmp;
  RunResult r = run_bulletin({"build", "--frobnicate"}, tmp.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--frobnicate") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "site"));
}

TEST_CASE("an unknown command is a usage error that names the command", "[e2e]") {
  // CLI11 answers "A subcommand is required", which does not say what is wrong.
  TempDir tmp;
  RunResult r = run_bulletin({"biuld"}, tmp.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("biuld") != std::string::npos);
}

TEST_CASE("build --help describes the options and exits 0", "[e2e]") {
  TempDir tmp;
  RunResult r = run_bulletin({"build", "--help"}, tmp.path());
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("PROJECT") != std::string::npos);
  CHECK(r.out.find("-o,--out") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "site"));
}

TEST_CASE("check --help exits 0", "[e2e]") {
  TempDir tmp;
  RunResult r = run_bulletin({"check", "--help"}, tmp.path());
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("PROJECT") != std::string::npos);
}

TEST_CASE("building a folder that is not a project says so and exits 1", "[e2e]") {
  TempDir tmp;
  fs::create_directories(tmp / "empty");
  RunResult r = run_bulletin({"build", "empty", "-o", "site"}, tmp.path());
  CHECK(r.exit_code == 1);
  CHECK(r.err.starts_with("bulletin.yaml: error: no bulletin.yaml in the project folder 'empty'"));
  CHECK_FALSE(fs::exists(tmp / "site"));
}

TEST_CASE("a folder that is not a project gets one error, not one per missing template", "[e2e]") {
  TempDir tmp;
  fs::create_directories(tmp / "empty");
  RunResult r = run_bulletin({"build", "empty", "-o", "site"}, tmp.path());
  CHECK(r.exit_code == 1);
  CHECK(split_lines(r.err).size() == 2);
  CHECK(r.err.ends_with("build failed: 1 error; site was not changed\n"));
}

// Only notices (with their attachments) and issues are printed: a project of
// articles alone never starts the PDF engine's probe (a Python process whose
// answer is cached in .bulletin-cache/pdf/probe) and says nothing of PDFs.
// (With a notice the probe runs and PDFs are made: print_geometry.)
TEST_CASE("a project of articles alone does not probe for the PDF engine", "[e2e][pdf]") {
  TempDir tmp;
  fs::path project = tmp / "project";
  copy_sample_project(project);
  for (const char* dir : {"content/notices", "content/bulletins", "data/published"}) fs::remove_all(project / dir);
  // The tests run with BULLETIN_PDF=0 (PDFs off, no probe at all); this one
  // needs PDFs on, in its own process (catch_discover_tests runs each test alone).
  const char* was = std::getenv("BULLETIN_PDF");
  struct Restore {
    bool had;
    std::string saved;
    ~Restore() {
      if (had) setenv("BULLETIN_PDF", saved.c_str(), 1);
    }
  } restore{was != nullptr, was ? was : ""};
  unsetenv("BULLETIN_PDF");

  RunResult r = run_bulletin({"build", "-o", (tmp / "site").string()}, project);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(fs::exists(tmp / "site/articles/index.html"));
  CHECK(fs::is_directory(project / ".bulletin-cache"));
  CHECK_FALSE(fs::exists(project / ".bulletin-cache/pdf/probe"));
  CHECK(r.out.find("PDF") == std::string::npos);
}
