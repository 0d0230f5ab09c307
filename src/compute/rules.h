// Ranking rules: data/rules/*.yaml, loaded and checked.
//
// A rule says which exports to read (a glob under data/), what the keys of
// their records mean (`fields`), what one row is (`entity`, optionally
// within a `group`), the period to rank over, the metrics and their order,
// lists (top/bottom N, or a condition) and metrics over whole groups. The
// whole schema is documented in docs/rules.md. Every problem is reported at
// its place in the YAML file, e.g.
//   data/rules/units.yaml:14:17: error: unknown name 'activ' in expression;
//   did you mean 'active'?
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compute/expression.h"
#include "compute/number_format.h"
#include "compute/period.h"
#include "util/diagnostics.h"
#include "util/fs.h"

namespace bulletin {

// One `fields:` entry: the canonical name used in expressions and the key
// that holds it in each export record.
struct ExportField {
  std::string name;  // "members"
  std::string key;   // "学员总数"
};

struct RankingMetric {
  std::string id;
  std::string label;
  std::string value_text;  // the expression as written
  ExprPtr value;
  NumberFormat format;  // Default: decimal:2
};

struct RankingOrderKey {
  int metric = 0;          // index into the metrics of the same level
  bool descending = true;  // Default: desc
};

// A list of rows (or groups) named on the page: the top or bottom N by rank,
// ties at the boundary included, and/or the rows meeting a condition.
struct RankingList {
  std::string id;
  std::string label;
  int top = 0;     // 0: not limited by rank from the top
  int bottom = 0;  // 0: not limited by rank from the bottom
  std::string where_text;
  ExprPtr where;  // null: every row
  // Per group (within-group ranks) or over all rows. Default: true when the
  // rule has a group. Always false for group lists.
  bool per_group = false;
};

// Metrics over each group's members, the groups' ranking and lists.
struct RankingGroups {
  std::vector<RankingMetric> metrics;
  std::vector<AggregateTerm> terms;  // aggregates over member metrics
  std::vector<RankingOrderKey> order;
  std::vector<RankingList> lists;
};

enum class BadRecords { Error, Skip };

struct RankingRule {
  std::string id;  // URL segment; Default: the file name without .yaml
  std::string title;
  std::string description;
  std::string path;                  // "data/rules/xxqg-units.yaml", for messages
  std::vector<std::string> exports;  // globs relative to data/
  SourceLocation exports_where;
  std::string exports_line;         // the source line of `exports`, for messages
  std::vector<ExportField> fields;  // as declared
  int date_field = -1;              // indexes into `fields`
  int entity_field = -1;
  int group_field = -1;            // -1: no group
  std::vector<int> number_fields;  // every other field; Expr::Field indexes this
  PeriodKind period = PeriodKind::Month;
  std::vector<RankingMetric> metrics;
  std::vector<AggregateTerm> terms;    // every aggregate call in `metrics`
  std::vector<RankingOrderKey> order;  // Default: the first metric, desc
  std::vector<RankingList> lists;
  std::optional<RankingGroups> groups;
  BadRecords bad_records = BadRecords::Error;  // Default: error
  std::string rank_label = "排名";             // header of the rank column
  std::string encoding;                        // .csv exports: "utf-8", "gbk" or "gb18030"; Default: detected
  std::string sheet;                           // .xlsx exports: the sheet's name; Default: the first sheet
  std::string source_digest;                   // SHA-256 of the rule file's text: all the rule is made from

  bool has_group() const { return group_field >= 0; }
  // Column headers for the entity and group: their export keys ("单位").
  const std::string& entity_label() const { return fields[entity_field].key; }
  std::string group_label() const { return has_group() ? fields[group_field].key : ""; }
};

// Parses one rule file. `path` is how messages name it. Problems go to
// `diags`; nullopt if there was any.
std::optional<RankingRule> parse_rule(const std::string& path, const std::string& text, Diagnostics& diags);

// Loads every data/rules/*.yaml (and *.yml) under `project_root`, sorted by
// path. Rules with problems are left out and their problems added to
// `diags`, as are duplicate ids.
std::vector<RankingRule> load_rules(const FileSystem& fs, const std::string& project_root, Diagnostics& diags);

}  // namespace bulletin
