// .csv exports: RFC 4180 (quoted fields, "" inside quotes, CRLF or LF, line
// breaks inside quotes), in UTF-8 with or without a BOM, or in GBK/GB18030 as
// Excel on a Chinese Windows saves them. The encoding is the rule's
// `encoding`, or detected: a BOM or valid UTF-8 in the first 64 KiB is UTF-8,
// anything else GB18030 (a superset of GBK). Other encodings are converted to
// UTF-8 with iconv, chunk by chunk, so memory does not grow with the file.
#include <iconv.h>

#include <cerrno>
#include <fstream>
#include <memory>
#include <sstream>

#include "compute/table_exports.h"
#include "util/text.h"

namespace bulletin {
namespace {

// True if `s` is UTF-8, allowing a sequence cut off at the end.
bool looks_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (n < 0) return false;
    if (n == 1 && c < 0xC2) return false;
    for (int k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return true;
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n + 1;
  }
  return true;
}

// The RFC 4180 state machine over UTF-8 text, fed in pieces.
class CsvParser {
 public:
  CsvParser(std::string path, TableReader& table) : path_(std::move(path)), table_(table) {}

  void feed(std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      if (pending_cr_) {
        pending_cr_ = false;
        if (c == '\n') {
          continue;  // "\r\n": the line already ended at '\r'
        }
      }
      switch (state_) {
        case State::FieldStart:
          start_ = {path_, line_, column_};
          if (c == '"') {
            state_ = State::Quoted;
            quoted_ = true;
            break;
          }
          state_ = State::Unquoted;
          [[fallthrough]];
        case State::Unquoted:
          if (c == ',') end_field();
          else if (c == '\n' || c == '\r') end_row(c);
          else field_ += c;
          break;
        case State::Quoted:
          if (c == '"') state_ = State::QuoteInQuoted;
          else field_ += c;
          break;
        case State::QuoteInQuoted:
          if (c == '"') {
            field_ += '"';
            state_ = State::Quoted;
          } else if (c == ',') {
            end_field();
          } else if (c == '\n' || c == '\r') {
            end_row(c);
          } else {
            // Lenient like Excel: text after a closing quote joins the field.
            field_ += c;
            state_ = State::Unquoted;
          }
          break;
      }
      advance(c);
    }
  }

  void finish() {
    if (state_ != State::FieldStart || !cells_.empty()) {
      if (state_ == State::Quoted) throw Error(start_, "a quoted field is not closed: the file ends inside it");
      end_field();
      emit();
    }
  }
  int line() const { return line_; }

 private:
  enum class State { FieldStart, Unquoted, Quoted, QuoteInQuoted };

  void advance(char c) {
    unsigned char u = c;
    if (c == '\n' || c == '\r') {
      if (c == '\r') pending_cr_ = true;
      ++line_;
      column_ = 1;
    } else if ((u & 0xC0) != 0x80) {
      ++column_;
    }
  }

  void end_field() {
    TableCell cell;
    cell.where = start_;
    cell.kind = field_.empty() ? TableCell::Kind::Empty : TableCell::Kind::Text;
    cell.text = std::move(field_);
    field_.clear();
    cells_.push_back(std::move(cell));
    state_ = State::FieldStart;
    quoted_ = false;
    start_ = {path_, line_, column_ + 1};  // the next field starts after the comma
  }

  void end_row(char) {
    end_field();
    emit();
  }

  void emit() {
    // A line with nothing on it is not a row.
    if (!(cells_.size() == 1 && cells_[0].kind == TableCell::Kind::Empty)) table_.row(cells_);
    cells_.clear();
    state_ = State::FieldStart;
  }

  std::string path_;
  TableReader& table_;
  State state_ = State::FieldStart;
  bool quoted_ = false;
  bool pending_cr_ = false;
  std::string field_;
  std::vector<TableCell> cells_;
  SourceLocation start_;
  int line_ = 1, column_ = 1;
};

}  // namespace

void read_csv_export(const RankingRule& rule, const FileSystem& fs, const std::string& project_root,
                     const std::string& path, uint64_t order_base, RecordConsumer& consumer) {
  auto in = fs.open(join_path(project_root, path));
  if (!in) throw Error(SourceLocation{path, 0, 0}, "cannot read the export file");
  TableReader table(rule, SourceLocation{path, 0, 0}, order_base, consumer);
  CsvParser parser(path, table);

  std::string chunk(1 << 16, '\0');
  auto read_chunk = [&]() {
    in->read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    return std::string_view(chunk.data(), static_cast<size_t>(in->gcount()));
  };
  std::string_view first = read_chunk();
  std::string encoding = rule.encoding;
  if (first.starts_with("\xEF\xBB\xBF")) {
    first.remove_prefix(3);
    encoding = "utf-8";  // a BOM says so, whatever the rule expected
  }
  if (encoding.empty()) encoding = looks_utf8(first) ? "utf-8" : "gb18030";

  if (encoding == "utf-8") {
    for (std::string_view piece = first; !piece.empty(); piece = read_chunk()) parser.feed(piece);
  } else {
    iconv_t cd = iconv_open("UTF-8", encoding == "gbk" ? "GBK" : "GB18030");
    if (cd == reinterpret_cast<iconv_t>(-1))
      throw Error(SourceLocation{path, 0, 0}, "cannot convert from " + encoding + ": iconv has no converter");
    std::unique_ptr<void, int (*)(iconv_t)> closer(cd, iconv_close);
    std::string carry;  // bytes of a character cut off at the end of a chunk
    std::string out(1 << 17, '\0');
    for (std::string_view piece = first; !piece.empty() || !carry.empty(); piece = read_chunk()) {
      if (piece.empty()) {
        throw Error(SourceLocation{path, parser.line(), 0},
                    "the file ends inside a character: it is not " + encoding + " text");
      }
      carry.append(piece);
      char* src = carry.data();
      size_t left = carry.size();
      while (left > 0) {
        char* dst = out.data();
        size_t room = out.size();
        size_t r = iconv(cd, &src, &left, &dst, &room);
        parser.feed(std::string_view(out.data(), out.size() - room));
        if (r != static_cast<size_t>(-1)) break;
        if (errno == E2BIG) continue;
        if (errno == EINVAL) break;  // an incomplete character: wait for the next chunk
        std::string named = encoding == "gbk" ? "GBK" : "GB18030";
        throw Error(SourceLocation{path, parser.line(), 0},
                    "this line is not " + named + " text" +
                        (rule.encoding.empty() ? " (the encoding was detected; state it with `encoding:` in the rule)"
                                               : " (the rule states `encoding: " + rule.encoding + "`)"));
      }
      carry.erase(0, carry.size() - left);
    }
  }
  parser.finish();
  table.finish();
}

}  // namespace bulletin
