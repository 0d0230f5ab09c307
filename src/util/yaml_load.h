// YAML through one door: parsing with located, plain-words errors, and
// yaml-cpp marks turned into SourceLocations. Front matter, bulletin.yaml,
// snapshots and ranking rules all read YAML this way.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "util/diagnostics.h"

namespace bulletin {

// yaml-cpp's error message in plain words (the original when none is known).
std::string explain_yaml_error(const std::string& message);

// Where a piece of YAML sits: in file `path` whose whole text is `text`
// (quoted in messages), starting at line `first_line`.
struct YamlSource {
  const std::string& path;
  const std::string& text;
  int first_line = 1;
};

// The place of a yaml-cpp mark (0-based, in bytes), `extra_bytes` further on
// its line; a null mark counts as the YAML's first character.
SourceLocation mark_location(const YamlSource& source, const YAML::Mark& mark, size_t extra_bytes = 0);

// Parses `yaml` (the part of source.text from source.first_line on). A
// syntax error is thrown as Error "<what>: <plain words>" at its place, with
// its line quoted.
YAML::Node load_yaml(const YamlSource& source, const std::string& yaml, const std::string& what);

}  // namespace bulletin
