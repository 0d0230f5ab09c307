#include "compute/rankings.h"

#include <catch2/catch.hpp>

#include "compute/ranking_output.h"
#include "compute/rankings_testing.h"

using namespace bulletin;
using bulletin::testing::error_of;
using bulletin::testing::rule_from;

namespace {

const char* kUnitsRule = R"(id: units
title: 学习情况
exports: exports/units-*.json
fields: {date: 日期, unit: 单位, members: 学员总数, active: 活跃学员数, score: 积分合计}
entity: unit
period: month
metrics:
  - {id: participation, label: 日人均参与度, value: mean(active / members), format: percent:2}
  - {id: avg_score, label: 日人均积分, value: mean(score / members), format: decimal:2}
order: [participation desc, avg_score desc]
)";

std::vector<std::string> entities(const PeriodResult& p, const ListPart& part) {
  std::vector<std::string> out;
  for (size_t i : part.items) out.push_back(p.rows[i].entity);
  return out;
}

}  // namespace

TEST_CASE("the November 2020 sample export reproduces the table of 教卫工作通报 第6期", "[compute]") {
  static const char* const kExpected[][3] = {
      {"中共上海出版印刷高等专科学校委员会", "97.60%", "43.06"},
      {"中共上海工艺美术职业学院 (上海市工艺美术学校)委员会", "94.80%", "41.59"},
      {"中共上海农林职业技术学院 (上海市农业学校)委员会", "94.55%", "40.13"},
      {"中共上海旅游高等专科学校委员会", "94.45%", "42.05"},
      {"中共上海电力大学委员会", "94.20%", "44.47"},
      {"中共上海城建职业学院委员会", "93.96%", "41.22"},
      {"中共上海电子信息职业技术学院委员会", "92.17%", "40.86"},
      {"中共上海师范大学委员会", "91.71%", "38.83"},
      {"中共上海海洋大学委员会", "91.68%", "40.53"},
      {"中共上海海事大学委员会", "88.88%", "39.66"},
      {"中共上海立信会计金融学院委员会", "88.28%", "37.35"},
      {"中共上海交通职业技术学院委员会", "87.85%", "38.75"},
      {"中共上海政法学院委员会", "87.27%", "37.59"},
      {"中共上海开放大学委员会", "86.76%", "37.34"},
      {"中共上海大学委员会", "86.42%", "32.35"},
      {"中共上海健康医学院委员会", "84.24%", "34.59"},
      {"中共上海应用技术大学委员会", "82.11%", "32.86"},
      {"中共上海理工大学委员会", "80.09%", "32.38"},
      {"中共上海戏剧学院委员会", "78.33%", "30.71"},
      {"中共上海电机学院委员会", "76.07%", "30.56"},
      {"中共上海音乐学院委员会", "74.65%", "27.02"},
      {"中共华东理工大学委员会", "74.61%", "28.28"},
      {"中共上海体育学院委员会", "74.38%", "28.03"},
      {"中共上海工程技术大学委员会", "73.14%", "28.95"},
      {"中共上海第二工业大学委员会", "68.26%", "22.79"},
      {"中共上海商学院委员会", "66.66%", "26.59"},
      {"中共上海市教育考试院委员会", "65.77%", "29.41"},
      {"中共华东政法大学委员会", "65.75%", "19.34"},
      {"中共上海海关学院委员会", "65.14%", "21.84"},
      {"中共上海交通大学医学院委员会", "64.75%", "24.33"},
      {"中共上海市民办高校工作委员会", "64.63%", "25.43"},
      {"中共上海市教育科学研究院委员会", "63.77%", "23.63"},
      {"中共上海对外经贸大学委员会", "61.00%", "20.60"},
      {"中共上海中医药大学委员会", "60.07%", "22.20"},
      {"中同济大学委员会", "59.93%", "20.73"},
      {"中共上海市卫生健康委员会党组", "54.68%", "22.28"},
      {"中共东华大学委员会", "49.90%", "17.36"},
      {"中共上海科技大学委员会", "45.92%", "13.62"},
      {"中共上海财经大学委员会", "42.62%", "14.12"},
      {"中共华东师范大学委员会", "42.58%", "13.85"},
      {"中共上海交通大学委员会", "36.98%", "13.35"},
      {"中共上海申康医院发展中心委员会", "36.28%", "13.60"},
      {"中共上海外国语大学委员会", "31.31%", "9.95"},
      {"中共复旦大学委员会", "26.19%", "8.58"},
  };
  RealFileSystem fs;
  std::string root = BULLETIN_SOURCE_DIR;
  Diagnostics diags;
  auto rules = load_rules(fs, root, diags);
  INFO(diags.format_all());
  CHECK_FALSE(diags.has_errors());
  auto it = std::find_if(rules.begin(), rules.end(), [](auto& r) { return r.id == "xxqg-units"; });
  REQUIRE(it != rules.end());
  RuleResults results = compute_rule(*it, fs, root);
  const PeriodResult* nov = find_period(results, "2020-11");
  REQUIRE(nov);
  CHECK(nov->complete);
  REQUIRE(nov->rows.size() == 44);
  for (size_t i = 0; i < 44; ++i) {
    INFO("row " << i + 1);
    CHECK(nov->rows[i].rank == static_cast<int>(i) + 1);
    CHECK(nov->rows[i].entity == kExpected[i][0]);
    CHECK(nov->rows[i].metrics[0].text == kExpected[i][1]);
    CHECK(nov->rows[i].metrics[1].text == kExpected[i][2]);
    CHECK(nov->rows[i].records == 30);
  }
  // December's export ends on the 15th: that page reads 截至 2020-12-15.
  const PeriodResult* dec = find_period(results, "2020-12");
  REQUIRE(dec);
  CHECK_FALSE(dec->complete);
  CHECK(dec->last_in_data == Date{2020, 12, 15});
}

