// Checks across documents, made as each document is loaded so that a message
// quotes its source line from the text in memory: article URLs and 发文字号
// used twice, issue numbers used twice in a series, issues naming articles
// that do not exist. Internal to load/ (load_content runs them).
#pragma once

#include <map>
#include <set>
#include <string>

#include "load/front_matter.h"
#include "model/documents.h"

namespace bulletin {

class ContentChecks {
 public:
  ContentChecks(const SeriesIndex& series, Diagnostics& diags) : series_(series), diags_(diags) {}

  // Articles come first: issues are checked against every article.
  void article(const Article& a);
  // An article file that did not load: issues naming it are not told it is missing.
  void broken_article(const std::string& slug) { broken_articles_.insert(slug); }
  void notice(const Notice& n, const SourceFile& file);
  void issue(const BulletinIssue& i, const SourceFile& file);

 private:
  const SeriesIndex& series_;
  Diagnostics& diags_;
  std::map<std::string, std::string> articles_;  // slug -> source
  std::set<std::string> broken_articles_;
  std::map<std::string, std::string> notice_urls_;  // url -> source
  std::map<std::string, std::string> issue_keys_;   // series/[增刊/][year/]number -> source
};

}  // namespace bulletin
