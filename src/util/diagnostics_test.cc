#include "util/diagnostics.h"

#include <catch2/catch.hpp>

using namespace bulletin;

TEST_CASE("a diagnostic shows path:line:col, the line and a caret aligned for CJK", "[diagnostics]") {
  Diagnostic d{Severity::Error,
               {"content/a.md", 3, 5},
               "invalid date '2020-13-01': month 13 does not exist",
               "日期: 2020-13-01",
               {}};
  CHECK(d.format() ==
        "content/a.md:3:5: error: invalid date '2020-13-01': month 13 does not exist\n"
        "    日期: 2020-13-01\n"
        "          ^");
}

TEST_CASE("diagnostics are listed errors first, in file order", "[diagnostics]") {
  Diagnostics diags;
  diags.warning({"b.md", 1, 1}, "unknown field 'x'");
  diags.error({"b.md", 9, 1}, "second");
  diags.error({"a.md", 2, 1}, "first");
  CHECK(diags.error_count() == 2);
  CHECK(diags.warning_count() == 1);
  CHECK(diags.format_all() ==
        "a.md:2:1: error: first\n"
        "b.md:9:1: error: second\n"
        "b.md:1:1: warning: unknown field 'x'\n");
}

TEST_CASE("a whole-file diagnostic has no line or column", "[diagnostics]") {
  Diagnostic d{Severity::Error, {"templates/home.mustache", 0, 0}, "missing template", "", {"while building"}};
  CHECK(d.format() == "templates/home.mustache: error: missing template\n  while building");
  CHECK(line_of("a\nb\r\nc", 2) == "b");
  CHECK(line_of("a", 5).empty());
}
