// Scaffolding for `bulletin new`: the file a member of staff starts from,
// correctly named and with its front matter filled in for its type. An issue
// gets the next free number of its series, today's date and the series'
// editor; an article or notice gets today's date and the site's organization;
// a rule gets a commented skeleton of the rule schema (docs/rules.md).
//
// Scaffolding only decides a path and a text; writing it (and refusing to
// overwrite) is the caller's job, so this runs over any FileSystem.
#pragma once

#include <optional>
#include <string>

#include "model/documents.h"
#include "util/date.h"
#include "util/fs.h"

namespace bulletin {

enum class ScaffoldKind { Article, Notice, Issue, Rule };

// "article" -> Article …; nullopt for anything else.
std::optional<ScaffoldKind> parse_scaffold_kind(const std::string& word);

struct ScaffoldRequest {
  ScaffoldKind kind = ScaffoldKind::Article;
  Date today;                 // the document's date; the CLI passes the local date
  bool iso_date = false;      // write 2020-12-16 instead of 2020年12月16日
  std::string title;          // empty: left empty for staff to fill in (check flags it)
  std::string slug;           // file name without extension; empty: derived
  std::string series;         // issues: series id; empty: the only series of the site
  std::optional<int> number;  // issues: explicit number; default: next free
  bool supplement = false;    // issues: a 增刊, numbered separately
  std::string doc_no;         // notices: 校党委发〔2020〕52号
  std::string code;           // notices: 机关代字; picks the next free number this year
};

struct ScaffoldFile {
  std::string path;  // project-relative, '/' separators
  std::string text;
  std::string note;  // one line for the user about what is left to fill in; may be empty
};

// Decides the file for `request` in the project at `root`. Reads the existing
// content (front matter only, so a half-written file still counts) to pick
// free numbers and names. Throws Error for an unknown series, an invalid slug
// or an existing file (never overwrites).
ScaffoldFile scaffold(const FileSystem& fs, const std::string& root, const SiteConfig& config,
                      const ScaffoldRequest& request);

// The next free issue number of `series` in `year` (running numbering: over
// all years) among the files under content/bulletins/.
int next_issue_number(const FileSystem& fs, const std::string& root, const SiteConfig& config,
                      const std::string& series, int year, bool supplement);

}  // namespace bulletin
