#include "site/build/publishable.h"

#include "compute/ranking_output.h"
#include "render/ranking_pages.h"
#include "util/sha256.h"
#include "util/text.h"

namespace bulletin {
namespace {

// Page data without what depends on where and when it is rendered.
PageData frozen(PageData page) {
  page.erase("root");
  page.erase("previous");
  page.erase("next");
  return page;
}

// What a notice or an issue declares about its correction.
void declare_revision(Publishable& d, const Revision& r) {
  d.declared_revision = r.number;
  d.revision_note = r.note;
  d.revision_where = r.where;
}

}  // namespace

Publishable publishable_notice(const Notice& n) {
  Publishable d;
  d.kind = DocumentKind::Notice;
  d.url = n.url();
  d.title = n.title;
  d.source = n.source;
  d.source_digest = n.source_digest;
  declare_revision(d, n.revision);
  d.page = frozen(notice_page(n));
  for (const auto& a : n.attachments)
    if (!a.is_page()) d.copies.emplace_back(a.file_name, a.file_source);
  return d;
}

std::optional<PageData> ranking_table_for(const Project& p, const RankingRef& ref) {
  for (const auto& r : p.rankings) {
    if (r.rule.id != ref.rule) continue;
    if (const auto* h = p.archive.find(ranking_url(r.rule, ref.period))) {
      const PageData& page = h->latest().page;
      if (page.contains("ranking")) return page["ranking"];
    }
    if (auto k = r.period_index(ref.period)) return ranking_tables(r.rule, r.period(*k));
  }
  return std::nullopt;
}

std::map<std::string, const Article*> articles_by_slug(const Project& p) {
  std::map<std::string, const Article*> out;
  for (const auto& a : p.content.articles) out[a.slug] = &a;
  return out;
}

Publishable publishable_issue(const Project& p, const BulletinIssue& issue,
                              const std::map<std::string, const Article*>& articles) {
  IssueContext ctx;
  ctx.series = p.series.find(issue.series);
  ctx.articles = &articles;
  ctx.ranking = [&p](const RankingRef& ref) { return ranking_table_for(p, ref); };
  Publishable d;
  d.kind = DocumentKind::Issue;
  d.url = issue.url();
  d.title = (ctx.series ? ctx.series->name + " " : "") + issue.number_text() + " " + issue.title;
  d.source = issue.source;
  d.source_digest = issue.source_digest;
  declare_revision(d, issue.revision);
  d.page = frozen(issue_page(issue, ctx));
  return d;
}

PageData ranking_page_for(const RuleOutput& r, size_t index, const PeriodResult& period) {
  return frozen(ranking_period_page(r, index, period));
}

Publishable publishable_ranking(const RuleOutput& r, size_t index) {
  const PeriodResult period = r.period(index);
  Publishable d;
  d.kind = DocumentKind::Ranking;
  d.url = ranking_url(r.rule, period.id);
  d.title = r.rule.title + " " + period_label(r.rule.period, period.id);
  d.source = r.rule.path;
  d.page = ranking_page_for(r, index, period);
  d.files["index.json"] = period_json_text(r.rule, period);
  d.files["index.csv"] = period_to_csv(r.rule, period);
  return d;
}

PageData ranking_inputs(const Project& p, const FileSystem& fs, const RuleOutput& r) {
  PageData inputs = PageData::array();
  for (const auto& span : r.results.spans) {
    inputs.push_back({{"path", span.path},
                      {"digest", sha256(fs.read(join_path(p.root, span.path)).value_or(""))},
                      {"first", span.first.iso()},
                      {"last", span.last.iso()}});
  }
  return inputs;
}

std::vector<Publishable> find_publishables(const Project& p, const FileSystem& fs, const std::string& raw,
                                           std::string* error) {
  std::string what = raw;
  while (what.starts_with("./")) what = what.substr(2);
  if (what.starts_with("site/")) what = what.substr(5);
  if (what.ends_with("index.html")) what = what.substr(0, what.size() - 10);
  std::string url = what.empty() || what.back() == '/' ? what : what + "/";
  std::vector<Publishable> out;
  auto articles = articles_by_slug(p);
  for (const auto& n : p.content.notices)
    if (n.source == what || n.url() == url) out.push_back(publishable_notice(n));
  for (const auto& i : p.content.issues)
    if (i.source == what || i.url() == url) out.push_back(publishable_issue(p, i, articles));
  for (const auto& r : p.rankings) {
    for (size_t k = 0; k < r.results.periods.size(); ++k) {
      if (ranking_url(r.rule, r.results.periods[k].id) != url) continue;
      out.push_back(publishable_ranking(r, k));
      out.back().inputs = ranking_inputs(p, fs, r);
    }
  }
  if (out.empty() && error) {
    bool is_article = false;
    for (const auto& a : p.content.articles) is_article |= a.source == what || a.url() == url;
    *error = is_article
                 ? "'" + raw + "' is an article: articles are published inside a bulletin issue; publish the issue"
                 : "'" + raw +
                       "' is not a notice, a bulletin issue or a ranking period of this project "
                       "(give a content file such as content/notices/x.md, a permanent URL such as "
                       "notices/校党委发/2020/51/, or a ranking period such as rankings/xxqg-units/2020-11)";
  }
  return out;
}

}  // namespace bulletin
