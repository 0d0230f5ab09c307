#include "util/yaml_plain.h"

#include <memory>
#include <vector>

namespace bulletin {
struct PlainYamlAccess;
}  // namespace bulletin

// yaml-cpp's public API cannot give a node a mark, and the marks are what
// every located message is made from. YAML::Node befriends every
// specialisation of YAML::as_if, so this one is the narrow door: it makes a
// Node over nodes built with yaml-cpp's own detail API, exactly as its
// NodeBuilder does (src/nodebuilder.cpp, 0.7).
template <>
struct YAML::as_if<bulletin::PlainYamlAccess, void> {
  static YAML::Node wrap(YAML::detail::node& node, YAML::detail::shared_memory_holder memory) {
    return YAML::Node(node, std::move(memory));
  }
};

namespace bulletin {

namespace {

using YAML::detail::node;
using Access = YAML::as_if<PlainYamlAccess, void>;

bool is_null_word(std::string_view s) { return s == "~" || s == "null" || s == "Null" || s == "NULL"; }

YAML::Mark make_mark(size_t pos, int line, size_t column) {
  YAML::Mark m;
  m.pos = static_cast<int>(pos);
  m.line = line;
  m.column = static_cast<int>(column);
  return m;
}

struct Line {
  size_t pos;  // offset of the line in the YAML
  std::string_view text;
};

bool is_blank(std::string_view s) { return s.find_first_not_of(' ') == std::string_view::npos; }

// A key's first byte: a letter, a digit, '_' or any byte of a multi-byte
// UTF-8 character (the text was checked for line-break and BOM characters).
bool key_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}
bool key_byte(unsigned char c) { return key_start(c) || c == '-' || c == '.'; }

// Bytes that make a plain scalar mean something else (or that we leave to
// yaml-cpp) when they start it.
bool plain_start_refused(unsigned char c) {
  switch (c) {
    case '-': case '?': case ':': case ',': case '[': case ']': case '{': case '}': case '#':
    case '&': case '*': case '!': case '|': case '>': case '\'': case '"': case '%': case '@': case '`':
    case ' ':
      return true;
    default:
      return false;
  }
}

class Reader {
 public:
  explicit Reader(std::string_view yaml) : yaml_(yaml) {}

  std::optional<YAML::Node> read() {
    if (!clean()) return std::nullopt;
    split();
    node* root = nullptr;
    size_t i = 0;
    while (i < lines_.size()) {
      std::string_view t = lines_[i].text;
      if (t.empty() || t[0] == '#' || is_blank(t)) {
        ++i;
        continue;
      }
      if (!key_start(static_cast<unsigned char>(t[0]))) return std::nullopt;
      size_t k = 1;
      while (k < t.size() && key_byte(static_cast<unsigned char>(t[k]))) ++k;
      if (k >= t.size() || t[k] != ':' || k > 128) return std::nullopt;
      if (k + 1 < t.size() && t[k + 1] != ' ') return std::nullopt;
      std::string_view key = t.substr(0, k);
      if (is_null_word(key)) return std::nullopt;
      YAML::Mark key_mark = mark(i, 0);
      if (!root) root = &map_node(key_mark);
      node& key_node = scalar(std::string(key), key_mark, false);
      size_t v = t.find_first_not_of(' ', k + 1);
      node* value = nullptr;
      if (v == std::string_view::npos || t[v] == '#') {
        // Nothing on the line: a block list follows, or the value is null.
        size_t j = next_content(i + 1);
        if (j == npos_line) return std::nullopt;
        if (j < lines_.size() && starts_item(lines_[j].text)) {
          value = block_list(j, i);
          if (!value) return std::nullopt;
        } else {
          // yaml-cpp marks the null with the next token: the next key, or
          // the end of the YAML.
          value = &null_node(j < lines_.size() ? mark(j, 0) : end_mark());
          i = j;
        }
      } else {
        size_t end = 0;
        value = inline_value(i, v, true, end);
        if (!value || !rest_is_comment(t, end)) return std::nullopt;
        ++i;
      }
      root->insert(key_node, *value, memory_);
    }
    if (!root) return YAML::Node();
    return Access::wrap(*root, memory_);
  }

