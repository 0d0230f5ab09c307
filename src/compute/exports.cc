#include "compute/exports.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <unistd.h>

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "compute/table_exports.h"
#include "util/text.h"

namespace bulletin {

std::string BadRecord::message() const { return "record " + std::to_string(index) + ": " + reason; }

bool glob_match(std::string_view pattern, std::string_view path) {
  return fnmatch(std::string(pattern).c_str(), std::string(path).c_str(), FNM_PATHNAME) == 0;
}

std::vector<std::string> find_exports(const RankingRule& rule, const FileSystem& fs, const std::string& project_root) {
  std::set<std::string> found;
  std::string data = join_path(project_root, "data");
  if (!fs.is_dir(data)) return {};
  std::vector<std::string> all = fs.list(data);
  for (const auto& pattern : rule.exports)
    for (const auto& rel : all)
      if (glob_match(pattern, rel)) found.insert("data/" + rel);
  return {found.begin(), found.end()};
}

void check_export_inside(const RankingRule& rule, const FileSystem& fs, const std::string& project_root,
                         const std::string& path) {
  if (!fs.on_disk()) return;
  namespace stdfs = std::filesystem;
  std::error_code ec;
  stdfs::path root = stdfs::weakly_canonical(stdfs::absolute(project_root), ec);
  stdfs::path file = stdfs::weakly_canonical(stdfs::absolute(join_path(project_root, path)), ec);
  auto rel = file.lexically_relative(root);
  if (ec || rel.empty() || *rel.begin() == "..")
    throw Error(rule.exports_where,
                "export file '" + path + "' resolves to '" + file.string() +
                    "', outside the project folder; exports must be files inside the project",
                rule.exports_line);
}

namespace {

std::string_view trim_view(std::string_view t) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t' || t.front() == '\r' || t.front() == '\n'))
    t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r' || t.back() == '\n'))
    t.remove_suffix(1);
  return t;
}

std::string shown(const RawField& s) {
  if (s.type == RawField::Type::Other) return std::string(s.what);
  if (s.type == RawField::Type::String) return "\"" + std::string(s.text) + "\"";
  return std::string(trim_view(s.text));
}

}  // namespace

std::string record_text(std::string_view text) {
  text = trim_view(text);
  if (text.size() <= kRecordTextLimit) return std::string(text);
  size_t n = kRecordTextLimit;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;  // whole characters
  return std::string(text.substr(0, n)) + "…";
}

RecordChecker::RecordChecker(const RankingRule& rule) : rule_(rule) {
  record_.numbers.resize(rule.number_fields.size());
}

int RecordChecker::field_of_key(std::string_view key, size_t position) {
  // Records of one export mostly list their keys in the same order: try the
  // field found at this position last time first.
  if (position < guess_.size()) {
    int g = guess_[position];
    if (g >= 0 && rule_.fields[g].key == key) return g;
  }
  int found = -1;
  for (size_t i = 0; i < rule_.fields.size(); ++i)
    if (rule_.fields[i].key == key) found = static_cast<int>(i);
  if (position < 64) {
    if (guess_.size() <= position) guess_.resize(position + 1, -1);
    guess_[position] = found;
  }
  return found;
}

