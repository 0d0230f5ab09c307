// bulletin's own search index (docs/search.md): the text of one shard cut
// into terms the way Lucene's CJK analyzer cuts Chinese (overlapping
// character bigrams, and the last character of each run alone, so that a
// one-character query still finds it), Latin letters and digits as
// lower-cased words; written as a few small static files that the search
// page (templates/assets/search.js) fetches only as a query needs them.
// Everything here is a pure function of the records, so the same shard
// gives byte-identical files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "site/search/search.h"

namespace bulletin {

// Bumped whenever the files below change shape, so cached shards are rewritten.
inline constexpr const char* kSearchIndexFormat = "bulletin-search-index-1";

struct SearchTerm {
  std::string text;  // "学习", "习", "2020", "gb"
  bool cjk = false;  // a bigram or a single Han/kana character
};

// The terms of `text` in order, as the index stores them: each run of
// CJK characters gives its overlapping bigrams and its last character alone
// (a run of one character gives that character); each run of ASCII letters
// and digits (full-width ones folded to ASCII) gives one lower-cased word;
// everything else separates.
std::vector<SearchTerm> index_terms(std::string_view text);

// 32-bit FNV-1a of the bytes (the client computes the same over UTF-8).
uint32_t search_hash(std::string_view bytes);

// The bucket a term lives in among `buckets`: for a CJK term, by its first
// character (so a one-character query reads one bucket for every bigram that
// starts with it), else by the whole word.
uint32_t term_bucket(const SearchTerm& term, uint32_t buckets);

// How much a term found in each field counts (BM25F-style weighted term
// frequency; the body counts 1).
struct FieldWeights {
  uint32_t title = 6;
  uint32_t number = 5;  // 发文字号, 第 N 期
  uint32_t organ = 2;
};

// The files of one shard, relative to its folder, sorted by path:
//   docs.json     the shard's documents: [url, type, year, organ, length, sort key, weight %]
//   b/<k>.json    bucket k: {"term": [doc, tf, doc delta, tf, …], …}, terms sorted
//   f/<i>.json    document i's fragment: what a result shows and the text an
//                 excerpt is cut from
// and the numbers the manifest lists for it.
struct ShardFiles {
  std::vector<std::pair<std::string, std::string>> files;
  size_t docs = 0;
  uint64_t length = 0;  // sum of the documents' lengths (terms), for BM25's average
  uint32_t buckets = 0;
};
ShardFiles write_search_shard(const std::vector<SearchRecord>& records, size_t first, size_t count,
                              const FieldWeights& weights = {});

// One shard's line in search/data/shards.json.
struct ShardSummary {
  std::string folder;
  size_t docs = 0;
  uint64_t length = 0;
  uint32_t buckets = 0;
};
std::string search_manifest(const std::vector<ShardSummary>& shards);

}  // namespace bulletin
