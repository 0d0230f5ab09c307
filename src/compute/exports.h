// Exports: the JSON files of scores a rule reads, streamed record by record.
//
// A file holds a JSON array of records, an object holding one array of
// records (e.g. {"data": [...]}, the first array in it), or JSON Lines (one
// record object per line). It is read through a SAX parser in small chunks,
// so memory does not grow with the number of records: only the record being
// read is held. Each record is checked against the rule's `fields`; a bad
// one is reported with the file, the record's number and its line:col.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "compute/rules.h"
#include "util/date.h"
#include "util/diagnostics.h"
#include "util/fs.h"

namespace bulletin {

// One good record, reduced to what the rule uses.
struct ExportRecord {
  long index = 0;  // 1-based number of the record in its file
  SourceLocation where;  // the file (as "data/exports/x.json") and the record's '{'
  Date date;
  std::string entity;
  std::string group;            // empty without a group
  std::vector<double> numbers;  // one per RankingRule::number_fields
};

// A record that breaks the rule's contract.
struct BadRecord {
  long index = 0;
  std::optional<Date> date;  // when the record's date could be read
  SourceLocation where;
  std::string reason;  // "field '活跃学员数' is missing"
  // "record 17: field '活跃学员数' is missing", as shown after path:line:col.
  std::string message() const;
};

// The export files of `rule`: paths relative to `project_root` (e.g.
// "data/exports/units-2020-11.json") matching any of its globs, which are
// relative to data/ and may use * and ? (not across '/'). Sorted, no duplicates.
std::vector<std::string> find_exports(const RankingRule& rule, const FileSystem& fs,
                                      const std::string& project_root);

// True if `path` matches the glob `pattern` (* and ? stay within one path component).
bool glob_match(std::string_view pattern, std::string_view path);

// Streams the records of one export file (`path` relative to the root),
// calling `on_record` for each good record and `on_bad` for each bad one, in
// file order. Throws Error if the file cannot be read or is not valid JSON;
// exceptions thrown by the callbacks pass through.
void read_export(const RankingRule& rule, const FileSystem& fs, const std::string& project_root,
                 const std::string& path, const std::function<void(const ExportRecord&)>& on_record,
                 const std::function<void(const BadRecord&)>& on_bad);

}  // namespace bulletin
