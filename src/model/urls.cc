#include "model/urls.h"

namespace bulletin {
namespace {

std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out += p;
  return out;
}

std::string num(int n) { return std::to_string(n); }

}  // namespace

std::string kind_name(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::Article: return "article";
    case DocumentKind::Notice: return "notice";
    case DocumentKind::Issue: return "issue";
    case DocumentKind::Ranking: return "ranking";
  }
  return "";
}

std::optional<DocumentKind> parse_document_kind(std::string_view name) {
  for (DocumentKind k : {DocumentKind::Article, DocumentKind::Notice, DocumentKind::Issue, DocumentKind::Ranking})
    if (kind_name(k) == name) return k;
  return std::nullopt;
}

std::string article_url(std::string_view slug) { return cat({kArticlesUrl, slug, "/"}); }

std::string numbered_notice_url(std::string_view code, int year, int number) {
  return cat({kNoticesUrl, code, "/", num(year), "/", num(number), "/"});
}

std::string notice_url(int year, std::string_view slug) { return cat({kNoticesUrl, num(year), "/", slug, "/"}); }

std::string series_url(std::string_view series) { return cat({kBulletinsUrl, series, "/"}); }

std::string issue_url(std::string_view series, int year, int number, bool supplement) {
  return cat({series_url(series), num(year), "/", supplement ? "zk" : "", num(number), "/"});
}

std::string ranking_rule_url(std::string_view rule) { return cat({kRankingsUrl, rule, "/"}); }

std::string ranking_period_url(std::string_view rule, std::string_view period) {
  return cat({ranking_rule_url(rule), period, "/"});
}

std::string ranking_entities_url(std::string_view rule) { return ranking_rule_url(rule) + "entities/"; }

std::string attachment_page_url(std::string_view url, int index) { return cat({url, "attachment-", num(index), "/"}); }

std::string feed_path(std::string_view url) { return cat({url, "feed.xml"}); }

std::string version_url(std::string_view url, int version) { return cat({url, "v", num(version), "/"}); }

std::string changes_url(std::string_view url, int from, int to) {
  return cat({url, "changes/v", num(from), "-v", num(to), "/"});
}

std::string snapshot_path(std::string_view url, int version) {
  return cat({kPublishedDir, "/", url, "v", num(version), ".yaml"});
}

std::string frozen_pdf_path(std::string_view url, int version, std::string_view page) {
  if (!page.empty() && page.back() == '/') page.remove_suffix(1);
  if (page.empty()) return cat({kPublishedDir, "/", url, "v", num(version), ".pdf"});
  return cat({kPublishedDir, "/", url, "v", num(version), "-", page, ".pdf"});
}

std::string frozen_file_path(std::string_view url, int version, std::string_view name) {
  return cat({kPublishedDir, "/", url, "v", num(version), "-files/", name});
}

std::string cache_path(std::string_view subsystem) { return cat({kCacheDir, "/", subsystem}); }

}  // namespace bulletin
