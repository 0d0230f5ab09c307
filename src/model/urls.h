// Where everything lives: the permanent URL of every kind of page, and the
// paths under data/published/ where `publish` freezes a document. Every URL
// is site-relative and ends in '/' (the page is its index.html); a document's
// URL never changes once it is published, so the rules here are part of the
// published record: change one and old links break.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bulletin {

// The kinds of document bulletin publishes. The name is the word written in
// snapshots ("kind: notice") and the template a document's page is rendered
// with.
enum class DocumentKind { Article, Notice, Issue, Ranking };
std::string kind_name(DocumentKind kind);
// "notice" -> Notice …; nullopt for any other word.
std::optional<DocumentKind> parse_document_kind(std::string_view name);

// Section lists.
inline const std::string kArticlesUrl = "articles/";
inline const std::string kNoticesUrl = "notices/";
inline const std::string kBulletinsUrl = "bulletins/";
inline const std::string kRankingsUrl = "rankings/";
inline const std::string kSearchUrl = "search/";

// "articles/<slug>/".
std::string article_url(std::string_view slug);
// A notice with a 发文字号: "notices/<机关代字>/<year>/<number>/".
std::string numbered_notice_url(std::string_view code, int year, int number);
// A notice without one: "notices/<year>/<slug>/".
std::string notice_url(int year, std::string_view slug);
// "bulletins/<series>/".
std::string series_url(std::string_view series);
// "bulletins/<series>/<year>/<number>/", a supplement "…/zk<number>/".
std::string issue_url(std::string_view series, int year, int number, bool supplement);
// "rankings/<rule>/".
std::string ranking_rule_url(std::string_view rule);
// "rankings/<rule>/<period>/".
std::string ranking_period_url(std::string_view rule, std::string_view period);
// "rankings/<rule>/entities/".
std::string ranking_entities_url(std::string_view rule);
// Attachment page `index` (1-based) of the notice at `url`: "<url>attachment-<N>/".
std::string attachment_page_url(std::string_view url, int index);
// The Atom feed of a section or a list: "<url>feed.xml".
std::string feed_path(std::string_view url);

// An earlier version of a published document: "<url>v<N>/".
std::string version_url(std::string_view url, int version);
// The changes between two versions: "<url>changes/v<from>-v<to>/".
std::string changes_url(std::string_view url, int from, int to);

// Where published documents are kept, relative to the project.
inline const std::string kPublishedDir = "data/published";
// Version `version` of the document at `url`: "data/published/<url>v<N>.yaml".
std::string snapshot_path(std::string_view url, int version);
// The PDF frozen with it: "data/published/<url>v<N>.pdf"; for its attachment
// page `page` ("attachment-1/"): "data/published/<url>v<N>-attachment-1.pdf".
std::string frozen_pdf_path(std::string_view url, int version, std::string_view page = "");
// A file frozen with it (an attached file): "data/published/<url>v<N>-files/<name>".
std::string frozen_file_path(std::string_view url, int version, std::string_view name);

// What builds keep between them, relative to the project; never inside the site.
inline const std::string kCacheDir = ".bulletin-cache";
// The cache folder of one subsystem ("parse", "pdf", "search", "webfonts", "build"):
// ".bulletin-cache/<subsystem>".
std::string cache_path(std::string_view subsystem);

}  // namespace bulletin
