#include "render/feeds.h"

#include <algorithm>

#include "render/pages.h"
#include "util/html.h"
#include "util/sha256.h"
#include "util/text.h"

namespace bulletin {
namespace {

std::string rfc3339(const Date& d) { return d.iso() + "T00:00:00+08:00"; }

// A link from the feed file to a page: absolute with base_url, else relative
// to the feed's own folder (feed readers resolve it against the feed URL).
std::string link_to(const SiteConfig& config, const std::string& feed_path, const std::string& url) {
  std::string abs = absolute_url(config, url);
  if (!abs.empty()) return abs;
  return root_for(feed_path) + url;
}

}  // namespace

std::string absolute_url(const SiteConfig& config, const std::string& url) {
  if (config.base_url.empty()) return {};
  return config.base_url + config.base_path + url;
}

std::string entry_id(const SiteConfig& config, const std::string& url) {
  std::string hex = sha256(config.base_url + config.base_path + url).substr(7, 32);
  hex[12] = '5';                                                    // name-based UUID
  hex[16] = "89ab"[std::stoi(hex.substr(16, 1), nullptr, 16) & 3];  // RFC 4122 variant
  return "urn:uuid:" + hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) +
         "-" + hex.substr(20, 12);
}

std::string atom_feed(const SiteConfig& config, const Feed& feed) {
  std::vector<FeedEntry> entries = feed.entries;
  std::stable_sort(entries.begin(), entries.end(), [](const FeedEntry& a, const FeedEntry& b) {
    return a.updated != b.updated ? a.updated > b.updated : a.url < b.url;
  });
  Date updated = entries.empty() ? Date{1970, 1, 1} : entries.front().updated;
  std::string home = link_to(config, feed.path, "");
  if (home.empty()) home = "./";
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"" +
      xml_escape(config.language) + "\">\n";
  out += "  <id>" + entry_id(config, feed.path) + "</id>\n";
  out += "  <title>" + xml_escape(feed.title) + "</title>\n";
  if (!feed.subtitle.empty()) out += "  <subtitle>" + xml_escape(feed.subtitle) + "</subtitle>\n";
  out += "  <updated>" + rfc3339(updated) + "</updated>\n";
  out += "  <author><name>" + xml_escape(config.organization.empty() ? config.title : config.organization) +
         "</name></author>\n";
  out += "  <link rel=\"alternate\" type=\"text/html\" href=\"" + xml_escape(home) + "\"/>\n";
  std::string self = absolute_url(config, feed.path);
  out += "  <link rel=\"self\" type=\"application/atom+xml\" href=\"" +
         xml_escape(self.empty() ? feed.path.substr(feed.path.rfind('/') + 1) : self) + "\"/>\n";
  out += "  <generator>bulletin</generator>\n";
  for (const auto& e : entries) {
    out += "  <entry>\n";
    out += "    <id>" + entry_id(config, e.url) + "</id>\n";
    out += "    <title>" + xml_escape(e.title) + "</title>\n";
    out += "    <updated>" + rfc3339(e.updated) + "</updated>\n";
    out += "    <link rel=\"alternate\" type=\"text/html\" href=\"" + xml_escape(link_to(config, feed.path, e.url)) +
           "\"/>\n";
    if (!e.category.empty()) out += "    <category term=\"" + xml_escape(e.category) + "\"/>\n";
    if (!e.summary.empty()) out += "    <summary>" + xml_escape(e.summary) + "</summary>\n";
    out += "  </entry>\n";
  }
  out += "</feed>\n";
  return out;
}

std::string sitemap(const SiteConfig& config, const std::vector<std::pair<std::string, Date>>& pages) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  std::vector<std::pair<std::string, Date>> sorted = pages;
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [url, date] : sorted) {
    out += "  <url><loc>" + xml_escape(config.base_url + percent_encode(config.base_path + url)) + "</loc>";
    if (date.year > 0) out += "<lastmod>" + date.iso() + "</lastmod>";
    out += "</url>\n";
  }
  out += "</urlset>\n";
  return out;
}

}  // namespace bulletin
