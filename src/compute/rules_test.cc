#include "compute/rules.h"

#include <catch2/catch.hpp>

using namespace bulletin;

namespace {

const char* kUnits = R"yaml(id: units
title: 学习情况
exports: exports/units-*.json
fields:
  date: 日期
  unit: 单位
  members: 学员总数
  active: 活跃学员数
entity: unit
period: month
metrics:
  - id: participation
    value: mean(activ / members)
    format: percent:2
)yaml";

std::string problems(const std::string& text) {
  Diagnostics diags;
  auto rule = parse_rule("data/rules/units.yaml", text, diags);
  CHECK_FALSE(rule);
  return diags.format_all();
}

}  // namespace

TEST_CASE("an unknown name is reported at its line and column with a suggestion", "[compute]") {
  CHECK(problems(kUnits) ==
        "data/rules/units.yaml:13:17: error: unknown name 'activ' in expression; did you mean "
        "'active'?\n"
        "        value: mean(activ / members)\n"
        "                    ^\n");
}

TEST_CASE("columns in rule errors count characters after Chinese text", "[compute]") {
  std::string text = R"yaml(title: 学习情况
exports: e.json
fields: {date: 日期, unit: 单位, score: 积分}
entity: unit
period: month
metrics:
  - {id: s, label: 日人均积分, value: "mean(scor)"}
)yaml";
  CHECK(problems(text) ==
        "data/rules/units.yaml:7:40: error: unknown name 'scor' in expression; did you mean "
        "'score'?\n"
        "      - {id: s, label: 日人均积分, value: \"mean(scor)\"}\n"
        "    " +
            std::string(44, ' ') + "^\n");
}

TEST_CASE("rule keys, periods, orders and lists are checked", "[compute]") {
  std::string text = R"yaml(title: t
exports: e.json
fields: {date: 日期, unit: 单位, score: 积分}
entity: unti
period: monthly
metric: []
)yaml";
  Diagnostics diags;
  CHECK_FALSE(parse_rule("data/rules/units.yaml", text, diags));
  std::vector<std::string> messages;
  for (const auto& d : diags.items())
    messages.push_back(std::to_string(d.where.line) + ":" + std::to_string(d.where.column) + ": " + d.message);
  CHECK(messages == std::vector<std::string>{
                        "6:1: unknown key 'metric' in a rule; did you mean 'metrics'?",
                        "4:9: 'entity' names 'unti', which is not in 'fields'; did you mean 'unit'?",
                        "5:9: unknown period 'monthly'; use day, week, month, quarter, half or year",
                        "1:1: 'metrics' must be a list of at least one metric",
                    });
}

TEST_CASE("orders, lists and group metrics are resolved", "[compute]") {
  std::string text = R"yaml(id: branch-report
title: 季度通报
exports: [exports/a.json, exports/b.jsonl]
fields: {date: 日期, member: 姓名, branch: 党支部, total: 成长总积分}
entity: member
group: branch
period: quarter
metrics:
  - {id: total, label: 成长总积分, value: last(total), format: decimal:0}
  - {id: growth, label: 本期增长, value: last(total) - first(total), format: decimal:0}
order: [growth desc, total asc]
lists:
  - {id: talk, label: 倒数后三名, bottom: 3}
  - {id: activists, label: 学习积极分子, where: growth >= 6000, per_group: false}
groups:
  metrics:
    - {id: avg_growth, label: 平均积分, value: mean(growth), format: decimal:1}
  order: [avg_growth desc]
  lists:
    - {id: best, label: 最佳组织奖, top: 1}
bad_records: skip
)yaml";
  Diagnostics diags;
  auto rule = parse_rule("data/rules/x.yaml", text, diags);
  INFO(diags.format_all());
  REQUIRE(rule);
  CHECK(rule->id == "branch-report");
  CHECK(rule->exports == std::vector<std::string>{"exports/a.json", "exports/b.jsonl"});
  CHECK(rule->has_group());
  CHECK(rule->entity_label() == "姓名");
  CHECK(rule->number_fields == std::vector<int>{3});
  CHECK(rule->terms.size() == 3);
  CHECK(rule->order.size() == 2);
  CHECK(rule->order[1].metric == 0);
  CHECK_FALSE(rule->order[1].descending);
  CHECK(rule->lists[0].bottom == 3);
  CHECK(rule->lists[0].per_group);
  CHECK_FALSE(rule->lists[1].per_group);
  REQUIRE(rule->groups);
  CHECK(rule->groups->lists[0].top == 1);
  CHECK(rule->bad_records == BadRecords::Skip);
}

TEST_CASE("a metric may use only the metrics above it", "[compute]") {
  std::string text = R"yaml(title: t
exports: e.json
fields: {date: 日期, unit: 单位, total: 积分}
entity: unit
period: year
metrics:
  - {id: growth, value: last(total) - first, format: decimal:0}
  - {id: first, value: first(total)}
order: [growht]
)yaml";
  CHECK(problems(text) ==
        "data/rules/units.yaml:7:39: error: metric 'first' is defined further down; a metric can "
        "use only the metrics above it\n"
        "      - {id: growth, value: last(total) - first, format: decimal:0}\n"
        "                                          ^\n"
        "data/rules/units.yaml:9:9: error: order names unknown metric 'growht'\n"
        "    order: [growht]\n"
        "            ^\n");
}
