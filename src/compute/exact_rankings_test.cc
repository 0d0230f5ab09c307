// Rankings in exact arithmetic, and the gaps of docs/rules.md each pinned by
// an example (the same examples as the document).
#include <catch2/catch.hpp>

#include "compute/ranking_output.h"
#include "compute/rankings.h"
#include "compute/rankings_testing.h"

using namespace bulletin;
using bulletin::testing::error_of;
using bulletin::testing::rule_from;

namespace {

const char* kValueRule = R"(id: v
title: 值
exports: exports/*.jsonl
fields: {date: 日期, unit: 单位, v: 值, a: 甲, b: 乙}
entity: unit
period: day
metrics:
  - {id: mean2, label: 均值, value: mean(v), format: decimal:2}
  - {id: pct, label: 百分比, value: mean(v), format: percent:0}
  - {id: ratio, label: 比值, value: sum(a) / sum(b), format: integer}
)";

std::string line(const char* unit, const char* v, const char* a = "1", const char* b = "1",
                 const char* date = "2021-01-04") {
  return std::string("{\"日期\": \"") + date + "\", \"单位\": \"" + unit + "\", \"值\": " + v + ", \"甲\": " + a +
         ", \"乙\": " + b + "}\n";
}

}  // namespace

TEST_CASE("values on a rounding boundary after arithmetic round half away from zero on the exact value",
          "[compute][exact]") {
  RankingRule rule = rule_from(kValueRule);
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.jsonl", line("甲", "0.01", "8.35", "0.1") + line("甲", "0.06", "0", "0"));
  RuleResults r = compute_rule(rule, fs, "site");
  REQUIRE(r.periods.size() == 1);
  const RankedRow& row = r.periods[0].rows.at(0);
  CHECK(row.metrics[0].text == "0.04");
  CHECK(row.metrics[0].exact.exact_text() == "0.035");
  CHECK(row.metrics[0].value == 0.035);  // the nearest double, for programs
  CHECK(row.metrics[1].text == "4%");
  CHECK(row.metrics[2].text == "84");
}

TEST_CASE("numbers written as strings, with exponents or trailing zeros are the same exact value", "[compute][exact]") {
  RankingRule rule = rule_from(kValueRule);
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.jsonl", line("甲", "0.285") + line("乙", "\"2.85e-1\"") + line("丙", "\" 0.2850 \""));
  RuleResults r = compute_rule(rule, fs, "site");
  const auto& rows = r.periods.at(0).rows;
  REQUIRE(rows.size() == 3);
  // Equal exact values tie, and tied rows are listed by code point: 丙 U+4E19, 乙 U+4E59, 甲 U+7532.
  CHECK(rows[0].entity == "丙");
  CHECK(rows[1].entity == "乙");
  CHECK(rows[2].entity == "甲");
  CHECK(rows[0].rank == 1);
  CHECK(rows[1].rank == 1);
  CHECK(rows[2].rank == 1);
}

TEST_CASE("tied rows are listed by code point, \"A\" before \"a\", the same on every run", "[compute][exact]") {
  RankingRule rule = rule_from(kValueRule);
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.jsonl",
         line("甲", "1") + line("a", "1") + line("乙", "1") + line("A", "1") + line("丙", "1") + line("b", "2"));
  for (int run = 0; run < 3; ++run) {
    RuleResults r = compute_rule(rule, fs, "site");
    const auto& rows = r.periods.at(0).rows;
    std::vector<std::string> names;
    for (const auto& row : rows) names.push_back(row.entity + "#" + std::to_string(row.rank));
    CHECK(names == std::vector<std::string>{"b#1", "A#2", "a#2", "丙#2", "乙#2", "甲#2"});
  }
}

TEST_CASE("values whose doubles differ in the last bit but are exactly equal share a rank", "[compute][exact]") {
  RankingRule rule = rule_from(kValueRule);
  MemoryFileSystem fs;
  // mean(0.1, 0.2) and mean(0.15, 0.15): in doubles 0.15000000000000002 and 0.15.
  fs.add("site/data/exports/a.jsonl", line("甲", "0.1") + line("甲", "0.2") + line("乙", "0.15") + line("乙", "0.15"));
  auto rows = compute_rule(rule, fs, "site").periods.at(0).rows;
  CHECK(rows[0].rank == 1);
  CHECK(rows[1].rank == 1);
}

TEST_CASE("a value of -0.004 prints 0.00, never -0.00", "[compute][exact]") {
  RankingRule rule = rule_from(kValueRule);
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.jsonl", line("甲", "-0.004") + line("乙", "-12.5"));
  auto rows = compute_rule(rule, fs, "site").periods.at(0).rows;
  CHECK(rows[0].metrics[0].text == "0.00");
  CHECK(rows[1].metrics[0].text == "-12.50");
}

TEST_CASE("NaN, inf and 1e999 are bad records with their reason", "[compute][exact]") {
  RankingRule rule = rule_from(std::string(kValueRule) + "bad_records: skip\n");
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.jsonl", line("甲", "\"NaN\"") + line("甲", "\"inf\"") + line("甲", "\"-nan\"") +
                                          line("甲", "1e999") + line("乙", "1"));
  RuleResults r = compute_rule(rule, fs, "site");
  CHECK(r.skipped.count == 4);
  CHECK(r.skipped.by_reason == std::map<std::string, long>{{"field '值' is not a number: \"-nan\"", 1},
                                                           {"field '值' is not a number: \"NaN\"", 1},
                                                           {"field '值' is not a number: \"inf\"", 1},
                                                           {"field '值' is not a number: 1e999 (it is too large)", 1}});
  REQUIRE(r.skipped.first.size() == 4);
  CHECK(r.skipped.first[3].line == 4);
  CHECK(r.skipped.first[3].text == "{\"日期\": \"2021-01-04\", \"单位\": \"甲\", \"值\": 1e999, \"甲\": 1, \"乙\": 1}");
  CHECK(r.periods.at(0).records == 1);
}

TEST_CASE("an export whose top level is not records is an error at the export", "[compute][exact]") {
  RankingRule rule = rule_from(R"(id: u
title: 单位
exports: exports/*.json
fields: {date: 日期, unit: 单位, v: 值}
entity: unit
period: month
metrics:
  - {id: total, value: sum(v)}
)");
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.json", "42\n");
  CHECK(
      error_of(rule, fs) ==
      "data/exports/a.json:1:1: error: an export holds an array of records, an object holding one, or one record object per line; found a number");
  fs.add("site/data/exports/a.json", "[[{\"日期\": \"2021-01-04\", \"单位\": \"甲\", \"值\": 1}]]\n");
  CHECK(
      error_of(rule, fs) ==
      "data/exports/a.json:1:2: error: an export holds an array of records, an object holding one, or one record object per line; found a list inside the list of records");
}

TEST_CASE("a JSON Lines line that is not an object is an error at its line", "[compute][exact]") {
  RankingRule rule = rule_from(kValueRule);
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.jsonl", line("甲", "1") + "\n[1, 2]\n");
  CHECK(
      error_of(rule, fs) ==
      "data/exports/a.jsonl:3:1: error: an export holds an array of records, an object holding one, or one record object per line; found a list");
  fs.add("site/data/exports/a.jsonl", line("甲", "1") + "{\"日期\": \"2021-01-04\",}\n");
  CHECK(error_of(rule, fs).starts_with("data/exports/a.jsonl:2:"));
  CHECK(error_of(rule, fs).find("error: invalid JSON: ") != std::string::npos);
}

TEST_CASE("an empty export is a warning naming the file", "[compute][exact]") {
  RankingRule rule = rule_from(kValueRule);
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.jsonl", line("甲", "1"));
  fs.add("site/data/exports/b.jsonl", "\n");
  RuleResults r = compute_rule(rule, fs, "site");
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0].format() == "data/exports/b.jsonl: warning: the export file holds no records");
}

TEST_CASE("ties_extended counts the list after where: only a list longer than N is extended", "[compute][exact]") {
  RankingRule rule = rule_from(std::string(kValueRule) + R"(lists:
  - {id: top2, label: 前两名, top: 2}
  - {id: top2_big, label: 前两名且大于1, top: 2, where: mean2 > 1}
)");
  MemoryFileSystem fs;
  // 甲 3, 乙 1, 丙 1: top 2 takes 甲 and the tie 乙 丙 (3 rows, extended);
  // with where mean2 > 1 only 甲 remains: not extended.
  fs.add("site/data/exports/a.jsonl", line("甲", "3") + line("乙", "1") + line("丙", "1"));
  auto p = compute_rule(rule, fs, "site").periods.at(0);
  CHECK(p.lists[0].parts[0].items.size() == 3);
  CHECK(p.lists[0].ties_extended());
  CHECK(p.lists[1].parts[0].items.size() == 1);
  CHECK_FALSE(p.lists[1].ties_extended());
}

TEST_CASE("group aggregates leave undefined member values out and count() counts every member", "[compute][exact]") {
  RankingRule rule = rule_from(R"(id: g
title: 组
exports: exports/*.jsonl
fields: {date: 日期, unit: 单位, branch: 支部, a: 甲, b: 乙}
entity: unit
group: branch
period: day
metrics:
  - {id: ratio, value: sum(a) / sum(b)}
groups:
  metrics:
    - {id: total, value: sum(ratio)}
    - {id: avg, value: mean(ratio)}
    - {id: low, value: min(ratio)}
    - {id: n, value: count()}
    - {id: defined, value: count(ratio >= 0)}
)");
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.jsonl",
         "{\"日期\": \"2021-01-04\", \"单位\": \"u1\", \"支部\": \"一\", \"甲\": 1, \"乙\": 2}\n"
         "{\"日期\": \"2021-01-04\", \"单位\": \"u2\", \"支部\": \"一\", \"甲\": 1, \"乙\": 0}\n"
         "{\"日期\": \"2021-01-04\", \"单位\": \"u3\", \"支部\": \"二\", \"甲\": 1, \"乙\": 0}\n");
  auto p = compute_rule(rule, fs, "site").periods.at(0);
  REQUIRE(p.group_rows.size() == 2);
  const GroupRow& one = p.group_rows[0].group == "一" ? p.group_rows[0] : p.group_rows[1];
  const GroupRow& two = p.group_rows[0].group == "二" ? p.group_rows[0] : p.group_rows[1];
  CHECK(one.metrics[0].text == "0.50");
  CHECK(one.metrics[1].text == "0.50");
  CHECK(one.metrics[2].text == "0.50");
  CHECK(one.metrics[3].text == "2.00");
  CHECK(one.metrics[4].text == "1.00");
  CHECK(two.metrics[0].text == "—");  // no defined value: undefined, ranked last
  CHECK(two.metrics[3].text == "1.00");
  CHECK(p.group_rows[1].group == "二");
}

TEST_CASE("skipped records count toward neither as_of nor complete, and a period of only skipped records has no rows",
          "[compute][exact]") {
  RankingRule rule = rule_from(R"(id: m
title: 月
exports: exports/*.jsonl
fields: {date: 日期, unit: 单位, v: 值}
entity: unit
period: month
metrics:
  - {id: total, value: sum(v)}
bad_records: skip
)");
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.jsonl",
         "{\"日期\": \"2021-01-30\", \"单位\": \"甲\", \"值\": 1}\n"
         "{\"日期\": \"2021-01-31\", \"单位\": \"甲\", \"值\": \"x\"}\n"
         "{\"日期\": \"2021-02-03\", \"单位\": \"甲\", \"值\": \"y\"}\n");
  RuleResults r = compute_rule(rule, fs, "site");
  REQUIRE(r.periods.size() == 2);
  CHECK_FALSE(r.periods[0].complete);
  CHECK(r.periods[0].last_in_data.iso() == "2021-01-30");
  auto feb = period_to_json(rule, r.periods[1]);
  CHECK(feb["complete"] == false);
  CHECK(feb["as_of"].is_null());
  CHECK(feb["rows"].empty());
  CHECK(feb["skipped"]["count"] == 1);
  CHECK(feb["skipped"]["first"][0]["line"] == 3);
  CHECK(feb["skipped"]["first"][0]["reason"] == "field '值' is not a number: \"y\"");
}

TEST_CASE("CSV text cells that a spreadsheet would run as formulas get a leading quote, and numbers stay numbers",
          "[compute][exact]") {
  RankingRule rule = rule_from(kValueRule);
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.jsonl", line("=HYPERLINK(\\\"http://x\\\",\\\"点击\\\")", "1") + line("+cmd", "-12.5") +
                                          line("@SUM(1)", "2") + line("-1", "3"));
  RuleResults r = compute_rule(rule, fs, "site");
  std::string csv = period_to_csv(rule, r.periods.at(0));
  CHECK(csv.find("\"'=HYPERLINK(\"\"http://x\"\",\"\"点击\"\")\"") != std::string::npos);
  CHECK(csv.find(",'+cmd,-12.50,") != std::string::npos);
  CHECK(csv.find(",'@SUM(1),") != std::string::npos);
  CHECK(csv.find(",'-1,") != std::string::npos);
  auto j = period_to_json(rule, r.periods.at(0));
  CHECK(j["rows"][3]["entity"] == "+cmd");
}

TEST_CASE("a list over all rows of a grouped rule gives the overall rank in index.json", "[compute][exact]") {
  RankingRule rule = rule_from(R"(id: g
title: 组
exports: exports/*.jsonl
fields: {date: 日期, unit: 单位, branch: 支部, v: 值}
entity: unit
group: branch
period: day
metrics:
  - {id: total, value: sum(v)}
lists:
  - {id: all, label: 全部前二, top: 2, per_group: false}
)");
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.jsonl",
         "{\"日期\": \"2021-01-04\", \"单位\": \"甲01\", \"支部\": \"甲\", \"值\": 9}\n"
         "{\"日期\": \"2021-01-04\", \"单位\": \"乙01\", \"支部\": \"乙\", \"值\": 5}\n"
         "{\"日期\": \"2021-01-04\", \"单位\": \"乙02\", \"支部\": \"乙\", \"值\": 1}\n");
  auto p = compute_rule(rule, fs, "site").periods.at(0);
  auto j = period_to_json(rule, p);
  CHECK(j["lists"]["all"]["entries"][1]["entity"] == "乙01");
  CHECK(j["lists"]["all"]["entries"][1]["rank"] == 2);
}

TEST_CASE("group tables come in code point order of the group name, compared as text", "[compute][exact]") {
  RankingRule rule = rule_from(R"(id: g
title: 组
exports: exports/*.jsonl
fields: {date: 日期, unit: 单位, branch: 支部, v: 值}
entity: unit
group: branch
period: day
metrics:
  - {id: v, label: 值, value: sum(v), format: decimal:0}
)");
  auto rec = [](const char* unit, const char* branch) {
    return std::string("{\"日期\": \"2021-01-04\", \"单位\": \"") + unit + "\", \"支部\": \"" + branch +
           "\", \"值\": 1}\n";
  };
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.jsonl",
         rec("甲", "第2党支部") + rec("乙", "支,1") + rec("丙", "第010党支部") + rec("丁", "<支2>"));
  RuleResults r = compute_rule(rule, fs, "site");
  const PeriodResult& p = r.periods.at(0);
  std::vector<std::string> groups;
  for (const auto& t : p.tables) groups.push_back(t.group);
  CHECK(groups == std::vector<std::string>{"<支2>", "支,1", "第010党支部", "第2党支部"});
  std::vector<std::string> rows;
  for (const auto& row : p.rows) rows.push_back(row.group + "/" + row.entity);
  CHECK(rows == std::vector<std::string>{"<支2>/丁", "支,1/乙", "第010党支部/丙", "第2党支部/甲"});
}
