// Rankings: a rule applied to its exports, giving one result per period.
//
// compute_rule() streams every export record once and keeps, per period and
// entity, only the running state of each aggregate term (sum, count, min,
// max, first and last by date). Memory stays flat however many periods the
// exports cover: past 32,768 rows in memory, the rows of the least recently
// fed period move to an anonymous temporary file (exact, read back when the
// period is finished), and compute_rule_each() hands every finished period
// on and keeps none. It then evaluates the metrics, ranks the
// rows at full precision (equal values share a rank: 1, 2, 2, 4), fills the
// lists (top/bottom N take in everyone tied at the boundary and say so),
// and computes the group metrics, ranking and lists. Printed texts are
// for display only and never change an order.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compute/decimal.h"
#include "compute/rules.h"
#include "util/date.h"
#include "util/diagnostics.h"
#include "util/fs.h"

namespace bulletin {

struct MetricValue {
  double value = 0;  // the nearest double of `exact`; NaN when undefined (e.g. 0/0)
  std::string text;  // as printed by the metric's format: "97.60%"
  Exact exact;       // the exact value, which ranks and lists use (undefined as above)
};

// One entity's row in a period.
struct RankedRow {
  int rank = 0;          // within its group when the rule has one, else overall
  int overall_rank = 0;  // over all rows of the period
  std::string entity;
  std::string group;                 // empty without a group
  std::vector<MetricValue> metrics;  // parallel to RankingRule::metrics
  long records = 0;                  // export records aggregated into the row
};

// One group's row in the group ranking.
struct GroupRow {
  int rank = 0;
  std::string group;
  int members = 0;                   // rows in the group
  std::vector<MetricValue> metrics;  // parallel to RankingGroups::metrics
};

// The rows of one table: the whole period, or one group.
struct GroupTable {
  std::string group;
  std::vector<size_t> rows;  // indexes into PeriodResult::rows, in rank order
};

// Who made a list. `items` index PeriodResult::rows (or group_rows for
// group lists), in rank order.
struct ListPart {
  std::string group;  // the group, for per-group lists; else empty
  std::vector<size_t> items;
  // top/bottom N held more than N because of ties at the boundary.
  bool ties_extended = false;
};

struct ListResult {
  std::string id;
  std::string label;
  std::vector<ListPart> parts;  // one per group (per-group lists) or one
  bool ties_extended() const;
};

// One record left out, as shown on the period's page.
struct SkippedRecord {
  std::string path;  // "data/exports/units-2020-11.json"
  int line = 0, column = 0;
  long index = 0;  // its number in the file
  std::string reason;
  std::string text;  // the record as written (long records cut, with "…")
  // "path:line:col: record 17: reason"
  std::string message() const;
};

// Records left out under `bad_records: skip`.
struct SkippedRecords {
  long count = 0;
  std::map<std::string, long> by_reason;  // "field '学员总数' is 0 ..." -> 3
  std::vector<SkippedRecord> first;       // the first 20 in reading order
  std::vector<std::string> examples;      // the same as "path:line:col: record 17: ..."
};

struct PeriodResult {
  std::string id;  // "2020-11"
  Date first;      // calendar range of the period
  Date last;
  Date last_in_data;  // the latest date of a record aggregated in the period
  // False when the data ends before the period's last day: the page then
  // reads 截至 <last_in_data>. Skipped records count for neither; a period
  // that holds only skipped records has no rows, complete false and no as_of.
  bool complete = true;
  long records = 0;  // records aggregated
  // Without a group: by rank. With one: by group, then rank in the group.
  // Ties are listed by entity name.
  std::vector<RankedRow> rows;
  std::vector<GroupTable> tables;       // one per group in name order; one table without groups
  std::vector<ListResult> lists;        // parallel to RankingRule::lists
  std::vector<GroupRow> group_rows;     // by rank; empty without `groups:`
  std::vector<ListResult> group_lists;  // parallel to RankingGroups::lists
  SkippedRecords skipped;               // skipped records dated in this period
};

// The dates an export file holds, for knowing later whether it can only
// feed published periods.
struct ExportSpan {
  std::string path;  // relative to the project root
  Date first;
  Date last;
  long records = 0;
};

struct RuleResults {
  std::vector<std::string> exports;   // the files read, relative to the project root
  std::vector<ExportSpan> spans;      // parallel to `exports`: the dates each file holds
  std::vector<std::string> unread;    // files matched but not read (see compute_rule)
  std::vector<PeriodResult> periods;  // in calendar order
  long records = 0;
  long spilled_rows = 0;             // (period, entity) rows moved to the spill file while reading
  SkippedRecords skipped;            // all skipped records, including undated ones
  std::vector<Diagnostic> warnings;  // e.g. an export file that holds no records
};

// Computes every period of `rule`. Throws Error (naming the rule file at its
// `exports` key) when no export matches, and Error naming the export file
// and record for a bad record unless the rule says `bad_records: skip`.
// `skip_file`, when given, names export files not to read: those whose
// records all belong to periods already published (their results come from
// the published snapshots instead).
RuleResults compute_rule(const RankingRule& rule, const FileSystem& fs, const std::string& project_root,
                         const std::function<bool(const std::string& path)>& skip_file = {});

// The same, but each period goes to `on_period` as soon as it is finished,
// in calendar order, on the calling thread; the results returned hold no
// periods. Peak memory is then that of a few periods, not of all of them.
RuleResults compute_rule_each(const RankingRule& rule, const FileSystem& fs, const std::string& project_root,
                              const std::function<void(PeriodResult&&)>& on_period,
                              const std::function<bool(const std::string& path)>& skip_file = {});

// How many rows the readers of a rule keep in memory together before
// spilling (32,768 unless changed; at least 1): for tests, which make every period spill.
void set_rankings_live_rows(size_t rows);

// The period with id `id`, or null.
const PeriodResult* find_period(const RuleResults& results, const std::string& id);

// One entity across the periods it appears in, for its history page.
struct HistoryPoint {
  std::string period;  // period id
  bool complete = true;
  Date last_in_data;
  int rank = 0;
  int overall_rank = 0;
  int rows = 0;  // rows ranked with it (its group's, or all)
  std::vector<MetricValue> metrics;
};

struct EntityHistory {
  std::string entity;
  std::string group;
  std::vector<HistoryPoint> points;  // calendar order
};

// Every entity of the results, by entity name (then group). As for rows,
// an entity is the pair (entity, group): a member who moves to another
// branch gets a second history.
std::vector<EntityHistory> entity_histories(const RuleResults& results);

}  // namespace bulletin
