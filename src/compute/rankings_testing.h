// Helpers shared by the rankings unit tests (never linked into bulletin):
// a rule parsed from YAML text, and the whole error a computation throws.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "compute/rankings.h"
#include "compute/rules.h"

namespace bulletin::testing {

// The rule in `text`, as data/rules/r.yaml; fails the test if it does not parse.
inline RankingRule rule_from(const std::string& text) {
  Diagnostics diags;
  auto rule = parse_rule("data/rules/r.yaml", text, diags);
  INFO(diags.format_all());
  REQUIRE(rule);
  return *rule;
}

// The formatted error of computing `rule` over the project "site" in `fs`,
// or "" when it computes.
inline std::string error_of(const RankingRule& rule, const MemoryFileSystem& fs) {
  try {
    compute_rule(rule, fs, "site");
  } catch (const Error& e) {
    return e.diagnostic().format();
  }
  return "";
}

}  // namespace bulletin::testing
