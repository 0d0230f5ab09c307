#include "site/search/search_index.h"

#include <algorithm>
#include <unordered_map>

#include "util/json_text.h"

namespace bulletin {
namespace {

// Decodes one UTF-8 character at `i`; returns its length (0 at the end), and
// U+FFFD for a byte that does not start a valid sequence (length 1).
size_t decode(std::string_view s, size_t i, char32_t& cp) {
  if (i >= s.size()) return 0;
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) {
    cp = 0xFFFD;
    return 1;
  }
  cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) {
    unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d >> 6) != 2) {
      cp = 0xFFFD;
      return 1;
    }
    cp = (cp << 6) | (d & 0x3F);
  }
  return n;
}

bool is_cjk(char32_t c) {
  return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x2FFFF) || (c >= 0x3040 && c <= 0x30FF) || c == 0x3007;
}

// The ASCII letter or digit a character folds to (lower-cased, full-width
// forms to ASCII), or 0.
char word_char(char32_t c) {
  if (c >= 0xFF10 && c <= 0xFF19) c = c - 0xFF10 + '0';
  if (c >= 0xFF21 && c <= 0xFF3A) c = c - 0xFF21 + 'a';
  if (c >= 0xFF41 && c <= 0xFF5A) c = c - 0xFF41 + 'a';
  if (c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
  if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return static_cast<char>(c);
  return 0;
}

}  // namespace

std::vector<SearchTerm> index_terms(std::string_view text) {
  std::vector<SearchTerm> out;
  std::string word;
  std::string_view prev;  // the previous CJK character of the current run
  auto end_word = [&] {
    if (!word.empty()) out.push_back({std::move(word), false});
    word.clear();
  };
  auto end_run = [&] {
    if (!prev.empty()) out.push_back({std::string(prev), true});
    prev = {};
  };
  for (size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    size_t n = decode(text, i, cp);
    std::string_view ch = text.substr(i, n);
    if (is_cjk(cp)) {
      end_word();
      if (!prev.empty()) out.push_back({std::string(prev) + std::string(ch), true});
      prev = ch;
    } else if (char w = word_char(cp)) {
      end_run();
      word += w;
    } else {
      end_word();
      end_run();
    }
    i += n;
  }
  end_word();
  end_run();
  return out;
}

uint32_t search_hash(std::string_view bytes) {
  uint32_t h = 2166136261u;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

uint32_t term_bucket(const SearchTerm& term, uint32_t buckets) {
  if (buckets <= 1) return 0;
  std::string_view key = term.text;
  if (term.cjk) {
    char32_t cp = 0;
    key = key.substr(0, decode(key, 0, cp));
  }
  return search_hash(key) % buckets;
}

namespace {

struct TermPostings {
  bool cjk = false;
  std::vector<std::pair<uint32_t, uint32_t>> postings;  // (document, weighted term frequency)
};

void append_number(std::string& out, uint64_t n) { out += std::to_string(n); }

void append_field(std::string& out, const char* key, const std::string& value, bool first = false) {
  if (!first) out += ',';
  out += '"';
  out += key;
  out += "\":";
  append_json_string(out, value);
}

}  // namespace

ShardFiles write_search_shard(const std::vector<SearchRecord>& records, size_t first, size_t count,
                              const FieldWeights& weights) {
  ShardFiles shard;
  shard.docs = count;
  std::unordered_map<std::string, TermPostings> terms;
  std::unordered_map<std::string, std::pair<bool, uint32_t>> local;
  std::string docs = "{\"docs\":[";
  size_t pairs = 0;
  for (size_t k = 0; k < count; ++k) {
    const SearchRecord& r = records[first + k];
    local.clear();
    uint32_t length = 0;
    auto add = [&](const std::string& text, uint32_t weight, bool body) {
      for (auto& t : index_terms(text)) {
        auto& slot = local[t.text];
        slot.first = t.cjk;
        slot.second += weight;
        if (body) ++length;
      }
    };
    add(r.title, weights.title, false);
    add(r.number, weights.number, false);
    add(r.organ, weights.organ, false);
    add(r.type, 1, false);
    add(r.text, 1, true);
    for (auto& [text, slot] : local) {
      auto& p = terms[text];
      p.cjk = slot.first;
      p.postings.emplace_back(static_cast<uint32_t>(k), slot.second);
    }
    pairs += local.size();
    shard.length += length;

    if (k) docs += ',';
    docs += '[';
    append_json_string(docs, r.url);
    for (const std::string* v : {&r.type, &r.year, &r.organ}) {
      docs += ',';
      append_json_string(docs, *v);
    }
    docs += ',';
    append_number(docs, length);
    docs += ',';
    append_json_string(docs, r.date_iso.empty() ? r.year : r.date_iso);
    docs += ',';
    append_number(docs, static_cast<uint64_t>(std::max(0, r.weight)));
    docs += ']';

    std::string fragment = "{";
    append_field(fragment, "url", r.url, true);
    append_field(fragment, "type", r.type);
    append_field(fragment, "title", r.title);
    append_field(fragment, "number", r.number);
    append_field(fragment, "date", r.date);
    append_field(fragment, "organ", r.organ);
    append_field(fragment, "text", r.text);
    fragment += "}\n";
    shard.files.emplace_back("f/" + std::to_string(k) + ".json", std::move(fragment));
  }
  docs += "]}\n";
  shard.files.emplace_back("docs.json", std::move(docs));

  // About 3,000 postings (some 15 KB) a bucket: a query reads a few small files.
  shard.buckets = static_cast<uint32_t>(std::clamp<size_t>((pairs + 2999) / 3000, 1, 4096));
  std::vector<std::vector<const std::pair<const std::string, TermPostings>*>> buckets(shard.buckets);
  for (const auto& entry : terms)
    buckets[term_bucket({entry.first, entry.second.cjk}, shard.buckets)].push_back(&entry);
  for (uint32_t b = 0; b < shard.buckets; ++b) {
    auto& list = buckets[b];
    std::sort(list.begin(), list.end(), [](auto* x, auto* y) { return x->first < y->first; });
    std::string out = "{";
    for (size_t i = 0; i < list.size(); ++i) {
      if (i) out += ',';
      append_json_string(out, list[i]->first);
      out += ":[";
      uint32_t last = 0;
      bool firstPosting = true;
      for (auto [doc, tf] : list[i]->second.postings) {
        if (!firstPosting) out += ',';
        append_number(out, doc - last);
        out += ',';
        append_number(out, tf);
        last = doc;
        firstPosting = false;
      }
      out += ']';
    }
    out += "}\n";
    shard.files.emplace_back("b/" + std::to_string(b) + ".json", std::move(out));
  }
  std::sort(shard.files.begin(), shard.files.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  return shard;
}

std::string search_manifest(const std::vector<ShardSummary>& shards) {
  std::string out = "{\"format\":1,\"shards\":[";
  for (size_t i = 0; i < shards.size(); ++i) {
    const auto& s = shards[i];
    if (i) out += ',';
    out += "{\"dir\":";
    append_json_string(out, s.folder);
    out += ",\"docs\":" + std::to_string(s.docs) + ",\"length\":" + std::to_string(s.length) +
           ",\"buckets\":" + std::to_string(s.buckets) + "}";
  }
  out += "]}\n";
  return out;
}

}  // namespace bulletin
