// The files beside each ranking page: index.json and index.csv.
//
// index.json holds everything the page shows, with full-precision values:
// each value as the nearest double ("value", for programs), its exact form
// ("exact": "0.035", or "1/3" when it has no finite decimal; null when
// undefined) and the printed text:
//   {"rule", "title", "period", "kind", "start", "end", "complete", "as_of",
//    "records", "skipped": {"count", "reasons": {reason: n}, "examples": [...]},
//    "metrics": [{"id", "label", "format"}],
//    "rows": [{"rank", "overall_rank"?, "entity", "group"?, "records",
//              <metric id>: {"value": 0.976, "exact": "0.976", "text": "97.60%"}, ...}],
//    "lists": {<id>: {"label", "entries": [{"rank", "entity", "group"?}],
//                     "ties_extended", "parts"?: [{"group", "entities", "ties_extended"}]}},
//    "groups"?: {"metrics": [...], "rows": [{"rank", "group", "members", <id>: {...}}],
//                "lists": {<id>: {"label", "entries": [{"rank", "group"}], "ties_extended"}}}}
// index.csv holds the table: UTF-8 with a BOM (so Excel reads Chinese),
// CRLF line ends and RFC 4180 quoting; a header row of labels, then one row
// per entity with the printed texts.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "compute/rankings.h"
#include "compute/rules.h"

namespace bulletin {

// index.json as written to the site: nlohmann's dump(2) layout and a final
// line break, streamed into one string.
std::string period_json_text(const RankingRule& rule, const PeriodResult& period);
// The same as a JSON value.
nlohmann::ordered_json period_to_json(const RankingRule& rule, const PeriodResult& period);

std::string period_to_csv(const RankingRule& rule, const PeriodResult& period);

// A period's rows back from its index.json, as published: id, range,
// completeness, rows with ranks and metric values and texts, and one table
// per group. Lists and group results are left out (a published period's page
// comes from its snapshot; what is restored serves histories and indexes).
// nullopt when the JSON is not a period of this rule.
std::optional<PeriodResult> period_from_json(const RankingRule& rule, const nlohmann::json& json);

// One CSV field, quoted when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& s);

}  // namespace bulletin
