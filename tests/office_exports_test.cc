// End-to-end: the sample project's office exports (data/exports/office/: the
// November 2020 units export as an Excel workbook, December as a GBK CSV)
// give the same rankings as the JSON exports they were made from.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "e2e.h"

using namespace e2e;

TEST_CASE("the sample's Excel and GBK CSV exports rank exactly as the JSON exports of the same months",
          "[e2e][exports]") {
  fs::path site = sample_site();
  for (const char* month : {"2020-11", "2020-12"}) {
    INFO(month);
    fs::path json_dir = site / "rankings/xxqg-units" / month;
    fs::path office_dir = site / "rankings/xxqg-units-office" / month;
    CHECK(read_file(office_dir / "index.csv") == read_file(json_dir / "index.csv"));
    auto a = nlohmann::json::parse(read_file(json_dir / "index.json"));
    auto b = nlohmann::json::parse(read_file(office_dir / "index.json"));
    // November is published: its index.json keeps the doubles the snapshot
    // was made with (before exact arithmetic), so values agree to the last
    // bits only; every rank, entity and printed text must be the same.
    REQUIRE(b["rows"].size() == a["rows"].size());
    for (size_t i = 0; i < a["rows"].size(); ++i) {
      auto x = a["rows"][i], y = b["rows"][i];
      for (auto& [key, v] : x.items())
        if (v.is_object() && v.contains("value")) {
          CHECK(y[key]["value"].get<double>() == Approx(v["value"].get<double>()).epsilon(1e-12));
          v.erase("value"), y[key].erase("value");
          v.erase("exact"), y[key].erase("exact");
        }
      CHECK(y == x);
    }
    CHECK(b["records"] == a["records"]);
    CHECK(fs::file_size(office_dir / "index.xlsx") > 0);
  }
  // Seed 000's first row.
  std::string csv = read_file(site / "rankings/xxqg-units-office/2020-11/index.csv");
  CHECK(csv.starts_with(
      "\xEF\xBB\xBF排序,单位,日人均参与度,日人均积分\r\n1,中共上海出版印刷高等专科学校委员会,97.60%,43.06\r\n"));
}
