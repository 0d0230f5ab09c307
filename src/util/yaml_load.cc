#include "util/yaml_load.h"

#include <algorithm>

#include "util/source_text.h"

namespace bulletin {

// yaml-cpp's messages, in words that tell staff what to change.
std::string explain_yaml_error(const std::string& msg) {
  static const std::pair<const char*, const char*> kPlain[] = {
      {"illegal map value", "unexpected ':'; if a value contains a colon, put it in quotes (title: \"甲: 乙\")"},
      {"end of sequence flow not found", "a list opened with '[' is never closed with ']'"},
      {"end of map flow not found", "a '{' is never closed with '}'"},
      {"end of sequence not found", "a list item ('- …') is not indented like the others"},
      {"end of map not found", "a line is not indented like the lines around it"},
      {"found character that cannot start any token",
       "a value starts with a character YAML reserves (such as @ or `); put the value in quotes"},
      {"unknown escape character", "an unknown backslash escape inside double quotes; use single quotes"},
      {"illegal tab when looking for indentation", "a tab is used for indentation; use spaces"},
      {"end of string not found", "a quoted value is never closed"},
  };
  for (const auto& [raw, plain] : kPlain)
    if (msg == raw) return plain;
  return msg;
}

SourceLocation mark_location(const YamlSource& source, const YAML::Mark& mark, size_t extra_bytes) {
  return location_of_byte(source.path, source.text, source.first_line + std::max(mark.line, 0),
                          static_cast<size_t>(std::max(mark.column, 0)) + extra_bytes);
}

YAML::Node load_yaml(const YamlSource& source, const std::string& yaml, const std::string& what) {
  try {
    return YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    SourceLocation where = mark_location(source, e.mark);
    throw Error(where, what + ": " + explain_yaml_error(e.msg), line_of(source.text, where.line));
  }
}

}  // namespace bulletin
