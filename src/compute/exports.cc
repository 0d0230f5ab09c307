#include "compute/exports.h"

#include <fnmatch.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <unordered_map>

#include "compute/table_exports.h"
#include "util/text.h"

namespace bulletin {

std::string BadRecord::message() const { return "record " + std::to_string(index) + ": " + reason; }

bool glob_match(std::string_view pattern, std::string_view path) {
  return fnmatch(std::string(pattern).c_str(), std::string(path).c_str(), FNM_PATHNAME) == 0;
}

std::vector<std::string> find_exports(const RankingRule& rule, const FileSystem& fs,
                                      const std::string& project_root) {
  std::set<std::string> found;
  std::string data = join_path(project_root, "data");
  if (!fs.is_dir(data)) return {};
  std::vector<std::string> all = fs.list(data);
  for (const auto& pattern : rule.exports)
    for (const auto& rel : all)
      if (glob_match(pattern, rel)) found.insert("data/" + rel);
  return {found.begin(), found.end()};
}

namespace {

// Reads a stream in chunks and keeps the line and column (in code points)
// of the next character, so records can be located.
class CountingReader {
 public:
  explicit CountingReader(std::istream& in) : in_(in) { fill(); }

  bool at_end() const { return pos_ == len_; }
  char peek() const { return buf_[pos_]; }
  void advance() {
    unsigned char c = buf_[pos_++];
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column_;
    }
    if (pos_ == len_) fill();
  }
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  void fill() {
    in_.read(buf_, sizeof buf_);
    len_ = static_cast<size_t>(in_.gcount());
    pos_ = 0;
  }
  std::istream& in_;
  char buf_[1 << 16];
  size_t pos_ = 0, len_ = 0;
  int line_ = 1, column_ = 1;
};

// The single-pass iterator nlohmann's parser reads from. Two iterators are
// equal when both are at the end, which is all the parser asks.
class ReaderIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = char;

  ReaderIterator() = default;
  explicit ReaderIterator(CountingReader* r) : r_(r) {}
  char operator*() const { return r_->peek(); }
  ReaderIterator& operator++() {
    r_->advance();
    return *this;
  }
  ReaderIterator operator++(int) {
    ReaderIterator old = *this;
    r_->advance();
    return old;
  }
  bool operator==(const ReaderIterator& o) const { return at_end() == o.at_end(); }
  bool operator!=(const ReaderIterator& o) const { return !(*this == o); }

 private:
  bool at_end() const { return !r_ || r_->at_end(); }
  CountingReader* r_ = nullptr;
};

// A value of one record key, kept only for the keys the rule names.
struct Slot {
  enum class Type { Missing, Number, String, Other };
  Type type = Type::Missing;
  double number = 0;
  std::string text;  // strings, and numbers as written
  std::string what;  // for Other: "true", "null", "an object"...
};

using json = nlohmann::json;

// Finds the records in the SAX events and hands each one to `emit`.
class RecordHandler : public nlohmann::json_sax<json> {
 public:
  RecordHandler(const RankingRule& rule, CountingReader& reader, std::string path,
                const std::function<void(const ExportRecord&)>& on_record,
                const std::function<void(const BadRecord&)>& on_bad)
      : rule_(rule), reader_(reader), path_(std::move(path)), on_record_(on_record),
        on_bad_(on_bad), slots_(rule.fields.size()) {
    for (size_t i = 0; i < rule.fields.size(); ++i) slot_of_key_[rule.fields[i].key] = i;
  }

  // Called before each top-level value.
  void reset_top() {
    depth_ = 0;
    holder_ = false;
    records_depth_ = -1;
  }

  bool null() override { return scalar(Slot::Type::Other, 0, "", "null"); }
  bool boolean(bool v) override { return scalar(Slot::Type::Other, 0, "", v ? "true" : "false"); }
  bool number_integer(number_integer_t v) override {
    return scalar(Slot::Type::Number, static_cast<double>(v), std::to_string(v), "");
  }
  bool number_unsigned(number_unsigned_t v) override {
    return scalar(Slot::Type::Number, static_cast<double>(v), std::to_string(v), "");
  }
  bool number_float(number_float_t v, const string_t& raw) override {
    return scalar(Slot::Type::Number, v, raw, "");
  }
  bool string(string_t& s) override { return scalar(Slot::Type::String, 0, s, ""); }
  bool binary(binary_t&) override { return true; }

