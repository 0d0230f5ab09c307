#include "render/pages.h"

#include <algorithm>

#include "load/schema.h"
#include "util/fs.h"
#include "util/html.h"
#include "util/text.h"

namespace bulletin {
namespace {

PageData list() { return PageData::array(); }

// Mustache treats an empty string as true in {{#section}}: store false instead,
// which renders as nothing and hides the section.
void set(PageData& d, const std::string& key, const std::string& value) {
  d[key] = value.empty() ? PageData(false) : PageData(value);
}
void set(PageData& d, const std::string& key, const char* value) { set(d, key, std::string(value)); }
void set(PageData& d, const std::string& key, bool value) { d[key] = value; }
void put(PageData& d, const std::string& key, PageData&& value) { d[key] = std::move(value); }
void push(PageData& list, PageData&& value) { list.push_back(std::move(value)); }

PageData texts(const std::vector<std::string>& items) {
  PageData out = list();
  for (const auto& s : items) {
    PageData item = PageData::object();
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

void set_date(PageData& d, const std::string& key, const Date& date) {
  set(d, key, date.official());
  set(d, key + "_iso", date.iso());
}

// Every bound field of `schema` that goes on the page as it is (OnPage::AsIs
// in load/schema.h), under its key: text as text, a list as items {text}
// with has_<key>, a date (when given) as its official form with <key>_iso,
// a boolean as itself.
template <class Doc>
void set_plain_fields(PageData& d, const DocumentSchema<Doc>& schema, const Doc& doc) {
  for_each_bound_field(schema, doc, [&](const DocumentField<Doc>& field, const auto& value) {
    if (field.page == OnPage::ByHand) return;
    const std::string& key = field.spec.key;
    using V = std::decay_t<decltype(value)>;
    if constexpr (std::is_same_v<V, std::vector<std::string>>) {
      set(d, "has_" + key, !value.empty());
      put(d, key, texts(value));
    } else if constexpr (std::is_same_v<V, std::optional<Date>>) {
      if (value) set_date(d, key, *value);
    } else {
      set(d, key, value);
    }
  });
}

// A title's lines as the source broke them: the seeds mark a printed line
// break with a space between two Chinese characters ("“学习强国” 学习平台"),
// which must print as a break, never as a space. Spaces next to ASCII
// ("名单 (31 所)") are ordinary spaces.
TemplateData title_lines(const std::string& title) {
  TemplateData out(TemplateData::type::list);
  auto wide = [](unsigned char c) { return c >= 0x80; };
  size_t start = 0;
  for (size_t i = 1; i + 1 < title.size(); ++i) {
    if (title[i] != ' ' || !wide(title[i - 1]) || !wide(title[i + 1])) continue;
    TemplateData line;
    line.set("line", title.substr(start, i - start));
    out.push_back(line);
    start = i + 1;
  }
  TemplateData line;
  line.set("line", title.substr(start));
  out.push_back(line);
  return out;
}

}  // namespace

TemplateData to_template(const PageData& page) {
  switch (page.type()) {
    case PageData::value_t::object: {
      TemplateData out;
      for (const auto& [key, value] : page.items()) {
        put(out, key, to_template(value));
        // Derived at render time, so published page data gets it too.
        if ((key == "title" || key == "page_title") && value.is_string())
          put(out, key + "_lines", title_lines(value.get_ref<const std::string&>()));
      }
      return out;
    }
    case PageData::value_t::array: {
      TemplateData out(TemplateData::type::list);
      for (const auto& item : page) bulletin::push(out, to_template(item));
      return out;
    }
    case PageData::value_t::string: return TemplateData(page.get_ref<const std::string&>());
    case PageData::value_t::boolean: return TemplateData(page.get<bool>());
    case PageData::value_t::number_integer:
    case PageData::value_t::number_unsigned:
    case PageData::value_t::number_float:
      return TemplateData(page.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    default: return TemplateData(false);
  }
}

namespace {

bool is_relative_link(std::string_view link) {
  if (link.empty() || link[0] == '/' || link[0] == '#') return false;
  size_t colon = link.find(':'), slash = link.find('/');
  return colon == std::string_view::npos || (slash != std::string_view::npos && slash < colon);
}

// "articles/a/" + "../b/x.html" -> "articles/b/x.html": a link resolved
// against the folder URL of the page it was written for.
std::string resolve(const std::string& base_url, std::string_view link) {
  std::string path = base_url;
  if (!path.empty() && path.back() != '/') path += '/';
  path += link;
  if (link == "." || link == "..") path += '/';
  std::string out;
  normalize_path(path, out, AboveRoot::StayAtRoot);
  return out;
}

}  // namespace

std::string rebase_links(const std::string& html, const std::string& from_url, const std::string& to_url) {
  if (from_url == to_url) return html;
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t href = html.find(" href=\"", pos), src = html.find(" src=\"", pos);
    size_t at = std::min(href, src);
    if (at == std::string::npos) break;
    size_t start = html.find('"', at) + 1;
    size_t end = html.find('"', start);
    if (end == std::string::npos) break;
    std::string link = html.substr(start, end - start);
    out += html.substr(pos, start - pos);
    out += is_relative_link(link) ? root_for(to_url) + resolve(from_url, link) : link;
    pos = end;
  }
  return out + html.substr(pos);
}

std::string root_for(const std::string& url) {
  std::string root;
  for (char c : url)
    if (c == '/') root += "../";
  return root;
}

TemplateData site_data(const SiteConfig& config) {
  PageData site = PageData::object();
  set(site, "site_title", config.title);
  set(site, "site_organization", config.organization);
  set(site, "lang", config.language);
  set(site, "generator", std::string("bulletin ") + BULLETIN_VERSION);
  set(site, "feed_url", "feed.xml");
  PageData series = list();
  for (const auto& s : config.series) {
    PageData item = PageData::object();
    set(item, "name", s.name);
    set(item, "url", series_url(s.id));
    push(series, std::move(item));
  }
  set(site, "has_series", !config.series.empty());
  put(site, "all_series", std::move(series));
  return to_template(site);
}

PageData page_data(const std::string& kind, const std::string& url, const std::string& title) {
  PageData d = PageData::object();
  set(d, "root", root_for(url));
  set(d, "url", url);
  set(d, "page_title", title);
  set(d, "kind_" + kind, true);
  return d;
}

PageData attachment_page_data(const PageData& notice, const PageData& a) {
  PageData summary = {{"title", notice.value("title", "")}, {"url", notice["url"]}};
  summary["doc_no"] = notice.contains("doc_no") ? notice["doc_no"] : PageData(false);
  PageData page = page_data("attachment", a["url"].get<std::string>(), a.value("page_title", ""));
  page["label"] = a["label"];
  page["title"] = a["page_title"];
  page["body"] = a["page_body"];
  page["notice"] = summary;
  return page;
}

PageData article_summary(const Article& a) {
  PageData d = PageData::object();
  set(d, "title", a.title);
  set(d, "unit", a.unit);
  set(d, "author", a.author);
  set_date(d, "date", a.date);
  set(d, "summary", a.summary);
  set(d, "url", a.url());
  return d;
}

PageData article_page(const Article& a) {
  PageData d = page_data(kind_name(DocumentKind::Article), a.url(), a.title);
  set_plain_fields(d, article_schema(), a);
  set_date(d, "date", a.date);
  set(d, "body", a.body_html.str());
  return d;
}

TemplateData article_template(const Article& a) {
  // Each step as article_page and to_template take it, in the same order
  // (a later key replaces an earlier one in both).
  TemplateData d;
  auto text = [&](const std::string& key, const std::string& value) {
    put(d, key, value.empty() ? TemplateData(false) : TemplateData(value));
  };
  const std::string url = a.url();
  text("url", url);
  text("page_title", a.title);
  put(d, "kind_" + std::string(kind_name(DocumentKind::Article)), TemplateData(true));
  for_each_bound_field(article_schema(), a, [&](const DocumentField<Article>& field, const auto& value) {
    if (field.page == OnPage::ByHand) return;
    const std::string& key = field.spec.key;
    using V = std::decay_t<decltype(value)>;
    if constexpr (std::is_same_v<V, std::vector<std::string>>) {
      put(d, "has_" + key, TemplateData(!value.empty()));
      TemplateData items(TemplateData::type::list);
      for (const auto& item : value) {
        TemplateData entry;
        put(entry, "text", item.empty() ? TemplateData(false) : TemplateData(item));
        bulletin::push(items, std::move(entry));
      }
      put(d, key, std::move(items));
    } else if constexpr (std::is_same_v<V, std::optional<Date>>) {
      if (value) {
        text(key, value->official());
        text(key + "_iso", value->iso());
      }
    } else if constexpr (std::is_same_v<V, std::string>) {
      text(key, value);
    } else {
      static_assert(std::is_same_v<V, bool>, "a field type article_page sets otherwise");
      put(d, key, TemplateData(value));
    }
  });
  text("date", a.date.official());
  text("date_iso", a.date.iso());
  text("body", a.body_html.str());
  put(d, "root", TemplateData(root_for(url)));  // the build's, a string even when empty
  for (const char* key : {"title", "page_title"})
    if (const TemplateData* v = d.get(key); v && v->is_string())
      put(d, std::string(key) + "_lines", title_lines(v->string_value()));
  return d;
}

std::string article_page_key(const Article& a) {
  if (a.source_digest.empty()) return "fields\n" + article_page_source(a);
  // What the article was loaded from: the binary that loaded it (bulletin.yaml,
  // its other input, is in every page's site digest), its path and its text.
  return "source\n" + binary_identity() + "\n" + std::to_string(a.source.size()) + ":" + a.source + "\n" +
         a.source_digest;
}

std::string article_page_source(const Article& a) {
  std::string text;
  auto field = [&](std::string_view v) {
    text += std::to_string(v.size());
    text += ':';
    text += v;
  };
  // What article_page takes beside the bound fields: the URL, the date, the body.
  for (const std::string* v : {&a.source, &a.slug, &a.body_html.str()}) field(*v);
  field(a.date.iso());
  for_each_bound_field(article_schema(), a, [&](const DocumentField<Article>& f, const auto& value) {
    field(f.spec.key);
    using V = std::decay_t<decltype(value)>;
    if constexpr (std::is_same_v<V, std::string>) {
      field(value);
    } else if constexpr (std::is_same_v<V, std::vector<std::string>>) {
      field(std::to_string(value.size()));
      for (const auto& item : value) field(item);
    } else if constexpr (std::is_same_v<V, std::optional<Date>>) {
      field(value ? value->iso() : "");
    } else {
      field(value ? "true" : "false");
    }
  });
  return text;
}

PageData articles_index(const std::vector<Article>& articles) {
  std::vector<const Article*> all;
  for (const auto& a : articles) all.push_back(&a);
  return articles_index(all);
}

PageData articles_index(const std::vector<const Article*>& articles) {
  PageData d = page_data("articles", kArticlesUrl, "经验交流");
  PageData items = list();
  for (const auto* a : articles) push(items, article_summary(*a));
  set(d, "has_articles", !articles.empty());
  put(d, "articles", std::move(items));
  return d;
}

std::string attachment_url(const Notice& n, const Attachment& a) {
  if (a.is_page()) return attachment_page_url(n.url(), a.index);
  return n.url() + a.file_name;
}

PageData notice_summary(const Notice& n) {
  PageData d = PageData::object();
  set(d, "title", n.title);
  set(d, "issuer", n.issuer_text());
  set(d, "doc_no", n.doc_no ? n.doc_no->text() : "");
  if (n.date) set_date(d, "date", *n.date);
  set(d, "url", n.url());
  return d;
}

PageData notice_page(const Notice& n) {
  PageData d = page_data(kind_name(DocumentKind::Notice), n.url(), n.title);
  set_plain_fields(d, notice_schema(), n);
  set(d, "has_header_marks", !n.copy_no.empty() || !n.secret.empty() || !n.urgency.empty());
  put(d, "issuers", texts(n.issuer));
  set(d, "joint", n.issuer.size() > 1);
  set(d, "file_mark", n.file_mark);
  set(d, "issuer", n.issuer_text());
  set(d, "doc_no", n.doc_no ? n.doc_no->text() : "");
  set(d, "has_signers", !n.signers.empty());
  set(d, "signers", join(n.signers, "　"));
  // GB/T 9704-2012 7.2.6: two names a line, a new line under the first name.
  PageData signer_rows = list();
  for (size_t i = 0; i < n.signers.size(); i += 2) {
    PageData names = list();
    for (size_t k = i; k < std::min(i + 2, n.signers.size()); ++k) push(names, PageData(n.signers[k]));
    PageData row = PageData::object();
    row["names"] = std::move(names);
    push(signer_rows, std::move(row));
  }
  put(d, "signer_rows", std::move(signer_rows));
  set(d, "has_signer_rows", !n.signers.empty());
  set(d, "body", n.body_html);

  PageData atts = list();
  for (const auto& a : n.attachments) {
    PageData item = PageData::object();
    set(item, "number", n.attachments.size() > 1 ? std::to_string(a.index) + "." : "");
    set(item, "label", n.attachments.size() > 1 ? "附件 " + std::to_string(a.index) : "附件");
    set(item, "index", std::to_string(a.index));
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

  if (n.enclosure) {
    PageData e = PageData::object();
    set(e, "title", n.enclosure->title);
    set(e, "body", n.enclosure->body_html);
    set(e, "has_signature", !n.enclosure->signature.empty());
    put(e, "signature", texts(n.enclosure->signature));
    if (n.enclosure->date) set_date(e, "date", *n.enclosure->date);
    put(d, "enclosure", std::move(e));
  }
  set(d, "has_colophon", !n.cc.empty() || !n.printer.empty() || n.print_date.has_value());
  return d;
}

PageData notices_index(const std::vector<Notice>& notices) {
  std::vector<const Notice*> all;
  for (const auto& n : notices) all.push_back(&n);
  return notices_index(all);
}

PageData notices_index(const std::vector<const Notice*>& notices) {
  PageData d = page_data("notices", kNoticesUrl, "通知公告");
  // By year, newest first (notices arrive sorted newest first).
  PageData years = list();
  std::map<std::string, std::vector<const Notice*>> by_issuer;
  int current = -1;
  PageData year_items = list();
  auto flush = [&] {
    if (current < 0) return;
    PageData y = PageData::object();
    set(y, "year", std::to_string(current));
    put(y, "notices", std::move(year_items));
    push(years, std::move(y));
    year_items = list();
  };
  for (const auto* n : notices) {
    if (n->year() != current) {
      flush();
      current = n->year();
    }
    push(year_items, notice_summary(*n));
    by_issuer[n->issuer_text()].push_back(n);
  }
  flush();
  put(d, "years", std::move(years));
  PageData issuers = list();
  for (const auto& [issuer, items] : by_issuer) {
    PageData g = PageData::object();
    set(g, "issuer", issuer);
    PageData ns = list();
    for (const auto* n : items) push(ns, notice_summary(*n));
    put(g, "notices", std::move(ns));
    push(issuers, std::move(g));
  }
  put(d, "issuers", std::move(issuers));
  set(d, "has_notices", !notices.empty());
  return d;
}

PageData issue_summary(const BulletinIssue& issue, const Series* series) {
  PageData d = PageData::object();
  set(d, "series_name", series ? series->name : issue.series);
  set(d, "number_text", issue.number_text());
  set(d, "title", issue.title);
  set_date(d, "date", issue.date);
  set(d, "url", issue.url());
  set(d, "year", std::to_string(issue.date.year));
  return d;
}

PageData issue_page(const BulletinIssue& issue, const IssueContext& ctx) {
  std::string series_name = ctx.series ? ctx.series->name : issue.series;
  PageData d = page_data(kind_name(DocumentKind::Issue), issue.url(),
                         series_name + " " + issue.number_text() + " " + issue.title);
  set(d, "series_name", series_name);
  set(d, "series_url", series_url(issue.series));
  set(d, "number_text", issue.number_text());
  set(d, "editor", issue.editor);
  set_date(d, "date", issue.date);
  set_plain_fields(d, issue_schema(), issue);
  set(d, "intro", issue.intro_html);
  PageData sections = list();
  int index = 0;
  for (const auto& s : issue.sections) {
    PageData sd = PageData::object();
    set(sd, "number", chinese_number(++index) + "、");
    set(sd, "heading", s.heading);
    set(sd, "anchor", "section-" + std::to_string(index));
    set(sd, "body", s.body_html);
    PageData arts = list();
    for (const auto& slug : s.articles) {
      if (!ctx.articles) break;
      auto it = ctx.articles->find(slug);
      if (it == ctx.articles->end()) continue;
      PageData a = article_summary(*it->second);
      // Links written for the article's own page must work inside the issue.
      set(a, "body", rebase_links(it->second->body_html.str(), it->second->url(), issue.url()));
      push(arts, std::move(a));
    }
    put(sd, "articles", std::move(arts));
    if (s.ranking && ctx.ranking) {
      if (auto table = ctx.ranking(*s.ranking)) put(sd, "ranking", std::move(*table));
    }
    push(sections, std::move(sd));
  }
  put(d, "sections", std::move(sections));
  PageData dist = list();
  for (const auto& line : issue.distribution) {
    PageData l = PageData::object();
    set(l, "label", line.label);
    set(l, "recipients", join(line.recipients, "、"));
    push(dist, std::move(l));
  }
  set(d, "has_distribution", !issue.distribution.empty());
  put(d, "distribution", std::move(dist));
  set(d, "print_count", issue.print_count > 0 ? std::to_string(issue.print_count) : "");
  return d;
}

PageData series_index(const Series& series, const std::vector<const BulletinIssue*>& issues) {
  PageData d = page_data("series", series_url(series.id), series.name);
  set(d, "series_name", series.name);
  set(d, "editor", series.editor);
  PageData years = list();
  int current = -1;
  PageData items = list();
  auto flush = [&] {
    if (current < 0) return;
    PageData y = PageData::object();
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

PageData bulletins_index(const std::vector<Series>& series,
                         const std::map<std::string, std::vector<const BulletinIssue*>>& by_series) {
  PageData d = page_data("bulletins", kBulletinsUrl, "工作简报");
  PageData items = list();
  for (const auto& s : series) {
    PageData item = PageData::object();
    set(item, "name", s.name);
    set(item, "editor", s.editor);
    set(item, "url", series_url(s.id));
    auto it = by_series.find(s.id);
    int count = it == by_series.end() ? 0 : static_cast<int>(it->second.size());
    set(item, "count", std::to_string(count));
    if (count > 0) put(item, "latest", issue_summary(*it->second.front(), &s));
    push(items, std::move(item));
  }
  put(d, "series", std::move(items));
  return d;
}

PageData home_page(const HomeContent& home) {
  PageData d = page_data("home", "", "首页");
  PageData issues = list();
  for (const auto& [series, issue] : home.latest_issues) push(issues, issue_summary(*issue, series));
  set(d, "has_issues", !home.latest_issues.empty());
  put(d, "latest_issues", std::move(issues));
  PageData notices = list();
  for (const auto* n : home.latest_notices) push(notices, notice_summary(*n));
  set(d, "has_notices", !home.latest_notices.empty());
  put(d, "latest_notices", std::move(notices));
  PageData articles = list();
  for (const auto* a : home.latest_articles) push(articles, article_summary(*a));
  set(d, "has_articles", !home.latest_articles.empty());
  put(d, "latest_articles", std::move(articles));
  return d;
}

}  // namespace bulletin
