#include "site/build.h"

#include <algorithm>
#include <set>

#include "compute/ranking_output.h"
#include "load/markdown.h"
#include "render/feeds.h"
#include "render/pages.h"
#include "render/ranking_pages.h"
#include "site/publishable.h"
#include "site/search.h"
#include "util/text.h"

namespace bulletin {
namespace {

struct BuildContext {
  const Project& project;
  const FileSystem& fs;
  OutputWriter& out;
  TemplateData site;
  BuildReport report{};
  std::set<std::string> rendered{};     // permanent URLs of documents rendered from sources
  std::map<std::string, Date> dated{};  // page URL -> date of its document, for the sitemap
  std::vector<std::string> pages{};     // every page URL written, for the sitemap
  std::vector<FeedEntry> site_feed{};
  std::map<std::string, std::vector<FeedEntry>> series_feeds{}, rule_feeds{};
  std::vector<SearchRecord> search{};  // one per searchable page, for the search index
};

void render_history(BuildContext& b, const std::string& tmpl, const DocumentHistory& h, const PageData& nav);

void render(BuildContext& b, const std::string& tmpl, PageData page) {
  const auto& u = page["url"];
  std::string url = u.is_string() ? u.get<std::string>() : "";  // the home page has none
  // 404.html is served for missing pages at any depth: anchor its links at
  // the folder the site is served from.
  page["root"] = tmpl == "404" ? b.project.config.base_path : root_for(url);
  if (tmpl != "404" && tmpl != "redirect") b.pages.push_back(url);
  std::string path = url + (url.empty() || url.back() == '/' ? "index.html" : "");
  if (auto record = search_record(tmpl, page)) b.search.push_back(std::move(*record));
  try {
    b.out.write(path, b.project.templates.render(tmpl, to_template(page), b.site));
  } catch (Error& e) {
    e.diagnostic().context.push_back("while rendering " + path + " with templates/" + tmpl + ".mustache");
    throw;
  }
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
  render(b, "search", page_data("search", "search/", "站内搜索"));
}

// A document's date for feeds and the sitemap: its latest publication when
// published, else its own date.
Date updated_on(const BuildContext& b, const std::string& url, const Date& fallback) {
  const DocumentHistory* h = b.project.archive.find(url);
  return h ? h->latest().published : fallback;
}

// The first words of an HTML body, for feed summaries.
std::string excerpt(const std::string& html) {
  std::string text;
  for (const auto& line : split_lines(html_to_text(html))) text += trim(line);
  return utf8_length(text) > 120 ? utf8_prefix(text, 120) + "……" : text;
}

void render_articles(BuildContext& b) {
  const auto& articles = b.project.content.articles;
  render(b, "articles", articles_index(articles));
  for (const auto& a : articles) {
    render(b, "article", article_page(a));
    b.dated[a.url()] = a.date;
    b.site_feed.push_back({a.url(), a.title, a.date, a.summary.empty() ? excerpt(a.body_html) : a.summary, "经验交流"});
  }
  b.report.documents["articles"] = static_cast<int>(articles.size());
}

// A notice's attachment pages, from the notice's page data (live or published).
void render_attachments(BuildContext& b, const PageData& notice) {
  if (!notice.contains("attachments") || !notice["attachments"].is_array()) return;
  PageData summary = {{"title", notice.value("title", "")}, {"url", notice["url"]}};
  summary["doc_no"] = notice.contains("doc_no") ? notice["doc_no"] : PageData(false);
  for (const auto& a : notice["attachments"]) {
    if (!a.value("is_page", false)) continue;
    std::string url = a["url"].get<std::string>();
    PageData page = page_data("attachment", url, a.value("page_title", ""));
    page["label"] = a["label"];
    page["title"] = a["page_title"];
    page["body"] = a["page_body"];
    page["notice"] = summary;
    render(b, "attachment", page);
  }
}

// Points a notice's attachment links at the copies beside `url`.
void relocate_attachments(PageData& page, const std::string& url) {
  if (!page.contains("attachments")) return;
  int index = 0;
  for (auto& a : page["attachments"]) {
    ++index;
    a["url"] = a.value("is_page", false) ? url + "attachment-" + std::to_string(index) + "/"
                                         : url + a.value("file_name", "");
  }
}

std::string frozen_file(const std::string& url, int version, const std::string& name) {
  return "data/published/" + url + "v" + std::to_string(version) + "-files/" + name;
}

// Renders a publishable document: from its current source while unpublished;
// once published, from its snapshots — the newest at the permanent URL with
// its 修订记录, each earlier version at <url>v<N>/ marked as superseded, and
// the changes between consecutive versions at <url>changes/v<N>-v<N+1>/.
// `nav` holds links that are not part of the document (previous/next).
void render_document(BuildContext& b, const std::string& tmpl, const Publishable& live, const PageData& nav) {
  b.rendered.insert(live.url);
  const DocumentHistory* history = b.project.archive.find(live.url);
  if (!history) {
    PageData page = live.page;
    page.update(nav);
    render(b, tmpl, page);
    for (const auto& [name, bytes] : live.files) b.out.write(live.url + name, bytes);
    for (const auto& [name, source] : live.copies) b.out.copy(live.url + name, join_path(b.project.root, source));
    render_attachments(b, page);
    return;
  }
  render_history(b, tmpl, *history, nav);
}

void render_history(BuildContext& b, const std::string& tmpl, const DocumentHistory& h, const PageData& nav) {
  PageData revisions = PageData::array();
  for (const auto& v : h.versions) {
    bool latest = v.version == h.latest().version;
    revisions.push_back({{"version", std::to_string(v.version)},
                         {"date", v.published.official()},
                         {"note", v.note.empty() ? std::string("首次发布") : v.note},
                         {"url", latest ? h.url : h.url + "v" + std::to_string(v.version) + "/"}});
  }
  for (const auto& v : h.versions) {
    bool latest = v.version == h.latest().version;
    std::string url = latest ? h.url : h.url + "v" + std::to_string(v.version) + "/";
    PageData page = v.page;
    page["url"] = url;
    page.update(nav);
    PageData versions = revisions;
    for (auto& r : versions) r["current"] = r["version"] == std::to_string(v.version);
    page["publication"] = {{"version", std::to_string(v.version)},
                           {"date", v.published.official()},
                           {"revised", h.versions.size() > 1},
                           {"versions", std::move(versions)}};
    if (!latest) {
      page["superseded"] = {{"version", std::to_string(v.version)},
                            {"latest_version", std::to_string(h.latest().version)},
                            {"latest_url", h.url}};
      page["page_title"] = v.title + "（第 " + std::to_string(v.version) + " 版，已被取代）";
    }
    relocate_attachments(page, url);
    render(b, tmpl, page);
    for (const auto& [name, bytes] : v.files) b.out.write(url + name, bytes);
    if (page.contains("attachments")) {
      for (const auto& a : page["attachments"]) {
        if (a.value("is_page", false)) continue;
        std::string name = a.value("file_name", "");
        b.out.copy(url + name, join_path(b.project.root, frozen_file(h.url, v.version, name)));
      }
    }
    render_attachments(b, page);
  }
  for (size_t k = 1; k < h.versions.size(); ++k) {
    const Snapshot& before = h.versions[k - 1];
    const Snapshot& after = h.versions[k];
    std::string from = "v" + std::to_string(before.version), to = "v" + std::to_string(after.version);
    PageData page = page_data("changes", h.url + "changes/" + from + "-" + to + "/",
                              after.title + " 第 " + std::to_string(before.version) + " 版与第 " +
                                  std::to_string(after.version) + " 版对照");
    page["title"] = after.title;
    page["from"] = {{"version", std::to_string(before.version)}, {"date", before.published.official()},
                    {"url", h.url + from + "/"}};
    page["to"] = {{"version", std::to_string(after.version)}, {"date", after.published.official()},
                  {"url", k + 1 == h.versions.size() ? h.url : h.url + to + "/"}, {"note", after.note}};
    PageData rows = PageData::array();
    int changed = 0;
    auto changes = paragraph_changes(before.page, after.page);
    for (size_t i = 0; i < changes.size(); ++i) {
      const ChangeRow& row = changes[i];
      changed += row.kind != ChangeRow::Same;
      if (row.kind == ChangeRow::Same) {
        // Show one unchanged paragraph on each side of a change; fold the rest.
        size_t end = i;
        while (end < changes.size() && changes[end].kind == ChangeRow::Same) ++end;
        size_t keep_before = i == 0 ? 0 : 1, keep_after = end == changes.size() ? 0 : 1;
        if (end - i > keep_before + keep_after + 1) {
          for (size_t k = i; k < i + keep_before; ++k) rows.push_back({{"text", changes[k].text}, {"same", true}});
          rows.push_back(PageData::object({{"folded", std::to_string(end - i - keep_before - keep_after)}}));
          for (size_t k = end - keep_after; k < end; ++k) rows.push_back({{"text", changes[k].text}, {"same", true}});
          i = end - 1;
          continue;
        }
      }
      rows.push_back({{"text", row.text},
                      {"same", row.kind == ChangeRow::Same},
                      {"removed", row.kind == ChangeRow::Removed},
                      {"added", row.kind == ChangeRow::Added}});
    }
    page["rows"] = std::move(rows);
    page["changed"] = std::to_string(changed);
    render(b, "changes", page);
  }
}

void render_notices(BuildContext& b) {
  const auto& notices = b.project.content.notices;
  render(b, "notices", notices_index(notices));
  for (const auto& n : notices) {
    Publishable doc = publishable_notice(n);
    render_document(b, "notice", doc, PageData::object());
    Date date = updated_on(b, n.url(), n.date.value_or(Date{n.year(), 1, 1}));
    b.dated[n.url()] = date;
    b.site_feed.push_back({n.url(), n.title, date, excerpt(n.body_html), "通知公告"});
  }
  b.report.documents["notices"] = static_cast<int>(notices.size());
}

void render_bulletins(BuildContext& b) {
  const Content& c = b.project.content;
  std::map<std::string, std::vector<const BulletinIssue*>> by_series;
  for (const auto& i : c.issues) by_series[i.series].push_back(&i);  // newest first
  const auto articles = articles_by_slug(b.project);
  render(b, "bulletins", bulletins_index(b.project.config.series, by_series));
  for (const auto& s : b.project.config.series) {
    auto& issues = by_series[s.id];
    render(b, "series", series_index(s, issues));
    for (size_t k = 0; k < issues.size(); ++k) {
      PageData nav = PageData::object();
      if (k > 0) nav["next"] = issue_summary(*issues[k - 1], &s);
      if (k + 1 < issues.size()) nav["previous"] = issue_summary(*issues[k + 1], &s);
      const BulletinIssue& issue = *issues[k];
      render_document(b, "issue", publishable_issue(b.project, issue, articles), nav);
      Date date = updated_on(b, issue.url(), issue.date);
      b.dated[issue.url()] = date;
      FeedEntry entry{issue.url(), s.name + " " + issue.number_text() + " " + issue.title, date, "", s.name};
      for (const auto& section : issue.sections) entry.summary += (entry.summary.empty() ? "" : "；") + section.heading;
      b.site_feed.push_back(entry);
      b.series_feeds[s.id].push_back(entry);
    }
  }
  b.report.documents["issues"] = static_cast<int>(c.issues.size());
}

void render_rankings(BuildContext& b) {
  render(b, "rankings", rankings_index(b.project.rankings));
  int periods = 0;
  for (const auto& r : b.project.rankings) {
    render(b, "ranking_rule", ranking_rule_page(r));
    const auto& all = r.results.periods;
    for (size_t k = 0; k < all.size(); ++k) {
      PageData nav = PageData::object();
      if (k > 0) nav["previous"] = {{"url", ranking_url(r.rule, all[k - 1].id)}, {"label", period_label(r.rule.period, all[k - 1].id)}};
      if (k + 1 < all.size()) nav["next"] = {{"url", ranking_url(r.rule, all[k + 1].id)}, {"label", period_label(r.rule.period, all[k + 1].id)}};
      render_document(b, "ranking", publishable_ranking(r, k), nav);
      std::string url = ranking_url(r.rule, all[k].id);
      Date date = updated_on(b, url, all[k].last_in_data);
      b.dated[url] = date;
      b.rule_feeds[r.rule.id].push_back({url, r.rule.title + " " + period_label(r.rule.period, all[k].id), date,
                                         all[k].complete ? "" : "截至" + all[k].last_in_data.official(), "学习排名"});
      ++periods;
    }
    for (const auto& history : entity_histories(r.results)) render(b, "ranking_entity", ranking_entity_page(r, history));
    if (!r.results.unread.empty())
      b.report.notes.push_back(r.rule.id + ": " + std::to_string(r.results.unread.size()) +
                               " export file(s) not read again: unchanged, and their periods are published");
  }
  b.report.documents["ranking periods"] = periods;
}

// Published documents that no current source produces any more: a redirect
// where the source now has another identity, else the published text itself
// (a published document never disappears).
void render_archive_leftovers(BuildContext& b) {
  std::map<std::string, std::string> url_of_source;
  for (const auto& n : b.project.content.notices) url_of_source[n.source] = n.url();
  for (const auto& i : b.project.content.issues) url_of_source[i.source] = i.url();
  for (const auto& [url, history] : b.project.archive.by_url) {
    if (b.rendered.count(url)) continue;
    auto moved = url_of_source.find(history.latest().source);
    if (moved != url_of_source.end() && history.latest().kind != "ranking") {
      PageData page = page_data("redirect", url, history.latest().title);
      page["title"] = history.latest().title;
      page["target"] = moved->second;
      page["root_target"] = root_for(url) + moved->second + "index.html";
      render(b, "redirect", page);
      // Its published versions stay readable beside the redirect.
      for (const auto& v : history.versions) {
        std::string vurl = url + "v" + std::to_string(v.version) + "/";
        PageData old = v.page;
        old["url"] = vurl;
        old["superseded"] = {{"version", std::to_string(v.version)}, {"latest_version", "新"}, {"latest_url", moved->second}};
        relocate_attachments(old, vurl);
        render(b, history.latest().kind, old);
        render_attachments(b, old);
      }
      continue;
    }
    render_history(b, history.latest().kind, history, PageData::object());
  }
}

void render_feeds(BuildContext& b) {
  const SiteConfig& config = b.project.config;
  b.out.write("feed.xml", atom_feed(config, {"feed.xml", config.title, config.organization, b.site_feed}));
  for (const auto& s : config.series)
    b.out.write("bulletins/" + s.id + "/feed.xml",
                atom_feed(config, {"bulletins/" + s.id + "/feed.xml", s.name, s.editor, b.series_feeds[s.id]}));
  for (const auto& r : b.project.rankings)
    b.out.write("rankings/" + r.rule.id + "/feed.xml",
                atom_feed(config, {"rankings/" + r.rule.id + "/feed.xml", r.rule.title, r.rule.description,
                                   b.rule_feeds[r.rule.id]}));
  if (config.base_url.empty()) return;  // sitemaps need absolute URLs
  std::vector<std::pair<std::string, Date>> pages;
  for (const auto& url : b.pages) {
    auto it = b.dated.find(url);
    pages.emplace_back(url, it == b.dated.end() ? Date{} : it->second);
  }
  b.out.write("sitemap.xml", sitemap(config, pages));
}

void copy_assets(BuildContext& b) {
  std::string dir = join_path(b.project.root, "templates/assets");
  for (const auto& rel : b.fs.list(dir)) b.out.copy("assets/" + rel, join_path(dir, rel));
}

}  // namespace

BuildReport build_site(const Project& project, const FileSystem& fs, OutputWriter& out,
                       const BuildOptions& options) {
  BuildContext b{project, fs, out, site_data(project.config)};
  b.site.set("has_rankings", !project.rankings.empty());
  std::string no_search;
  auto search_tools = options.search && out.directory() ? find_search_tools(project.root, no_search) : std::nullopt;
  b.site.set("has_search", search_tools.has_value());
  using Step = void (*)(BuildContext&);
  static const std::pair<const char*, Step> kSteps[] = {
      {"home", render_home},         {"articles", render_articles}, {"notices", render_notices},
      {"bulletins", render_bulletins}, {"rankings", render_rankings}, {"archive", render_archive_leftovers},
      {"feeds", render_feeds},       {"assets", copy_assets},
  };
  for (const auto& [name, step] : kSteps) {
    step(b);
    if (options.progress) options.progress(name, out.pages());
  }
  if (search_tools) {
    b.report.notes.push_back(build_search_index(*search_tools, join_path(project.root, ".bulletin-cache/search"),
                                                std::move(b.search), out).message);
  } else if (options.search && out.directory()) {
    b.report.notes.push_back("search skipped: " + no_search);
  }
  b.report.pages = out.pages();
  b.report.files = out.files();
  return b.report;
}

}  // namespace bulletin