 private:
  static constexpr size_t npos_line = static_cast<size_t>(-1);

  // Valid UTF-8 (yaml-cpp takes a leading FF FE or FE FF for UTF-16) with no
  // CR, tab or other control character, no U+0085, U+2028, U+2029, U+FEFF
  // and no C1 control: yaml-cpp reads those in ways of its own.
  bool clean() const {
    const auto* p = reinterpret_cast<const unsigned char*>(yaml_.data());
    size_t n = yaml_.size();
    for (size_t i = 0; i < n; ++i) {
      unsigned char c = p[i];
      if (c >= 0x20 && c < 0x7F) continue;
      if (c == '\n') continue;
      if (c < 0x80) return false;  // C0 controls, tab, CR, DEL
      size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
      if (len == 0 || i + len > n) return false;
      for (size_t k = 1; k < len; ++k)
        if ((p[i + k] & 0xC0) != 0x80) return false;
      unsigned char d = p[i + 1];
      if ((c == 0xE0 && d < 0xA0) || (c == 0xED && d > 0x9F) || (c == 0xF0 && d < 0x90) || (c == 0xF4 && d > 0x8F))
        return false;
      if (c == 0xC2 && d <= 0x9F) return false;
      if (c == 0xE2 && d == 0x80 && (p[i + 2] == 0xA8 || p[i + 2] == 0xA9)) return false;
      if (c == 0xEF && d == 0xBB && p[i + 2] == 0xBF) return false;
      i += len - 1;
    }
    return true;
  }

  void split() {
    lines_.reserve(16);
    size_t pos = 0;
    while (pos < yaml_.size()) {
      size_t end = yaml_.find('\n', pos);
      if (end == std::string_view::npos) end = yaml_.size();
      lines_.push_back({pos, yaml_.substr(pos, end - pos)});
      pos = end + 1;
    }
  }

  YAML::Mark mark(size_t line, size_t column) const {
    return make_mark(lines_[line].pos + column, static_cast<int>(line), column);
  }
  // yaml-cpp's mark at the end: column 0 even after a last line with no
  // line break.
  YAML::Mark end_mark() const {
    int line = 0;
    for (char c : yaml_) line += c == '\n';
    return make_mark(yaml_.size(), line, 0);
  }

  // The next line from `i` that is not blank or a column-0 comment;
  // lines_.size() at the end, npos_line for an indented comment.
  size_t next_content(size_t i) const {
    for (; i < lines_.size(); ++i) {
      std::string_view t = lines_[i].text;
      if (t.empty() || t[0] == '#' || is_blank(t)) continue;
      size_t s = t.find_first_not_of(' ');
      if (t[s] == '#') return npos_line;
      return i;
    }
    return i;
  }

  static bool starts_item(std::string_view t) {
    size_t s = t.find_first_not_of(' ');
    return s != std::string_view::npos && t[s] == '-' && s + 1 < t.size() && t[s + 1] == ' ';
  }

  static bool rest_is_comment(std::string_view t, size_t end) {
    size_t s = t.find_first_not_of(' ', end);
    return s == std::string_view::npos || (s > end && t[s] == '#');
  }

  node& fresh(const YAML::Mark& m) {
    node& n = memory_->create_node();
    n.set_mark(m);
    return n;
  }
  node& scalar(const std::string& value, const YAML::Mark& m, bool quoted) {
    node& n = fresh(m);
    n.set_scalar(value);
    n.set_tag(quoted ? "!" : "?");
    return n;
  }
  node& null_node(const YAML::Mark& m) {
    node& n = fresh(m);
    n.set_null();
    return n;
  }
  node& map_node(const YAML::Mark& m) {
    node& n = fresh(m);
    n.set_type(YAML::NodeType::Map);
    n.set_tag("?");
    n.set_style(YAML::EmitterStyle::Block);
    return n;
  }
  node& list_node(const YAML::Mark& m, YAML::EmitterStyle::value style) {
    node& n = fresh(m);
    n.set_tag("?");
    n.set_type(YAML::NodeType::Sequence);
    n.set_style(style);
    return n;
  }

