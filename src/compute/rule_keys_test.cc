// Ranking rules read their keys with the front matter's reader (Fields).
#include "compute/rules.h"

#include <catch2/catch.hpp>

using namespace bulletin;

TEST_CASE("a rule key given twice is an error at the second", "[compute]") {
  std::string text =
      "title: t\ntitle: u\nexports: e.json\nfields: {date: 日期, unit: 单位}\nentity: unit\n"
      "period: month\nmetrics:\n  - {id: n, value: count()}\n";
  Diagnostics diags;
  CHECK_FALSE(parse_rule("data/rules/a.yaml", text, diags));
  REQUIRE(diags.items().size() >= 1);
  CHECK(diags.items()[0].format() ==
        "data/rules/a.yaml:2:1: error: field 'title' is given twice ('title')\n"
        "    title: u\n"
        "    ^");
}

TEST_CASE("invalid YAML in a rule is explained in plain words", "[compute]") {
  Diagnostics diags;
  CHECK_FALSE(parse_rule("data/rules/a.yaml", "title: t\nexports: [e.json\n", diags));
  REQUIRE(diags.items().size() == 1);
  CHECK(diags.items()[0].message == "invalid YAML: a list opened with '[' is never closed with ']'");
}
