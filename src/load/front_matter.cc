#include "load/front_matter.h"

#include <atomic>
#include <cstdio>

#include "util/input_check.h"
#include "util/text.h"
#include "util/yaml_plain.h"

namespace bulletin {

namespace {

std::atomic<bool> plain_reader_on{true};

// yaml-cpp lets a quoted value run on over the following lines, so a missing
// closing quote swallows the next fields and surfaces as "missing field"
// errors. Front matter values are one line: report the quote instead.
void check_quotes(const SourceFile& file, const std::string& yaml, int first_line) {
  int line_no = first_line;
  for (const auto& line : split_lines(yaml)) {
    size_t colon = line.find(": ");
    size_t start = colon == std::string::npos ? std::string::npos : line.find_first_not_of(' ', colon + 1);
    if (start != std::string::npos && line[0] != '#' && line[0] != ' ' && (line[start] == '"' || line[start] == '\'')) {
      char q = line[start];
      bool closed = false;
      for (size_t i = start + 1; i < line.size(); ++i) {
        if (q == '"' && line[i] == '\\') {
          ++i;
        } else if (line[i] == q) {
          if (q == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
            ++i;  // '' is a quote inside single quotes
          } else {
            closed = true;
            break;
          }
        }
      }
      if (!closed) {
        throw Error({file.path, line_no, column_of_byte(line, start)},
                    std::string("the quote ") + q + " opened here is never closed on its line", line);
      }
    }
    ++line_no;
  }
}

// Front matter values end up in pages, feeds and snapshots: a control
// character in one (a NUL, an ESC, a form feed pasted from a word processor,
// or written as "\x01" in quotes) is an error at the value.
void check_controls(const FrontMatter& fm, const YAML::Node& node, int depth) {
  if (depth > 64) {
    SourceLocation where = location_of(fm, node);
    throw Error(where, "front matter is nested too deeply", line_of(fm.file->text, where.line));
  }
  if (node.IsScalar()) {
    const std::string& v = node.Scalar();
    if (size_t at = control_char_at(v); at != std::string::npos) {
      SourceLocation where = location_of(fm, node);
      char hex[8];
      std::snprintf(hex, sizeof hex, "%02X", static_cast<unsigned char>(v[at]));
      throw Error(where,
                  std::string("the value holds the control character U+00") + hex +
                      "; front matter values are plain text (tabs and line breaks only)",
                  line_of(fm.file->text, where.line));
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) check_controls(fm, item, depth + 1);
  } else if (node.IsMap()) {
    for (const auto& kv : node) {
      check_controls(fm, kv.first, depth + 1);
      check_controls(fm, kv.second, depth + 1);
    }
  }
}

}  // namespace

void use_plain_yaml_reader(bool on) { plain_reader_on.store(on); }

void check_plain_values(const FrontMatter& fm) { check_controls(fm, fm.root, 0); }

namespace {

bool is_fence(std::string_view line) {
  std::string t = trim(line);
  return t == "---";
}

}  // namespace

SourceLocation location_of_mark(const FrontMatter& fm, const YAML::Mark& mark) {
  return mark_location({fm.file->path, fm.file->text, fm.yaml_line}, mark);
}

SourceLocation location_of(const FrontMatter& fm, const YAML::Node& node) { return location_of_mark(fm, node.Mark()); }

FrontMatter parse_front_matter(const SourceFile& file, bool required) {
  require_utf8(file.path, file.text);
  FrontMatter fm;
  fm.file = &file;
  fm.root.reset(YAML::Node(YAML::NodeType::Map));
  std::string_view text = file.text;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 BOM

  size_t first_end = text.find('\n');
  std::string_view first = text.substr(0, first_end);
  if (!is_fence(first)) {
    if (required) {
      throw Error({file.path, 1, 1},
                  "missing front matter: the file must start with a line '---', then the "
                  "document's fields (title, date, …), then another line '---'",
                  line_of(file.text, 1));
    }
    fm.body = text;
    fm.body_line = 1;
    return fm;
  }

  // Find the closing fence.
  size_t pos = first_end == std::string_view::npos ? text.size() : first_end + 1;
  size_t yaml_start = pos;
  int line = 2;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view l = text.substr(pos, end == std::string_view::npos ? end : end - pos);
    if (is_fence(l)) {
      std::string yaml(text.substr(yaml_start, pos - yaml_start));
      check_quotes(file, yaml, 2);
      fm.body = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
      fm.body_line = line + 1;
      // The plain reader gives yaml-cpp's own tree for the front matter nearly
      // every document has; anything else (and every error) is yaml-cpp's.
      std::optional<YAML::Node> plain;
      if (plain_reader_on.load(std::memory_order_relaxed)) plain = load_plain_yaml(yaml);
      YAML::Node root =
          plain ? std::move(*plain) : load_yaml({file.path, file.text, fm.yaml_line}, yaml, "invalid YAML in front matter");
      if (root.IsNull()) root.reset(YAML::Node(YAML::NodeType::Map));
      if (!root.IsMap()) {
        SourceLocation where = location_of(fm, root);
        throw Error(where, "front matter must be a list of 'key: value' lines, not a single value",
                    line_of(file.text, where.line));
      }
      fm.root.reset(root);
      check_controls(fm, fm.root, 0);
      return fm;
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
    ++line;
  }
  throw Error({file.path, 1, 1}, "front matter is never closed: add a line '---' after the last field",
              line_of(file.text, 1));
}

Fields::Fields(const FrontMatter& fm, const std::vector<FieldSpec>& schema, Diagnostics& diags,
               const std::string& mapping)
    : fm_(fm), diags_(diags) {
  // The field a key or alias names (the last spec that lists it, as a map
  // filled in schema order would say), looked up in place: a document has a
  // handful of keys, and building a map of the schema for each one cost more.
  auto canonical_of = [&](const std::string& name) -> const std::string* {
    const std::string* found = nullptr;
    for (const auto& spec : schema) {
      if (spec.key == name) found = &spec.key;
      for (const auto& alias : spec.aliases)
        if (alias == name) found = &spec.key;
    }
    return found;
  };
  for (const auto& kv : fm.root) {
    std::string key = kv.first.IsScalar() ? trim(kv.first.Scalar()) : "";
    const std::string* canonical = canonical_of(key);
    if (!canonical) {
      SourceLocation where = location_of(fm, kv.first);
      std::vector<std::string> known;
      for (const auto& spec : schema) {
        known.push_back(spec.key);
        for (const auto& alias : spec.aliases) known.push_back(alias);
      }
      std::string msg = mapping.empty() ? "unknown field '" + key + "'" : "unknown key '" + key + "' in " + mapping;
      if (auto guess = did_you_mean(key, known)) {
        msg += "; did you mean '" + *guess + "'";
        if (*canonical_of(*guess) != *guess) msg += " (" + *canonical_of(*guess) + ")";
        msg += "?";
      } else if (mapping.empty()) {
        msg += " (it is ignored)";
      }
      if (mapping.empty()) {
        diags.warning(where, msg, line_of(fm.file->text, where.line));
      } else {
        diags.error(where, msg, line_of(fm.file->text, where.line));
      }
      continue;
    }
    if (values_.count(*canonical)) {
      SourceLocation where = location_of(fm, kv.first);
      diags.error(where, "field '" + key + "' is given twice ('" + *canonical + "')",
                  line_of(fm.file->text, where.line));
      continue;
    }
    values_[*canonical] = {kv.first, kv.second};
  }
  for (const auto& spec : schema) {
    if (!spec.required || !mapping.empty()) continue;
    if (auto it = values_.find(spec.key); it != values_.end()) {
      // `date:` with nothing after it is YAML null: present, but no value.
      const YAML::Node& value = it->second.second;
      if (value.IsNull()) {
        SourceLocation where = location_of(fm, it->second.first);
        diags.error(where, "required field '" + spec.key + "' has no value", line_of(fm.file->text, where.line));
      }
      continue;
    }
    std::string alias = spec.aliases.empty() ? "" : " (" + spec.aliases.front() + ")";
    diags.error({fm.file->path, fm.yaml_line - 1, 1}, "missing required field '" + spec.key + "'" + alias,
                line_of(fm.file->text, fm.yaml_line - 1));
  }
}

YAML::Node Fields::node(const std::string& key) const {
  auto it = values_.find(key);
  return it == values_.end() ? YAML::Node() : it->second.second;
}

SourceLocation Fields::where(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return {fm_.file->path, fm_.yaml_line - 1, 1};
  const YAML::Node& v = it->second.second;
  // A null value (`title:`) has no useful mark: point after the key.
  if (v.IsNull()) return location_of(fm_, it->second.first);
  return location_of(fm_, v);
}

SourceLocation Fields::key_where(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return {fm_.file->path, fm_.yaml_line - 1, 1};
  return location_of(fm_, it->second.first);
}

void Fields::error_at(const SourceLocation& where, const std::string& message) const {
  diags_.error(where, message, line_of(fm_.file->text, where.line));
}

void Fields::error(const std::string& key, const std::string& message) const { error_at(where(key), message); }

std::string Fields::text(const std::string& key, const std::string& fallback) const {
  YAML::Node n = node(key);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  if (!n.IsScalar()) {
    error(key, "'" + key + "' must be a single line of text");
    return fallback;
  }
  return trim(n.Scalar());
}

std::vector<std::string> Fields::texts(const std::string& key) const {
  YAML::Node n = node(key);
  std::vector<std::string> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (n.IsScalar()) {
    out.push_back(trim(n.Scalar()));
  } else if (n.IsSequence()) {
    for (const auto& item : n) {
      if (!item.IsScalar()) {
        error_at(location_of(fm_, item), "each item of '" + key + "' must be text");
        continue;
      }
      out.push_back(trim(item.Scalar()));
    }
  } else {
    error(key, "'" + key + "' must be text or a list of texts");
  }
  return out;
}

std::optional<Date> Fields::date(const std::string& key) const {
  YAML::Node n = node(key);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!n.IsScalar()) {
    error(key, "'" + key + "' must be a date such as 2020-12-16 or 2020年12月16日");
    return std::nullopt;
  }
  std::string why;
  auto d = parse_date(n.Scalar(), &why);
  if (!d) error(key, "invalid date '" + trim(n.Scalar()) + "': " + why);
  return d;
}

std::optional<long> Fields::integer(const std::string& key) const {
  YAML::Node n = node(key);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  std::string s = n.IsScalar() ? trim(n.Scalar()) : "";
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 9) {
    error(key, "'" + key + "' must be a whole number, not '" + s + "'");
    return std::nullopt;
  }
  return std::stol(s);
}

std::string_view type_name(FieldType type) {
  switch (type) {
    case FieldType::Text: return "text";
    case FieldType::TextOrList: return "text or list";
    case FieldType::Date: return "date";
    case FieldType::Number: return "number";
    case FieldType::Boolean: return "true / false";
    case FieldType::List: return "list";
    case FieldType::Mapping: return "mapping";
  }
  return "";
}

std::optional<bool> boolean_word(std::string_view word) {
  for (auto w : kTrueWords)
    if (word == w) return true;
  for (auto w : kFalseWords)
    if (word == w) return false;
  return std::nullopt;
}

bool Fields::boolean(const std::string& key, bool fallback) const {
  YAML::Node n = node(key);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  std::string s = n.IsScalar() ? trim(n.Scalar()) : "";
  if (auto b = boolean_word(s)) return *b;
  error(key, "'" + key + "' must be true or false, not '" + s + "'");
  return fallback;
}

}  // namespace bulletin