TEST_CASE("every sample rule loads and computes", "[compute]") {
  RealFileSystem fs;
  std::string root = BULLETIN_SOURCE_DIR;
  Diagnostics diags;
  auto rules = load_rules(fs, root, diags);
  INFO(diags.format_all());
  CHECK_FALSE(diags.has_errors());
  CHECK(rules.size() >= 8);
  for (const auto& rule : rules) {
    INFO(rule.id);
    RuleResults r = compute_rule(rule, fs, root);
    CHECK_FALSE(r.periods.empty());
    CHECK(r.skipped.count == 0);
  }
}

TEST_CASE("equal values share a rank and top/bottom lists take in ties", "[compute]") {
  MemoryFileSystem fs;
  fs.add("site/data/exports/s.json", R"([
    {"d": "2021-01-04", "who": "甲", "v": 10},
    {"d": "2021-01-04", "who": "乙", "v": 20},
    {"d": "2021-01-04", "who": "丙", "v": 20},
    {"d": "2021-01-04", "who": "丁", "v": 5},
    {"d": "2021-01-04", "who": "戊", "v": 30},
    {"d": "2021-01-04", "who": "己", "v": 5}
  ])");
  RankingRule rule = rule_from(R"(title: t
exports: exports/s.json
fields: {date: d, who: who, v: v}
entity: who
period: day
metrics: [{id: v, value: sum(v), format: decimal:0}]
lists:
  - {id: top2, top: 2}
  - {id: top3, top: 3}
  - {id: bottom1, bottom: 1}
  - {id: bottom3, bottom: 3}
  - {id: ten_or_more, where: v >= 10}
)");
  RuleResults r = compute_rule(rule, fs, "site");
  REQUIRE(r.periods.size() == 1);
  const PeriodResult& p = r.periods[0];
  std::vector<std::pair<int, std::string>> ranks;
  for (const auto& row : p.rows) ranks.push_back({row.rank, row.entity});
  // Ties are listed by entity name (UTF-8 byte order).
  CHECK(ranks ==
        std::vector<std::pair<int, std::string>>{{1, "戊"}, {2, "丙"}, {2, "乙"}, {4, "甲"}, {5, "丁"}, {5, "己"}});
  CHECK(entities(p, p.lists[0].parts[0]) == std::vector<std::string>{"戊", "丙", "乙"});
  CHECK(p.lists[0].ties_extended());
  CHECK(entities(p, p.lists[1].parts[0]) == std::vector<std::string>{"戊", "丙", "乙"});
  CHECK_FALSE(p.lists[1].ties_extended());
  CHECK(entities(p, p.lists[2].parts[0]) == std::vector<std::string>{"丁", "己"});
  CHECK(p.lists[2].ties_extended());
  CHECK(entities(p, p.lists[3].parts[0]) == std::vector<std::string>{"甲", "丁", "己"});
  CHECK_FALSE(p.lists[3].ties_extended());
  CHECK(entities(p, p.lists[4].parts[0]) == std::vector<std::string>{"戊", "丙", "乙", "甲"});
}

