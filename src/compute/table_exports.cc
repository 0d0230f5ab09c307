#include "compute/table_exports.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <regex>

#include "compute/ranking_output.h"
#include "util/text.h"

namespace bulletin {

std::optional<Exact> parse_export_number(std::string_view text) { return parse_decimal(text); }

std::optional<Date> date_from_serial(std::string_view number_text, bool date1904) {
  auto v = parse_export_number(number_text);
  if (!v) return std::nullopt;
  double n = v->to_double();
  if (n >= 10000101 && n <= 99991231 && n == std::floor(n)) {  // 20201101
    long x = static_cast<long>(n);
    int y = static_cast<int>(x / 10000), m = static_cast<int>(x / 100 % 100), d = static_cast<int>(x % 100);
    if (is_valid_date(y, m, d)) return Date{y, m, d};
    return std::nullopt;
  }
  if (n < 0 || n >= 2958466) return std::nullopt;  // 9999-12-31 is serial 2958465
  long serial = static_cast<long>(std::floor(n));  // a time of day does not move the date
  if (date1904) return Date::from_days(serial - 24107);
  if (serial == 0 || serial == 60) return std::nullopt;  // 1900-01-00 and Excel's 1900-02-29
  return Date::from_days(serial < 60 ? serial - 25568 : serial - 25569);
}

std::string cell_name(int column, long row) {
  std::string letters;
  for (int c = column + 1; c > 0; c = (c - 1) / 26) letters.insert(letters.begin(), char('A' + (c - 1) % 26));
  return letters + std::to_string(row);
}

int column_of_cell(std::string_view ref) {
  int c = 0;
  size_t i = 0;
  while (i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z') c = c * 26 + (ref[i++] - 'A' + 1);
  if (i == 0 || c > 16384) return -1;
  return c - 1;
}

namespace {

// A header cell compared without spaces or line breaks ("学员\n总数" is "学员总数").
std::string normalised(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (s.substr(i, 3) == "\u3000") {  // ideographic space
      i += 2;
      continue;
    }
    if (s.substr(i, 2) == "\u00a0") {
      i += 1;
      continue;
    }
    out += static_cast<char>(c);
  }
  return out;
}

// "1,234.5" as Excel writes a number formatted #,##0 into CSV: "1234.5".
// Anything else is left as it is.
std::string without_thousands_commas(const std::string& text) {
  static const std::regex kGrouped(R"(\s*[-+]?\d{1,3}(,\d{3})+(\.\d+)?\s*)");
  if (text.find(',') == std::string::npos || !std::regex_match(text, kGrouped)) return text;
  std::string out;
  for (char ch : text)
    if (ch != ',') out += ch;
  return out;
}

std::string quoted(const TableCell& c) { return "'" + c.text + "'"; }

const size_t kHeaderSearchRows = 200;

}  // namespace

TableReader::TableReader(const RankingRule& rule, SourceLocation table, uint64_t order_base, RecordConsumer& consumer,
                         bool date1904)
    : rule_(rule),
      table_(std::move(table)),
      order_base_(order_base),
      consumer_(consumer),
      date1904_(date1904),
      column_(rule.fields.size(), -1) {}

void TableReader::row(std::vector<TableCell>& cells) {
  if (stopped_) return;
  if (found_) return record(cells);
  if (try_header(cells)) {
    found_ = true;
    above_.clear();
  }
}

bool TableReader::try_header(const std::vector<TableCell>& cells) {
  size_t width = cells.size();
  for (const auto& row : above_) width = std::max(width, row.size());
  std::vector<std::string> names(width);
  for (size_t c = 0; c < cells.size(); ++c) names[c] = normalised(cells[c].text);
  // The value shown in column c of this row: its own, or for an empty cell
  // that of the nearest non-empty cell above it (a header merged over rows).
  auto shown = [&](size_t c) -> const std::string& {
    if (!names[c].empty()) return names[c];
    for (auto it = above_.rbegin(); it != above_.rend(); ++it)
      if (c < it->size() && !(*it)[c].empty()) return (*it)[c];
    return names[c];
  };
  std::vector<int> found(rule_.fields.size(), -1);
  bool all = true, own = false;
  for (size_t f = 0; f < rule_.fields.size(); ++f) {
    std::string key = normalised(rule_.fields[f].key);
    for (size_t c = 0; c < names.size() && found[f] < 0; ++c)
      if (names[c] == key) found[f] = static_cast<int>(c), own = true;
    for (size_t c = 0; c < names.size() && found[f] < 0; ++c)
      if (names[c].empty() && shown(c) == key) found[f] = static_cast<int>(c);
    all = all && found[f] >= 0;
  }
  if (all && own) {
    column_ = std::move(found);
    return true;
  }
  if (above_.size() < kHeaderSearchRows) above_.push_back(std::move(names));
  return false;
}

void TableReader::finish() {
  if (found_) return;
  std::string keys;
  for (const auto& f : rule_.fields) keys += (keys.empty() ? "'" : ", '") + f.key + "'";
  throw Error(table_, "no header row holds every key of the rule's 'fields' (" + keys + ")");
}

void TableReader::record(const std::vector<TableCell>& cells) {
  static const TableCell kEmpty;
  auto cell = [&](int field) -> const TableCell& {
    int c = column_[field];
    return c < static_cast<int>(cells.size()) ? cells[c] : kEmpty;
  };
  bool blank = true;
  for (size_t f = 0; f < rule_.fields.size(); ++f)
    blank = blank &&
            (cell(static_cast<int>(f)).kind == TableCell::Kind::Empty || trim(cell(static_cast<int>(f)).text).empty());
  if (blank) return;
  ++index_;
  // The row as written, for the skipped-records list: its cells as a CSV row
  // (a cell holding a comma, quote or line break quoted), so that
  // `"甲,乙",1` does not show as three cells.
  text_.clear();
  for (size_t c = 0; c < cells.size(); ++c) text_ += (c ? "," : "") + csv_field(cells[c].text);
  if (text_.size() > kRecordTextLimit) text_ = utf8_prefix(text_, kRecordTextLimit) + "…";
  // A missing cell is located in its column of this row.
  SourceLocation row_where;
  for (const auto& c : cells)
    if (c.kind != TableCell::Kind::Empty || !c.where.path.empty()) {
      row_where = c.where;
      break;
    }
  auto where_of = [&](int field) {
    const TableCell& c = cell(field);
    if (!c.where.path.empty()) return c.where;
    return row_where;
  };
  auto bad = [&](int field, std::string reason, std::optional<Date> date) {
    BadRecord b;
    b.index = index_;
    b.date = date;
    b.where = where_of(field);
    b.reason = std::move(reason);
    b.text = text_;
    if (!consumer_.bad(b)) stopped_ = true;
  };
  auto key = [&](int field) { return "field '" + rule_.fields[field].key + "'"; };

  ExportRecord r;
  int df = rule_.date_field;
  const TableCell& dc = cell(df);
  SourceLocation where = where_of(df);
  r.place.path = &where.path;
  r.place.line = where.line;
  r.place.column = where.column;
  r.place.index = index_;
  r.place.order = order_base_ + static_cast<uint64_t>(index_);
  r.place.text = text_;
  std::optional<Date> date;
  std::string why;
  std::string dtext = trim(dc.text);
  if (dtext.empty()) return bad(df, key(df) + " is empty", std::nullopt);
  if (dc.kind == TableCell::Kind::Number) {
    date = date_from_serial(dtext, date1904_);
  } else if (dc.kind == TableCell::Kind::Text) {
    date = parse_date(dtext, &why);
    if (!date) {
      // "2020/11/1 0:00", as Excel writes a date with a time into CSV.
      size_t space = dtext.find(' ');
      if (space != std::string::npos && dtext.find(':', space) != std::string::npos) {
        std::string ignored;
        date = parse_date(dtext.substr(0, space), &ignored);
      }
    }
    // "2020.11.01", as some consoles write dates.
    if (!date && std::count(dtext.begin(), dtext.end(), '.') == 2) {
      std::string dashed = dtext;
      std::replace(dashed.begin(), dashed.end(), '.', '-');
      std::string ignored;
      if ((date = parse_date(dashed, &ignored))) why.clear();
    }
    // A date column typed as numbers in a CSV: "44136" or "20201101".
    if (!date && parse_export_number(dtext)) date = date_from_serial(dtext, date1904_), why.clear();
  }
  if (!date) {
    std::string reason = key(df) + " is not a date: " + quoted(dc);
    if (!why.empty()) reason += " (" + why + ")";
    return bad(df, reason, std::nullopt);
  }
  r.date = *date;
  auto text_of = [&](int field, std::string& out) {
    const TableCell& c = cell(field);
    out = trim(c.text);
    if (out.empty() || c.kind == TableCell::Kind::Error) {
      bad(field, key(field) + (out.empty() ? " is empty" : " is not a value: " + quoted(c)), r.date);
      return false;
    }
    return true;
  };
  if (!text_of(rule_.entity_field, entity_)) return;
  r.entity = entity_;
  if (rule_.has_group()) {
    if (!text_of(rule_.group_field, group_)) return;
    r.group = group_;
  }
  r.numbers.reserve(rule_.number_fields.size());
  for (int f : rule_.number_fields) {
    const TableCell& c = cell(f);
    if (trim(c.text).empty()) return bad(f, key(f) + " is empty", r.date);
    std::optional<Exact> v;
    std::string why;
    if (c.kind == TableCell::Kind::Number) v = parse_decimal(c.text, &why);
    else if (c.kind == TableCell::Kind::Text) v = parse_decimal(without_thousands_commas(c.text), &why);
    if (!v) {
      std::string reason = key(f) + " is not a number: " + quoted(c);
      if (why == "it is too large" || why == "it is too small") reason += " (" + why + ")";  // as exports.cc says it
      return bad(f, reason, r.date);
    }
    r.numbers.push_back(*v);
  }
  consumer_.record(r);
}

bool is_table_export(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    if (path.size() < ext.size()) return false;
    std::string tail(path.substr(path.size() - ext.size()));
    std::transform(tail.begin(), tail.end(), tail.begin(), [](unsigned char c) { return std::tolower(c); });
    return tail == ext;
  };
  return ends(".csv") || ends(".xlsx") || ends(".xls");
}

void read_table_export(const RankingRule& rule, const FileSystem& fs, const std::string& project_root,
                       const std::string& path, uint64_t order_base, RecordConsumer& consumer) {
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower.ends_with(".xlsx")) return read_xlsx_export(rule, fs, project_root, path, order_base, consumer);
  if (lower.ends_with(".xls"))
    throw Error(SourceLocation{path, 0, 0},
                "an Excel 97-2003 workbook (.xls) cannot be read: open it in Excel and save it as .xlsx");
  read_csv_export(rule, fs, project_root, path, order_base, consumer);
}

}  // namespace bulletin
