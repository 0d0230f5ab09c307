#include "render/pages.h"

#include <algorithm>

#include "util/text.h"

namespace bulletin {
namespace {

using List = TemplateData::type;

TemplateData list() { return TemplateData(List::list); }

// kainjow treats an empty string as true in {{#section}}: store false instead,
// which renders as nothing and hides the section.
void set(TemplateData& d, const std::string& key, const std::string& value) {
  d.set(key, value.empty() ? TemplateData(false) : TemplateData(value));
}
void set(TemplateData& d, const std::string& key, const char* value) { set(d, key, std::string(value)); }
void set(TemplateData& d, const std::string& key, bool value) { d.set(key, TemplateData(value)); }

TemplateData texts(const std::vector<std::string>& items) {
  TemplateData out = list();
  for (const auto& s : items) {
    TemplateData item;
    set(item, "text", s);
    push(out, std::move(item));
  }
  return out;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

void set_date(TemplateData& d, const std::string& key, const Date& date) {
  set(d, key, date.official());
  set(d, key + "_iso", date.iso());
}

}  // namespace

std::string root_for(const std::string& url) {
  std::string root;
  for (char c : url)
    if (c == '/') root += "../";
  return root;
}

TemplateData site_data(const SiteConfig& config) {
  TemplateData site;
  set(site, "site_title", config.title);
  set(site, "site_organization", config.organization);
  set(site, "lang", config.language);
  set(site, "generator", std::string("bulletin ") + BULLETIN_VERSION);
  TemplateData series = list();
  for (const auto& s : config.series) {
    TemplateData item;
    set(item, "name", s.name);
    set(item, "url", "bulletins/" + s.id + "/");
    push(series, std::move(item));
  }
  set(site, "has_series", !config.series.empty());
  put(site, "all_series", std::move(series));
  return site;
}

TemplateData page_data(const std::string& kind, const std::string& url, const std::string& title) {
  TemplateData d;
  set(d, "root", root_for(url));
  set(d, "url", url);
  set(d, "page_title", title);
  set(d, "kind_" + kind, true);
  return d;
}

TemplateData article_summary(const Article& a) {
  TemplateData d;
  set(d, "title", a.title);
  set(d, "unit", a.unit);
  set(d, "author", a.author);
  set_date(d, "date", a.date);
  set(d, "summary", a.summary);
  set(d, "url", a.url());
  return d;
}

TemplateData article_page(const Article& a) {
  TemplateData d = page_data("article", a.url(), a.title);
  set(d, "title", a.title);
  set(d, "unit", a.unit);
  set(d, "author", a.author);
  set_date(d, "date", a.date);
  set(d, "summary", a.summary);
  set(d, "has_tags", !a.tags.empty());
  put(d, "tags", texts(a.tags));
  set(d, "body", a.body_html);
  return d;
}

TemplateData articles_index(const std::vector<Article>& articles) {
  TemplateData d = page_data("articles", "articles/", "经验交流");
  TemplateData items = list();
  for (const auto& a : articles) push(items, article_summary(a));
  set(d, "has_articles", !articles.empty());
  put(d, "articles", std::move(items));
  return d;
}

std::string attachment_url(const Notice& n, const Attachment& a) {
  if (a.is_page()) return n.url() + "attachment-" + std::to_string(a.index) + "/";
  return n.url() + a.file_name;
}

TemplateData notice_summary(const Notice& n) {
  TemplateData d;
  set(d, "title", n.title);
  set(d, "issuer", n.issuer_text());
  set(d, "doc_no", n.doc_no ? n.doc_no->text() : "");
  if (n.date) set_date(d, "date", *n.date);
  set(d, "url", n.url());
  return d;
}

TemplateData notice_page(const Notice& n) {
  TemplateData d = page_data("notice", n.url(), n.title);
  set(d, "copy_no", n.copy_no);
  set(d, "secret", n.secret);
  set(d, "urgency", n.urgency);
  set(d, "has_header_marks", !n.copy_no.empty() || !n.secret.empty() || !n.urgency.empty());
  put(d, "issuers", texts(n.issuer));
  set(d, "joint", n.issuer.size() > 1);
  set(d, "file_mark", n.file_mark);
  set(d, "issuer", n.issuer_text());
  set(d, "doc_no", n.doc_no ? n.doc_no->text() : "");
  set(d, "has_signers", !n.signers.empty());
  set(d, "signers", join(n.signers, "　"));
  set(d, "title", n.title);
  set(d, "recipients", n.recipients);
  set(d, "body", n.body_html);

  TemplateData atts = list();
  for (const auto& a : n.attachments) {
    TemplateData item;
    set(item, "number", n.attachments.size() > 1 ? std::to_string(a.index) + "." : "");
    set(item, "label", n.attachments.size() > 1 ? "附件 " + std::to_string(a.index) : "附件");
    set(item, "title", a.title);
    set(item, "page_title", a.page_title);
    set(item, "first", a.index == 1);
    set(item, "url", attachment_url(n, a));
    set(item, "is_page", a.is_page());
    set(item, "page_body", a.page_html);
    set(item, "file_name", a.file_name);
    set(item, "size", a.is_page() ? "" : human_size(a.file_size));
    push(atts, std::move(item));
  }
  set(d, "has_attachments", !n.attachments.empty());
  put(d, "attachments", std::move(atts));

  set(d, "has_signature", !n.signature.empty());
  put(d, "signature", texts(n.signature));
  if (n.date) set_date(d, "date", *n.date);
  set(d, "sealed", n.sealed);
  set(d, "note", n.note);
  if (n.enclosure) {
    TemplateData e;
    set(e, "title", n.enclosure->title);
    set(e, "body", n.enclosure->body_html);
    set(e, "has_signature", !n.enclosure->signature.empty());
    put(e, "signature", texts(n.enclosure->signature));
    if (n.enclosure->date) set_date(e, "date", *n.enclosure->date);
    put(d, "enclosure", std::move(e));
  }
  set(d, "cc", n.cc);
  set(d, "printer", n.printer);
  if (n.print_date) set_date(d, "print_date", *n.print_date);
  set(d, "has_colophon", !n.cc.empty() || !n.printer.empty() || n.print_date.has_value());
  return d;
}

TemplateData attachment_page(const Notice& n, const Attachment& a) {
  TemplateData d = page_data("attachment", attachment_url(n, a), a.page_title);
  set(d, "label", n.attachments.size() > 1 ? "附件 " + std::to_string(a.index) : "附件");
  set(d, "title", a.page_title);
  set(d, "body", a.page_html);
  put(d, "notice", notice_summary(n));
  return d;
}

TemplateData notices_index(const std::vector<Notice>& notices) {
  TemplateData d = page_data("notices", "notices/", "通知公告");
  // By year, newest first (notices arrive sorted newest first).
  TemplateData years = list();
  std::map<std::string, std::vector<const Notice*>> by_issuer;
  int current = -1;
  TemplateData year_items = list();
  auto flush = [&] {
    if (current < 0) return;
    TemplateData y;
    set(y, "year", std::to_string(current));
    put(y, "notices", std::move(year_items));
    push(years, std::move(y));
    year_items = list();
  };
  for (const auto& n : notices) {
    if (n.year() != current) {
      flush();
      current = n.year();
    }
    push(year_items, notice_summary(n));
    by_issuer[n.issuer_text()].push_back(&n);
  }
  flush();
  put(d, "years", std::move(years));
  TemplateData issuers = list();
  for (const auto& [issuer, items] : by_issuer) {
    TemplateData g;
    set(g, "issuer", issuer);
    TemplateData ns = list();
    for (const auto* n : items) push(ns, notice_summary(*n));
    put(g, "notices", std::move(ns));
    push(issuers, std::move(g));
  }
  put(d, "issuers", std::move(issuers));
  set(d, "has_notices", !notices.empty());
  return d;
}

TemplateData issue_summary(const BulletinIssue& issue, const Series* series) {
  TemplateData d;
  set(d, "series_name", series ? series->name : issue.series);
  set(d, "number_text", issue.number_text());
  set(d, "title", issue.title);
  set_date(d, "date", issue.date);
  set(d, "url", issue.url());
  set(d, "year", std::to_string(issue.date.year));
  return d;
}

TemplateData issue_page(const BulletinIssue& issue, const IssueContext& ctx) {
  std::string series_name = ctx.series ? ctx.series->name : issue.series;
  TemplateData d = page_data("issue", issue.url(), series_name + " " + issue.number_text() + " " + issue.title);
  set(d, "series_name", series_name);
  set(d, "series_url", "bulletins/" + issue.series + "/");
  set(d, "number_text", issue.number_text());
  set(d, "editor", issue.editor);
  set_date(d, "date", issue.date);
  set(d, "title", issue.title);
  set(d, "mark", issue.mark);
  set(d, "intro", issue.intro_html);
  TemplateData sections = list();
  int index = 0;
  for (const auto& s : issue.sections) {
    TemplateData sd;
    set(sd, "number", chinese_number(++index) + "、");
    set(sd, "heading", s.heading);
    set(sd, "anchor", "section-" + std::to_string(index));
    set(sd, "body", s.body_html);
    TemplateData arts = list();
    for (const auto& slug : s.articles) {
      auto it = ctx.articles.find(slug);
      if (it == ctx.articles.end()) continue;
      TemplateData a = article_summary(*it->second);
      set(a, "body", it->second->body_html);
      push(arts, std::move(a));
    }
    put(sd, "articles", std::move(arts));
    if (s.ranking && ctx.ranking) {
      if (auto table = ctx.ranking(*s.ranking)) put(sd, "ranking", std::move(*table));
    }
    push(sections, std::move(sd));
  }
  put(d, "sections", std::move(sections));
  TemplateData dist = list();
  for (const auto& line : issue.distribution) {
    TemplateData l;
    set(l, "label", line.label);
    set(l, "recipients", join(line.recipients, "、"));
    push(dist, std::move(l));
  }
  set(d, "has_distribution", !issue.distribution.empty());
  put(d, "distribution", std::move(dist));
  set(d, "print_count", issue.print_count > 0 ? std::to_string(issue.print_count) : "");
  if (ctx.previous) put(d, "previous", issue_summary(*ctx.previous, ctx.series));
  if (ctx.next) put(d, "next", issue_summary(*ctx.next, ctx.series));
  return d;
}

TemplateData series_index(const Series& series, const std::vector<const BulletinIssue*>& issues) {
  TemplateData d = page_data("series", "bulletins/" + series.id + "/", series.name);
  set(d, "series_name", series.name);
  set(d, "editor", series.editor);
  TemplateData years = list();
  int current = -1;
  TemplateData items = list();
  auto flush = [&] {
    if (current < 0) return;
    TemplateData y;
    set(y, "year", std::to_string(current));
    put(y, "issues", std::move(items));
    push(years, std::move(y));
    items = list();
  };
  for (const auto* i : issues) {
    if (i->date.year != current) {
      flush();
      current = i->date.year;
    }
    push(items, issue_summary(*i, &series));
  }
  flush();
  set(d, "has_issues", !issues.empty());
  put(d, "years", std::move(years));
  return d;
}

TemplateData bulletins_index(const std::vector<Series>& series,
                             const std::map<std::string, std::vector<const BulletinIssue*>>& by_series) {
  TemplateData d = page_data("bulletins", "bulletins/", "工作简报");
  TemplateData items = list();
  for (const auto& s : series) {
    TemplateData item;
    set(item, "name", s.name);
    set(item, "editor", s.editor);
    set(item, "url", "bulletins/" + s.id + "/");
    auto it = by_series.find(s.id);
    int count = it == by_series.end() ? 0 : static_cast<int>(it->second.size());
    set(item, "count", std::to_string(count));
    if (count > 0) put(item, "latest", issue_summary(*it->second.front(), &s));
    push(items, std::move(item));
  }
  put(d, "series", std::move(items));
  return d;
}

TemplateData home_page(const HomeContent& home) {
  TemplateData d = page_data("home", "", "首页");
  TemplateData issues = list();
  for (const auto& [series, issue] : home.latest_issues) push(issues, issue_summary(*issue, series));
  set(d, "has_issues", !home.latest_issues.empty());
  put(d, "latest_issues", std::move(issues));
  TemplateData notices = list();
  for (const auto* n : home.latest_notices) push(notices, notice_summary(*n));
  set(d, "has_notices", !home.latest_notices.empty());
  put(d, "latest_notices", std::move(notices));
  TemplateData articles = list();
  for (const auto* a : home.latest_articles) push(articles, article_summary(*a));
  set(d, "has_articles", !home.latest_articles.empty());
  put(d, "latest_articles", std::move(articles));
  return d;
}

}  // namespace bulletin
