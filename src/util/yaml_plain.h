// A fast reader for the plain YAML that front matter nearly always is: a
// block mapping of `key: value` lines at column 0, whose values are plain or
// quoted one-line scalars, flow lists of them (`[a, "b"]`) or block lists of
// them (`- a` lines). It builds the very tree yaml-cpp's YAML::Load builds for
// that text (types, scalars, tags, styles and marks), at a small fraction of
// yaml-cpp's cost (its scanner is most of a build's front-matter time).
//
// Anything outside that subset (anchors, tags, nested mappings, multi-line or
// escaped scalars, tabs, CR, control or Unicode line-break characters,
// indented comments, an error of any kind, ...) gives nullopt: the caller
// then uses YAML::Load, so every message still comes from the same code.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>

namespace bulletin {

// The tree YAML::Load(yaml) gives, or nullopt when `yaml` is outside the
// subset above (then nothing is said about it: it may be valid or not).
std::optional<YAML::Node> load_plain_yaml(std::string_view yaml);

// "" when `a` and `b` are the same tree (type, scalar, tag, style and mark of
// every node, in order); otherwise where and how they first differ. For tests.
std::string yaml_tree_difference(const YAML::Node& a, const YAML::Node& b);

}  // namespace bulletin
