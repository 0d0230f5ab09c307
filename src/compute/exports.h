// Exports: the files of scores a rule reads, streamed record by record.
//
// A JSON file holds a JSON array of records, an object holding one array of
// records (e.g. {"data": [...]}, the first array in it), or JSON Lines (one
// record object per line); anything else at the top level (`42`, an array
// of arrays) is an error at the file. `.json` files are read through a SAX
// parser in small chunks; `.jsonl` / `.ndjson` files with simdjson, split at
// line boundaries and parsed on several threads, each part read in small
// chunks. Either way memory does not grow with the number of records.
//
// Every reader (JSON here, CSV/XLSX elsewhere) hands each record to a
// RecordChecker as raw field values with their location; the checker parses
// numbers from their text with the one exact parser (parse_decimal), checks
// the record against the rule's `fields`, and passes a good record or a bad
// one (with its reason) to a RecordConsumer.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compute/decimal.h"
#include "compute/rules.h"
#include "util/date.h"
#include "util/diagnostics.h"
#include "util/fs.h"

namespace bulletin {

// One value of a record as the reader found it.
struct RawField {
  enum class Type { Missing, Number, String, Other };
  Type type = Type::Missing;
  // Number: the decimal text as written ("12.50", "2.85e-1"); String: the
  // unescaped text (a number in a string, "97.6", is accepted too).
  std::string_view text;
  std::string_view what;  // Other: "true", "null", "an object", "a list"
};

// Where a record is: the file (as "data/exports/x.json") and line:col of its
// start (the JSON '{'; a spreadsheet reader may put its row there), and its
// 1-based number in the file.
struct RecordPlace {
  const std::string* path = nullptr;
  int line = 0, column = 0;
  long index = 0;
  // Position across every file the rule reads, in reading order: on the same
  // date first()/last() take the first / last record read.
  uint64_t order = 0;
  std::string_view text;  // the record as written, for the skipped-records list
  SourceLocation where() const { return {path ? *path : std::string(), line, column}; }
};

// One good record, reduced to what the rule uses. The views and vectors are
// valid only during the consumer's call.
struct ExportRecord {
  RecordPlace place;
  Date date;
  std::string_view entity;
  std::string_view group;      // empty without a group
  std::vector<Exact> numbers;  // one per RankingRule::number_fields
};

// A record that breaks the rule's contract.
struct BadRecord {
  long index = 0;
  std::optional<Date> date;  // when the record's date could be read
  SourceLocation where;
  std::string reason;  // "field '活跃学员数' is missing"
  std::string text;    // the record as written (up to kRecordTextLimit bytes, then "…")
  // "record 17: field '活跃学员数' is missing", as shown after path:line:col.
  std::string message() const;
};

constexpr size_t kRecordTextLimit = 400;
// A record as a skipped-records list shows it: trimmed, cut after
// kRecordTextLimit bytes at a whole character, then "…".
std::string record_text(std::string_view text);

class RecordConsumer {
 public:
  virtual ~RecordConsumer() = default;
  virtual void record(const ExportRecord& r) = 0;
  // Returns false to stop reading this file (the first bad record when the
  // rule says `bad_records: error`).
  virtual bool bad(const BadRecord& b) = 0;
};

// Turns raw field values into good or bad records for one rule.
class RecordChecker {
 public:
  explicit RecordChecker(const RankingRule& rule);
  // The index of the rule field whose export key is `key`, or -1; `position`
  // is the key's place in its record (0, 1, ...), which speeds up the search.
  int field_of_key(std::string_view key, size_t position = 64);
  // `fields` is parallel to rule.fields. Returns what the consumer returns
  // (true for a good record).
  bool deliver(const RawField* fields, const RecordPlace& place, RecordConsumer& consumer);

 private:
  const RankingRule& rule_;
  std::vector<int> guess_;  // field seen at each key position
  ExportRecord record_;
  std::string last_date_text_;
  std::optional<Date> last_date_;
  std::string last_date_why_;
};

// The export files of `rule`: paths relative to `project_root` (e.g.
// "data/exports/units-2020-11.json") matching any of its globs, which are
// relative to data/ and may use * and ? (not across '/'). Sorted, no duplicates.
std::vector<std::string> find_exports(const RankingRule& rule, const FileSystem& fs, const std::string& project_root);

// Throws Error at the rule's `exports` key when `path` (relative to the root)
// resolves, after symlinks, outside the project folder. Only real files are
// checked; in-memory file systems have no links.
void check_export_inside(const RankingRule& rule, const FileSystem& fs, const std::string& project_root,
                         const std::string& path);

// True if `path` matches the glob `pattern` (* and ? stay within one path component).
bool glob_match(std::string_view pattern, std::string_view path);

// Where part k of a file starts: lines and records before it.
struct PartOffsets {
  long lines = 0;
  long records = 0;
};

// Streams the records of one export file (`path` relative to the root) into
// consumer_of(k) for part k (0 <= k < parts; `parts` is a maximum, JSON
// arrays and small files are read as one part). Positions a part hands over
// are relative to its start: add the returned offsets[k] to line and index.
// Records of part k all come before those of part k + 1, and within a part
// in file order. `order_base` is added to every record's order. Throws Error
// if the file cannot be read, is not valid JSON, or its top level is not
// records; exceptions thrown by a consumer pass through.
std::vector<PartOffsets> read_export_parts(const RankingRule& rule, const FileSystem& fs,
                                           const std::string& project_root, const std::string& path,
                                           uint64_t order_base, int parts,
                                           const std::function<RecordConsumer&(int)>& consumer_of);

// One-part convenience: good records to `on_record`, bad ones to `on_bad`.
void read_export(const RankingRule& rule, const FileSystem& fs, const std::string& project_root,
                 const std::string& path, const std::function<void(const ExportRecord&)>& on_record,
                 const std::function<void(const BadRecord&)>& on_bad);

}  // namespace bulletin
