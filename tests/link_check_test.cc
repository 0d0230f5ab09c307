// End-to-end tests of the link check in `bulletin check`: a broken link
// planted in the sample project is reported at its place in the Markdown.
#include <catch2/catch.hpp>

#include "e2e.h"

using namespace e2e;

TEST_CASE("check reports a broken link planted in an article at its Markdown source", "[links][e2e]") {
  TempDir tmp;
  copy_sample_project(tmp / "project");
  fs::path article = tmp / "project/content/articles/sues-four-forces.md";
  replace_in_file(article, "已成为学校党员干部的新风尚。",
                  "已成为学校党员干部的新风尚，详见[工作方案](../no-such-page/)。");
  std::string line = split_lines(read_file(article))[6];
  RunResult r = run_bulletin({"check", "project"}, tmp.path());
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK(r.err ==
        "content/articles/sues-four-forces.md:7:130: error: broken link '../no-such-page/' "
        "(from /articles/sues-four-forces/)\n"
        "    " +
            line +
            "\n"
            "    " +
            std::string(255, ' ') +
            "^\n"
            "check failed: 1 error, 0 warnings\n");
}

TEST_CASE("check passes the sample project's links", "[links][e2e]") {
  TempDir tmp;
  copy_sample_project(tmp / "project");
  RunResult r = run_bulletin({"check", "project"}, tmp.path());
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("broken link") == std::string::npos);
}
