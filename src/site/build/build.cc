#include "site/build/build.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "compute/ranking_output.h"
#include "load/markdown.h"
#include "load/parse_cache.h"
#include "model/urls.h"
#include "render/feeds.h"
#include "render/pages.h"
#include "render/ranking_pages.h"
#include "render/ranking_xlsx.h"
#include "site/build/publishable.h"
#include "site/print/pdf.h"
#include "site/print/webfonts.h"
#include "site/search/search.h"
#include "util/cache_digest.h"
#include "util/fs.h"
#include "util/html.h"
#include "util/parallel.h"
#include "util/sha256.h"
#include "util/text.h"
#include "util/timing.h"

namespace bulletin {
namespace {

// One file of the site, as planned: a page to render (template + page data),
// bytes to write, or a file to copy. A job depends on nothing mutable, so the
// plan renders on any number of threads.
struct Job {
  enum Kind { Page, Bytes, Copy } kind;
  std::string path;  // site-relative
  std::string tmpl;  // Page
  PageData page;     // Page
  std::string data;  // Bytes: the bytes; Copy: the source file
  // Page of an article whose data is built only when the page must be made
  // (its digest comes from the article's fields): most pages of an archive
  // are kept, and building their data is most of the cost of planning them.
  const Article* article = nullptr;
  // A ranking page or file made only when the job runs (from the rule's
  // period store), so the plan holds none of the rankings' rows.
  std::function<PageData()> make_page{};
  std::function<std::string()> make_bytes{};
  // For such a job: what its page or file is made from, known without making
  // it (the rule's text, the period's or the rule's data, the neighbours), so
  // an unchanged one is kept without building its data.
  std::string made_from{};
};

struct BuildContext {
  const Project& project;
  const FileSystem& fs;
  OutputWriter& out;
  TemplateData site;
  BuildReport report{};
  std::vector<Job> plan{};
  // Article pages, planned before the other steps so that they render while
  // the rest is planned (see run_plan); `order` is every job in plan order
  // (what the build would do one by one), the articles' among the others.
  std::vector<Job> early{};
  struct Ref {
    bool early;
    size_t index;  // into early or plan
  };
  std::vector<Ref> order{};
  const Job& job(Ref r) const { return r.early ? early[r.index] : plan[r.index]; }
  // Looked up only, never walked in order: hashed (at 100k pages the trees' string
  // compares and cache misses were a tenth of the plan).
  std::unordered_set<std::string> rendered{};     // permanent URLs of documents rendered from sources
  std::unordered_map<std::string, Date> dated{};  // page URL -> date of its document, for the sitemap
  std::vector<std::string> pages{};               // every page URL planned, for the sitemap
  std::vector<FeedEntry> site_feed{};
  std::map<std::string, std::vector<FeedEntry>> series_feeds{}, rule_feeds{};
  // Feed entries whose summary is the excerpt of this body, computed only
  // for the entries a feed keeps.
  // (An article's body is read from the parse cache only when asked for.)
  struct Body {
    const std::string* text = nullptr;
    const LazyText* lazy = nullptr;
    const std::string& str() const { return lazy ? lazy->str() : *text; }
  };
  std::unordered_map<std::string, Body> excerpt_of{};

