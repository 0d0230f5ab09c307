#include "site/build.h"

#include <algorithm>

#include "compute/ranking_output.h"
#include "render/pages.h"
#include "render/ranking_pages.h"
#include "util/text.h"

namespace bulletin {
namespace {

struct BuildContext {
  const Project& project;
  const FileSystem& fs;
  OutputWriter& out;
  TemplateData site;
  BuildReport report;
};

void render(BuildContext& b, const std::string& tmpl, const PageData& page) {
  const auto& u = page["url"];
  std::string url = u.is_string() ? u.get<std::string>() : "";  // the home page has none
  std::string path = url + (url.empty() || url.back() == '/' ? "index.html" : "");
  b.out.write(path, b.project.templates.render(tmpl, to_template(page), b.site));
}

void render_home(BuildContext& b) {
  const Content& c = b.project.content;
  HomeContent home;
  for (const auto& s : b.project.config.series) {
    auto it = std::find_if(c.issues.begin(), c.issues.end(),
                           [&](const BulletinIssue& i) { return i.series == s.id; });
    if (it != c.issues.end()) home.latest_issues.emplace_back(&s, &*it);
  }
  for (size_t i = 0; i < c.notices.size() && i < 8; ++i) home.latest_notices.push_back(&c.notices[i]);
  for (size_t i = 0; i < c.articles.size() && i < 8; ++i) home.latest_articles.push_back(&c.articles[i]);
  PageData page = home_page(home);
  PageData rankings = PageData::array();
  for (const auto& r : b.project.rankings) {
    if (r.results.periods.empty()) continue;
    const auto& latest = r.results.periods.back();
    rankings.push_back({{"title", r.rule.title},
                        {"period_label", period_label(r.rule.period, latest.id)},
                        {"url", ranking_url(r.rule, latest.id)}});
  }
  page["latest_rankings"] = std::move(rankings);
  render(b, "home", page);
  render(b, "404", page_data("404", "404.html", "页面不存在"));
}

void render_articles(BuildContext& b) {
  const auto& articles = b.project.content.articles;
  render(b, "articles", articles_index(articles));
  for (const auto& a : articles) render(b, "article", article_page(a));
  b.report.documents["articles"] = static_cast<int>(articles.size());
}

void render_notices(BuildContext& b) {
  const auto& notices = b.project.content.notices;
  render(b, "notices", notices_index(notices));
  for (const auto& n : notices) {
    render(b, "notice", notice_page(n));
    for (const auto& a : n.attachments) {
      if (a.is_page()) {
        render(b, "attachment", attachment_page(n, a));
      } else {
        b.out.copy(attachment_url(n, a), join_path(b.project.root, a.file_source));
      }
    }
  }
  b.report.documents["notices"] = static_cast<int>(notices.size());
}

void render_bulletins(BuildContext& b) {
  const Content& c = b.project.content;
  std::map<std::string, std::vector<const BulletinIssue*>> by_series;
  for (const auto& i : c.issues) by_series[i.series].push_back(&i);  // newest first
  std::map<std::string, const Article*> articles;
  for (const auto& a : c.articles) articles[a.slug] = &a;

  // Rankings embedded in sections, by (rule, period).
  std::map<std::pair<std::string, std::string>, PageData> tables;
  for (const auto& r : b.project.rankings)
    for (const auto& period : r.results.periods)
      tables[{r.rule.id, period.id}] = ranking_tables(r.rule, period);
  RankingLookup lookup = [&](const RankingRef& ref) -> std::optional<PageData> {
    auto it = tables.find({ref.rule, ref.period});
    if (it == tables.end()) return std::nullopt;
    return it->second;
  };

  render(b, "bulletins", bulletins_index(b.project.config.series, by_series));
  for (const auto& s : b.project.config.series) {
    auto& issues = by_series[s.id];
    render(b, "series", series_index(s, issues));
    for (size_t k = 0; k < issues.size(); ++k) {
      IssueContext ctx;
      ctx.series = &s;
      ctx.next = k > 0 ? issues[k - 1] : nullptr;
      ctx.previous = k + 1 < issues.size() ? issues[k + 1] : nullptr;
      ctx.articles = articles;
      ctx.ranking = lookup;
      render(b, "issue", issue_page(*issues[k], ctx));
    }
  }
  b.report.documents["issues"] = static_cast<int>(c.issues.size());
}

void render_rankings(BuildContext& b) {
  render(b, "rankings", rankings_index(b.project.rankings));
  int periods = 0;
  for (const auto& r : b.project.rankings) {
    render(b, "ranking_rule", ranking_rule_page(r));
    for (size_t k = 0; k < r.results.periods.size(); ++k) {
      const PeriodResult& period = r.results.periods[k];
      std::string url = ranking_url(r.rule, period.id);
      render(b, "ranking", ranking_period_page(r, k));
      b.out.write(url + "index.json", period_to_json(r.rule, period).dump(2) + "\n");
      b.out.write(url + "index.csv", period_to_csv(r.rule, period));
      ++periods;
    }
    for (const auto& history : entity_histories(r.results)) render(b, "ranking_entity", ranking_entity_page(r, history));
  }
  b.report.documents["ranking periods"] = periods;
}

void copy_assets(BuildContext& b) {
  std::string dir = join_path(b.project.root, "templates/assets");
  for (const auto& rel : b.fs.list(dir)) b.out.copy("assets/" + rel, join_path(dir, rel));
}

}  // namespace

BuildReport build_site(const Project& project, const FileSystem& fs, OutputWriter& out,
                       const BuildOptions& options) {
  BuildContext b{project, fs, out, site_data(project.config), {}};
  b.site.set("has_rankings", !project.rankings.empty());
  using Step = void (*)(BuildContext&);
  static const std::pair<const char*, Step> kSteps[] = {
      {"home", render_home},         {"articles", render_articles}, {"notices", render_notices},
      {"bulletins", render_bulletins}, {"rankings", render_rankings}, {"assets", copy_assets},
  };
  for (const auto& [name, step] : kSteps) {
    step(b);
    if (options.progress) options.progress(name, out.pages());
  }
  b.report.pages = out.pages();
  b.report.files = out.files();
  return b.report;
}

}  // namespace bulletin
