// The data of each kind of page, built directly from the model. A page's data
// is a small JSON value holding only that page's content: it is what a
// published snapshot stores, and it is turned into Mustache data in one pass
// when the page is rendered (render_page). Every link in it is site-relative ("articles/x/");
// templates prefix it with {{root}}, the way back to the site root from the
// page being rendered, so the site works under any sub-path and from file://.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include "model/documents.h"

#include "render/templates.h"

namespace bulletin {

using PageData = nlohmann::json;

// Turns page data into Mustache data: strings, booleans, lists, objects.
TemplateData to_template(const PageData& page);

// Rewrites the relative links (href, src) of HTML written for the page at
// `from_url` so that they lead to the same places from the page at `to_url`.
std::string rebase_links(const std::string& html, const std::string& from_url, const std::string& to_url);

// "articles/x/" -> "../../"; "" -> "".
std::string root_for(const std::string& url);

// Data shared by every page: site title, organization, language, navigation.
TemplateData site_data(const SiteConfig& config);

// The fields every page has: root, url, page_title, kind.
PageData page_data(const std::string& kind, const std::string& url, const std::string& title);

// The page data of one of a notice's attachment pages (an entry of its
// "attachments" with is_page), from the notice's page data, live or published.
PageData attachment_page_data(const PageData& notice, const PageData& attachment);

PageData article_summary(const Article& a);
PageData article_page(const Article& a);
// The Mustache data of an article's page (to_template of article_page with
// "root" set), built directly: the build renders every article's page from
// it, skipping the JSON and its conversion (their copies of the body).
TemplateData article_template(const Article& a);
// Everything article_page(a) is made from, as one text (each value with its
// length): what the build digests to know an article's page is unchanged
// without making its page data. It walks the schema's bound fields
// (load/schema.h), so a field added there is covered.
std::string article_page_source(const Article& a);
// What the build digests for an article's page: its source text's digest
// with its path and the binary when it has one (so a page is known unchanged
// without reading its body), else article_page_source(a).
std::string article_page_key(const Article& a);
PageData articles_index(const std::vector<Article>& articles);
PageData articles_index(const std::vector<const Article*>& articles);

PageData notice_summary(const Notice& n);
PageData notice_page(const Notice& n);
// Notices grouped by year (newest first) and by issuing organ.
PageData notices_index(const std::vector<Notice>& notices);
PageData notices_index(const std::vector<const Notice*>& notices);
std::string attachment_url(const Notice& n, const Attachment& a);

// Supplies the embedded table for a section's `ranking:`; nullopt leaves the
// section without one (the caller reports the missing rule or period).
using RankingLookup = std::function<std::optional<PageData>(const RankingRef&)>;

struct IssueContext {
  const Series* series = nullptr;
  const std::map<std::string, const Article*>* articles = nullptr;  // by slug
  RankingLookup ranking;
};
PageData issue_summary(const BulletinIssue& issue, const Series* series);
PageData issue_page(const BulletinIssue& issue, const IssueContext& ctx);
// All issues of one series grouped by year, newest first.
PageData series_index(const Series& series, const std::vector<const BulletinIssue*>& issues);
PageData bulletins_index(const std::vector<Series>& series,
                         const std::map<std::string, std::vector<const BulletinIssue*>>& by_series);

struct HomeContent {
  std::vector<std::pair<const Series*, const BulletinIssue*>> latest_issues;
  std::vector<const Notice*> latest_notices;
  std::vector<const Article*> latest_articles;
};
PageData home_page(const HomeContent& home);

}  // namespace bulletin