TEST_CASE("groups rank their members, and group metrics run over member metrics", "[compute]") {
  MemoryFileSystem fs;
  // JSON Lines; cumulative totals sampled on a few days of the quarter.
  fs.add("site/data/exports/m.jsonl",
         "{\"日期\": \"2021-01-01\", \"姓名\": \"张三\", \"党支部\": \"一支部\", \"成长总积分\": 1000}\n"
         "{\"日期\": \"2021-03-31\", \"姓名\": \"张三\", \"党支部\": \"一支部\", \"成长总积分\": 8000}\n"
         "{\"日期\": \"2021-01-01\", \"姓名\": \"李四\", \"党支部\": \"一支部\", \"成长总积分\": 500}\n"
         "{\"日期\": \"2021-03-31\", \"姓名\": \"李四\", \"党支部\": \"一支部\", \"成长总积分\": 2500}\n"
         "{\"日期\": \"2021-02-01\", \"姓名\": \"李四\", \"党支部\": \"一支部\", \"成长总积分\": 1500}\n"
         "{\"日期\": \"2021-01-01\", \"姓名\": \"王五\", \"党支部\": \"二支部\", \"成长总积分\": 100}\n"
         "{\"日期\": \"2021-03-30\", \"姓名\": \"王五\", \"党支部\": \"二支部\", \"成长总积分\": 6200}\n"
         "{\"日期\": \"2021-04-02\", \"姓名\": \"王五\", \"党支部\": \"二支部\", \"成长总积分\": 6300}\n");
  RankingRule rule = rule_from(R"(title: 季度通报
exports: exports/*.jsonl
fields: {date: 日期, member: 姓名, branch: 党支部, total: 成长总积分}
entity: member
group: branch
period: quarter
metrics:
  - {id: total, label: 成长总积分, value: last(total), format: decimal:0}
  - {id: growth, label: 本期增长, value: last(total) - first(total), format: decimal:0}
order: [growth desc]
lists:
  - {id: talk, label: 谈话教育, bottom: 1}
  - {id: activists, label: 学习积极分子, where: growth >= 6000, per_group: false}
groups:
  metrics:
    - {id: avg_growth, label: 平均积分, value: mean(growth), format: decimal:1}
  order: [avg_growth desc]
  lists:
    - {id: best, label: 最佳组织奖, top: 1}
)");
  RuleResults r = compute_rule(rule, fs, "site");
  REQUIRE(r.periods.size() == 2);
  const PeriodResult& q1 = r.periods[0];
  CHECK(q1.id == "2021-Q1");
  CHECK(q1.complete);
  const PeriodResult& q2 = r.periods[1];
  CHECK(q2.id == "2021-Q2");
  CHECK_FALSE(q2.complete);
  CHECK(q2.last_in_data == Date{2021, 4, 2});
  REQUIRE(q1.rows.size() == 3);
  CHECK(q1.rows[0].group == "一支部");
  CHECK(q1.rows[0].entity == "张三");
  CHECK(q1.rows[0].rank == 1);
  CHECK(q1.rows[0].metrics[1].value == 7000);
  CHECK(q1.rows[1].entity == "李四");
  CHECK(q1.rows[1].rank == 2);
  CHECK(q1.rows[1].overall_rank == 3);
  CHECK(q1.rows[1].metrics[1].value == 2000);  // last and first by date, not file order
  CHECK(q1.rows[2].entity == "王五");
  CHECK(q1.rows[2].rank == 1);
  CHECK(q1.rows[2].overall_rank == 2);
  REQUIRE(q1.tables.size() == 2);
  CHECK(entities(q1, q1.lists[0].parts[0]) == std::vector<std::string>{"李四"});
  CHECK(entities(q1, q1.lists[0].parts[1]) == std::vector<std::string>{"王五"});
  CHECK(entities(q1, q1.lists[1].parts[0]) == std::vector<std::string>{"张三", "王五"});
  REQUIRE(q1.group_rows.size() == 2);
  CHECK(q1.group_rows[0].group == "二支部");
  CHECK(q1.group_rows[0].metrics[0].value == 6100);
  CHECK(q1.group_rows[1].metrics[0].text == "4500.0");
  CHECK(q1.group_rows[1].members == 2);
  CHECK(q1.group_lists[0].parts[0].items == std::vector<size_t>{0});

  auto history = entity_histories(r);
  REQUIRE(history.size() == 3);
  CHECK(history[2].entity == "王五");
  CHECK(history[2].points.size() == 2);
  CHECK(history[2].points[1].period == "2021-Q2");
}

TEST_CASE("a bad record is an error naming the export file and the record", "[compute]") {
  RankingRule rule = rule_from(kUnitsRule);
  auto with = [](const std::string& second) {
    MemoryFileSystem fs;
    fs.add("site/data/exports/units-2020-11.json",
           "{\"data\": [\n"
           "  {\"日期\": \"2020-11-01\", \"单位\": \"甲\", \"学员总数\": 10, \"活跃学员数\": 9, "
           "\"积分合计\": 300},\n  " +
               second + "\n]}\n");
    return fs;
  };
  CHECK(error_of(rule, with(R"({"日期": "2020-11-01", "单位": "乙", "学员总数": 10, "积分合计": 300})")) ==
        "data/exports/units-2020-11.json:3:3: error: record 2: field '活跃学员数' is missing");
  CHECK(
      error_of(rule,
               with(R"({"日期": "2020-11-01", "单位": "乙", "学员总数": 10, "活跃学员数": "九", "积分合计": 300})")) ==
      "data/exports/units-2020-11.json:3:3: error: record 2: field '活跃学员数' is not a number: \"九\"");
  CHECK(
      error_of(rule,
               with(R"({"日期": "2020-11-01", "单位": "乙", "学员总数": 10, "活跃学员数": null, "积分合计": 300})")) ==
      "data/exports/units-2020-11.json:3:3: error: record 2: field '活跃学员数' is not a number: null");
  CHECK(
      error_of(rule, with(R"({"日期": "2020-11-01", "单位": "乙", "学员总数": 0, "活跃学员数": 0, "积分合计": 0})")) ==
      "data/exports/units-2020-11.json:3:3: error: record 2: field '学员总数' is 0, and 'active / members' divides by it");
  CHECK(
      error_of(rule,
               with(R"({"日期": "2020-11-31", "单位": "乙", "学员总数": 10, "活跃学员数": 9, "积分合计": 300})")) ==
      "data/exports/units-2020-11.json:3:3: error: record 2: field '日期' is not a date: \"2020-11-31\" (2020年11月 has no day 31)");
  CHECK(
      error_of(rule, with(R"({"日期": "昨天", "单位": "乙", "学员总数": 10, "活跃学员数": 9, "积分合计": 300})")) ==
      "data/exports/units-2020-11.json:3:3: error: record 2: field '日期' is not a date: \"昨天\" (expected a date such as 2020-12-16 or 2020年12月16日)");
  CHECK(
      error_of(rule, with(R"({"日期": "2020-11-02", "单位": "乙", "学员总数": 10 "活跃学员数": 9})")) ==
      "data/exports/units-2020-11.json:3:46: error: invalid JSON: syntax error while parsing object - unexpected string literal; expected '}'");
  MemoryFileSystem empty;
  CHECK(error_of(rule, empty) ==
        "data/rules/r.yaml:3:10: error: no export file under data/ matches 'exports/units-*.json'\n"
        "    exports: exports/units-*.json\n"
        "             ^");
}

TEST_CASE("bad_records: skip counts the skipped records and why", "[compute]") {
  RankingRule rule = rule_from(std::string(kUnitsRule) + "bad_records: skip\n");
  MemoryFileSystem fs;
  fs.add("site/data/exports/units-2020-11.json", R"([
{"日期": "2020-11-01", "单位": "甲", "学员总数": 10, "活跃学员数": 9, "积分合计": 300},
{"日期": "2020-11-01", "单位": "乙", "学员总数": 0, "活跃学员数": 0, "积分合计": 0},
{"日期": "2020-11-02", "单位": "乙", "学员总数": 0, "活跃学员数": 0, "积分合计": 0},
{"日期": "2020-11-02", "单位": "乙", "学员总数": 8, "积分合计": 0},
{"日期": "2020-11-02", "单位": "乙", "学员总数": 8, "活跃学员数": 4, "积分合计": 80}
])");
  RuleResults r = compute_rule(rule, fs, "site");
  CHECK(r.skipped.count == 3);
  CHECK(r.skipped.by_reason ==
        std::map<std::string, long>{{"field '学员总数' is 0, and 'active / members' divides by it", 2},
                                    {"field '活跃学员数' is missing", 1}});
  CHECK(r.skipped.examples[0] ==
        "data/exports/units-2020-11.json:3:1: record 2: field '学员总数' is 0, and 'active / members' divides by it");
  REQUIRE(r.periods.size() == 1);
  CHECK(r.periods[0].skipped.count == 3);
  CHECK(r.periods[0].records == 2);
  CHECK_FALSE(r.periods[0].complete);
  CHECK(r.periods[0].rows[0].entity == "甲");
  CHECK(r.periods[0].rows[1].metrics[0].text == "50.00%");
}

TEST_CASE("index.json and index.csv carry ranks, values and texts", "[compute]") {
  RankingRule rule = rule_from(kUnitsRule);
  MemoryFileSystem fs;
  fs.add("site/data/exports/units-1.json",
         "[{\"日期\": \"2020-11-29\", \"单位\": \"中共上海工艺美术职业学院 (上海市工艺美术学校)委员会\", "
         "\"学员总数\": 1000, \"活跃学员数\": 976, \"积分合计\": 43060},"
         " {\"日期\": \"2020-11-29\", \"单位\": \"a,\\\"b\\\"\", \"学员总数\": 100, \"活跃学员数\": 61, "
         "\"积分合计\": \"2060\"}]");
  RuleResults r = compute_rule(rule, fs, "site");
  const PeriodResult& p = r.periods.at(0);
  auto j = period_to_json(rule, p);
  CHECK(j["period"] == "2020-11");
  CHECK(j["complete"] == false);
  CHECK(j["as_of"] == "2020-11-29");
  CHECK(j["rows"][0].dump() ==
        R"({"rank":1,"entity":"中共上海工艺美术职业学院 (上海市工艺美术学校)委员会","records":1,)"
        R"("participation":{"value":0.976,"exact":"0.976","text":"97.60%"},)"
        R"("avg_score":{"value":43.06,"exact":"43.06","text":"43.06"}})");
  CHECK(j["rows"][1]["participation"]["text"] == "61.00%");
  CHECK(period_to_csv(rule, p) ==
        "\xEF\xBB\xBF排名,单位,日人均参与度,日人均积分\r\n"
        "1,中共上海工艺美术职业学院 (上海市工艺美术学校)委员会,97.60%,43.06\r\n"
        "2,\"a,\"\"b\"\"\",61.00%,20.60\r\n");
}

TEST_CASE("a published period reads back from its index.json as published", "[compute]") {
  MemoryFileSystem fs;
  fs.add("site/data/exports/m.jsonl",
         "{\"日期\": \"2021-01-01\", \"姓名\": \"张三\", \"党支部\": \"一支部\", \"成长总积分\": 1000}\n"
         "{\"日期\": \"2021-02-10\", \"姓名\": \"张三\", \"党支部\": \"一支部\", \"成长总积分\": 3000}\n"
         "{\"日期\": \"2021-01-01\", \"姓名\": \"王五\", \"党支部\": \"二支部\", \"成长总积分\": 100}\n"
         "{\"日期\": \"2021-02-10\", \"姓名\": \"王五\", \"党支部\": \"二支部\", \"成长总积分\": 6200}\n");
  RankingRule rule = rule_from(R"(title: 季度通报
exports: exports/*.jsonl
fields: {date: 日期, member: 姓名, branch: 党支部, total: 成长总积分}
entity: member
group: branch
period: quarter
metrics:
  - {id: growth, label: 本期增长, value: last(total) - first(total), format: decimal:0}
)");
  RuleResults results = compute_rule(rule, fs, "site");
  REQUIRE(results.periods.size() == 1);
  const PeriodResult& p = results.periods[0];
  auto back = period_from_json(rule, nlohmann::json::parse(period_to_json(rule, p).dump()));
  REQUIRE(back);
  CHECK(back->id == "2021-Q1");
  CHECK(back->first == p.first);
  CHECK(back->last == p.last);
  CHECK(back->complete == p.complete);
  CHECK(back->last_in_data == p.last_in_data);
  REQUIRE(back->rows.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(back->rows[i].entity == p.rows[i].entity);
    CHECK(back->rows[i].group == p.rows[i].group);
    CHECK(back->rows[i].rank == p.rows[i].rank);
    CHECK(back->rows[i].metrics[0].value == p.rows[i].metrics[0].value);
    CHECK(back->rows[i].metrics[0].text == p.rows[i].metrics[0].text);
  }
  CHECK(back->tables.size() == 2);  // one per branch
  CHECK(entity_histories(RuleResults{{}, {}, {}, {*back}, 0, {}}).size() == 2);
}

TEST_CASE("export files can be left unread, and each file read reports its dates", "[compute]") {
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.jsonl",
         "{\"日期\": \"2021-01-05\", \"姓名\": \"张三\", \"成长总积分\": 10}\n"
         "{\"日期\": \"2021-01-02\", \"姓名\": \"张三\", \"成长总积分\": 5}\n");
  fs.add("site/data/exports/b.jsonl", "{\"日期\": \"2021-04-01\", \"姓名\": \"张三\", \"成长总积分\": 20}\n");
  RankingRule rule = rule_from(R"(title: t
exports: exports/*.jsonl
fields: {date: 日期, member: 姓名, total: 成长总积分}
entity: member
period: quarter
metrics: [{id: total, label: 积分, value: last(total)}]
)");
  RuleResults all = compute_rule(rule, fs, "site");
  REQUIRE(all.spans.size() == 2);
  CHECK(all.spans[0].path == "data/exports/a.jsonl");
  CHECK(all.spans[0].first == Date{2021, 1, 2});
  CHECK(all.spans[0].last == Date{2021, 1, 5});
  CHECK(all.spans[0].records == 2);
  RuleResults some = compute_rule(rule, fs, "site", [](const std::string& p) { return p.ends_with("a.jsonl"); });
  CHECK(some.unread == std::vector<std::string>{"data/exports/a.jsonl"});
  CHECK(some.exports == std::vector<std::string>{"data/exports/b.jsonl"});
  REQUIRE(some.periods.size() == 1);
  CHECK(some.periods[0].id == "2021-Q2");
}