  // Block list items `- value` from line `j`, all at the indentation of the
  // first; `i` is the key's line. Leaves `line_` at the line after it.
  node* block_list(size_t j, size_t& i) {
    std::string_view first = lines_[j].text;
    size_t indent = first.find_first_not_of(' ');
    node& list = list_node(mark(j, indent), YAML::EmitterStyle::Block);
    size_t at = j;
    while (at < lines_.size()) {
      std::string_view t = lines_[at].text;
      size_t s = t.find_first_not_of(' ');
      if (s == std::string_view::npos || (s == 0 && t[0] == '#')) {
        ++at;
        continue;
      }
      if (t[s] == '#') return nullptr;
      if (s == indent && starts_item(t)) {
        size_t v = t.find_first_not_of(' ', s + 1);
        if (v == std::string_view::npos || t[v] == '#') return nullptr;  // a null item
        size_t end = 0;
        node* item = inline_value(at, v, false, end);
        if (!item || !rest_is_comment(t, end)) return nullptr;
        list.push_back(*item, memory_);
        ++at;
        continue;
      }
      if (s == 0) break;  // the next key (checked by the caller)
      return nullptr;
    }
    i = at;
    return &list;
  }

  // A scalar or (`flow_list`) a flow list starting at column `v` of line
  // `i`; `end` is the column after it.
  node* inline_value(size_t i, size_t v, bool flow_list, size_t& end) {
    std::string_view t = lines_[i].text;
    char c = t[v];
    if (c == '"' || c == '\'') return quoted(i, v, end);
    if (c == '[') return flow_list ? flow(i, v, end) : nullptr;
    if (plain_start_refused(static_cast<unsigned char>(c))) return nullptr;
    // A plain scalar runs to the end of the line or a comment (" #").
    size_t stop = t.size();
    for (size_t k = v + 1; k < t.size(); ++k) {
      if (t[k] == '#' && t[k - 1] == ' ') {
        stop = k;
        break;
      }
    }
    size_t last = t.find_last_not_of(' ', stop - 1);
    std::string_view value = t.substr(v, last + 1 - v);
    for (size_t k = 0; k < value.size(); ++k)
      if (value[k] == ':' && (k + 1 == value.size() || value[k + 1] == ' ')) return nullptr;
    end = last + 1;
    YAML::Mark m = mark(i, v);
    if (is_null_word(value)) return &null_node(m);
    return &scalar(std::string(value), m, false);
  }

  // A one-line quoted scalar: '…' with '' for a quote, or "…" with the
  // escapes \\ \" \/ \n \t only.
  node* quoted(size_t i, size_t v, size_t& end) {
    std::string_view t = lines_[i].text;
    char q = t[v];
    std::string out;
    size_t k = v + 1;
    for (;; ++k) {
      if (k >= t.size()) return nullptr;
      char c = t[k];
      if (c == q) {
        if (q == '\'' && k + 1 < t.size() && t[k + 1] == '\'') {
          out += '\'';
          ++k;
          continue;
        }
        break;
      }
      if (q == '"' && c == '\\') {
        if (k + 1 >= t.size()) return nullptr;
        char e = t[++k];
        switch (e) {
          case '\\': out += '\\'; break;
          case '"': out += '"'; break;
          case '/': out += '/'; break;
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          default: return nullptr;
        }
        continue;
      }
      out += c;
    }
    end = k + 1;
    return &scalar(out, mark(i, v), true);
  }

