// Table exports: score exports as spreadsheets (.csv, .xlsx), one record per row.
//
// The readers (csv_reader, xlsx_reader) hand rows of cells to a TableReader,
// which finds the header row by the rule's field keys (so a title row or
// blank rows above it are skipped, and a header cell merged over several rows
// is read from its top cell), maps each later row to the rule's fields and
// checks it with the same contract as a JSON record. Every value keeps its
// place: "data/exports/x.csv" line:col, or "data/exports/x.xlsx:Sheet1!C17".
// Numbers stay decimal text as written ("12.50", an xlsx cell's stored
// text) until parse_export_number turns them into values.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compute/exports.h"
#include "compute/rules.h"
#include "util/date.h"
#include "util/diagnostics.h"

namespace bulletin {

// One cell as the file holds it.
struct TableCell {
  enum class Kind { Empty, Text, Number, Boolean, Error };
  Kind kind = Kind::Empty;
  std::string text;      // text; a number's decimal text; "TRUE"/"FALSE"; "#DIV/0!"
  SourceLocation where;  // the cell
};

// A number written as decimal text ("12.50", "-3", "1e3"), read with the
// export layer's one exact parser (parse_decimal); nullopt when `text` is not
// a whole number.
std::optional<Exact> parse_export_number(std::string_view text);

// A date given as a spreadsheet serial number ("44136" is 2020-11-01 in the
// 1900 system; `date1904` for workbooks saved in the 1904 system), or as a
// number yyyymmdd ("20201101"). nullopt when the number is neither.
std::optional<Date> date_from_serial(std::string_view number_text, bool date1904);

// Receives a table's rows in order and turns them into records for the
// consumer, good or bad, with the same contract as a JSON record.
class TableReader {
 public:
  // `table` names the table in messages ("data/exports/x.csv" or
  // "data/exports/x.xlsx:Sheet1") when the header cannot be found;
  // `order_base` is added to each record's reading order.
  TableReader(const RankingRule& rule, SourceLocation table, uint64_t order_base, RecordConsumer& consumer,
              bool date1904 = false);
  // False once the consumer asked to stop (the rule's `bad_records: error`).
  bool reading() const { return !stopped_; }

  // One row: cells by 0-based column; missing columns are empty.
  void row(std::vector<TableCell>& cells);
  // After the last row. Throws Error when no header row was found.
  void finish();
  void set_date1904(bool v) { date1904_ = v; }

 private:
  bool try_header(const std::vector<TableCell>& cells);
  void record(const std::vector<TableCell>& cells);

  const RankingRule& rule_;
  SourceLocation table_;
  uint64_t order_base_;
  RecordConsumer& consumer_;
  bool stopped_ = false;
  bool date1904_ = false;
  std::vector<int> column_;  // per rule field; -1 until the header is found
  bool found_ = false;
  std::vector<std::vector<std::string>> above_;  // header candidates seen so far (normalised)
  long index_ = 0;
  std::string entity_, group_, text_;  // of the record being delivered
};

// "C17" for column 2 (0-based), row 17.
std::string cell_name(int column, long row);
// 0-based column of a cell reference such as "C17" or "AB3"; -1 if malformed.
int column_of_cell(std::string_view ref);

// Readers of one file each (the path relative to the project root); records
// go to `consumer`, their reading order starting at `order_base`.
void read_csv_export(const RankingRule& rule, const FileSystem& fs, const std::string& project_root,
                     const std::string& path, uint64_t order_base, RecordConsumer& consumer);
void read_xlsx_export(const RankingRule& rule, const FileSystem& fs, const std::string& project_root,
                      const std::string& path, uint64_t order_base, RecordConsumer& consumer);

// True for the paths read_table_export reads (.csv, .xlsx, any case; .xls is
// refused with a message saying to save it as .xlsx).
bool is_table_export(std::string_view path);
void read_table_export(const RankingRule& rule, const FileSystem& fs, const std::string& project_root,
                       const std::string& path, uint64_t order_base, RecordConsumer& consumer);

}  // namespace bulletin