  bool start_object(std::size_t) override {
    if (depth_ == 0 || (depth_ == records_depth_ && in_records_array())) {
      begin_record();
    } else if (depth_ == record_depth_ + 1 && in_record_) {
      value_is_container("an object");
    }
    push(true);
    return true;
  }
  bool end_object() override {
    pop();
    if (in_record_ && depth_ == record_depth_) {
      in_record_ = false;
      // A top-level object that held the records array is not a record itself.
      if (!(depth_ == 0 && holder_)) finish_record();
    }
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ == 0) {
      records_depth_ = 1;  // the top-level array holds the records
    } else if (depth_ == 1 && in_record_ && record_depth_ == 0 && !holder_) {
      holder_ = true;  // {"data": [...]}: the first array holds the records
      in_record_ = false;
      --index_;  // the holder was counted as a record when it opened
      records_depth_ = 2;
    } else if (in_record_ && depth_ == record_depth_ + 1) {
      value_is_container("a list");
    }
    push(false);
    return true;
  }
  bool end_array() override {
    pop();
    if (holder_ && depth_ == 1) records_depth_ = -1;  // later arrays are not records
    return true;
  }
  bool key(string_t& k) override {
    if (in_record_ && depth_ == record_depth_ + 1) {
      auto it = slot_of_key_.find(k);
      current_slot_ = it == slot_of_key_.end() ? -1 : static_cast<int>(it->second);
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string& last_token,
                   const nlohmann::detail::exception& ex) override {
    std::string what = ex.what();
    // Drop nlohmann's "[json.exception...] parse error at line 1, column 5: ".
    size_t colon = what.find(": ");
    if (colon != std::string::npos) what = what.substr(colon + 2);
    // The parser has read the offending token; point at its start.
    int column = reader_.column() - static_cast<int>(utf8_length(last_token));
    throw Error(SourceLocation{path_, reader_.line(), std::max(column, 1)}, "invalid JSON: " + what);
  }

 private:
  bool in_records_array() const { return !containers_.empty() && !containers_.back(); }

  void push(bool object) {
    containers_.push_back(object);
    ++depth_;
  }
  void pop() {
    containers_.pop_back();
    --depth_;
  }

  void begin_record() {
    ++index_;
    in_record_ = true;
    record_depth_ = depth_;
    current_slot_ = -1;
    // The parser has just read '{'.
    where_ = {path_, reader_.line(), reader_.column() - 1};
    for (auto& s : slots_) s.type = Slot::Type::Missing;
  }

  void value_is_container(const char* what) {
    if (current_slot_ >= 0) {
      slots_[current_slot_].type = Slot::Type::Other;
      slots_[current_slot_].what = what;
    }
    current_slot_ = -1;
  }

  bool scalar(Slot::Type type, double number, std::string text, const char* what) {
    if (in_record_ && depth_ == record_depth_ + 1) {
      if (current_slot_ >= 0) {
        Slot& s = slots_[current_slot_];
        s.type = type;
        s.number = number;
        s.text = std::move(text);
        s.what = what;
      }
      current_slot_ = -1;
    } else if (depth_ == records_depth_ && in_records_array()) {
      ++index_;
      bad({path_, reader_.line(), reader_.column()}, "is not an object");
    }
    return true;
  }

  void bad(SourceLocation where, std::string reason, std::optional<Date> date = std::nullopt) {
    BadRecord b;
    b.date = date;
    b.index = index_;
    b.where = std::move(where);
    b.reason = std::move(reason);
    on_bad_(b);
  }

  static std::string shown(const Slot& s) {
    if (s.type == Slot::Type::Other) return s.what;
    if (s.type == Slot::Type::String) return "\"" + s.text + "\"";
    return s.text;
  }

  void finish_record() {
    ExportRecord r;
    r.index = index_;
    r.where = where_;
    // The date first, so that a skipped record can still be counted in its period.
    const Slot& date = slots_[rule_.date_field];
    if (date.type == Slot::Type::Missing)
      return bad(where_, "field '" + rule_.fields[rule_.date_field].key + "' is missing");
    std::string why;
    std::optional<Date> d;
    if (date.type == Slot::Type::String) d = parse_date(trim(date.text), &why);
    if (!d) {
      std::string reason = "field '" + rule_.fields[rule_.date_field].key + "' is not a date: " +
                           shown(date);
      if (!why.empty()) reason += " (" + why + ")";
      return bad(where_, reason);
    }
    r.date = *d;
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].type == Slot::Type::Missing)
        return bad(where_, "field '" + rule_.fields[i].key + "' is missing", r.date);
    }
    auto text_of = [&](int field, std::string& out) {
      const Slot& s = slots_[field];
      if (s.type == Slot::Type::Other || trim(s.text).empty()) {
        bad(where_, "field '" + rule_.fields[field].key + "' is empty: " + shown(s), r.date);
        return false;
      }
      out = trim(s.text);
      return true;
    };
    if (!text_of(rule_.entity_field, r.entity)) return;
    if (rule_.has_group() && !text_of(rule_.group_field, r.group)) return;
    r.numbers.reserve(rule_.number_fields.size());
    for (int f : rule_.number_fields) {
      const Slot& s = slots_[f];
      double v = s.number;
      bool ok = s.type == Slot::Type::Number;
      if (s.type == Slot::Type::String) {
        // Spreadsheet exports often quote numbers: "97.6" is accepted.
        std::string t = trim(s.text);
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        ok = !t.empty() && ec == std::errc() && p == t.data() + t.size();
      }
      if (!ok)
        return bad(where_, "field '" + rule_.fields[f].key + "' is not a number: " + shown(s),
                   r.date);
      r.numbers.push_back(v);
    }
    on_record_(r);
  }

  const RankingRule& rule_;
  CountingReader& reader_;
  std::string path_;
  const std::function<void(const ExportRecord&)>& on_record_;
  const std::function<void(const BadRecord&)>& on_bad_;
  std::unordered_map<std::string, size_t> slot_of_key_;
  std::vector<Slot> slots_;
  std::vector<bool> containers_;  // true: object
  int depth_ = 0;
  bool holder_ = false;
  int records_depth_ = -1;  // depth of the array whose elements are records
  bool in_record_ = false;
  int record_depth_ = 0;
  int current_slot_ = -1;
  long index_ = 0;
  SourceLocation where_;
};

