// Error messages, end to end. Each folder under tests/sites_invalid/ is a
// small project with one mistake and the exact stderr `bulletin build` must
// print for it:
//   expected-error.txt    build exits 1 and prints exactly this
//   expected-warning.txt  build exits 0 and prints exactly this on stderr
//   remove-files.txt      project files to delete before building (one a line)
// The repository's templates/ are copied into the project first, so a case
// only holds the files it changes.
#include <catch2/catch.hpp>

#include <algorithm>

#include "e2e.h"

using namespace e2e;

namespace {

const fs::path kInvalidSites = kSourceDir / "tests/sites_invalid";

bool is_case_file(const std::string& name) {
  return name == "expected-error.txt" || name == "expected-warning.txt" || name == "remove-files.txt";
}

std::vector<std::string> cases() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kInvalidSites))
    if (e.is_directory()) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// Lays out the case as tmp/project: the repository's templates, then the
// case's own files over them, minus the files it removes.
void prepare(const std::string& name, const TempDir& tmp) {
  fs::path project = tmp / "project";
  copy_tree(kSourceDir / "templates", project / "templates");
  fs::path from = kInvalidSites / name;
  for (auto it = fs::recursive_directory_iterator(from); it != fs::recursive_directory_iterator(); ++it) {
    fs::path rel = fs::relative(it->path(), from);
    if (it->is_directory() || (it.depth() == 0 && is_case_file(rel.string()))) continue;
    fs::create_directories((project / rel).parent_path());
    fs::copy_file(it->path(), project / rel, fs::copy_options::overwrite_existing);
  }
  if (fs::exists(from / "remove-files.txt")) {
    for (const auto& rel : split_lines(read_file(from / "remove-files.txt"))) {
      if (!rel.empty()) REQUIRE(fs::remove(project / rel));
    }
  }
}

// Builds and checks the case; every difference from the expected text fails.
void check_case(const std::string& name) {
  TempDir tmp;
  prepare(name, tmp);
  fs::path dir = kInvalidSites / name;
  bool warning_only = fs::exists(dir / "expected-warning.txt");
  std::string expected = read_file(dir / (warning_only ? "expected-warning.txt" : "expected-error.txt"));

  RunResult build = run_bulletin({"build", "project", "-o", "out"}, tmp.path());
  CHECK(without_progress(build.err) == expected);
  if (warning_only) {
    CHECK(build.exit_code == 0);
    CHECK(build.out.starts_with("built out: "));
    CHECK(fs::is_regular_file(tmp / "out/index.html"));
  } else {
    CHECK(build.exit_code == 1);
    CHECK(build.out.empty());
    CHECK_FALSE(fs::exists(tmp / "out"));
  }

  // check prints the same diagnostics, its own summary, and writes nothing.
  fs::remove_all(tmp / "out");
  RunResult check = run_bulletin({"check", "project"}, tmp.path());
  CHECK_FALSE(fs::exists(tmp / "out"));
  CHECK_FALSE(fs::exists(tmp / "project/site"));
  if (warning_only) {
    CHECK(check.exit_code == 0);
    CHECK(without_progress(check.err) == expected);
    CHECK(check.out.find(", 1 warning") != std::string::npos);
  } else {
    CHECK(check.exit_code == 1);
    auto lines = split_lines(expected);
    lines.pop_back();  // "build failed: …"
    std::string diagnostics;
    for (const auto& l : lines) diagnostics += l + "\n";
    CHECK(check.err.starts_with(diagnostics));
    CHECK(check.err.substr(std::min(diagnostics.size(), check.err.size())).starts_with("check failed: "));
  }
}

}  // namespace

TEST_CASE("each invalid project fails with its expected message", "[e2e][errors]") {
  auto names = cases();
  REQUIRE(names.size() >= 20);
  for (const auto& name : names) {
    DYNAMIC_SECTION("tests/sites_invalid/" << name) { check_case(name); }
  }
}

TEST_CASE("every invalid project states what it expects", "[e2e][errors]") {
  for (const auto& e : fs::directory_iterator(kInvalidSites)) {
    if (!e.is_directory()) continue;
    INFO(e.path().filename().string());
    bool error = fs::exists(e.path() / "expected-error.txt");
    bool warning = fs::exists(e.path() / "expected-warning.txt");
    CHECK(error != warning);
    CHECK(fs::is_regular_file(e.path() / "bulletin.yaml"));
  }
}

TEST_CASE("the errors the issues ask for each have an invalid project", "[e2e][errors]") {
  for (const char* name : {"front-matter-bad-yaml",   "front-matter-never-closed", "date-month-13",
                           "date-february-30",        "missing-required-key",      "unknown-key-warning",
                           "missing-template",        "unknown-partial",           "template-unclosed-section",
                           "doc-no-square-brackets",  "doc-no-round-brackets",     "doc-no-lenticular-brackets",
                           "doc-no-di-before-number", "doc-no-leading-zero",       "doc-no-two-digit-year",
                           "unknown-series",          "duplicate-issue-number",    "duplicate-doc-no",
                           "attachment-page-missing", "attachment-file-missing",   "issue-unknown-article"}) {
    INFO(name);
    CHECK(fs::is_directory(kInvalidSites / name));
  }
}

TEST_CASE("an unclosed quote in front matter is reported where it opens", "[e2e][errors]") {
  // yaml-cpp accepts `title: "…` without its closing quote and swallows the
  // following lines into the title, so the build reports the swallowed fields
  // as missing instead of the quote.
  TempDir tmp;
  prepare("front-matter-bad-yaml", tmp);
  write_file(tmp / "project/content/articles/four-forces.md",
             "---\ntitle: \"聚焦“四个力”\nunit: 上海工程技术大学\ndate: 2020-12-16\n---\n正文。\n");
  RunResult r = run_bulletin({"build", "project", "-o", "out"}, tmp.path());
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.starts_with("content/articles/four-forces.md:2:"));
  CHECK(r.err.find("missing required field") == std::string::npos);
}

TEST_CASE("two notices with the same document number fail the build, naming both files", "[e2e][errors]") {
  // The exact text (with the doc_no line and caret) is pinned by
  // tests/sites_invalid/duplicate-doc-no; this guards the detection itself.
  TempDir tmp;
  prepare("duplicate-doc-no", tmp);
  RunResult r = run_bulletin({"build", "project", "-o", "out"}, tmp.path());
  CHECK(r.exit_code == 1);
  CHECK(r.err.starts_with("content/notices/2020-shnu-51.md:"));
  CHECK(r.err.find(": error: document number 校党委发〔2020〕51号 is already used by "
                   "content/notices/2020-shnu-51-copy.md\n") != std::string::npos);
  CHECK(r.err.ends_with("build failed: 1 error; out was not changed\n"));
  CHECK_FALSE(fs::exists(tmp / "out"));
}
