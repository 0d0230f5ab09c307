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

TEST_CASE("rule keys may be written in Chinese", "[compute]") {
  std::string english =
      "id: units\ntitle: 学习情况\nexports: e.json\nfields: {date: 日期, unit: 单位, dept: 支部, score: 积分}\n"
      "entity: unit\ngroup: dept\nperiod: month\nrank_label: 名次\n"
      "metrics:\n  - {id: total, label: 积分, value: sum(score), format: decimal:1}\n"
      "order: [total desc]\n"
      "lists:\n  - {id: best, label: 前列, top: 1, per_group: false}\n"
      "groups:\n  metrics:\n    - {id: avg, label: 平均, value: mean(total)}\n  order: [avg desc]\n"
      "  lists:\n    - {id: first, label: 第一, top: 1}\n";
  std::string chinese =
      "代号: units\n标题: 学习情况\n数据: e.json\n字段: {date: 日期, unit: 单位, dept: 支部, score: 积分}\n"
      "排名对象: unit\n分组: dept\n周期: month\n排名列名: 名次\n"
      "指标:\n  - {代号: total, 名称: 积分, 公式: sum(score), 格式: decimal:1}\n"
      "排序: [total desc]\n"
      "名单:\n  - {代号: best, 名称: 前列, 前几名: 1, 每组: false}\n"
      "分组排名:\n  指标:\n    - {代号: avg, 名称: 平均, 公式: mean(total)}\n  排序: [avg desc]\n"
      "  名单:\n    - {代号: first, 名称: 第一, 前几名: 1}\n";
  Diagnostics diags;
  auto a = parse_rule("data/rules/a.yaml", english, diags);
  auto b = parse_rule("data/rules/a.yaml", chinese, diags);
  CHECK(diags.format_all() == "");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(b->id == a->id);
  CHECK(b->title == a->title);
  CHECK(b->rank_label == "名次");
  CHECK(b->exports == a->exports);
  CHECK(b->group_field == a->group_field);
  CHECK(b->entity_field == a->entity_field);
  REQUIRE(b->metrics.size() == 1);
  CHECK(b->metrics[0].label == "积分");
  CHECK(b->metrics[0].value_text == "sum(score)");
  REQUIRE(b->lists.size() == 1);
  CHECK(b->lists[0].top == 1);
  CHECK_FALSE(b->lists[0].per_group);
  REQUIRE(b->groups);
  REQUIRE(b->groups->metrics.size() == 1);
  CHECK(b->groups->metrics[0].id == "avg");
  REQUIRE(b->groups->lists.size() == 1);
  CHECK(b->groups->lists[0].id == "first");
}

TEST_CASE("a rule key written in Chinese keeps the place of its value in messages", "[compute]") {
  std::string text =
      "标题: t\n数据: e.json\n字段: {date: 日期, unit: 单位, score: 积分}\n排名对象: unit\n周期: month\n"
      "指标:\n  - 代号: n\n    公式: sum(scor)\n";
  Diagnostics diags;
  CHECK_FALSE(parse_rule("data/rules/a.yaml", text, diags));
  CHECK(diags.format_all() ==
        "data/rules/a.yaml:8:13: error: unknown name 'scor' in expression; did you mean 'score'?\n"
        "        公式: sum(scor)\n"
        "                  ^\n");
}

TEST_CASE("a rule key given in English and in Chinese is an error at the second", "[compute]") {
  std::string text =
      "title: t\n标题: u\nexports: e.json\nfields: {date: 日期, unit: 单位}\nentity: unit\n"
      "period: month\nmetrics:\n  - {id: n, value: count()}\n";
  Diagnostics diags;
  CHECK_FALSE(parse_rule("data/rules/a.yaml", text, diags));
  CHECK(diags.format_all() ==
        "data/rules/a.yaml:2:1: error: field '标题' is given twice ('title')\n"
        "    标题: u\n"
        "    ^\n");
}