  void push(Job job) {
    order.push_back({false, plan.size()});
    plan.push_back(std::move(job));
  }
  void write(std::string path, std::string bytes) { push({Job::Bytes, std::move(path), {}, {}, std::move(bytes)}); }
  void copy(std::string path, std::string source) { push({Job::Copy, std::move(path), {}, {}, std::move(source)}); }
  std::map<std::string, std::string> frozen_pdfs{};  // page URL -> PDF frozen by publish
  // Notices, attachment pages and issues as rendered, for their PDFs (filled
  // by the jobs, from several threads).
  mutable std::mutex pdf_mutex{};
  mutable std::vector<PdfPage> pdf_pages{};
  std::vector<SearchRecord> search{};  // one per searchable page, for the search index
  bool want_search = false;            // search is indexed: collect the records above
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
  if (b.want_search)
    if (auto record = search_record(tmpl, page)) b.search.push_back(std::move(*record));
  b.push({Job::Page, std::move(path), tmpl, std::move(page), {}});
}

void render_home(BuildContext& b) {
  const Content& c = b.project.content;
  HomeContent home;
  for (const auto& s : b.project.config.series) {
    auto it = std::find_if(c.issues.begin(), c.issues.end(), [&](const BulletinIssue& i) { return i.series == s.id; });
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
  render(b, "search", page_data("search", kSearchUrl, "站内搜索"));
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

// Section lists stay one page up to kOnePageList entries. Past that they are
// split by year, and a year past kListPage entries into pages of that size,
// so that a new document rewrites its year's list, not the whole archive's.
// The section's own page shows the newest page; every page links the years
// and its neighbours (newer / older).
constexpr size_t kOnePageList = 50;
constexpr size_t kListPage = 100;

void render_lazy(BuildContext& b, const std::string& tmpl, const std::string& url, std::string made_from,
                 std::function<PageData()> make, const std::function<PageData()>& search_page);

// With `key_of` (a document's key: what its entry in a list is made from,
// beside bulletin.yaml), the year pages are planned lazily (render_lazy):
// their data is built only when one must be made, so a rebuild keeps the
// archive's unchanged list pages without building them.
template <class T, class YearOf, class Make, class KeyOf = std::nullptr_t>
void render_list(BuildContext& b, const std::string& tmpl, const std::string& base, const std::string& title,
                 const std::vector<const T*>& items, YearOf year_of, Make make, KeyOf key_of = nullptr) {
  if (items.size() <= kOnePageList) {
    render(b, tmpl, make(items));
    return;
  }
  std::map<int, std::vector<const T*>, std::greater<int>> by_year;  // newest first
  for (const T* item : items) by_year[year_of(*item)].push_back(item);
  struct ListPage {
    int year;
    int number;
    std::string url;
    std::vector<const T*> items;
  };
  std::vector<ListPage> pages;
  PageData years = PageData::array();
  for (auto& [year, in_year] : by_year) {
    std::string url = base + std::to_string(year) + "/";
    years.push_back({{"year", std::to_string(year)}, {"url", url}, {"count", std::to_string(in_year.size())}});
    for (size_t start = 0, number = 1; start < in_year.size(); start += kListPage, ++number) {
      size_t end = std::min(in_year.size(), start + kListPage);
      pages.push_back({year, static_cast<int>(number), number == 1 ? url : url + "page/" + std::to_string(number) + "/",
                       std::vector<const T*>(in_year.begin() + start, in_year.begin() + end)});
    }
  }
  auto link = [&](size_t k) {
    const ListPage& p = pages[k];
    return PageData{
        {"url", p.url},
        {"label", std::to_string(p.year) + "年" + (p.number > 1 ? " 第" + std::to_string(p.number) + "页" : "")}};
  };
  // What a list page has beside make()'s data: its URL, title and links.
  auto own_fields = [&](size_t k, const std::string& url, const std::string& page_title) {
    PageData nav = {{"years", years}, {"year", std::to_string(pages[k].year)}};
    for (auto& y : nav["years"]) y["current"] = y["year"] == nav["year"];
    if (k > 0) nav["previous"] = link(k - 1);
    if (k + 1 < pages.size()) nav["next"] = link(k + 1);
    return PageData{{"url", url}, {"page_title", page_title}, {"list_nav", std::move(nav)}};
  };
  auto page_for = [&](size_t k, const std::string& url, const std::string& page_title) {
    PageData page = make(pages[k].items);
    page.update(own_fields(k, url, page_title));
    return page;
  };
  render(b, tmpl, page_for(0, base, title));
  for (size_t k = 0; k < pages.size(); ++k) {
    std::string label = link(k)["label"].template get<std::string>();
    std::string page_title = title + " · " + label;
    if constexpr (std::is_same_v<KeyOf, std::nullptr_t>) {
      render(b, tmpl, page_for(k, pages[k].url, page_title));
    } else {
      // What the page is made from: its own fields, then each entry's key.
      PageData own = own_fields(k, pages[k].url, page_title);
      std::string made_from = "list 1\n" + own.dump() + "\n";
      for (const T* item : pages[k].items) {
        std::string key = key_of(*item);
        made_from += std::to_string(key.size()) + ":" + key + "\n";
      }
      auto search_page = [&] {
        PageData page = make(std::vector<const T*>{});
        page.update(own);
        return page;
      };
      auto made = [make, own, part = pages[k].items] {
        PageData page = make(part);
        page.update(own);
        return page;
      };
      render_lazy(b, tmpl, pages[k].url, std::move(made_from), std::move(made), search_page);
    }
  }
}

// An article's page job, without its page data.
Job article_job(const Article& a) {
  Job job{Job::Page, a.url() + "index.html", "article", {}, {}};
  job.article = &a;
  return job;
}

// The article pages' jobs, planned first (plan_article_pages) so that they
// run while the rest of the plan is made.
void plan_article_pages(BuildContext& b) {
  b.early.reserve(b.project.content.articles.size());
  for (const auto& a : b.project.content.articles) b.early.push_back(article_job(a));
}

// An article's page, at its place in the plan (its search record is made
// from the article, on all cores, by start_search_index).
void render_article(BuildContext& b, const Article& a, size_t k) {
  if (b.want_search) b.search.push_back(article_search_record(a));
  b.pages.push_back(a.url());
  if (k < b.early.size() && b.early[k].article == &a) {
    b.order.push_back({true, k});
  } else {
    b.push(article_job(a));
  }
}

// The digest of everything an article's page is made from (what page_digest
// is for other pages), from the article's fields as its schema lists them.
std::string article_digest(const BuildContext& b, const std::string& site_digest, const Job& job) {
  return cache_digest("article page 3\n" + b.project.templates.digest(job.tmpl) + "\n" + site_digest + "\n" +
                      article_page_key(*job.article));
}

void render_articles(BuildContext& b) {
  const auto& articles = b.project.content.articles;
  std::vector<const Article*> all;
  for (const auto& a : articles) all.push_back(&a);
  render_list(
      b, "articles", kArticlesUrl, "经验交流", all, [](const Article& a) { return a.date.year; },
      [](const std::vector<const Article*>& part) { return articles_index(part); },
      [](const Article& a) { return a.url() + "\n" + article_page_key(a); });
  for (size_t k = 0; k < articles.size(); ++k) {
    const Article& a = articles[k];
    render_article(b, a, k);
    // Files in the folder beside the source (images `bulletin import` extracted).
    std::string dir = join_path(b.project.root, a.source.substr(0, a.source.size() - 3));
    for (const auto& rel : a.resources) b.copy(a.url() + rel, join_path(dir, rel));
    b.dated[a.url()] = a.date;
    b.site_feed.push_back({a.url(), a.title, a.date, a.summary, "经验交流"});
    if (a.summary.empty()) b.excerpt_of[a.url()] = {nullptr, &a.body_html};
  }
  b.report.documents["articles"] = static_cast<int>(articles.size());
}

// A notice's attachment pages, from the notice's page data (live or published).
void render_attachments(BuildContext& b, const PageData& notice) {
  if (!notice.contains("attachments") || !notice["attachments"].is_array()) return;
  for (const auto& a : notice["attachments"])
    if (a.value("is_page", false)) render(b, "attachment", attachment_page_data(notice, a));
}

// Points a notice's attachment links at the copies beside `url`.
void relocate_attachments(PageData& page, const std::string& url) {
  if (!page.contains("attachments")) return;
  int index = 0;
  for (auto& a : page["attachments"]) {
    ++index;
    a["url"] = a.value("is_page", false) ? attachment_page_url(url, index) : url + a.value("file_name", "");
  }
}

// A document's files; beside a ranking's index.json, its index.xlsx (made
// from the JSON, so a published period's workbook shows what it published).
void write_files(BuildContext& b, const std::string& url, const std::map<std::string, std::string>& files) {
  for (const auto& [name, bytes] : files) b.write(url + name, bytes);
  auto index = files.find("index.json");
  if (index == files.end()) return;
  nlohmann::json j = nlohmann::json::parse(index->second, nullptr, false);
  const RankingRule* rule = nullptr;
  for (const auto& r : b.project.rankings)
    if (j.is_object() && r.rule.id == j.value("rule", "")) rule = &r.rule;
  if (j.is_object()) b.write(url + "index.xlsx", ranking_xlsx(j, rule, xlsx_temp_dir(b.project.root, b.fs.on_disk())));
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
    write_files(b, live.url, live.files);
    for (const auto& [name, source] : live.copies) b.copy(live.url + name, join_path(b.project.root, source));
    render_attachments(b, page);
    return;
  }
  render_history(b, tmpl, *history, nav);
}

// Renders version `v` of the published document `h` at `url` (its permanent
// URL, or <url>v<N>/ for an older version) from `page`, its snapshot's page
// data: the page, its attachment pages, and the files frozen beside it (the
// PDF, a ranking's index files, attached files).
void render_version(BuildContext& b, const std::string& tmpl, const DocumentHistory& h, const Snapshot& v,
                    const std::string& url, PageData page) {
  relocate_attachments(page, url);
  render(b, tmpl, page);
  for (const auto& [page_url, pdf] : copy_frozen_pdfs(b.project, b.out, h.url, v, url)) b.frozen_pdfs[page_url] = pdf;
  write_files(b, url, v.files);
  if (page.contains("attachments")) {
    for (const auto& a : page["attachments"]) {
      if (a.value("is_page", false)) continue;
      std::string name = a.value("file_name", "");
      b.copy(url + name, join_path(b.project.root, frozen_file_path(h.url, v.version, name)));
    }
  }
  render_attachments(b, page);
}

void render_history(BuildContext& b, const std::string& tmpl, const DocumentHistory& h, const PageData& nav) {
  PageData revisions = PageData::array();
  for (const auto& v : h.versions) {
    bool latest = v.version == h.latest().version;
    revisions.push_back({{"version", std::to_string(v.version)},
                         {"date", v.published.official()},
                         {"note", v.note.empty() ? std::string("首次发布") : v.note},
                         {"url", latest ? h.url : version_url(h.url, v.version)}});
  }
  for (const auto& v : h.versions) {
    bool latest = v.version == h.latest().version;
    std::string url = latest ? h.url : version_url(h.url, v.version);
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
    render_version(b, tmpl, h, v, url, std::move(page));
  }
  for (size_t k = 1; k < h.versions.size(); ++k) {
    const Snapshot& before = h.versions[k - 1];
    const Snapshot& after = h.versions[k];
    PageData page = page_data(
        "changes", changes_url(h.url, before.version, after.version),
        after.title + " 第 " + std::to_string(before.version) + " 版与第 " + std::to_string(after.version) + " 版对照");
    page["title"] = after.title;
    page["from"] = {{"version", std::to_string(before.version)},
                    {"date", before.published.official()},
                    {"url", version_url(h.url, before.version)}};
    page["to"] = {{"version", std::to_string(after.version)},
                  {"date", after.published.official()},
                  {"url", k + 1 == h.versions.size() ? h.url : version_url(h.url, after.version)},
                  {"note", after.note}};
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

// The body a notice's page shows, for its feed summary: once published, the
// published text (a published source is loaded without its Markdown rendered).
const std::string* shown_body(const BuildContext& b, const Notice& n) {
  if (const DocumentHistory* h = b.project.archive.find(n.url())) {
    auto body = h->latest().page.find("body");
    if (body != h->latest().page.end() && body->is_string()) return body->get_ptr<const std::string*>();
  }
  return &n.body_html;
}

void render_notices(BuildContext& b) {
  const auto& notices = b.project.content.notices;
  std::vector<const Notice*> all;
  for (const auto& n : notices) all.push_back(&n);
  render_list(
      b, "notices", kNoticesUrl, "通知公告", all, [](const Notice& n) { return n.year(); },
      [](const std::vector<const Notice*>& part) { return notices_index(part); });
  for (const auto& n : notices) {
    Publishable doc = publishable_notice(n);
    render_document(b, kind_name(DocumentKind::Notice), doc, PageData::object());
    Date date = updated_on(b, n.url(), n.date.value_or(Date{n.year(), 1, 1}));
    b.dated[n.url()] = date;
    b.site_feed.push_back({n.url(), n.title, date, "", "通知公告"});
    b.excerpt_of[n.url()] = {shown_body(b, n), nullptr};
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
    render_list(
        b, "series", series_url(s.id), s.name, issues, [](const BulletinIssue& i) { return i.date.year; },
        [&](const std::vector<const BulletinIssue*>& part) { return series_index(s, part); });
    for (size_t k = 0; k < issues.size(); ++k) {
      PageData nav = PageData::object();
      if (k > 0) nav["next"] = issue_summary(*issues[k - 1], &s);
      if (k + 1 < issues.size()) nav["previous"] = issue_summary(*issues[k + 1], &s);
      const BulletinIssue& issue = *issues[k];
      render_document(b, kind_name(DocumentKind::Issue), publishable_issue(b.project, issue, articles), nav);
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

// A page whose data `make` gives when its job runs, made from `made_from`
// (see Job); its search record comes from `search_page`, the fields of the
// page that search_record reads, so the plan builds no page data.
void render_lazy(BuildContext& b, const std::string& tmpl, const std::string& url, std::string made_from,
                 std::function<PageData()> make, const std::function<PageData()>& search_page) {
  auto made = [make = std::move(make), url] {
    PageData page = make();
    page["root"] = root_for(url);
    return page;
  };
  b.pages.push_back(url);
  if (b.want_search)
    if (auto record = search_record(tmpl, search_page())) b.search.push_back(std::move(*record));
  Job job{Job::Page, url + "index.html", tmpl, {}, {}};
  job.make_page = std::move(made);
  job.made_from = std::move(made_from);
  b.push(std::move(job));
}

// The index.json text of one period, made once for index.json and
// index.xlsx (which is made from it), whichever job runs first, and dropped
// once both have taken it.
struct PeriodJson {
  std::mutex mutex;
  std::optional<std::string> text;
  int users = 2;
  std::string take(const RuleOutput& r, size_t k) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!text) text = period_json_text(r.rule, r.period(k));
    if (--users > 0) return *text;
    std::string last = std::move(*text);
    text.reset();
    users = 2;  // asked again (never in one build): made again
    return last;
  }
};

// What a rule's pages and files are made from besides their data: the binary
// and the rule's file.
std::string rule_made_from(const RankingRule& rule) {
  return binary_identity() + "\n" + std::to_string(rule.path.size()) + ":" + rule.path + "\n" + rule.source_digest;
}

// An unpublished period's page, index.json, index.csv and index.xlsx, each
// made from the rule's store by its job (render_document's unpublished path),
// and kept without being made while the rule and the period's data (and, for
// the page, its neighbours) are unchanged.
void render_ranking_period(BuildContext& b, const RuleOutput& r, size_t k, const PageData& nav) {
  const std::string url = ranking_url(r.rule, r.results.periods[k].id);
  b.rendered.insert(url);
  const auto& all = r.results.periods;
  std::string made_from = "ranking period 1\n" + rule_made_from(r.rule) + "\n" + r.period_digest(k);
  std::string neighbours = "\n" + (k > 0 ? all[k - 1].id : std::string()) + "\n" +
                           (k + 1 < all.size() ? all[k + 1].id : std::string());
  render_lazy(
      b, kind_name(DocumentKind::Ranking), url, made_from + neighbours,
      [&r, k, nav] {
        PageData page = ranking_page_for(r, k, r.period(k));
        page.update(nav);
        return page;
      },
      [&r, k] { return ranking_period_head(r.rule, r.period(k)); });
  auto bytes = [&b, &made_from](std::string path, std::function<std::string()> make) {
    Job job{Job::Bytes, std::move(path), {}, {}, {}};
    job.make_bytes = std::move(make);
    job.made_from = made_from + "\n" + job.path;
    b.push(std::move(job));
  };
  auto json = std::make_shared<PeriodJson>();
  bytes(url + "index.csv", [&r, k] { return period_to_csv(r.rule, r.period(k)); });
  bytes(url + "index.json", [&r, k, json] { return json->take(r, k); });
  bytes(url + "index.xlsx", [&r, k, json, dir = xlsx_temp_dir(b.project.root, b.fs.on_disk())] {
    return ranking_xlsx(nlohmann::json::parse(json->take(r, k)), &r.rule, dir);
  });
}

void render_rankings(BuildContext& b) {
  render(b, "rankings", rankings_index(b.project.rankings));
  int periods = 0;
  for (const auto& r : b.project.rankings) {
    render(b, "ranking_rule", ranking_rule_page(r));
    const auto& all = r.results.periods;
    for (size_t k = 0; k < all.size(); ++k) {
      PageData nav = PageData::object();
      if (k > 0)
        nav["previous"] = {{"url", ranking_url(r.rule, all[k - 1].id)},
                           {"label", period_label(r.rule.period, all[k - 1].id)}};
      if (k + 1 < all.size())
        nav["next"] = {{"url", ranking_url(r.rule, all[k + 1].id)},
                       {"label", period_label(r.rule.period, all[k + 1].id)}};
      std::string url = ranking_url(r.rule, all[k].id);
      if (b.project.archive.find(url)) {
        render_document(b, kind_name(DocumentKind::Ranking), publishable_ranking(r, k), nav);
      } else {
        render_ranking_period(b, r, k, nav);
      }
      Date date = updated_on(b, url, all[k].last_in_data);
      b.dated[url] = date;
      b.rule_feeds[r.rule.id].push_back({url, r.rule.title + " " + period_label(r.rule.period, all[k].id), date,
                                         all[k].complete ? "" : "截至" + all[k].last_in_data.official(), "学习排名"});
      ++periods;
    }
    // An entity's history is made from every period of the rule.
    std::string entities_from = "ranking entity 1\n" + rule_made_from(r.rule) + "\n" + r.data_digest() + "\n";
    for (size_t e = 0, n = r.entity_count(); e < n; ++e) {
      auto [entity, group] = r.entity(e);
      render_lazy(
          b, "ranking_entity", entity_url(r.rule, entity, group),
          entities_from + std::to_string(e) + "\n" + entity + "\n" + group,
          [&r, e] { return ranking_entity_page(r, r.history(e)); },
          [&r, entity, group] { return ranking_entity_head(r.rule, entity, group); });
    }
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
    if (moved != url_of_source.end() && history.latest().kind != DocumentKind::Ranking) {
      PageData page = page_data("redirect", url, history.latest().title);
      page["title"] = history.latest().title;
      page["target"] = moved->second;
      page["root_target"] = root_for(url) + moved->second + "index.html";
      render(b, "redirect", page);
      // Its published versions stay readable beside the redirect.
      for (const auto& v : history.versions) {
        std::string vurl = version_url(url, v.version);
        PageData old = v.page;
        old["url"] = vurl;
        old["superseded"] = {
            {"version", std::to_string(v.version)}, {"latest_version", "新"}, {"latest_url", moved->second}};
        render_version(b, kind_name(history.latest().kind), history, v, vurl, std::move(old));
      }
      continue;
    }
    render_history(b, kind_name(history.latest().kind), history, PageData::object());
  }
}

// The newest config.feed_limit entries, in the order atom_feed writes them,
// with their excerpts filled in.
Feed latest(const BuildContext& b, std::string path, std::string title, std::string subtitle,
            const std::vector<FeedEntry>& all) {
  // Only the newest are copied, found without sorting the archive (their
  // order is the stable sort's: newest first, then by URL, then as listed).
  std::vector<size_t> order(all.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  auto newer = [&](size_t i, size_t j) {
    const FeedEntry &x = all[i], &y = all[j];
    if (x.updated != y.updated) return x.updated > y.updated;
    int c = x.url.compare(y.url);
    return c != 0 ? c < 0 : i < j;
  };
  size_t n = std::min(all.size(), static_cast<size_t>(std::max(b.project.config.feed_limit, 0)));
  std::partial_sort(order.begin(), order.begin() + n, order.end(), newer);
  std::vector<FeedEntry> entries;
  entries.reserve(n);
  for (size_t k = 0; k < n; ++k) entries.push_back(all[order[k]]);
  for (auto& e : entries) {
    auto it = b.excerpt_of.find(e.url);
    if (it != b.excerpt_of.end() && e.summary.empty()) e.summary = excerpt(it->second.str());
  }
  return {std::move(path), std::move(title), std::move(subtitle), std::move(entries)};
}

void render_feeds(BuildContext& b) {
  const SiteConfig& config = b.project.config;
  b.write("feed.xml", atom_feed(config, latest(b, "feed.xml", config.title, config.organization, b.site_feed)));
  for (const auto& s : config.series)
    b.write(feed_path(series_url(s.id)),
            atom_feed(config, latest(b, feed_path(series_url(s.id)), s.name, s.editor, b.series_feeds[s.id])));
  for (const auto& r : b.project.rankings)
    b.write(feed_path(ranking_rule_url(r.rule.id)),
            atom_feed(config, latest(b, feed_path(ranking_rule_url(r.rule.id)), r.rule.title, r.rule.description,
                                     b.rule_feeds[r.rule.id])));
  if (config.base_url.empty()) return;  // sitemaps need absolute URLs
  // Made only when a page was added or removed or a date changed (it lists
  // every page: at 10,000 pages, sorting and escaping it cost as much as
  // planning the articles).
  std::vector<std::pair<std::string, Date>> pages;
  pages.reserve(b.pages.size());
  std::string made_from = "sitemap 1\n" + config.base_url + "\n" + config.base_path + "\n";
  for (const auto& url : b.pages) {
    auto it = b.dated.find(url);
    pages.emplace_back(url, it == b.dated.end() ? Date{} : it->second);
    made_from += url;
    made_from += '\t';
    made_from += pages.back().second.year > 0 ? pages.back().second.iso() : "";
    made_from += '\n';
  }
  Job job{Job::Bytes, "sitemap.xml", {}, {}, {}};
  job.made_from = std::move(made_from);
  job.make_bytes = [&config, pages = std::move(pages)] { return sitemap(config, pages); };
  b.push(std::move(job));
}

void copy_assets(BuildContext& b) {
  std::string dir = join_path(b.project.root, "templates/assets");
  for (const auto& rel : b.fs.list(dir)) b.copy("assets/" + rel, join_path(dir, rel));
}

// Refuses a plan in which two jobs write one file, naming the first such path.
void check_plan(const BuildContext& b) {
  std::unordered_set<std::string_view> seen;
  seen.reserve(b.order.size());
  for (const auto& ref : b.order) {
    const Job& job = b.job(ref);
    check_site_path(job.path);
    if (!seen.insert(job.path).second) {
      throw Error({job.path, 0, 0},
                  std::string(job.kind == Job::Page ? "two pages would be written to the same file "
                                                    : "two files would be written to the same path ") +
                      job.path);
    }
  }
}

// The digest of everything a page is made from: its template as compiled,
// the site-wide data, and the page's own data.
std::string page_digest(const BuildContext& b, const std::string& site_digest, const Job& job) {
  std::string text = job.tmpl;
  text += '\n';
  text += b.project.templates.digest(job.tmpl);
  text += '\n';
  text += site_digest;
  text += '\n';
  text += job.page.dump();
  return cache_digest(text);
}

void run_job(const BuildContext& b, const std::string& site_digest, const Job& job) {
  if (job.make_page || job.make_bytes) {
    if (!job.made_from.empty()) {
      // Kept, or made and written with the digest of what it is made from.
      std::string digest = cache_digest("made from 1\n" + job.tmpl + "\n" + b.project.templates.digest(job.tmpl) +
                                        "\n" + site_digest + "\n" + job.made_from);
      if (b.out.keep(job.path, digest)) return;
      if (job.make_bytes) {
        b.out.write_made_from(job.path, job.make_bytes(), digest);
        return;
      }
      try {
        b.out.write_made_from(job.path, b.project.templates.render(job.tmpl, to_template(job.make_page()), b.site),
                              digest);
      } catch (Error& e) {
        e.diagnostic().context.push_back("while rendering " + job.path + " with templates/" + job.tmpl + ".mustache");
        throw;
      }
      return;
    }
    Job made{job.kind, job.path, job.tmpl, job.make_page ? job.make_page() : PageData{},
             job.make_bytes ? job.make_bytes() : std::string{}};
    run_job(b, site_digest, made);
    return;
  }
  switch (job.kind) {
    case Job::Bytes: b.out.write(job.path, job.data); return;
    case Job::Copy: b.out.copy(job.path, job.data); return;
    case Job::Page:
      if (job.article) {
        std::string digest = article_digest(b, site_digest, job);
        if (b.out.keep(job.path, digest)) return;
        try {
          b.out.write_made_from(job.path, b.project.templates.render(job.tmpl, article_template(*job.article), b.site),
                                digest);
        } catch (Error& e) {
          e.diagnostic().context.push_back("while rendering " + job.path + " with templates/" + job.tmpl + ".mustache");
          throw;
        }
        return;
      }
      try {
        std::string digest = page_digest(b, site_digest, job);
        // A page with a PDF is rendered even when kept: the PDF's cache key
        // is its HTML (the PDF itself is made only when that changed).
        bool pdf = job.tmpl == "notice" || job.tmpl == "attachment" || job.tmpl == "issue";
        if (!pdf && b.out.keep(job.path, digest)) return;
        std::string html = b.project.templates.render(job.tmpl, to_template(job.page), b.site);
        if (pdf) {
          std::string url = job.page.value("url", "");
          {
            std::lock_guard<std::mutex> lock(b.pdf_mutex);
            b.pdf_pages.push_back({url, html});
          }
          if (b.out.keep(job.path, digest)) return;
        }
        b.out.write_made_from(job.path, html, digest);
      } catch (Error& e) {
        e.diagnostic().context.push_back("while rendering " + job.path + " with templates/" + job.tmpl + ".mustache");
        throw;
      }
      return;
  }
}

// Runs the plan on `threads` threads, overlapping the planning: the article
// pages (b.early) start rendering on the other threads while the calling
// thread runs `plan` (every other step); once it is done, every thread takes
// the rest of the plan first (it holds the largest pages: the lists and the
// feeds), then what is left of the articles. The error reported is the one
// a build running the jobs one by one in plan order would report: a
// planning error before any job's; else the first failing job in plan
// order (jobs not run yet before it are run, on this thread, to find it).
void run_plan(BuildContext& b, const std::string& site_digest, int threads, const std::function<void()>& plan) {
  enum : unsigned char { Waiting, Running, Done, Failed };
  std::unique_ptr<std::atomic<unsigned char>[]> early_state(new std::atomic<unsigned char>[b.early.size()]);
  for (size_t k = 0; k < b.early.size(); ++k) early_state[k] = Waiting;
  std::unique_ptr<std::atomic<unsigned char>[]> plan_state;  // made once planned
  std::vector<std::exception_ptr> early_error(b.early.size()), plan_error;
  std::atomic<size_t> next_early{0}, next_rest{0};
  std::atomic<bool> stop{false}, planned{false};
  std::mutex mutex;
  std::condition_variable wake;
  auto run = [&](const Job& job, std::atomic<unsigned char>& state, std::exception_ptr& error) {
    state = Running;
    try {
      run_job(b, site_digest, job);
      state = Done;
    } catch (...) {
      error = std::current_exception();
      state = Failed;
      stop = true;
      wake.notify_all();
    }
  };
  auto work = [&] {
    while (!stop) {
      if (planned) {
        size_t i = next_rest.fetch_add(1);
        if (i < b.plan.size()) {
          run(b.plan[i], plan_state[i], plan_error[i]);
          continue;
        }
      }
      size_t k = next_early.fetch_add(1);
      if (k < b.early.size()) {
        run(b.early[k], early_state[k], early_error[k]);
        continue;
      }
      if (planned) return;
      std::unique_lock<std::mutex> lock(mutex);
      wake.wait(lock, [&] { return planned.load() || stop.load(); });
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads && !b.early.empty(); ++t) pool.emplace_back(work);
  auto finish = [&] {
    {
      std::lock_guard<std::mutex> lock(mutex);
      planned = true;
    }
    wake.notify_all();
    work();
    for (auto& t : pool) t.join();
  };
  try {
    plan();
  } catch (...) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stop = true;
    }
    wake.notify_all();
    for (auto& t : pool) t.join();
    throw;
  }
  plan_state.reset(new std::atomic<unsigned char>[b.plan.size()]);
  for (size_t i = 0; i < b.plan.size(); ++i) plan_state[i] = Waiting;
  plan_error.resize(b.plan.size());
  finish();
  if (!stop) return;
  for (const auto& ref : b.order) {
    auto& state = ref.early ? early_state[ref.index] : plan_state[ref.index];
    auto& error = ref.early ? early_error[ref.index] : plan_error[ref.index];
    if (state == Waiting) run_job(b, site_digest, b.job(ref));  // throws the error, if it fails
    if (state == Failed) std::rethrow_exception(error);
  }
}

}  // namespace

BuildReport build_site(const Project& project, const FileSystem& fs, OutputWriter& out, const BuildOptions& options) {
  StageTimer timer;
  BuildContext b{project, fs, out, site_data(project.config)};
  b.site.set("has_rankings", !project.rankings.empty());
  std::string no_search;
  // BULLETIN_SEARCH=0 leaves the index out (bench/run-build.sh: search is measured apart).
  const char* search_env = std::getenv("BULLETIN_SEARCH");
  bool want_search = options.search && !(search_env && std::string_view(search_env) == "0");
  if (!want_search) no_search = "BULLETIN_SEARCH=0";
  auto search_tools = want_search && out.directory() ? find_search_tools(project.root, no_search) : std::nullopt;
  b.site.set("has_search", search_tools.has_value());
  // Not gated on out.directory(): an in-place rebuild has none, and the PDFs
  // and fonts it does not write again would be removed from the site.
  std::vector<WebFont> web_fonts =
      options.pdf ? web_fonts_wanted(project.config, project.root) : std::vector<WebFont>{};
  std::optional<std::string> font_tools = web_fonts.empty() ? std::nullopt : find_font_tools();
  b.site.set("has_web_fonts", font_tools.has_value());
  // Only notices (with their attachments) and issues are printed as PDFs.
  const bool printable =
      !project.content.notices.empty() || !project.content.issues.empty() || !project.archive.by_url.empty();
  std::optional<std::string> pdf_engine =
      options.pdf && printable ? find_pdf_engine(join_path(project.root, cache_path("pdf"))) : std::nullopt;
  b.site.set("has_pdf", pdf_engine.has_value());
  b.want_search = search_tools.has_value();
  std::string site_digest =
      sha256(fs.read(join_path(project.root, "bulletin.yaml")).value_or("") + (search_tools ? "\nsearch" : "\n") +
             (project.rankings.empty() ? "\n" : "\nrankings") + (font_tools ? "\nwebfonts" : "\n") +
             (pdf_engine ? "\npdf" : "\n") + "\n" BULLETIN_VERSION);
  timer.mark("probe tools");
  using Step = void (*)(BuildContext&);
  static const std::pair<const char*, Step> kSteps[] = {
      {"home", render_home},           {"articles", render_articles}, {"notices", render_notices},
      {"bulletins", render_bulletins}, {"rankings", render_rankings}, {"archive", render_archive_leftovers},
      {"feeds", render_feeds},         {"assets", copy_assets},
  };
  PendingSearch search;
  plan_article_pages(b);
  run_plan(b, site_digest, worker_count(options.jobs), [&] {
    StageTimer steps;  // each step of the plan, under BULLETIN_TIMING
    for (const auto& [name, step] : kSteps) {
      step(b);
      steps.mark(name);
      if (options.progress) options.progress(name, static_cast<int>(b.pages.size()));
    }
    check_plan(b);
    // The search index's changed shards are written while the pages are rendered.
    if (search_tools)
      search = start_search_index(*search_tools, join_path(project.root, cache_path("search")), std::move(b.search), {},
                                  parse_options_key(project.config));
    timer.mark("plan");
  });
  timer.mark("jobs");
  if (options.progress) options.progress("pages", out.pages());
  if (pdf_engine) {
    std::sort(b.pdf_pages.begin(), b.pdf_pages.end(), [](const PdfPage& x, const PdfPage& y) { return x.url < y.url; });
    b.report.notes.push_back(make_pdfs(*pdf_engine, project.root, b.pdf_pages, out, b.frozen_pdfs).message);
    timer.mark("pdf");
  } else if (options.pdf && printable) {
    b.report.notes.push_back("PDFs skipped: WeasyPrint is not installed (apt-get install weasyprint)");
  }
  if (font_tools) {
    b.report.notes.push_back(
        ship_web_fonts(*font_tools, project.root, web_fonts, document_characters(b.pdf_pages), out).message);
  } else if (!web_fonts.empty()) {
    b.report.notes.push_back(
        "web fonts skipped: fontTools is not installed (apt-get install python3-fonttools python3-brotli)");
  }
  if (search_tools) {
    b.report.notes.push_back(finish_search_index(*search, out).message);
  } else if (options.search && out.directory()) {
    b.report.notes.push_back("search skipped: " + no_search);
  }
  b.report.pages = out.pages();
  b.report.files = out.files();
  b.report.kept = out.kept();
  b.report.inputs_young = project.parse_cache && project.parse_cache->saw_young_stamp();
  return b.report;
}

}  // namespace bulletin