bool RecordChecker::deliver(const RawField* slots, const RecordPlace& place, RecordConsumer& consumer) {
  auto bad = [&](std::string reason, std::optional<Date> date = std::nullopt) {
    BadRecord b;
    b.index = place.index;
    b.date = date;
    b.where = place.where();
    b.reason = std::move(reason);
    b.text = record_text(place.text);
    return consumer.bad(b);
  };
  // The date first, so that a skipped record can still be counted in its period.
  const RawField& date = slots[rule_.date_field];
  const std::string& date_key = rule_.fields[rule_.date_field].key;
  if (date.type == RawField::Type::Missing) return bad("field '" + date_key + "' is missing");
  std::optional<Date> d;
  std::string why;
  if (date.type == RawField::Type::String) {
    if (date.text != last_date_text_ || last_date_text_.empty()) {
      last_date_text_.assign(date.text);
      last_date_why_.clear();
      last_date_ = parse_date(trim_view(date.text), &last_date_why_);
    }
    d = last_date_;
    why = last_date_why_;
  }
  if (!d) {
    std::string reason = "field '" + date_key + "' is not a date: " + shown(date);
    if (!why.empty()) reason += " (" + why + ")";
    return bad(reason);
  }
  for (size_t i = 0; i < rule_.fields.size(); ++i)
    if (slots[i].type == RawField::Type::Missing) return bad("field '" + rule_.fields[i].key + "' is missing", d);
  // nullopt when the text is there; else the consumer's answer to the bad record.
  auto text_of = [&](int field, std::string_view& out) -> std::optional<bool> {
    const RawField& s = slots[field];
    out = trim_view(s.text);
    if (s.type == RawField::Type::Other || out.empty())
      return bad("field '" + rule_.fields[field].key + "' is empty: " + shown(s), d);
    return std::nullopt;
  };
  ExportRecord& r = record_;
  r.place = place;
  r.date = *d;
  if (auto answer = text_of(rule_.entity_field, r.entity)) return *answer;
  r.group = {};
  if (rule_.has_group())
    if (auto answer = text_of(rule_.group_field, r.group)) return *answer;
  for (size_t k = 0; k < rule_.number_fields.size(); ++k) {
    int f = rule_.number_fields[k];
    const RawField& s = slots[f];
    std::string reason_why;
    std::optional<Exact> v;
    if (s.type == RawField::Type::Number || s.type == RawField::Type::String) v = parse_decimal(s.text, &reason_why);
    if (!v) {
      std::string reason = "field '" + rule_.fields[f].key + "' is not a number: " + shown(s);
      if (reason_why == "it is too large" || reason_why == "it is too small") reason += " (" + reason_why + ")";
      return bad(reason, d);
    }
    r.numbers[k] = std::move(*v);
  }
  consumer.record(r);
  return true;
}

namespace {

// Reads a stream in chunks and keeps the line and column (in code points)
// of the next character, so records can be located.
class CountingReader {
 public:
  explicit CountingReader(std::istream& in) : in_(in) { fill(); }

  bool at_end() const { return pos_ == len_; }
  char peek() const { return buf_[pos_]; }
  // While capturing, the characters read are appended to `capture` (up to a limit).
  void capture(std::string* into) { capture_ = into; }
  void advance() {
    unsigned char c = buf_[pos_++];
    if (capture_ && capture_->size() <= kRecordTextLimit + 4) *capture_ += static_cast<char>(c);
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
  std::string* capture_ = nullptr;
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
  RawField::Type type = RawField::Type::Missing;
  std::string text;       // strings, and numbers as written
  const char* what = "";  // for Other: "true", "null", "an object"...
};

// Floats as long double: nlohmann stops the whole parse at a float its type
// cannot hold, and 1E400 must reach parse_decimal as a bad record ("it is too
// large"), as it does in JSON Lines; the raw text is what is kept.
using json = nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t, std::uint64_t, long double>;

const char* const kTopLevel =
    "an export holds an array of records, an object holding one, or one record object per line";

// Finds the records in the SAX events and hands each one to the checker.
class RecordHandler : public nlohmann::json_sax<json> {
 public:
  RecordHandler(const RankingRule& rule, CountingReader& reader, const std::string& path, uint64_t order_base,
                RecordConsumer& consumer)
      : checker_(rule),
        reader_(reader),
        path_(path),
        order_base_(order_base),
        consumer_(consumer),
        slots_(rule.fields.size()),
        raw_(rule.fields.size()) {}

  // Called before each top-level value, which starts at line:column.
  void reset_top(int line, int column) {
    top_line_ = line;
    top_column_ = column;
    depth_ = 0;
    holder_ = false;
    records_depth_ = -1;
  }
  long records() const { return index_; }
  bool stopped() const { return stopped_; }

