// The page data of each publishable document (notice, bulletin issue,
// ranking period) computed from its current source: what `build` renders when
// the document is unpublished, and what `publish` freezes into a snapshot.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "site/build/project.h"
#include "site/publish/archive.h"

namespace bulletin {

Publishable publishable_notice(const Notice& n);
// Without previous/next links: navigation is not part of what is published.
// `articles`: the project's articles by slug (see articles_by_slug).
Publishable publishable_issue(const Project& p, const BulletinIssue& issue,
                              const std::map<std::string, const Article*>& articles);
Publishable publishable_ranking(const RuleOutput& rule, size_t period);
// Its page data (`period` is rule.period(index)).
PageData ranking_page_for(const RuleOutput& rule, size_t index, const PeriodResult& period);
std::map<std::string, const Article*> articles_by_slug(const Project& p);

// What a rule's periods are computed from, recorded when one is published
// (see Snapshot::inputs): each export file read, its digest and its dates.
PageData ranking_inputs(const Project& p, const FileSystem& fs, const RuleOutput& rule);

// The documents named by `what`: a source file (content/notices/x.md), a
// permanent URL (notices/校党委发/2020/51/) or a ranking period
// (rankings/xxqg-units/2020-11). Empty, with `error` set, when none.
std::vector<Publishable> find_publishables(const Project& p, const FileSystem& fs, const std::string& what,
                                           std::string* error);

// The table shown for a ranking period: the published one when the period
// is published (the official numbers), else the computed one.
std::optional<PageData> ranking_table_for(const Project& p, const RankingRef& ref);

}  // namespace bulletin