// Opens the file as a stream. Files on disk are read in chunks; other file
// systems (tests) hand over their bytes.
std::unique_ptr<std::istream> open_stream(const FileSystem& fs, const std::string& full_path) {
  if (dynamic_cast<const RealFileSystem*>(&fs)) {
    auto in = std::make_unique<std::ifstream>(full_path, std::ios::binary);
    if (!*in) return nullptr;
    return in;
  }
  auto bytes = fs.read(full_path);
  if (!bytes) return nullptr;
  return std::make_unique<std::istringstream>(std::move(*bytes));
}

}  // namespace

void read_export(const RankingRule& rule, const FileSystem& fs, const std::string& project_root,
                 const std::string& path, const std::function<void(const ExportRecord&)>& on_record,
                 const std::function<void(const BadRecord&)>& on_bad) {
  if (is_table_export(path)) return read_table_export(rule, fs, project_root, path, on_record, on_bad);
  auto in = open_stream(fs, join_path(project_root, path));
  if (!in) throw Error(SourceLocation{path, 0, 0}, "cannot read the export file");
  auto reader = std::make_unique<CountingReader>(*in);
  RecordHandler handler(rule, *reader, path, on_record, on_bad);
  auto skip_space = [&] {
    while (!reader->at_end() && (reader->peek() == ' ' || reader->peek() == '\n' ||
                                 reader->peek() == '\r' || reader->peek() == '\t'))
      reader->advance();
  };
  skip_space();
  // One top-level value for a JSON file, one per line for JSON Lines.
  while (!reader->at_end()) {
    handler.reset_top();
    json::sax_parse(ReaderIterator(reader.get()), ReaderIterator(), &handler,
                    json::input_format_t::json, /*strict=*/false);
    skip_space();
  }
}

}  // namespace bulletin
