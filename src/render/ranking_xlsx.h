// index.xlsx: a ranking period as an Excel workbook, beside index.csv.
//
// Written with libxlsxwriter from the period's index.json, so a published
// period's workbook is what its snapshot holds. Sheet 1 is the table: the
// rule's title and the period as a title row, a frozen header row (the same
// columns as index.csv), one row per entity; ranks and metric values are
// numbers (full precision, as in index.json) shown with the metric's format
// ("0.00%" for percent:2, "0.00" for decimal:2), so Excel sums and sorts
// them; an undefined value is the text "—". Notes (period range, as-of date,
// skipped records) follow the table after a blank row. The lists, and the
// groups' table and lists, each get their own sheet. Column widths fit the
// widest text (CJK characters count double). The bytes depend only on the
// JSON: the workbook's creation time is the period's last day.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "compute/rules.h"

namespace bulletin {

// `rule` gives the rank, entity and group column headers as index.csv has
// them; without it (a published period whose rule is gone) they are
// "排名", "名称" and "分组". libxlsxwriter writes the workbook to a file
// first: an unnamed (O_TMPFILE) one in `temp_dir` (default: the system's
// temporary folder), else a named one there, removed whatever happens
// (the build passes the project's .bulletin-cache/xlsx/).
std::string ranking_xlsx(const nlohmann::json& index_json, const RankingRule* rule, const std::string& temp_dir = "");

// The folder a build gives ranking_xlsx(): <project>/.bulletin-cache/xlsx,
// made if missing; "" (the system's) when the project is not on disk or the
// folder cannot be made.
std::string xlsx_temp_dir(const std::string& project_root, bool on_disk);

// For tests: always use the named temporary file (as on a file system
// without O_TMPFILE).
extern bool force_named_temp_xlsx;

// "0.00%" for percent:2, "0.0" for decimal:1, "0" for decimal:0.
std::string excel_number_format(const std::string& format_spec);

}  // namespace bulletin
