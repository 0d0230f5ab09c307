// Export reading: the input is one export file, read as a JSON array or a
// wrapped array (.json), as JSON Lines (.jsonl), as CSV and as XLSX, under a sample rule.
#include <cstdint>
#include <string>

#include "compute/exports.h"
#include "compute/rules.h"

using namespace bulletin;

namespace {
const char kRule[] =
    "id: fuzz\ntitle: 学习情况\nexports: exports/*\nfields:\n  date: 日期\n  unit: 单位\n  members: 学员总数\n"
    "  active: 活跃学员数\nentity: unit\nperiod: month\nmetrics:\n  - id: participation\n    label: 参与度\n"
    "    value: mean(active / members)\n    format: percent:2\norder: [participation desc]\n";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const RankingRule rule = [] {
    Diagnostics diags;
    auto r = parse_rule("data/rules/fuzz.yaml", kRule, diags);
    if (!r) __builtin_trap();
    return *r;
  }();
  std::string text(reinterpret_cast<const char*>(data), size);
  MemoryFileSystem fs;
  fs.add("p/data/exports/x.json", text);
  fs.add("p/data/exports/x.jsonl", text);
  fs.add("p/data/exports/x.csv", text);
  fs.add("p/data/exports/x.xlsx", text);
  for (const char* path :
       {"data/exports/x.json", "data/exports/x.jsonl", "data/exports/x.csv", "data/exports/x.xlsx"}) {
    long records = 0;
    try {
      read_export(
          rule, fs, "p", path, [&](const ExportRecord&) { ++records; }, [&](const BadRecord& b) { (void)b.message(); });
    } catch (const Error& e) {
      (void)e.diagnostic().format();
    }
  }
  return 0;
}
