// Loading the content folder: articles, notices and bulletin issues from
// Markdown files with front matter (fields: load/schema.h), checked against
// each other (unknown series, duplicate numbers, missing articles and
// attachments). One file per job: document_number.cc, article_loader.cc,
// notice_loader.cc, issue_loader.cc, content_checks.cc, documents.cc.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "load/document_number.h"
#include "load/front_matter.h"
#include "model/documents.h"
#include "util/fs.h"

namespace bulletin {

// Sources of published documents that the archive holds unchanged, by
// project-relative path -> digest at publication. Their pages come from
// their snapshots, so their Markdown is not rendered again.
using FrozenSources = std::map<std::string, std::string>;

// The digest of what a document is published from: its Markdown file, and
// for a notice every file of its resource folder (attachments, enclosure).
std::string source_digest(const FileSystem& fs, const std::string& root, const std::string& source,
                          const std::string& resource_dir = "");
// What a document's parse depends on beside its text: the Markdown options
// bulletin.yaml sets. Part of the parse cache's key and of the digest of
// every search shard that holds an article.
std::string parse_options_key(const SiteConfig& config);
// A notice's resource folder: content/notices/<name>.
std::string notice_resources(const std::string& source);

struct Content {
  std::vector<Article> articles;      // newest first
  std::vector<Notice> notices;        // newest first
  std::vector<BulletinIssue> issues;  // newest first
  int files = 0;                      // Markdown files read
};

// Reads content/ under `root`. Every problem goes to diags; a document with
// errors is left out so that checking can go on. `series`: config.series
// by id and name (a Project's).
// `cache`: articles from earlier loads (see load/parse_cache.h); none: all parsed.
// `threads`: how many parse the articles (0: one per core).
class ParseCache;
Content load_content(const FileSystem& fs, const std::string& root, const SiteConfig& config, const SeriesIndex& series,
                     Diagnostics& diags, const FrozenSources& frozen = {}, ParseCache* cache = nullptr,
                     int threads = 0);

// Single documents, for tests and for tools that read one file.
std::optional<Article> load_article(const SourceFile& file, const SiteConfig& config, Diagnostics& diags);
// `frozen`: read the metadata only; the body is not rendered.
std::optional<Notice> load_notice(const SourceFile& file, const FileSystem& fs, const std::string& root,
                                  const SiteConfig& config, Diagnostics& diags, bool frozen = false);
std::optional<BulletinIssue> load_issue(const SourceFile& file, const SiteConfig& config, Diagnostics& diags,
                                        bool frozen = false);

}  // namespace bulletin
