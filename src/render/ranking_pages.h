// Page data for rankings: a page per rule and period (with the table, lists,
// group ranking and a bar chart), an index per rule, a history page per
// entity, the rankings home, and the table embedded in a bulletin issue.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compute/period_store.h"
#include "compute/rankings.h"
#include "compute/rules.h"
#include "render/pages.h"

namespace bulletin {

// A rule's results as the site build holds them. Computed by
// compute_rule_output(), the periods' rows are in `store` and results.periods
// holds each period without them (range, counts, completeness, skipped
// records): memory then does not grow with periods x entities. Without a
// store (tests), results.periods holds everything.
struct RuleOutput {
  RankingRule rule;
  RuleResults results;
  std::shared_ptr<const PeriodStore> store{};
  std::vector<size_t> slots{};  // with a store: each period's slot, parallel to results.periods

  // Period `k` of results.periods with its rows, lists and groups.
  PeriodResult period(size_t k) const;
  // The SHA-256 of period(k) in the store's exact binary form, without loading it.
  std::string period_digest(size_t k) const;
  // Of every period in order: what each entity's history is made from.
  std::string data_digest() const;
  // The index in results.periods of period `id`.
  std::optional<size_t> period_index(const std::string& id) const;
  // Every entity, by name then group (as entity_histories() orders them).
  size_t entity_count() const;
  std::pair<std::string, std::string> entity(size_t e) const;  // (entity, group)
  EntityHistory history(size_t e) const;
};

// Computes `rule` for the site build: each period goes to the store as soon
// as it is finished (compute_rule_each), so no more than a few periods' rows
// are in memory at once. `restored` (published periods, from their
// snapshots) replace the computed periods of the same id or join them.
RuleOutput compute_rule_output(RankingRule rule, const FileSystem& fs, const std::string& project_root,
                               const std::function<bool(const std::string& path)>& skip_file,
                               std::vector<PeriodResult> restored);

// "2020-11" -> "2020年11月", "2020-Q4" -> "2020年第四季度", "2020-W45" -> "2020年第45周".
std::string period_label(PeriodKind kind, const std::string& period_id);

std::string ranking_url(const RankingRule& rule, const std::string& period_id);
std::string entity_url(const RankingRule& rule, const std::string& entity, const std::string& group);

// The tables, lists and group ranking of one period; shared by the period
// page and the table embedded in an issue.
PageData ranking_tables(const RankingRule& rule, const PeriodResult& period);
// `period` is out.period(period_index).
PageData ranking_period_page(const RuleOutput& out, size_t period_index, const PeriodResult& period);
// The first fields of a period's page and of an entity's page: all that their
// search records read (site/search), without the chart, the entity's history
// or the neighbours, so a record costs no history and no chart.
PageData ranking_period_head(const RankingRule& rule, const PeriodResult& period);
PageData ranking_entity_head(const RankingRule& rule, const std::string& entity, const std::string& group);
PageData ranking_rule_page(const RuleOutput& out);
PageData ranking_entity_page(const RuleOutput& out, const EntityHistory& history);
PageData rankings_index(const std::vector<RuleOutput>& rules);

}  // namespace bulletin
