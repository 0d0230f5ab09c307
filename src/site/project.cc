#include "site/project.h"

#include "util/text.h"

namespace bulletin {

const std::vector<std::string>& required_templates() {
  static const std::vector<std::string> names = {
      "home",   "article",   "articles", "notice",  "attachment",   "notices",        "issue",
      "series", "bulletins", "404",      "ranking", "ranking_rule", "ranking_entity", "rankings", "redirect", "changes", "search"};
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

// A published notice or issue whose source changed must declare its next
// revision; a declared revision not yet published is worth a reminder.
void check_published_sources(const Project& p, const FileSystem& fs, Diagnostics& diags) {
  auto check = [&](const std::string& url, const std::string& source, const std::string& resources,
                   int revision, const SourceLocation& revision_where) {
    const DocumentHistory* history = p.archive.find(url);
    if (!history) return;
    Publishable doc;
    doc.kind = "document";
    doc.url = url;
    doc.source = source;
    doc.source_digest = source_digest(fs, p.root, source, resources);
    doc.declared_revision = revision;
    std::string text = fs.read(join_path(p.root, source)).value_or("");
    std::string problem = unpublished_change(doc, *history);
    if (!problem.empty()) {
      SourceLocation where = revision ? revision_where : SourceLocation{source, 1, 1};
      diags.error(where, problem, revision ? line_of(text, where.line) : "");
    } else if (doc.source_digest != history->latest().source_digest) {
      diags.warning(revision_where,
                    "revision " + std::to_string(revision) + " is declared but not published yet: the site shows " +
                        "version " + std::to_string(history->latest().version) + " until you run `bulletin publish " +
                        source + "`",
                    line_of(text, revision_where.line));
    }
  };
  for (const auto& n : p.content.notices) check(n.url(), n.source, notice_resources(n.source), n.revision, n.revision_where);
  for (const auto& i : p.content.issues) check(i.url(), i.source, "", i.revision, i.revision_where);
}

}  // namespace

Project load_project(const FileSystem& fs, const std::string& root, Diagnostics& diags) {
  Project p;
  p.root = root;
  p.config = load_config(fs, root, diags);
  if (!fs.is_file(join_path(root, "bulletin.yaml"))) return p;  // not a project: one error is enough
  p.archive = load_archive(fs, root, diags);
  p.content = load_content(fs, root, p.config, diags, frozen_sources(p.archive));
  for (auto& rule : load_rules(fs, root, diags)) {
    try {
      RuleResults results = compute_rule(rule, fs, root);
      p.rankings.push_back({std::move(rule), std::move(results)});
    } catch (const Error& e) {
      diags.add(e.diagnostic());
    }
  }
  check_ranking_references(p, fs, diags);
  check_published_sources(p, fs, diags);
  p.templates.load(fs, root, required_templates(), diags);
  return p;
}

}  // namespace bulletin
