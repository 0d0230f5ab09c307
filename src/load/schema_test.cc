#include "load/schema.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "util/text.h"

using namespace bulletin;

namespace {

// "| a | b |" -> {"a", "b"}.
std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start < row.size()) {
    size_t bar = row.find('|', start);
    if (bar == std::string::npos) break;
    out.push_back(trim(row.substr(start, bar - start)));
    start = bar + 1;
  }
  return out;
}

// One line a field: "key | alias / alias | type | yes".
std::string describe(const FieldSpec& f) {
  std::string aliases;
  for (const auto& a : f.aliases) aliases += (aliases.empty() ? "" : " / ") + a;
  return f.key + " | " + aliases + " | " + std::string(type_name(f.type)) + " | " + (f.required ? "yes" : "no");
}

// The field tables ("| key | aliases | type | required |") of a doc page by
// heading (up to its first ':'); other tables are not field tables.
std::map<std::string, std::vector<std::string>> documented_tables(const std::string& text) {
  std::map<std::string, std::vector<std::string>> out;
  std::string heading;
  bool field_table = false;
  for (const auto& line : split_lines(text)) {
    if (line.starts_with("#")) {
      std::string title = trim(line.substr(line.find(' ') + 1));
      heading = trim(title.substr(0, title.find(':')));
      field_table = false;
    } else if (line.starts_with("| key ")) {
      field_table = line.starts_with("| key | aliases | type | required |");
    } else if (line.starts_with("| ") && field_table && !heading.empty()) {
      auto c = cells(line);
      if (c.size() >= 4) out[heading].push_back(c[0] + " | " + c[1] + " | " + c[2] + " | " + c[3]);
    } else if (!line.starts_with("|")) {
      field_table = false;
    }
  }
  return out;
}

// `doc` (under docs/) lists exactly the tables of `schemas`, and no other field table.
void check_documented(const std::string& doc, const std::vector<DocumentedSchema>& schemas) {
  std::ifstream in(std::string(BULLETIN_SOURCE_DIR) + "/docs/" + doc);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  auto documented = documented_tables(text.str());
  for (const auto& schema : schemas) {
    INFO("section '" << schema.heading << "' of docs/" << doc);
    std::vector<std::string> expected;
    for (const auto& f : *schema.fields) expected.push_back(describe(f));
    CHECK(documented[schema.heading] == expected);
    documented.erase(schema.heading);
  }
  std::string extra;
  for (const auto& [heading, rows] : documented) extra += heading + "\n";
  CHECK(extra == "");  // a field table for a mapping the loader does not know
}

}  // namespace

TEST_CASE("docs/content-schema.md lists exactly the fields, aliases and types the loader reads", "[schema]") {
  check_documented("content-schema.md", documented_schemas());
}

TEST_CASE("docs/rules.md lists exactly the rule keys and aliases the rule loader reads", "[schema]") {
  check_documented("rules.md", documented_rule_schemas());
}

TEST_CASE("a plain field is read into the member its schema entry names", "[schema]") {
  Diagnostics diags;
  SourceFile file{"content/articles/x.md",
                  "---\n标题: 经验\n作者单位: 上海工程技术大学\n作者: 张三\n标签: [甲, 乙]\n"
                  "摘要: 一段\n日期: 2020-12-16\n---\n"};
  FrontMatter fm = parse_front_matter(file);
  Fields f(fm, article_schema().specs(), diags);
  Article a;
  read_bound_fields(f, article_schema(), a);
  CHECK(diags.format_all() == "");
  CHECK(a.title == "经验");
  CHECK(a.unit == "上海工程技术大学");
  CHECK(a.author == "张三");
  CHECK(a.tags == std::vector<std::string>{"甲", "乙"});
  CHECK(a.summary == "一段");
}

TEST_CASE("a schema entry bound to a member of another type is refused", "[schema]") {
  using S = DocumentSchema<Article>;
  CHECK_THROWS_WITH((S{{"title", {}, FieldType::Date, &Article::title}}),
                    "schema field 'title' is bound to a member of another type");
}

TEST_CASE("spellings of a field are its key then its aliases", "[schema]") {
  CHECK(spellings(notice_schema().specs(), "doc_no") == std::vector<std::string>{"doc_no", "发文字号", "文号"});
  CHECK_THROWS_WITH(spellings(notice_schema().specs(), "nope"), "no field 'nope' in the schema");
}
