// The site build's rankings come from a PeriodStore (compute_rule_output):
// every page and file made from it equals the one made from all periods held
// in memory (compute_rule), and published periods restored from their
// snapshots replace or join the computed ones in calendar order.
#include <catch2/catch.hpp>

#include "compute/period_store.h"
#include "compute/ranking_output.h"
#include "compute/rankings_testing.h"
#include "render/ranking_pages.h"

using namespace bulletin;
using bulletin::testing::rule_from;

namespace {

const char* kRule = R"(id: s
title: 存储
exports: exports/*.jsonl
fields: {date: 日期, unit: 单位, branch: 支部, v: 值}
entity: unit
group: branch
period: month
metrics:
  - {id: total, label: 合计, value: sum(v), format: decimal:2}
  - {id: avg, label: 均值, value: mean(v), format: decimal:3}
  - {id: delta, label: 增量, value: last(v) - first(v), format: decimal:2}
order: [avg desc, total asc]
lists:
  - {id: top3, label: 前三, top: 3, per_group: false}
  - {id: bottom1, label: 末位, bottom: 1}
groups:
  metrics:
    - {id: gavg, label: 组均, value: mean(avg), format: decimal:3}
  order: [gavg desc]
  lists:
    - {id: best, label: 最佳, top: 1}
bad_records: skip
)";

// 12 units in 3 branches over four months (unit 5 only in months 1 and 3,
// unit 7 past 128 bits), a bad record and a month with only a bad record.
std::string exports() {
  std::string out;
  for (int month = 1; month <= 4; ++month)
    for (int unit = 0; unit < 12; ++unit) {
      if (unit == 5 && month % 2 == 0) continue;
      for (int k = 0; k < 2; ++k) {
        std::string value = std::to_string((unit * 7 + month * 3 + k) % 11 - 3) + "." + std::to_string(unit % 10) + "5";
        if (unit == 7) value = k == 0 ? "1e200" : "-3.005";
        out += "{\"日期\": \"2021-0" + std::to_string(month) + "-1" + std::to_string(k) + "\", \"单位\": \"U" +
               std::to_string(unit) + "\", \"支部\": \"B" + std::to_string(unit % 3) + "\", \"值\": " + value + "}\n";
      }
    }
  out += "{\"日期\": \"2021-02-10\", \"单位\": \"U1\", \"支部\": \"B1\", \"值\": \"1,5\"}\n";
  out += "{\"日期\": \"2021-06-01\", \"单位\": \"U2\", \"支部\": \"B2\", \"值\": \"x\"}\n";
  return out;
}

}  // namespace

TEST_CASE("pages and files made from the period store equal those made from periods in memory", "[render][store]") {
  RankingRule rule = rule_from(kRule);
  MemoryFileSystem fs;
  fs.add("site/data/exports/a.jsonl", exports());
  RuleOutput memory{rule, compute_rule(rule, fs, "site")};
  RuleOutput stored = compute_rule_output(rule, fs, "site", {}, {});
  REQUIRE(stored.store);
  REQUIRE(memory.results.periods.size() == 5);
  REQUIRE(stored.results.periods.size() == 5);
  for (size_t k = 0; k < 5; ++k) {
    INFO("period " << memory.results.periods[k].id);
    CHECK(stored.results.periods[k].rows.empty());  // the summary holds no rows
    PeriodResult p = stored.period(k);
    CHECK(period_json_text(rule, p) == period_json_text(rule, memory.results.periods[k]));
    CHECK(period_to_csv(rule, p) == period_to_csv(rule, memory.results.periods[k]));
    CHECK(ranking_period_page(stored, k, p).dump() == ranking_period_page(memory, k, memory.results.periods[k]).dump());
    CHECK(period_bytes(period_from_bytes(period_bytes(p))) == period_bytes(p));
  }
  CHECK(ranking_rule_page(stored).dump() == ranking_rule_page(memory).dump());
  REQUIRE(stored.entity_count() == 12);
  REQUIRE(memory.entity_count() == 12);
  for (size_t e = 0; e < 12; ++e) {
    INFO("entity " << memory.entity(e).first);
    CHECK(stored.entity(e) == memory.entity(e));
    CHECK(ranking_entity_page(stored, stored.history(e)).dump() ==
          ranking_entity_page(memory, memory.history(e)).dump());
  }
  CHECK(stored.history(stored.entity_count() - 1).points.size() == 4);  // U9: every month with rows

  // Restored periods: one replaces the computed 2021-02, one (2020-12) comes first.
  PeriodResult feb = memory.results.periods[1];
  feb.rows.resize(1);
  feb.tables = {{feb.rows[0].group, {0}}};
  PeriodResult dec = feb;
  dec.id = "2020-12";
  dec.first = *parse_date("2020-12-01");
  dec.last = *parse_date("2020-12-31");
  RuleOutput restored = compute_rule_output(rule, fs, "site", {}, {feb, dec});
  REQUIRE(restored.results.periods.size() == 6);
  CHECK(restored.results.periods[0].id == "2020-12");
  CHECK(restored.results.periods[2].id == "2021-02");
  CHECK(restored.period(2).rows.size() == 1);
  CHECK(period_json_text(rule, restored.period(3)) == period_json_text(rule, memory.results.periods[2]));
  // The entity of the restored row has a point in both restored periods, in calendar order.
  auto who = std::make_pair(feb.rows[0].entity, feb.rows[0].group);
  bool found = false;
  for (size_t e = 0; e < restored.entity_count(); ++e) {
    if (restored.entity(e) != who) continue;
    found = true;
    EntityHistory h = restored.history(e);
    REQUIRE(h.points.size() >= 3);
    CHECK(h.points[0].period == "2020-12");
    CHECK(h.points[1].period == "2021-01");
    CHECK(h.points[2].period == "2021-02");
  }
  CHECK(found);
}
