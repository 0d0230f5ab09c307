#include "util/yaml_load.h"

#include <catch2/catch.hpp>

using namespace bulletin;

TEST_CASE("a YAML syntax error is a located error in plain words, quoting its line", "[util]") {
  std::string path = "data/rules/a.yaml";
  std::string text = "# rule\ntitle: 学习\ntags: [a, b\n";
  try {
    load_yaml({path, text, 1}, text, "invalid YAML");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.diagnostic().format() ==
          "data/rules/a.yaml:4:1: error: invalid YAML: a list opened with '[' is never closed with ']'");
  }
}

TEST_CASE("YAML that starts further down a file is located in the file", "[util]") {
  std::string path = "content/a.md";
  std::string text = "---\ntitle: 甲: 乙\n---\n";
  std::string yaml = "title: 甲: 乙\n";
  try {
    load_yaml({path, text, 2}, yaml, "invalid YAML in front matter");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.diagnostic().where.line == 2);
    CHECK(e.diagnostic().where.column == 9);
    CHECK(
        e.diagnostic().message ==
        "invalid YAML in front matter: unexpected ':'; if a value contains a colon, put it in quotes (title: \"甲: 乙\")");
    CHECK(e.diagnostic().source_line == "title: 甲: 乙");
  }
}

TEST_CASE("yaml-cpp messages without plain words are kept", "[util]") {
  CHECK(explain_yaml_error("something new") == "something new");
  CHECK(explain_yaml_error("illegal tab when looking for indentation") == "a tab is used for indentation; use spaces");
}