  bool null() override { return scalar(RawField::Type::Other, "", "null"); }
  bool boolean(bool v) override { return scalar(RawField::Type::Other, "", v ? "true" : "false"); }
  bool number_integer(number_integer_t v) override {
    return scalar(RawField::Type::Number, std::to_string(v), "a number");
  }
  bool number_unsigned(number_unsigned_t v) override {
    return scalar(RawField::Type::Number, std::to_string(v), "a number");
  }
  bool number_float(number_float_t, const string_t& raw) override {
    return scalar(RawField::Type::Number, raw, "a number");
  }
  bool string(string_t& s) override { return scalar(RawField::Type::String, s, "a string"); }
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
      reader_.capture(nullptr);
      // A top-level object that held the records array is not a record itself.
      if (!(depth_ == 0 && holder_)) finish_record();
    }
    return !stopped_;
  }
  bool start_array(std::size_t) override {
    if (depth_ == 0) {
      records_depth_ = 1;  // the top-level array holds the records
    } else if (depth_ == 1 && in_record_ && record_depth_ == 0 && !holder_) {
      holder_ = true;  // {"data": [...]}: the first array holds the records
      in_record_ = false;
      reader_.capture(nullptr);
      --index_;  // the holder was counted as a record when it opened
      records_depth_ = 2;
    } else if (depth_ == records_depth_ && in_records_array()) {
      top_level_error("a list inside the list of records");
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
    if (in_record_ && depth_ == record_depth_ + 1) current_slot_ = checker_.field_of_key(k, key_position_++);
    return true;
  }
  bool parse_error(std::size_t, const std::string& last_token, const nlohmann::detail::exception& ex) override {
    std::string what = ex.what();
    if (ex.id == 406) {
      // Past even a long double (about 1e4932): nlohmann stops the whole
      // parse here, so it cannot be skipped as a bad record as 1e999 is.
      what = "the number " + last_token +
             " is too large to be read, and the export cannot be read past it: write it as a string "
             "(\"" +
             last_token + "\") to have the record skipped as a bad record";
    } else {
      // Drop nlohmann's "[json.exception...] parse error at line 1, column 5: ".
      size_t colon = what.find(": ");
      if (colon != std::string::npos) what = what.substr(colon + 2);
    }
    // The parser has read the offending token (and, after a number, the
    // character that ended it); point at its start.
    int column = reader_.column() - static_cast<int>(utf8_length(last_token)) - (ex.id == 406 ? 1 : 0);
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

  [[noreturn]] void top_level_error(const std::string& found) {
    throw Error(SourceLocation{path_, reader_.line(), std::max(reader_.column() - 1, 1)},
                std::string(kTopLevel) + "; found " + found);
  }

  void begin_record() {
    ++index_;
    in_record_ = true;
    record_depth_ = depth_;
    current_slot_ = -1;
    key_position_ = 0;
    // The parser has just read '{'.
    where_line_ = reader_.line();
    where_column_ = reader_.column() - 1;
    text_.assign("{");
    reader_.capture(&text_);
    for (auto& s : slots_) s.type = RawField::Type::Missing;
  }

  void value_is_container(const char* what) {
    if (current_slot_ >= 0) {
      slots_[current_slot_].type = RawField::Type::Other;
      slots_[current_slot_].what = what;
    }
    current_slot_ = -1;
  }

  bool scalar(RawField::Type type, const std::string& text, const char* what) {
    if (in_record_ && depth_ == record_depth_ + 1) {
      if (current_slot_ >= 0) {
        Slot& s = slots_[current_slot_];
        s.type = type;
        s.text = text;
        s.what = what;
      }
      current_slot_ = -1;
    } else if (depth_ == records_depth_ && in_records_array()) {
      ++index_;
      BadRecord b;
      b.index = index_;
      b.where = {path_, reader_.line(), reader_.column()};
      b.reason = "is not an object";
      b.text = record_text(text);
      if (!consumer_.bad(b)) stopped_ = true;
    } else if (depth_ == 0) {
      throw Error(SourceLocation{path_, top_line_, top_column_}, std::string(kTopLevel) + "; found " + what);
    }
    return !stopped_;
  }

  void finish_record() {
    for (size_t i = 0; i < slots_.size(); ++i) {
      raw_[i].type = slots_[i].type;
      raw_[i].text = slots_[i].text;
      raw_[i].what = slots_[i].what;
    }
    RecordPlace place;
    place.path = &path_;
    place.line = where_line_;
    place.column = where_column_;
    place.index = index_;
    place.order = order_base_ + static_cast<uint64_t>(index_);
    place.text = text_;
    if (!checker_.deliver(raw_.data(), place, consumer_)) stopped_ = true;
  }

  RecordChecker checker_;
  CountingReader& reader_;
  const std::string& path_;
  uint64_t order_base_;
  RecordConsumer& consumer_;
  std::vector<Slot> slots_;
  std::vector<RawField> raw_;
  std::vector<bool> containers_;  // true: object
  std::string text_;
  int depth_ = 0;
  bool holder_ = false;
  int records_depth_ = -1;  // depth of the array whose elements are records
  bool in_record_ = false;
  int record_depth_ = 0;
  int current_slot_ = -1;
  size_t key_position_ = 0;
  long index_ = 0;
  int where_line_ = 0, where_column_ = 0;
  int top_line_ = 1, top_column_ = 1;
  bool stopped_ = false;
};

}  // namespace

namespace {

bool is_json_lines(const std::string& path) { return path.ends_with(".jsonl") || path.ends_with(".ndjson"); }

// The precise message for a line simdjson rejected, from nlohmann's parser.
Error line_json_error(const std::string& path, int line, std::string_view text, const char* fallback) {
  try {
    json parsed = json::parse(text.begin(), text.end());
    (void)parsed;
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    size_t colon = what.find(": ");
    if (colon != std::string::npos) what = what.substr(colon + 2);
    size_t byte = e.byte > 0 ? std::min<size_t>(e.byte - 1, text.size()) : 0;
    int column = 1 + static_cast<int>(utf8_length(text.substr(0, byte)));
    return Error(SourceLocation{path, line, column}, "invalid JSON: " + what);
  } catch (const std::exception&) {
  }
  return Error(SourceLocation{path, line, 1}, std::string("invalid JSON: ") + fallback);
}

// The text of a JSON string that starts at `p` (just after its quote) when
// it holds no escape; a null view otherwise. simdjson has checked the quotes.
std::string_view plain_string(const char* p) {
  const char* q = p;
  while (*q != '"' && *q != '\\') ++q;
  if (*q == '\\') return {};
  return {p, static_cast<size_t>(q - p)};
}

// One part of a JSON Lines file: its lines, parsed one by one with simdjson.
class JsonLinesPart {
 public:
  JsonLinesPart(const RankingRule& rule, const std::string& path, uint64_t order_base, RecordConsumer& consumer)
      : checker_(rule), path_(path), order_base_(order_base), consumer_(consumer), raw_(rule.fields.size()) {}

