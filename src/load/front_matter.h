// Front matter: the YAML block between `---` lines at the top of a Markdown
// file, and a schema-driven reader over it that accepts English or Chinese
// keys, warns about unknown keys with a suggestion, and reports every value
// error at path:line:col.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/date.h"
#include "util/diagnostics.h"
#include "util/yaml_load.h"

namespace bulletin {

struct SourceFile {
  std::string path;  // project-relative, as shown in messages
  std::string text;
};

struct FrontMatter {
  const SourceFile* file = nullptr;
  YAML::Node root;    // a mapping (possibly empty)
  int yaml_line = 2;  // file line of the first YAML line
  std::string_view body;  // Markdown after the closing line (in file->text)
  int body_line = 1;  // file line where the body starts
};

// Splits and parses the front matter. Files without front matter are
// errors when `required`; otherwise they get an empty mapping.
// Throws Error for an unclosed block or invalid YAML.
// The YAML is read by load_plain_yaml (util/yaml_plain.h) when it can be, by
// yaml-cpp otherwise: the same tree and marks either way.
FrontMatter parse_front_matter(const SourceFile& file, bool required = true);

// Turns the plain reader off (false) or on (true, the default) for every
// parse_front_matter after it, so tests can compare the two paths.
void use_plain_yaml_reader(bool on);

// Throws Error at the first value (or key) of `fm` holding a C0 control
// character other than tab and newline; parse_front_matter calls it.
void check_plain_values(const FrontMatter& fm);

// Location of a YAML node inside `fm`'s file, column in code points.
SourceLocation location_of(const FrontMatter& fm, const YAML::Node& node);
// Same, as a YAML mark (used for errors thrown by yaml-cpp).
SourceLocation location_of_mark(const FrontMatter& fm, const YAML::Mark& mark);

// What a field holds, as docs/content-schema.md names it (type_name()).
enum class FieldType {
  Text,        // one line of text
  TextOrList,  // text, or a list of texts
  Date,        // 2020-12-16 or 2020年12月16日
  Number,      // a whole number
  Boolean,     // one of kTrueWords / kFalseWords
  List,        // a list of items described beside the field
  Mapping,     // a mapping described beside the field
};
std::string_view type_name(FieldType type);

// The words a boolean field accepts.
inline constexpr std::string_view kTrueWords[] = {"true", "yes", "是", "有"};
inline constexpr std::string_view kFalseWords[] = {"false", "no", "否", "无"};
// true / false for one of those words, nullopt for anything else.
std::optional<bool> boolean_word(std::string_view word);

struct FieldSpec {
  std::string key;                   // canonical English key
  std::vector<std::string> aliases;  // Chinese (or other) spellings
  bool required = false;
  FieldType type = FieldType::Text;
};

class Fields {
 public:
  // `mapping` names the mapping in messages when it is not front matter
  // ("a rule", "a metric"): then a key outside the schema is an error
  // ("unknown key 'x' in a rule") rather than a warning, and missing
  // required keys are left to the caller.
  Fields(const FrontMatter& fm, const std::vector<FieldSpec>& schema, Diagnostics& diags,
         const std::string& mapping = {});

  bool has(const std::string& key) const { return values_.count(key) > 0; }
  // The value node, or an undefined node when absent.
  YAML::Node node(const std::string& key) const;
  SourceLocation where(const std::string& key) const;
  // Location of the key itself (for "missing"/"unknown" style messages).
  SourceLocation key_where(const std::string& key) const;

  // Typed getters. Each reports a type error to diags and returns the
  // fallback; absence is not an error here (required keys are checked once).
  std::string text(const std::string& key, const std::string& fallback = {}) const;
  std::vector<std::string> texts(const std::string& key) const;  // scalar or list
  std::optional<Date> date(const std::string& key) const;
  std::optional<long> integer(const std::string& key) const;
  bool boolean(const std::string& key, bool fallback = false) const;

  void error(const std::string& key, const std::string& message) const;
  void error_at(const SourceLocation& where, const std::string& message) const;
  const FrontMatter& front_matter() const { return fm_; }
  Diagnostics& diagnostics() const { return diags_; }

 private:
  const FrontMatter& fm_;
  Diagnostics& diags_;
  std::map<std::string, std::pair<YAML::Node, YAML::Node>> values_;  // key -> (key node, value)
};

}  // namespace bulletin
