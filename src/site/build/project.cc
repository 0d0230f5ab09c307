#include "site/build/project.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "compute/ranking_output.h"
#include "load/parse_cache.h"
#include "model/urls.h"
#include "site/print/pdf.h"
#include "util/sha256.h"
#include "util/text.h"
#include "util/timing.h"

namespace bulletin {

const std::vector<std::string>& required_templates() {
  static const std::vector<std::string> names = {
      "home", "article", "articles",     "notice",         "attachment", "notices",  "issue",   "series", "bulletins",
      "404",  "ranking", "ranking_rule", "ranking_entity", "rankings",   "redirect", "changes", "search"};
  return names;
}

namespace {

// Whether the project may have a document printed as a PDF (a notice, an
// issue, a published version): a project of articles alone never runs the
// PDF engine's probe (a Python start, ~30 ms of CPU beside the load).
bool may_have_pdfs(const std::string& root) {
  for (const char* dir : {"content/notices", "content/bulletins", "data/published"}) {
    std::error_code ec;
    std::filesystem::directory_iterator it(join_path(root, dir), ec);
    if (!ec && it != std::filesystem::directory_iterator()) return true;
  }
  return false;
}

// Every `ranking:` of an issue section names an existing rule and period.
void check_ranking_references(const Project& p, Diagnostics& diags) {
  for (const auto& issue : p.content.issues) {
    for (const auto& section : issue.sections) {
      if (!section.ranking) continue;
      const RankingRef& ref = *section.ranking;
      const RuleOutput* rule = nullptr;
      std::vector<std::string> ids;
      for (const auto& r : p.rankings) {
        ids.push_back(r.rule.id);
        if (r.rule.id == ref.rule) rule = &r;
      }
      if (!rule) {
        std::string msg = "no ranking rule '" + ref.rule + "' in data/rules";
        if (auto guess = did_you_mean(ref.rule, ids)) msg += "; did you mean '" + *guess + "'?";
        diags.error(ref.where, msg, ref.source_line);
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
      diags.error(ref.where, msg, ref.source_line);
    }
  }
}

// A published notice or issue whose source changed must declare its next
// revision; a declared revision not yet published is worth a reminder.
void check_published_sources(const Project& p, Diagnostics& diags) {
  auto check = [&](DocumentKind kind, const std::string& url, const std::string& source, const std::string& digest,
                   const Revision& revision) {
    const DocumentHistory* history = p.archive.find(url);
    if (!history) return;
    Publishable doc;
    doc.kind = kind;
    doc.url = url;
    doc.source = source;
    doc.source_digest = digest;
    doc.declared_revision = revision.number;
    std::string problem = unpublished_change(doc, *history);
    if (!problem.empty()) {
      if (revision.number) {
        diags.error(revision.where, problem, revision.source_line);
      } else {
        diags.error({source, 1, 1}, problem);
      }
    } else if (doc.source_digest != history->latest().source_digest) {
      diags.warning(revision.where,
                    "revision " + std::to_string(revision.number) +
                        " is declared but not published yet: the site shows " + "version " +
                        std::to_string(history->latest().version) + " until you run `bulletin publish " + source + "`",
                    revision.source_line);
    }
  };
  for (const auto& n : p.content.notices) check(DocumentKind::Notice, n.url(), n.source, n.source_digest, n.revision);
  for (const auto& i : p.content.issues) check(DocumentKind::Issue, i.url(), i.source, i.source_digest, i.revision);
}

// The published periods of `rule`, by period id.
std::map<std::string, const Snapshot*> published_periods(const Archive& archive, const RankingRule& rule) {
  std::map<std::string, const Snapshot*> out;
  std::string prefix = ranking_rule_url(rule.id);
  for (const auto& [url, history] : archive.by_url) {
    if (history.latest().kind != DocumentKind::Ranking || !url.starts_with(prefix)) continue;
    out[url.substr(prefix.size(), url.size() - prefix.size() - 1)] = &history.latest();
  }
  return out;
}

// True when export `path` is unchanged since a publication and every day it
// holds belongs to a published period: reading it again could change nothing.
bool feeds_only_published(const FileSystem& fs, const std::string& root, const RankingRule& rule,
                          const std::map<std::string, const Snapshot*>& published, const std::string& path) {
  std::string digest;
  for (const auto& [id, snapshot] : published) {
    for (const auto& input : snapshot->inputs) {
      if (input.value("path", "") != path) continue;
      if (digest.empty()) digest = sha256(fs.read(join_path(root, path)).value_or(""));
      auto first = parse_date(input.value("first", "")), last = parse_date(input.value("last", ""));
      if (input.value("digest", "") != digest || !first || !last) continue;
      bool all = true;
      for (long day = first->days(); day <= last->days() && all; ++day)
        all = published.count(period_id(rule.period, Date::from_days(day))) > 0;
      if (all) return true;
    }
  }
  return false;
}

// Published periods as published: their rows come from the frozen index.json.
std::vector<PeriodResult> restored_periods(const RankingRule& rule,
                                           const std::map<std::string, const Snapshot*>& published) {
  std::vector<PeriodResult> out;
  for (const auto& [id, snapshot] : published) {
    auto file = snapshot->files.find("index.json");
    if (file == snapshot->files.end()) continue;
    auto period = period_from_json(rule, nlohmann::json::parse(file->second, nullptr, false));
    if (period) out.push_back(std::move(*period));
  }
  return out;
}

}  // namespace

// Entity names become URL segments (with what a path cannot hold replaced):
// two entities whose history pages would share a URL are one error naming both.
void check_entity_urls(const RuleOutput& out, Diagnostics& diags) {
  const RankingRule& rule = out.rule;
  std::map<std::string, std::string> seen;  // url -> entity (and group)
  for (size_t k = 0, n = out.entity_count(); k < n; ++k) {
    auto [entity, group] = out.entity(k);
    std::string name = group.empty() ? entity : group + " / " + entity;
    auto [it, fresh] = seen.emplace(entity_url(rule, entity, group), name);
    if (!fresh) {
      diags.error({rule.path, 0, 0}, "entities '" + it->second + "' and '" + name +
                                         "' of the exports would share the history page " + it->first +
                                         "; rename one of them in the exports");
    }
  }
}

void save_caches(const Project& project) {
  if (project.parse_cache) project.parse_cache->save(project.content.articles, /*background=*/true);
}

Project load_project(const FileSystem& fs, const std::string& root, Diagnostics& diags, const ProjectOptions& options) {
  StageTimer timer;
  // A build (and serve) asks for the PDF engine once loaded: probe meanwhile.
  if (options.defer_cache_save && fs.on_disk() && may_have_pdfs(root))
    start_pdf_probe(join_path(root, cache_path("pdf")));
  Project p;
  p.root = root;
  p.config = load_config(fs, root, diags);
  p.series = SeriesIndex(p.config.series);
  if (!fs.is_file(join_path(root, "bulletin.yaml"))) return p;  // not a project: one error is enough
  p.archive = load_archive(fs, root, diags);
  // Articles parsed by earlier builds (and `check`) come from the parse cache.
  auto cache_ptr =
      std::make_shared<ParseCache>(fs.on_disk() ? join_path(root, cache_path("parse") + "/articles.bin") : "",
                                   binary_identity() + "\n" + parse_options_key(p.config));
  ParseCache& cache = *cache_ptr;
  cache.load();
  timer.mark("  parse cache");
  p.content = load_content(fs, root, p.config, p.series, diags,
                           options.reuse_published ? frozen_sources(p.archive) : FrozenSources{}, &cache,
                           options.threads);
  timer.mark("  content");
  if (options.write_caches && options.defer_cache_save) {
    p.parse_cache = std::move(cache_ptr);
  } else if (options.write_caches) {
    cache.save(p.content.articles, /*background=*/true);
  }
  timer.mark("  content");
  for (auto& rule : load_rules(fs, root, diags)) {
    try {
      auto published =
          options.reuse_published ? published_periods(p.archive, rule) : std::map<std::string, const Snapshot*>{};
      std::vector<PeriodResult> restored = restored_periods(rule, published);
      RuleOutput out = compute_rule_output(
          rule, fs, root,
          [&](const std::string& path) {
            return !published.empty() && feeds_only_published(fs, root, rule, published, path);
          },
          std::move(restored));
      for (const auto& w : out.results.warnings) diags.add(w);
      check_entity_urls(out, diags);
      p.rankings.push_back(std::move(out));
    } catch (const Error& e) {
      diags.add(e.diagnostic());
    }
  }
  check_ranking_references(p, diags);
  check_published_sources(p, diags);
  timer.mark("  rankings");
  p.templates.load(fs, root, required_templates(), diags);
  return p;
}

}  // namespace bulletin