  long lines() const { return line_; }
  long records() const { return records_; }
  bool stopped() const { return stopped_ || error_.has_value(); }
  // The JSON error of the part, its line relative to the part.
  const std::optional<Error>& error() const { return error_; }

  // Reads the lines of buf[0, len); `capacity` bytes from buf are readable
  // (at least len + SIMDJSON_PADDING). Every line but the last ends in '\n';
  // the last may not (end of file).
  void lines(const char* buf, size_t len, size_t capacity, uint64_t file_offset) {
    size_t pos = 0;
    while (pos < len && !stopped()) {
      const char* nl = static_cast<const char*>(std::memchr(buf + pos, '\n', len - pos));
      size_t end = nl ? static_cast<size_t>(nl - buf) : len;
      line(buf + pos, end - pos, capacity - pos, file_offset + pos);
      pos = end + 1;
    }
  }

 private:
  void line(const char* p, size_t n, size_t capacity, uint64_t offset) {
    ++line_;
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r')) ++i;
    if (i == n) return;  // blank line
    ++records_;
    std::string_view text(p, n);
    int column = 1 + static_cast<int>(utf8_length(text.substr(0, i)));
    if (p[i] != '{') {
      char c = p[i];
      const char* found = c == '['                               ? "a list"
                          : c == '"'                             ? "a string"
                          : c == 't' || c == 'f'                 ? "a boolean"
                          : c == 'n'                             ? "null"
                          : (c == '-' || (c >= '0' && c <= '9')) ? "a number"
                                                                 : nullptr;
      if (found)
        error_ =
            Error(SourceLocation{path_, static_cast<int>(line_), column}, std::string(kTopLevel) + "; found " + found);
      else error_ = line_json_error(path_, static_cast<int>(line_), text, "unexpected character");
      return;
    }
    for (auto& r : raw_) r.type = RawField::Type::Missing;
    hint_ = 0;
    auto fail = [&](simdjson::error_code code) {
      error_ = line_json_error(path_, static_cast<int>(line_), text, simdjson::error_message(code));
    };
    simdjson::ondemand::document doc;
    if (auto e = parser_.iterate(p, n, capacity).get(doc)) return fail(e);
    simdjson::ondemand::object obj;
    if (auto e = doc.get_object().get(obj)) return fail(e);
    for (auto field_result : obj) {
      simdjson::ondemand::field field;
      if (auto e = std::move(field_result).get(field)) return fail(e);
      // Keys without escapes are compared in place; others are unescaped.
      std::string_view key = plain_string(field.key().raw());
      if (key.data() == nullptr)
        if (auto e = field.unescaped_key().get(key)) return fail(e);
      int slot = checker_.field_of_key(key, hint_++);
      if (slot < 0) continue;  // not read: skipped when the next key is
      simdjson::ondemand::value v = field.value();
      simdjson::ondemand::json_type type;
      if (auto e = v.type().get(type)) return fail(e);
      RawField& r = raw_[slot];
      switch (type) {
        case simdjson::ondemand::json_type::number:
          r.type = RawField::Type::Number;
          r.text = trim_view(v.raw_json_token());
          break;
        case simdjson::ondemand::json_type::string:
          r.type = RawField::Type::String;
          {
            simdjson::ondemand::raw_json_string raw;
            if (auto e = v.get_raw_json_string().get(raw)) return fail(e);
            r.text = plain_string(raw.raw());
            if (r.text.data() == nullptr)
              if (auto e = v.get_string().get(r.text)) return fail(e);
          }
          break;
        case simdjson::ondemand::json_type::boolean: {
          bool b = false;
          if (auto e = v.get_bool().get(b)) return fail(e);
          r.type = RawField::Type::Other;
          r.what = b ? "true" : "false";
          break;
        }
        case simdjson::ondemand::json_type::null:
          r.type = RawField::Type::Other;
          r.what = "null";
          break;
        case simdjson::ondemand::json_type::object:
          r.type = RawField::Type::Other;
          r.what = "an object";
          break;
        case simdjson::ondemand::json_type::array:
          r.type = RawField::Type::Other;
          r.what = "a list";
          break;
      }
    }
    // Past the object, the document must be at its end.
    const char* rest = nullptr;
    if (doc.current_location().get(rest) == simdjson::SUCCESS) return fail(simdjson::TRAILING_CONTENT);
    RecordPlace place;
    place.path = &path_;
    place.line = static_cast<int>(line_);
    place.column = column;
    place.index = records_;
    place.order = order_base_ + offset;
    place.text = text;
    if (!checker_.deliver(raw_.data(), place, consumer_)) stopped_ = true;
  }

