// Atom feeds (the whole site, each bulletin series, each ranking rule) and
// the sitemap. Output is deterministic: dates come from the documents, never
// from the clock.
#pragma once

#include <string>
#include <vector>

#include "model/documents.h"
#include "util/date.h"

namespace bulletin {

struct FeedEntry {
  std::string url;  // site-relative permanent URL
  std::string title;
  Date updated;
  std::string summary;   // plain text
  std::string category;  // 通知公告, 教卫工作通报, …
};

struct Feed {
  std::string path;  // site-relative path of the feed file, "bulletins/jiaowei/feed.xml"
  std::string title;
  std::string subtitle;
  std::vector<FeedEntry> entries;  // any order; written newest first
};

// A stable entry id: urn:uuid derived from the permanent URL (and the site's
// base URL when it has one), so ids survive rebuilds and theme changes.
std::string entry_id(const SiteConfig& config, const std::string& url);

std::string atom_feed(const SiteConfig& config, const Feed& feed);

// sitemap.xml; needs config.base_url (sitemaps require absolute URLs).
std::string sitemap(const SiteConfig& config, const std::vector<std::pair<std::string, Date>>& pages);

// The absolute URL of a page when base_url is set, else nullopt.
std::string absolute_url(const SiteConfig& config, const std::string& url);

}  // namespace bulletin
