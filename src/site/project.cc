#include "site/project.h"

#include "util/text.h"

namespace bulletin {

const std::vector<std::string>& required_templates() {
  static const std::vector<std::string> names = {
      "home",   "article",   "articles", "notice",  "attachment",   "notices",        "issue",
      "series", "bulletins", "404",      "ranking", "ranking_rule", "ranking_entity", "rankings"};
  return names;
}

namespace {

// Every `ranking:` of an issue section names an existing rule and period.
void check_ranking_references(const Project& p, const FileSystem& fs, Diagnostics& diags) {
  for (const auto& issue : p.content.issues) {
    for (const auto& section : issue.sections) {
      if (!section.ranking) continue;
      const RankingRef& ref = *section.ranking;
      std::string source = fs.read(join_path(p.root, issue.source)).value_or("");
      const RuleOutput* rule = nullptr;
      std::vector<std::string> ids;
      for (const auto& r : p.rankings) {
        ids.push_back(r.rule.id);
        if (r.rule.id == ref.rule) rule = &r;
      }
      if (!rule) {
        std::string msg = "no ranking rule '" + ref.rule + "' in data/rules";
        if (auto guess = did_you_mean(ref.rule, ids)) msg += "; did you mean '" + *guess + "'?";
        diags.error(ref.where, msg, line_of(source, ref.where.line));
        continue;
      }
      if (find_period(rule->results, ref.period)) continue;
      std::vector<std::string> periods;
      for (const auto& period : rule->results.periods) periods.push_back(period.id);
      std::string msg = "rule '" + ref.rule + "' has no period '" + ref.period + "' in its exports";
      if (auto guess = did_you_mean(ref.period, periods)) {
        msg += "; did you mean '" + *guess + "'?";
      } else if (!periods.empty()) {
        msg += " (it has " + periods.front() + " to " + periods.back() + ")";
      }
      diags.error(ref.where, msg, line_of(source, ref.where.line));
    }
  }
}

}  // namespace

Project load_project(const FileSystem& fs, const std::string& root, Diagnostics& diags) {
  Project p;
  p.root = root;
  p.config = load_config(fs, root, diags);
  p.content = load_content(fs, root, p.config, diags);
  for (auto& rule : load_rules(fs, root, diags)) {
    try {
      RuleResults results = compute_rule(rule, fs, root);
      p.rankings.push_back({std::move(rule), std::move(results)});
    } catch (const Error& e) {
      diags.add(e.diagnostic());
    }
  }
  check_ranking_references(p, fs, diags);
  p.templates.load(fs, root, required_templates(), diags);
  return p;
}

}  // namespace bulletin