  // [a, "b", 甲] on one line: plain or quoted scalars, no empty item.
  node* flow(size_t i, size_t v, size_t& end) {
    std::string_view t = lines_[i].text;
    node& list = list_node(mark(i, v), YAML::EmitterStyle::Flow);
    size_t k = v + 1;
    auto skip = [&] {
      while (k < t.size() && t[k] == ' ') ++k;
    };
    skip();
    if (k < t.size() && t[k] == ']') {
      end = k + 1;
      return &list;
    }
    for (;;) {
      skip();
      if (k >= t.size()) return nullptr;
      char c = t[k];
      node* item = nullptr;
      if (c == '"' || c == '\'') {
        size_t after = 0;
        item = quoted(i, k, after);
        if (!item) return nullptr;
        k = after;
      } else {
        if (plain_start_refused(static_cast<unsigned char>(c))) return nullptr;
        size_t s = k;
        while (k < t.size() && t[k] != ',' && t[k] != ']') {
          switch (t[k]) {
            case '[': case '{': case '}': case ':': case '?': case '#': case '\'': case '"':
              return nullptr;
            default:
              ++k;
          }
        }
        if (k >= t.size()) return nullptr;
        size_t last = t.find_last_not_of(' ', k - 1);
        std::string_view value = t.substr(s, last + 1 - s);
        YAML::Mark m = mark(i, s);
        item = is_null_word(value) ? &null_node(m) : &scalar(std::string(value), m, false);
      }
      list.push_back(*item, memory_);
      skip();
      if (k >= t.size()) return nullptr;
      if (t[k] == ']') {
        end = k + 1;
        return &list;
      }
      if (t[k] != ',') return nullptr;
      ++k;
      skip();
      if (k < t.size() && t[k] == ']') return nullptr;  // a trailing comma
    }
  }

  std::string_view yaml_;
  std::vector<Line> lines_;
  YAML::detail::shared_memory_holder memory_ = std::make_shared<YAML::detail::memory_holder>();
};

std::string describe(const YAML::Mark& m) {
  return std::to_string(m.line) + ":" + std::to_string(m.column) + " (" + std::to_string(m.pos) + ")";
}

std::string difference(const YAML::Node& a, const YAML::Node& b, const std::string& at) {
  if (a.Type() != b.Type())
    return at + ": type " + std::to_string(a.Type()) + " vs " + std::to_string(b.Type());
  if (!a.IsDefined()) return "";
  YAML::Mark ma = a.Mark(), mb = b.Mark();
  if (ma.pos != mb.pos || ma.line != mb.line || ma.column != mb.column)
    return at + ": mark " + describe(ma) + " vs " + describe(mb);
  if (a.Tag() != b.Tag()) return at + ": tag '" + a.Tag() + "' vs '" + b.Tag() + "'";
  if (a.Style() != b.Style())
    return at + ": style " + std::to_string(a.Style()) + " vs " + std::to_string(b.Style());
  if (a.IsScalar() && a.Scalar() != b.Scalar()) return at + ": '" + a.Scalar() + "' vs '" + b.Scalar() + "'";
  if (a.size() != b.size())
    return at + ": size " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
  if (a.IsSequence()) {
    for (size_t i = 0; i < a.size(); ++i)
      if (auto d = difference(a[i], b[i], at + "[" + std::to_string(i) + "]"); !d.empty()) return d;
  } else if (a.IsMap()) {
    auto ia = a.begin(), ib = b.begin();
    for (size_t i = 0; ia != a.end(); ++ia, ++ib, ++i) {
      std::string here = at + "{" + std::to_string(i) + "}";
      if (auto d = difference(ia->first, ib->first, here + ".key"); !d.empty()) return d;
      if (auto d = difference(ia->second, ib->second, here + ".value"); !d.empty()) return d;
    }
  }
  return "";
}

}  // namespace

std::optional<YAML::Node> load_plain_yaml(std::string_view yaml) { return Reader(yaml).read(); }

std::string yaml_tree_difference(const YAML::Node& a, const YAML::Node& b) { return difference(a, b, "root"); }

}  // namespace bulletin
