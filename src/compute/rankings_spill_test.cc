// Rows spilled to the temporary file give the same results as rows kept in
// memory: every period's index.json and index.csv byte for byte, whatever the
// order of the records, for every kind of aggregate (first/last ties on one
// date decided by reading order, values past 128 bits), groups, lists and
// skipped records.
#include <catch2/catch.hpp>
#include <cstdio>

#include "compute/ranking_output.h"
#include "compute/rankings.h"
#include "compute/rankings_testing.h"

using namespace bulletin;
using bulletin::testing::rule_from;

namespace {

const char* kRule = R"(id: s
title: 溢出
exports: exports/*.jsonl
fields: {date: 日期, unit: 单位, branch: 支部, v: 值}
entity: unit
group: branch
period: month
metrics:
  - {id: total, label: 合计, value: sum(v), format: decimal:2}
  - {id: avg, label: 均值, value: mean(v), format: decimal:3}
  - {id: span, label: 极差, value: max(v) - min(v), format: decimal:1}
  - {id: delta, label: 增量, value: last(v) - first(v), format: decimal:2}
  - {id: low, label: 低值天数, value: count(v < 5), format: integer}
order: [avg desc, total asc]
lists:
  - {id: top3, label: 前三, top: 3, per_group: false}
  - {id: bottom1, label: 末位, bottom: 1}
  - {id: neg, label: 负增量, where: delta < 0}
groups:
  metrics:
    - {id: gavg, label: 组均, value: mean(avg), format: decimal:3}
  order: [gavg desc]
  lists:
    - {id: best, label: 最佳, top: 1}
bad_records: skip
)";

// 30 units in 3 branches over five months, three records a unit a month
// (two of them on the same date, so first/last depend on reading order),
// in a scrambled order over two files, with a few bad records; unit 7's
// values need more than 128 bits.
std::vector<std::string> scrambled_exports() {
  std::vector<std::string> lines;
  for (int month = 1; month <= 5; ++month)
    for (int unit = 0; unit < 30; ++unit)
      for (int k = 0; k < 3; ++k) {
        int day = k == 2 ? 20 : 10;
        std::string value = std::to_string((unit * 37 + month * 11 + k * 5) % 23 - 4) + "." +
                            std::to_string((unit + k * 3 + month) % 10) + "5";
        if (unit == 7) value = k == 0 ? "1e200" : k == 1 ? "\"1e-200\"" : "-3.005";
        char date[16];
        std::snprintf(date, sizeof date, "2021-%02d-%02d", month, day);
        lines.push_back(std::string("{\"日期\": \"") + date + "\", \"单位\": \"U" + std::to_string(unit) +
                        "\", \"支部\": \"B" + std::to_string(unit % 3) + "\", \"值\": " + value + "}\n");
      }
  lines.push_back("{\"日期\": \"2021-03-10\", \"单位\": \"U1\", \"支部\": \"B1\", \"值\": \"1,5\"}\n");
  lines.push_back("{\"日期\": \"2021-06-01\", \"单位\": \"U2\", \"支部\": \"B2\", \"值\": \"x\"}\n");
  // A fixed scramble (multiplicative step coprime to the count).
  std::vector<std::string> files(2);
  const size_t n = lines.size();
  for (size_t i = 0; i < n; ++i) files[i < n / 2 ? 0 : 1] += lines[(i * 131 + 17) % n];
  return files;
}

std::vector<std::string> outputs(const RankingRule& rule, const MemoryFileSystem& fs, long& spilled) {
  std::vector<std::string> out;
  RuleResults r = compute_rule_each(rule, fs, "site", [&](PeriodResult&& p) {
    out.push_back(p.id + "\n" + period_json_text(rule, p) + period_to_csv(rule, p));
  });
  spilled = r.spilled_rows;
  return out;
}

}  // namespace

TEST_CASE("rows spilled to the temporary file give byte-identical index.json and index.csv", "[compute][spill]") {
  RankingRule rule = rule_from(kRule);
  MemoryFileSystem fs;
  auto files = scrambled_exports();
  REQUIRE(files.size() == 2);
  fs.add("site/data/exports/a.jsonl", files[0]);
  fs.add("site/data/exports/b.jsonl", files[1]);

  long spilled = -1;
  std::vector<std::string> in_memory = outputs(rule, fs, spilled);
  CHECK(spilled == 0);
  // Five months of 30 units, and June with only a skipped record.
  REQUIRE(in_memory.size() == 6);
  CHECK(in_memory[0].rfind("2021-01\n", 0) == 0);
  CHECK(in_memory[5].rfind("2021-06\n", 0) == 0);

  for (size_t limit : {1, 7, 31, 64}) {
    INFO("rows kept in memory: " << limit);
    set_rankings_live_rows(limit);
    std::vector<std::string> spilled_out = outputs(rule, fs, spilled);
    set_rankings_live_rows(32768);
    CHECK(spilled > 0);
    REQUIRE(spilled_out.size() == in_memory.size());
    for (size_t i = 0; i < in_memory.size(); ++i) CHECK(spilled_out[i] == in_memory[i]);
  }

  // compute_rule() holds the same periods, in the same calendar order.
  RuleResults all = compute_rule(rule, fs, "site");
  REQUIRE(all.periods.size() == in_memory.size());
  for (size_t i = 0; i < in_memory.size(); ++i)
    CHECK(all.periods[i].id + "\n" + period_json_text(rule, all.periods[i]) + period_to_csv(rule, all.periods[i]) ==
          in_memory[i]);
}
