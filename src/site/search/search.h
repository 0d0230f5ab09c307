// Chinese full-text search that works offline, in shards that are indexed
// again only when they change. The build collects one SearchRecord per
// searchable page (from the page data it renders); records are grouped into
// shards that change rarely (a year; a section and a year, or a section and a
// month, when the year is big; a small site is one shard); each shard's index
// files (search_index.h: CJK bigrams and words, postings in hash buckets,
// one fragment per document) are kept in <project>/.bulletin-cache/search/
// with the digest of its records, written again only when that digest
// changes, and linked into the site at search/data/<shard>/.
// search/data/shards.json lists the shards with the statistics the search
// page needs to rank their documents as one list (BM25 over the whole site).
// No tool outside bulletin is needed.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "render/pages.h"
#include "site/build/writer.h"

namespace bulletin {

// What a result shows and what search finds, for one page.
struct SearchRecord {
  std::string url;   // site-relative: "notices/校党委发/2020/51/"
  std::string type;  // 通知, 简报, 经验交流, 排名, or 栏目 for site pages
  std::string title;
  std::string number;  // 发文字号, 第 N 期, a ranking's period, "附件 1"
  std::string date;    // 2020年12月16日
  std::string date_iso;
  std::string year;   // for the year filter: the date's, or a ranking period's
  std::string organ;  // issuing organ, a bulletin's editor, an article's unit
  std::string text;   // body text: paragraphs one a line, table rows as sentences
  std::string shard;  // set by assign_shards
  // How much the page's score counts, in percent: a member's ranking history
  // and a section page repeat what a document says, so they rank below it.
  int weight = 100;
  // An article's record is made from the article by start_search_index, on
  // all cores, so the build plans articles without their page data.
  const Article* article = nullptr;
};

// The record of a page rendered with template `tmpl` from `page`; nullopt for
// pages that are not searched (superseded versions, redirects, change views,
// the 404 and search pages).
std::optional<SearchRecord> search_record(const std::string& tmpl, const PageData& page);

// An article's record, to be filled in by start_search_index (the same
// record search_record("article", article_page(a)) gives).
SearchRecord article_search_record(const Article& a);

// How big shards grow. Ranking uses the statistics of all shards, so size
// does not change results; a shard is indexed again whole when one of its
// pages changes, so shards should not be big, and a query reads a bucket of
// every shard, so they should not be tiny either.
struct ShardSizes {
  size_t whole_site = 1000;  // up to this many documents: one bundle
  size_t shard = 300;        // a year, then a section-year, split when bigger
};

// Sets each record's shard: "" (the primary bundle) for site pages and small
// sites, else "2020", "2021/notices" or "2021/articles/03".
void assign_shards(std::vector<SearchRecord>& records, const ShardSizes& sizes = {});

// Folder name of a shard's bundle: ASCII, stable ("articles-2021-03").
std::string shard_folder(const std::string& shard);

// Nothing: the index is bulletin's own. Kept so the build can still say
// why search was skipped, should a tool ever be needed again.
struct SearchTools {};

// Always a SearchTools (`why` untouched).
std::optional<SearchTools> find_search_tools(const std::string& project_root, std::string& why);

struct SearchIndex {
  bool built = false;
  int shards = 0;
  int reindexed = 0;    // shards written by this build
  std::string message;  // one line (more on failure) for the build summary
};

// Indexing runs beside the page build: start_search_index() works out which
// shards changed (from a digest of their records) and writes them on
// background threads; finish_search_index() waits for them, swaps the new
// shards into `cache_dir` and brings every shard into `out` (see
// build_search_index). Destroying a pending index before finish stops the
// writing and leaves the cache as it was. `inputs` is what the records'
// articles were parsed with beside their sources (load's parse_options_key):
// an article's record stands for its source's digest, so a change of
// bulletin.yaml's Markdown options must change the digest of its shard.
struct PendingSearchIndex;
struct PendingSearchIndexDeleter {
  void operator()(PendingSearchIndex* p) const;
};
using PendingSearch = std::unique_ptr<PendingSearchIndex, PendingSearchIndexDeleter>;
PendingSearch start_search_index(const SearchTools& tools, const std::string& cache_dir,
                                 std::vector<SearchRecord> records, const ShardSizes& sizes = {},
                                 std::string_view inputs = {});
SearchIndex finish_search_index(PendingSearchIndex& pending, OutputWriter& out);

// Indexes the shards of `records` whose content changed since the shards
// in `cache_dir`, then links every shard's files into `out` under
// search/data/ and writes search/data/shards.json (the manifest).
// On failure nothing is copied and the message says why.
SearchIndex build_search_index(const SearchTools& tools, const std::string& cache_dir,
                               std::vector<SearchRecord> records, OutputWriter& out, const ShardSizes& sizes = {},
                               std::string_view inputs = {});

}  // namespace bulletin
