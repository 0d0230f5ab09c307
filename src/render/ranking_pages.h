// Page data for rankings: a page per rule and period (with the table, lists,
// group ranking and a bar chart), an index per rule, a history page per
// entity, the rankings home, and the table embedded in a bulletin issue.
#pragma once

#include <string>
#include <vector>

#include "compute/rankings.h"
#include "compute/rules.h"
#include "render/pages.h"

namespace bulletin {

struct RuleOutput {
  RankingRule rule;
  RuleResults results;
};

// "2020-11" -> "2020年11月", "2020-Q4" -> "2020年第四季度", "2020-W45" -> "2020年第45周".
std::string period_label(PeriodKind kind, const std::string& period_id);

std::string ranking_url(const RankingRule& rule, const std::string& period_id);
std::string entity_url(const RankingRule& rule, const std::string& entity, const std::string& group);

// The tables, lists and group ranking of one period; shared by the period
// page and the table embedded in an issue.
PageData ranking_tables(const RankingRule& rule, const PeriodResult& period);
PageData ranking_period_page(const RuleOutput& out, size_t period_index);
PageData ranking_rule_page(const RuleOutput& out);
PageData ranking_entity_page(const RuleOutput& out, const EntityHistory& history);
PageData rankings_index(const std::vector<RuleOutput>& rules);

}  // namespace bulletin