  RecordChecker checker_;
  const std::string& path_;
  uint64_t order_base_;
  RecordConsumer& consumer_;
  simdjson::ondemand::parser parser_;
  std::vector<RawField> raw_;
  long line_ = 0, records_ = 0;
  size_t hint_ = 0;  // position of the key in the record, to guess its field
  bool stopped_ = false;
  std::optional<Error> error_;
};

constexpr size_t kChunk = 1 << 20;

// Reads bytes [begin, end) of `fd` into `part` in chunks of complete lines.
void read_part(int fd, uint64_t begin, uint64_t end, JsonLinesPart& part, const std::string& path) {
  std::vector<char> buf(kChunk + simdjson::SIMDJSON_PADDING);
  size_t have = 0;
  uint64_t pos = begin;
  while (!part.stopped()) {
    size_t room = buf.size() - simdjson::SIMDJSON_PADDING - have;
    while (room > 0 && pos < end) {
      ssize_t got = ::pread(fd, buf.data() + have, std::min<uint64_t>(room, end - pos), static_cast<off_t>(pos));
      if (got < 0) throw Error(SourceLocation{path, 0, 0}, "cannot read the export file");
      if (got == 0) {
        end = pos;
        break;
      }
      have += static_cast<size_t>(got);
      pos += static_cast<uint64_t>(got);
      room -= static_cast<size_t>(got);
    }
    bool last = pos >= end;
    size_t upto = have;
    if (!last) {
      const char* nl = static_cast<const char*>(memrchr(buf.data(), '\n', have));
      if (!nl) {  // a line longer than the buffer
        buf.resize(buf.size() * 2);
        continue;
      }
      upto = static_cast<size_t>(nl - buf.data()) + 1;
    }
    part.lines(buf.data(), upto, buf.size(), pos - have);
    if (last) break;
    std::memmove(buf.data(), buf.data() + upto, have - upto);
    have -= upto;
  }
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Where part k of `parts` starts: just after a '\n' at or beyond size*k/parts.
uint64_t part_start(int fd, uint64_t size, int k, int parts) {
  if (k == 0) return 0;
  uint64_t pos = size * static_cast<uint64_t>(k) / static_cast<uint64_t>(parts);
  if (pos > 0) --pos;
  char window[1 << 16];
  while (pos < size) {
    ssize_t got = ::pread(fd, window, sizeof window, static_cast<off_t>(pos));
    if (got <= 0) return size;
    if (auto nl = static_cast<const char*>(std::memchr(window, '\n', static_cast<size_t>(got))))
      return pos + static_cast<uint64_t>(nl - window) + 1;
    pos += static_cast<uint64_t>(got);
  }
  return size;
}

std::vector<PartOffsets> read_json_lines(const RankingRule& rule, const FileSystem& fs, const std::string& full,
                                         const std::string& path, uint64_t order_base, int parts,
                                         const std::function<RecordConsumer&(int)>& consumer_of) {
  if (!fs.on_disk()) {
    auto bytes = fs.read(full);
    if (!bytes) throw Error(SourceLocation{path, 0, 0}, "cannot read the export file");
    size_t n = bytes->size();
    bytes->append(simdjson::SIMDJSON_PADDING, '\0');
    JsonLinesPart part(rule, path, order_base, consumer_of(0));
    part.lines(bytes->data(), n, bytes->size(), 0);
    if (part.error()) throw *part.error();
    return {PartOffsets{}};
  }
  Fd f;
  f.fd = ::open(full.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) throw Error(SourceLocation{path, 0, 0}, "cannot read the export file");
  uint64_t size = fs.size(full);
  // Small files are not worth a thread; each part should hold a few chunks.
  parts = std::max(1, std::min<int>(parts, static_cast<int>(size / (8 * kChunk))));
  std::vector<uint64_t> starts;
  for (int k = 0; k <= parts; ++k) starts.push_back(k == parts ? size : part_start(f.fd, size, k, parts));
  std::vector<std::unique_ptr<JsonLinesPart>> readers;
  for (int k = 0; k < parts; ++k)
    readers.push_back(std::make_unique<JsonLinesPart>(rule, path, order_base, consumer_of(k)));
  std::vector<std::exception_ptr> failures(parts);
  auto run = [&](int k) {
    try {
      if (starts[k] < starts[k + 1]) read_part(f.fd, starts[k], starts[k + 1], *readers[k], path);
    } catch (...) {
      failures[k] = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  for (int k = 1; k < parts; ++k) threads.emplace_back(run, k);
  run(0);
  for (auto& t : threads) t.join();
  std::vector<PartOffsets> offsets(parts);
  for (int k = 0; k < parts; ++k) {
    if (k > 0)
      offsets[k] = {offsets[k - 1].lines + readers[k - 1]->lines(), offsets[k - 1].records + readers[k - 1]->records()};
    // The first problem in file order wins: an earlier part that stopped
    // (a bad record under `bad_records: error`) or failed hides later ones.
    if (failures[k]) std::rethrow_exception(failures[k]);
    if (const auto& e = readers[k]->error()) {
      Diagnostic d = e->diagnostic();
      d.where.line += static_cast<int>(offsets[k].lines);
      throw Error(d);
    }
    if (readers[k]->stopped()) {
      offsets.resize(k + 1);
      break;
    }
  }
  return offsets;
}

}  // namespace

std::vector<PartOffsets> read_export_parts(const RankingRule& rule, const FileSystem& fs,
                                           const std::string& project_root, const std::string& path,
                                           uint64_t order_base, int parts,
                                           const std::function<RecordConsumer&(int)>& consumer_of) {
  std::string full = join_path(project_root, path);
  if (is_table_export(path)) {
    read_table_export(rule, fs, project_root, path, order_base, consumer_of(0));
    return {PartOffsets{}};
  }
  if (is_json_lines(path)) return read_json_lines(rule, fs, full, path, order_base, parts, consumer_of);
  auto in = fs.open(full);
  if (!in) throw Error(SourceLocation{path, 0, 0}, "cannot read the export file");
  auto reader = std::make_unique<CountingReader>(*in);
  RecordHandler handler(rule, *reader, path, order_base, consumer_of(0));
  auto skip_space = [&] {
    while (!reader->at_end() &&
           (reader->peek() == ' ' || reader->peek() == '\n' || reader->peek() == '\r' || reader->peek() == '\t'))
      reader->advance();
  };
  skip_space();
  // One top-level value for a JSON file, one per line for JSON Lines.
  while (!reader->at_end() && !handler.stopped()) {
    handler.reset_top(reader->line(), reader->column());
    json::sax_parse(ReaderIterator(reader.get()), ReaderIterator(), &handler, json::input_format_t::json,
                    /*strict=*/false);
    skip_space();
  }
  return {PartOffsets{}};
}

namespace {

class CallbackConsumer : public RecordConsumer {
 public:
  CallbackConsumer(const std::function<void(const ExportRecord&)>& on_record,
                   const std::function<void(const BadRecord&)>& on_bad)
      : on_record_(on_record), on_bad_(on_bad) {}
  void record(const ExportRecord& r) override { on_record_(r); }
  bool bad(const BadRecord& b) override {
    on_bad_(b);
    return true;
  }

 private:
  const std::function<void(const ExportRecord&)>& on_record_;
  const std::function<void(const BadRecord&)>& on_bad_;
};

}  // namespace

void read_export(const RankingRule& rule, const FileSystem& fs, const std::string& project_root,
                 const std::string& path, const std::function<void(const ExportRecord&)>& on_record,
                 const std::function<void(const BadRecord&)>& on_bad) {
  CallbackConsumer consumer(on_record, on_bad);
  read_export_parts(rule, fs, project_root, path, 0, 1, [&](int) -> RecordConsumer& { return consumer; });
}

}  // namespace bulletin
