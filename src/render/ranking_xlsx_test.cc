#include "render/ranking_xlsx.h"

#include <zip.h>

#include <cstdlib>
#include <filesystem>

#include <catch2/catch.hpp>

#include "compute/ranking_output.h"
#include "compute/rankings.h"
#include "compute/rankings_testing.h"

using namespace bulletin;
using bulletin::testing::error_of;
using bulletin::testing::rule_from;

namespace {

// The text of one part of a workbook.
std::string part(const std::string& xlsx, const char* name) {
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t* src = zip_source_buffer_create(xlsx.data(), xlsx.size(), 0, &ze);
  REQUIRE(src);
  zip_t* z = zip_open_from_source(src, ZIP_RDONLY, &ze);
  REQUIRE(z);
  std::string out;
  if (zip_file_t* f = zip_fopen(z, name, 0)) {
    char buf[4096];
    for (zip_int64_t n; (n = zip_fread(f, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
    zip_fclose(f);
  }
  zip_discard(z);
  return out;
}

}  // namespace

TEST_CASE("Excel number formats follow the metric's format", "[render]") {
  CHECK(excel_number_format("percent:2") == "0.00%");
  CHECK(excel_number_format("decimal:1") == "0.0");
  CHECK(excel_number_format("decimal:0") == "0");
  CHECK(excel_number_format("nonsense") == "General");
}

TEST_CASE("index.xlsx: title, frozen header, numbers with formats, lists and groups on their own sheets", "[render]") {
  RankingRule rule = rule_from(R"(id: branches
title: 党员积分
exports: exports/m-*.json
fields: {date: 日期, member: 姓名, branch: 党支部, total: 成长总积分}
entity: member
group: branch
period: month
metrics:
  - {id: total, label: 成长总积分, value: last(total), format: decimal:0}
  - {id: share, label: 占比, value: last(total) / 1000, format: percent:1}
order: [total desc]
lists:
  - {id: low, label: 积分较低, bottom: 1, per_group: false}
groups:
  metrics:
    - {id: avg, label: 平均积分, value: mean(total), format: decimal:1}
  order: [avg desc]
  lists:
    - {id: best, label: 最佳组织奖, top: 1}
)");
  MemoryFileSystem fs;
  fs.add("p/data/exports/m-1.json", R"([
{"日期": "2020-11-30", "姓名": "张三", "党支部": "第一党支部", "成长总积分": 905},
{"日期": "2020-11-30", "姓名": "李四", "党支部": "第一党支部", "成长总积分": 120},
{"日期": "2020-11-30", "姓名": "王五", "党支部": "第二党支部", "成长总积分": 600}
])");
  RuleResults r = compute_rule(rule, fs, "p");
  REQUIRE(r.periods.size() == 1);
  nlohmann::json j = nlohmann::json::parse(period_to_json(rule, r.periods[0]).dump());
  std::string xlsx = ranking_xlsx(j, &rule);
  CHECK(ranking_xlsx(j, &rule) == xlsx);  // deterministic

  std::string workbook = part(xlsx, "xl/workbook.xml");
  CHECK(workbook.find(R"(<sheet name="排名" sheetId="1")") != std::string::npos);
  CHECK(workbook.find(R"(<sheet name="名单" sheetId="2")") != std::string::npos);
  CHECK(workbook.find(R"(<sheet name="党支部汇总" sheetId="3")") != std::string::npos);
  CHECK(workbook.find(R"(<sheet name="党支部名单" sheetId="4")") != std::string::npos);
  CHECK(part(xlsx, "docProps/core.xml").find("<dcterms:created xsi:type=\"dcterms:W3CDTF\">2020-11-30T00:00:00Z") !=
        std::string::npos);
  std::string styles = part(xlsx, "xl/styles.xml");
  CHECK(styles.find(R"(formatCode="0.0%")") != std::string::npos);
  CHECK(styles.find(R"(formatCode="0.0")") != std::string::npos);

  std::string table = part(xlsx, "xl/worksheets/sheet1.xml");
  CHECK(table.find(R"(<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/>)") !=
        std::string::npos);
  CHECK(table.find(R"(<mergeCell ref="A1:E1"/>)") != std::string::npos);
  // Row 3: rank 1, 张三, 第一党支部, 905, 0.905 as numbers.
  CHECK(table.find(R"(<c r="A3" s=")") != std::string::npos);
  CHECK(table.find("<v>905</v>") != std::string::npos);
  CHECK(table.find("<v>0.905</v>") != std::string::npos);
  CHECK(table.find("<v>0.12</v>") != std::string::npos);
  // Chinese headers are twice as wide as their characters: 成长总积分 -> 10 + 2.
  CHECK(table.find(R"(<col min="4" max="4" width="12.7109375")") != std::string::npos);

  std::string strings = part(xlsx, "xl/sharedStrings.xml");
  for (const char* s : {"党员积分 2020年11月", "排名", "姓名", "党支部", "成长总积分", "占比", "张三", "积分较低",
                        "李四", "最佳组织奖", "平均积分", "统计期间：2020年11月1日至2020年11月30日"})
    CHECK(strings.find(std::string(">") + s + "<") != std::string::npos);
  std::string groups = part(xlsx, "xl/worksheets/sheet3.xml");
  CHECK(groups.find("<v>512.5</v>") != std::string::npos);
}

namespace {

// The names in `dir`.
std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename().string());
  return out;
}

}  // namespace

TEST_CASE("index.xlsx leaves no temporary file behind, made or failed, unnamed or named", "[render]") {
  char tmpl[] = "/tmp/bulletin-xlsx-test-XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  const std::string dir = tmpl;
  nlohmann::json good = {
      {"rule", "r"},
      {"title", "积分"},
      {"period", "2020-11"},
      {"kind", "month"},
      {"start", "2020-11-01"},
      {"end", "2020-11-30"},
      {"metrics", nlohmann::json::array({{{"id", "v"}, {"label", "值"}, {"format", "decimal:0"}}})},
      {"rows", nlohmann::json::array({{{"rank", 1}, {"entity", "甲"}, {"v", {{"value", 3}, {"text", "3"}}}}})}};
  nlohmann::json bad = good;
  bad["rows"][0]["rank"] = "first";  // not a number: the writer throws half-way through the workbook
  for (bool named : {false, true}) {
    INFO((named ? "named file" : "O_TMPFILE"));
    force_named_temp_xlsx = named;
    std::string xlsx = ranking_xlsx(good, nullptr, dir);
    CHECK(part(xlsx, "xl/sharedStrings.xml").find(">甲<") != std::string::npos);
    CHECK(names_in(dir).empty());
    CHECK_THROWS_AS(ranking_xlsx(bad, nullptr, dir), nlohmann::json::type_error);
    CHECK(names_in(dir).empty());
  }
  // A folder that cannot hold the file: the error names it.
  force_named_temp_xlsx = true;
  std::string missing = dir + "/missing";
  try {
    ranking_xlsx(good, nullptr, missing);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.diagnostic().format() == missing + ": error: cannot create a temporary file for index.xlsx");
  }
  force_named_temp_xlsx = false;
  std::filesystem::remove_all(dir);
}
