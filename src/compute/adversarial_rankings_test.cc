// Harder rules and exports, with every expected value computed independently
// in exact arithmetic (Python fractions; the script is in the comment below):
// quarters and ISO weeks across a year end, .xx5 boundaries after arithmetic
// that the doubles miss, negative values, numbers as strings and exponents,
// ties at list boundaries, grouped and ungrouped lists, skipped records, and
// entity and group names with commas, quotes and HTML specials.
//
//   from fractions import Fraction as F; from decimal import Decimal
//   avg = sum(F(Decimal(a)) for a in values) / len(values)   # per entity and period
//   round half away from zero on avg * 10**places; ties by code point of the name
#include <catch2/catch.hpp>

#include "compute/ranking_output.h"
#include "compute/rankings.h"
#include "compute/rankings_testing.h"

using namespace bulletin;
using bulletin::testing::rule_from;

namespace {

const char* kGroupedRule = R"(id: adv
title: 对抗
exports: exports/*.jsonl
fields: {date: 日期, unit: 单位, branch: 支部, a: 甲, b: 乙}
entity: unit
group: branch
period: quarter
metrics:
  - {id: avg, label: 均值, value: mean(a), format: decimal:2}
  - {id: ratio, label: 比, value: sum(a) / sum(b), format: percent:1}
  - {id: delta, label: 差, value: last(a) - first(a), format: decimal:1}
order: [avg desc]
lists:
  - {id: top2, label: 前二, top: 2, per_group: false}
  - {id: low, label: 末一, bottom: 1}
groups:
  metrics:
    - {id: gavg, label: 组均, value: mean(avg), format: decimal:3}
  order: [gavg desc]
  lists:
    - {id: best, label: 最佳, top: 1}
bad_records: skip
)";

std::string rec(const char* date, const char* unit, const char* branch, const char* a, const char* b) {
  return std::string("{\"日期\": \"") + date + "\", \"单位\": \"" + unit + "\", \"支部\": \"" + branch +
         "\", \"甲\": " + a + ", \"乙\": " + b + "}\n";
}

// Entities a,"b" and <x&y> in branch 支,1; c'd and 丁 in <支2>.
std::string adversarial_export() {
  return rec("2020-12-30", "a,\\\"b\\\"", "支,1", "\"0.01\"", "0.1") +
         rec("2020-12-31", "a,\\\"b\\\"", "支,1", "0.06", "\"0.2\"") +
         rec("2020-12-30", "<x&y>", "支,1", "0.035", "0.4") + rec("2020-12-31", "<x&y>", "支,1", "3.5e-2", "0") +
         rec("2020-12-30", "c'd", "<支2>", "0.07", "0.4") + rec("2020-12-31", "c'd", "<支2>", "0", "0.16") +
         rec("2020-12-30", "丁", "<支2>", "-0.01", "0.1") + rec("2020-12-31", "丁", "<支2>", "\"-0.06\"", "-0.1") +
         rec("2020-12-31", "丁", "<支2>", "\"1,000\"", "1") +  // skipped: not a number
         rec("2021-01-01", "a,\\\"b\\\"", "支,1", "-0.004", "1") + rec("2021-01-02", "<x&y>", "支,1", "1.005", "3") +
         rec("2021-01-03", "<x&y>", "支,1", "1.015", "2.1") + rec("2021-01-02", "c'd", "<支2>", "2.5e-1", "1") +
         rec("2021-01-03", "c'd", "<支2>", "\" 0.25 \"", "1") +
         rec("2021-01-03", "戊", "<支2>", "\"NaN\"", "1") +  // skipped: not a number
         rec("2021-01-04", "丁", "<支2>", "-0.045", "1");
}

struct Texts {
  std::string entity;
  int rank, overall;
  const char *avg, *ratio, *delta;
};

void check_rows(const PeriodResult& p, const std::vector<Texts>& want) {
  REQUIRE(p.rows.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO(p.id << " row " << i);
    CHECK(p.rows[i].entity == want[i].entity);
    CHECK(p.rows[i].rank == want[i].rank);
    CHECK(p.rows[i].overall_rank == want[i].overall);
    CHECK(p.rows[i].metrics[0].text == want[i].avg);
    CHECK(p.rows[i].metrics[1].text == want[i].ratio);
    CHECK(p.rows[i].metrics[2].text == want[i].delta);
  }
}

std::vector<std::string> names(const PeriodResult& p, const ListPart& part) {
  std::vector<std::string> out;
  for (size_t i : part.items) out.push_back(p.rows[i].entity);
  return out;
}

}  // namespace

TEST_CASE("adversarial quarters across a year end: every text, rank, list and group result is exact",
          "[compute][exact]") {
  RankingRule rule = rule_from(kGroupedRule);
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.jsonl", adversarial_export());
  RuleResults r = compute_rule(rule, fs, "site");
  REQUIRE(r.periods.size() == 2);
  CHECK(r.records == 14);
  CHECK(r.skipped.count == 2);

  const PeriodResult& q4 = r.periods[0];
  CHECK(q4.id == "2020-Q4");
  CHECK(q4.complete);  // its data reaches 12-31, the last day of Q4
  CHECK(q4.last_in_data.iso() == "2020-12-31");
  CHECK(q4.skipped.count == 1);
  REQUIRE(q4.skipped.first.size() == 1);
  CHECK(q4.skipped.first[0].line == 9);
  CHECK(q4.skipped.first[0].reason == "field '甲' is not a number: \"1,000\"");
  // Groups in name order by code point: <支2> (U+003C) before 支,1. Three
  // exact ties at 7/200 (the doubles give 0.034999999999999996 for a,"b"),
  // printed 0.04; 丁 at -7/200 prints -0.04; its ratio divides by 0.
  check_rows(q4, {{"c'd", 1, 1, "0.04", "12.5%", "-0.1"},
                  {"丁", 2, 4, "-0.04", "—", "-0.1"},
                  {"<x&y>", 1, 1, "0.04", "17.5%", "0.0"},
                  {"a,\"b\"", 1, 1, "0.04", "23.3%", "0.1"}});
  // top 2 over all rows: the three tied at rank 1.
  CHECK(names(q4, q4.lists[0].parts.at(0)) == std::vector<std::string>{"<x&y>", "a,\"b\"", "c'd"});
  CHECK(q4.lists[0].ties_extended());
  // bottom 1 per group: 丁 alone in <支2>; both tied in 支,1.
  REQUIRE(q4.lists[1].parts.size() == 2);
  CHECK(q4.lists[1].parts[0].group == "<支2>");
  CHECK(names(q4, q4.lists[1].parts[0]) == std::vector<std::string>{"丁"});
  CHECK_FALSE(q4.lists[1].parts[0].ties_extended);
  CHECK(names(q4, q4.lists[1].parts[1]).size() == 2);
  CHECK(q4.lists[1].parts[1].ties_extended);
  // Group means: 支,1 7/200 -> 0.035; <支2> (7/200 - 7/200) / 2 = 0 -> 0.000.
  REQUIRE(q4.group_rows.size() == 2);
  CHECK(q4.group_rows[0].group == "支,1");
  CHECK(q4.group_rows[0].metrics[0].text == "0.035");
  CHECK(q4.group_rows[1].group == "<支2>");
  CHECK(q4.group_rows[1].metrics[0].text == "0.000");
  CHECK(q4.group_rows[1].rank == 2);
  REQUIRE(q4.group_lists.at(0).parts.at(0).items.size() == 1);
  CHECK(q4.group_rows[q4.group_lists[0].parts[0].items[0]].group == "支,1");

  const PeriodResult& q1 = r.periods[1];
  CHECK(q1.id == "2021-Q1");
  CHECK(q1.last_in_data.iso() == "2021-01-04");
  CHECK(q1.skipped.count == 1);
  // -1/250 prints 0.00 (no sign) and -0.4%; -9/200 prints -0.05 and -4.5%;
  // 101/255 is 39.6%; 1.015 - 1.005 = 0.01 prints 0.0.
  check_rows(q1, {{"c'd", 1, 2, "0.25", "25.0%", "0.0"},
                  {"丁", 2, 4, "-0.05", "-4.5%", "0.0"},
                  {"<x&y>", 1, 1, "1.01", "39.6%", "0.0"},
                  {"a,\"b\"", 2, 3, "0.00", "-0.4%", "0.0"}});
  // <支2>: (1/4 - 9/200) / 2 = 41/400 = 0.1025 -> 0.103 (the doubles give
  // 0.10250000000000001, which happens to agree); 支,1: 503/1000.
  CHECK(q1.group_rows.at(0).group == "支,1");
  CHECK(q1.group_rows[0].metrics[0].text == "0.503");
  CHECK(q1.group_rows[1].metrics[0].text == "0.103");
  CHECK(q1.group_rows[1].metrics[0].exact.exact_text() == "0.1025");

  // index.json: the exact form beside the double, lists with the overall rank.
  auto j = period_to_json(rule, q4);
  CHECK(j["rows"][3]["avg"]["exact"] == "0.035");
  CHECK(j["rows"][3]["avg"]["value"] == 0.035);
  CHECK(j["rows"][3]["ratio"]["exact"] == "7/30");
  CHECK(j["rows"][1]["ratio"]["exact"].is_null());
  CHECK(j["rows"][1]["ratio"]["value"].is_null());
  CHECK(j["lists"]["top2"]["entries"][2]["entity"] == "c'd");
  CHECK(j["lists"]["top2"]["entries"][2]["rank"] == 1);
  CHECK(j["skipped"]["first"][0]["file"] == "data/exports/a.jsonl");
  CHECK(j["skipped"]["first"][0]["record"] == 9);
  // index.csv: names quoted as RFC 4180 asks, the printed texts.
  std::string csv = period_to_csv(rule, q4);
  CHECK(csv.find("\r\n1,\"a,\"\"b\"\"\",\"支,1\",0.04,23.3%,0.1\r\n") != std::string::npos);
  CHECK(csv.find("\r\n2,丁,<支2>,-0.04,—,-0.1\r\n") != std::string::npos);
  // Read back from index.json, the exact values come back too.
  auto back = period_from_json(rule, nlohmann::json::parse(period_json_text(rule, q4)));
  REQUIRE(back);
  CHECK(back->rows[3].metrics[1].exact == q4.rows[3].metrics[1].exact);
}

TEST_CASE("adversarial ISO weeks, halves and years across a year end", "[compute][exact]") {
  std::string text = kGroupedRule;
  auto with_period = [&](const char* kind) {
    std::string t = text;
    t.replace(t.find("period: quarter"), 15, std::string("period: ") + kind);
    return rule_from(t);
  };
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.jsonl", adversarial_export());
  // 2020-12-28 .. 2021-01-03 is ISO week 2020-W53; 2021-01-04 starts 2021-W01.
  RuleResults weeks = compute_rule(with_period("week"), fs, "site");
  REQUIRE(weeks.periods.size() == 2);
  CHECK(weeks.periods[0].id == "2020-W53");
  CHECK(weeks.periods[0].first.iso() == "2020-12-28");
  CHECK(weeks.periods[0].last.iso() == "2021-01-03");
  CHECK(weeks.periods[0].complete);
  CHECK(weeks.periods[0].skipped.count == 2);
  CHECK(weeks.periods[1].id == "2021-W01");
  // Means over the week: <x&y> 209/400 -> 0.52, a,"b" 11/500 -> 0.02,
  // c'd 57/400 -> 0.14, 丁 -7/200 -> -0.04; 2021-W01: 丁 -9/200 -> -0.05.
  std::map<std::string, std::string> w53;
  for (const auto& row : weeks.periods[0].rows) w53[row.entity] = row.metrics[0].text;
  CHECK(w53 ==
        std::map<std::string, std::string>{{"<x&y>", "0.52"}, {"a,\"b\"", "0.02"}, {"c'd", "0.14"}, {"丁", "-0.04"}});
  REQUIRE(weeks.periods[1].rows.size() == 1);
  CHECK(weeks.periods[1].rows[0].metrics[0].text == "-0.05");

  RuleResults halves = compute_rule(with_period("half"), fs, "site");
  REQUIRE(halves.periods.size() == 2);
  CHECK(halves.periods[0].id == "2020-H2");
  CHECK(halves.periods[1].id == "2021-H1");
  RuleResults years = compute_rule(with_period("year"), fs, "site");
  REQUIRE(years.periods.size() == 2);
  CHECK(years.periods[0].id == "2020");
  CHECK(years.periods[1].id == "2021");
  // Half and year hold the same records as the quarters here: the same texts.
  RuleResults quarters = compute_rule(rule_from(text), fs, "site");
  for (size_t p = 0; p < 2; ++p)
    for (size_t i = 0; i < quarters.periods[p].rows.size(); ++i) {
      CHECK(halves.periods[p].rows.at(i).metrics[0].text == quarters.periods[p].rows[i].metrics[0].text);
      CHECK(years.periods[p].rows.at(i).metrics[1].text == quarters.periods[p].rows[i].metrics[1].text);
    }
}

TEST_CASE("index.json is written in nlohmann's dump(2) layout, escapes included", "[compute][exact]") {
  RankingRule rule = rule_from(kGroupedRule);
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.jsonl",
         adversarial_export() + rec("2021-01-04", "tab\\there\\u0001\\\\/ \\ud83d\\ude00", "<支2>", "1", "1"));
  RuleResults r = compute_rule(rule, fs, "site");
  for (const auto& p : r.periods) {
    std::string text = period_json_text(rule, p);
    CHECK(text == nlohmann::ordered_json::parse(text).dump(2) + "\n");
  }
  auto j = period_to_json(rule, r.periods.at(1));
  bool found = false;
  for (const auto& row : j["rows"]) found = found || row["entity"] == "tab\there\x01\\/ \xF0\x9F\x98\x80";
  CHECK(found);
}

// Found by tests/differential: a record skipped because an aggregate's
// argument divides by zero kept its text cut at byte 400 (inside a character,
// so writing index.json failed the whole build), untrimmed and without "…",
// where every other skipped record is trimmed and cut at a whole character.
TEST_CASE("a record skipped for a division by zero is shown as written, trimmed and cut at a whole character",
          "[compute][exact]") {
  RankingRule rule = rule_from(R"(id: d
title: 除零
exports: exports/*.jsonl
fields: {date: 日期, unit: 单位, a: 甲, b: 乙}
entity: unit
period: month
metrics:
  - {id: ratio, value: mean(a / b)}
bad_records: skip
)");
  // 71 bytes, then 200 × 长 (3 bytes each): byte 400 falls inside a character.
  std::string record = "{\"日期\": \"2020-12-30\", \"单位\": \"u\", \"甲\": 1, \"乙\": 0, \"备注\": \"";
  for (int i = 0; i < 200; ++i) record += "长";
  record += "\"}";
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.jsonl", "{\"日期\": \"2020-12-30\", \"单位\": \"v\", \"甲\": 1, \"乙\": 2}\n  " + record +
                                          "\n  {\"日期\": \"2020-12-31\", \"单位\": \"w\", \"甲\": 1, \"乙\": 0}\n");
  RuleResults r = compute_rule(rule, fs, "site");
  REQUIRE(r.periods.size() == 1);
  const PeriodResult& p = r.periods[0];
  REQUIRE(p.skipped.first.size() == 2);
  CHECK(p.skipped.first[0].reason == "field '乙' is 0, and 'a / b' divides by it");
  CHECK(p.skipped.first[0].column == 3);
  size_t whole = 400 - (400 - 71) % 3;  // the prefix of `record` holding whole characters only
  CHECK(p.skipped.first[0].text == record.substr(0, whole) + "…");
  CHECK(p.skipped.first[1].text == "{\"日期\": \"2020-12-31\", \"单位\": \"w\", \"甲\": 1, \"乙\": 0}");
  auto j = nlohmann::json::parse(period_json_text(rule, p));
  CHECK(j["skipped"]["first"][1]["text"] == p.skipped.first[1].text);
}

// Found by tests/differential: in a JSON array (not JSON Lines) a number past
// a double's range, 1E400, stopped the whole build as "invalid JSON: number
// overflow" instead of being the bad record docs/rules.md promises.
TEST_CASE("a JSON number past a double's range is a bad record in a JSON array too", "[compute][exact]") {
  RankingRule rule = rule_from(R"(id: big
title: 过大
exports: exports/*.json
fields: {date: 日期, unit: 单位, a: 甲}
entity: unit
period: month
metrics:
  - {id: avg, value: mean(a)}
bad_records: skip
)");
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.json",
         "[\n{\"日期\": \"2020-12-30\", \"单位\": \"u\", \"甲\": 1},\n"
         "{\"日期\": \"2020-12-30\", \"单位\": \"v\", \"甲\": 1E400},\n"
         "  {\"日期\": \"2020-12-31\", \"单位\": \"w\", \"甲\": -1e999}]\n");
  RuleResults r = compute_rule(rule, fs, "site");
  REQUIRE(r.periods.size() == 1);
  const PeriodResult& p = r.periods[0];
  REQUIRE(p.rows.size() == 1);
  CHECK(p.rows[0].entity == "u");
  CHECK(p.skipped.examples ==
        std::vector<std::string>{"data/exports/a.json:3:1: record 2: field '甲' is not a number: 1E400 (it is too large)",
                                 "data/exports/a.json:4:3: record 3: field '甲' is not a number: -1e999 (it is too large)"});
}

// What docs/rules.md now states for undefined operands, as tests/differential
// checks it on random rules: + - * / pass undefined on, a comparison with an
// undefined side is 0, and/or read it as false; a group aggregate leaves out
// the members whose argument is undefined (a comparison never is); a period
// with only skipped records has no lists.
TEST_CASE("undefined operands in comparisons, and/or, where and group aggregates", "[compute][exact]") {
  RankingRule rule = rule_from(R"(id: u
title: 未定义
exports: exports/*.jsonl
fields: {date: 日期, unit: 单位, branch: 支部, a: 甲, b: 乙}
entity: unit
group: branch
period: month
metrics:
  - {id: ratio, value: sum(a) / sum(b)}
  - {id: ne, value: ratio != 1}
  - {id: either, value: ratio > 0 or 1}
  - {id: both, value: 1 and ratio}
  - {id: twice, value: ratio * 2}
lists:
  - {id: low, where: ratio < 1 or ratio != 1}
groups:
  metrics:
    - {id: m, value: mean(ratio >= 0)}
    - {id: s, value: sum(twice)}
    - {id: c, value: count(ratio >= 0)}
bad_records: skip
)");
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.jsonl",
         "{\"日期\": \"2020-12-30\", \"单位\": \"u\", \"支部\": \"g\", \"甲\": 1, \"乙\": 2}\n"
         "{\"日期\": \"2020-12-30\", \"单位\": \"v\", \"支部\": \"g\", \"甲\": 1, \"乙\": 0}\n"
         "{\"日期\": \"2021-01-05\", \"单位\": \"v\", \"支部\": \"g\", \"甲\": \"x\", \"乙\": 0}\n");
  RuleResults r = compute_rule(rule, fs, "site");
  REQUIRE(r.periods.size() == 2);
  auto j = period_to_json(rule, r.periods[0]);
  REQUIRE(j["rows"].size() == 2);
  CHECK(j["rows"][0]["entity"] == "u");
  CHECK(j["rows"][1]["entity"] == "v");
  auto exact = [&](int row, const char* id) { return j["rows"][row][id]["exact"]; };
  CHECK(exact(0, "ne") == "1");
  CHECK(exact(1, "ratio") == nullptr);
  CHECK(exact(1, "ne") == "0");
  CHECK(exact(1, "either") == "1");
  CHECK(exact(1, "both") == "0");
  CHECK(exact(1, "twice") == nullptr);
  CHECK(j["lists"]["low"]["entries"].size() == 1);
  CHECK(j["lists"]["low"]["entries"][0]["entity"] == "u");
  CHECK(j["groups"]["rows"][0]["m"]["exact"] == "0.5");
  CHECK(j["groups"]["rows"][0]["s"]["exact"] == "1");
  CHECK(j["groups"]["rows"][0]["c"]["exact"] == "1");
  auto only_skipped = period_to_json(rule, r.periods[1]);
  CHECK(only_skipped["rows"].empty());
  CHECK(only_skipped["lists"] == nlohmann::ordered_json::object());
  CHECK(only_skipped["groups"]["rows"].empty());
  CHECK(only_skipped["groups"]["lists"] == nlohmann::ordered_json::object());
}

// A number past even a long double's range stops nlohmann's parse, so it
// cannot be skipped; the error says so and how to have it skipped.
TEST_CASE("a JSON number past a long double's range in a JSON array is an error saying what to do",
          "[compute][exact]") {
  RankingRule rule = rule_from(R"(id: huge
title: 过大
exports: exports/*.json
fields: {date: 日期, unit: 单位, a: 甲}
entity: unit
period: month
metrics:
  - {id: avg, value: mean(a)}
bad_records: skip
)");
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.json",
         "[\n{\"日期\": \"2020-12-30\", \"单位\": \"u\", \"甲\": 1},\n"
         " {\"日期\": \"2020-12-30\", \"单位\": \"v\", \"甲\": 1e5000}]\n");
  CHECK(bulletin::testing::error_of(rule, fs) ==
        "data/exports/a.json:3:39: error: invalid JSON: the number 1e5000 is too large to be read, and the export "
        "cannot be read past it: write it as a string (\"1e5000\") to have the record skipped as a bad record");
}
