#include "site/search/search_index.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "render/pages.h"
#include "util/date.h"

namespace bulletin {
namespace {

std::vector<std::string> texts(std::string_view s) {
  std::vector<std::string> out;
  for (auto& t : index_terms(s)) out.push_back((t.cjk ? "" : "#") + t.text);
  return out;
}

TEST_CASE("Chinese is cut into overlapping bigrams and each run's last character, words into lower-case ASCII",
          "[search]") {
  CHECK(texts("学习强国") == std::vector<std::string>{"学习", "习强", "强国", "国"});
  CHECK(texts("党") == std::vector<std::string>{"党"});
  // A document number and an issue number: digits are words, 号 and 期 stay findable.
  CHECK(texts("校党委发〔2020〕51号") == std::vector<std::string>{"校党", "党委", "委发", "发", "#2020", "#51", "号"});
  CHECK(texts("第 6 期") == std::vector<std::string>{"第", "#6", "期"});
  CHECK(texts("第6期") == std::vector<std::string>{"第", "#6", "期"});
  // Full-width letters and digits fold to ASCII; case folds; punctuation separates.
  CHECK(texts("ＧＢ/T 9704－2012，Word文档") ==
        std::vector<std::string>{"#gb", "#t", "#9704", "#2012", "#word", "文档", "档"});
  CHECK(texts("二〇二〇年") == std::vector<std::string>{"二〇", "〇二", "二〇", "〇年", "年"});
  // A byte that is not UTF-8 separates and is never a term.
  CHECK(texts("学\xff习") == std::vector<std::string>{"学", "习"});
  CHECK(texts("").empty());
}

TEST_CASE("a CJK term's bucket is its first character's, so a one-character query reads one bucket", "[search]") {
  CHECK(search_hash("") == 2166136261u);
  CHECK(search_hash("a") == 0xe40c292cu);  // FNV-1a's published test vector
  for (uint32_t n : {7u, 64u, 1000u}) {
    CHECK(term_bucket({"学习", true}, n) == term_bucket({"学", true}, n));
    CHECK(term_bucket({"学生", true}, n) == term_bucket({"学", true}, n));
    CHECK(term_bucket({"2020", false}, n) == search_hash("2020") % n);
  }
  CHECK(term_bucket({"学习", true}, 1) == 0);
}

SearchRecord rec(std::string url, std::string title, std::string text) {
  SearchRecord r;
  r.url = std::move(url);
  r.type = "通知";
  r.title = std::move(title);
  r.text = std::move(text);
  r.date = "2020年9月4日";
  r.date_iso = "2020-09-04";
  r.year = "2020";
  return r;
}

// term -> {doc: tf} read back from the written buckets.
std::map<std::string, std::map<int, int>> read_back(const ShardFiles& shard) {
  std::map<std::string, std::map<int, int>> out;
  for (const auto& [path, bytes] : shard.files) {
    if (!path.starts_with("b/")) continue;
    auto bucket = nlohmann::json::parse(bytes);
    for (auto& [term, list] : bucket.items()) {
      int doc = 0;
      for (size_t i = 0; i + 1 < list.size(); i += 2) {
        doc += list[i].get<int>();
        out[term][doc] = list[i + 1].get<int>();
      }
      // The term is in the bucket its hash says.
      uint32_t want = term_bucket({term, !std::isalnum(static_cast<unsigned char>(term[0]))}, shard.buckets);
      CHECK(path == "b/" + std::to_string(want) + ".json");
    }
  }
  return out;
}

TEST_CASE("a shard's index reads back to the postings written, titles and numbers weighted above the body",
          "[search]") {
  std::vector<SearchRecord> records = {
      rec("notices/a/", "关于学习强国的通知", "请各单位做好推广工作。"),
      rec("notices/b/", "关于推广工作的通知", "学习强国平台，学习强国积分。"),
  };
  records[1].number = "校党委发〔2020〕51号";
  records[1].organ = "中共上海师范大学委员会";
  ShardFiles shard = write_search_shard(records, 0, records.size());
  REQUIRE(shard.docs == 2);
  auto terms = read_back(shard);
  FieldWeights w;
  // Doc 0 has 学习 once in its title; doc 1 twice in its body.
  CHECK(terms["学习"] == std::map<int, int>{{0, static_cast<int>(w.title)}, {1, 2}});
  CHECK(terms["推广"] == std::map<int, int>{{0, 1}, {1, static_cast<int>(w.title)}});
  CHECK(terms["51"] == std::map<int, int>{{1, static_cast<int>(w.number)}});
  CHECK(terms["师范"] == std::map<int, int>{{1, static_cast<int>(w.organ)}});
  CHECK(terms["通知"] == std::map<int, int>{{0, static_cast<int>(w.title + 1)}, {1, static_cast<int>(w.title + 1)}});
  CHECK(terms.count("量子") == 0);

  auto docs = nlohmann::json::parse(
      std::find_if(shard.files.begin(), shard.files.end(), [](auto& f) { return f.first == "docs.json"; })->second);
  // Body lengths: 请各单位做好推广工作 is 9 bigrams and its last character.
  CHECK(docs["docs"][0] == nlohmann::json::array({"notices/a/", "通知", "2020", "", 10, "2020-09-04", 100}));
  CHECK(shard.length == 10 + docs["docs"][1][4].get<uint64_t>());
  auto fragment = nlohmann::json::parse(
      std::find_if(shard.files.begin(), shard.files.end(), [](auto& f) { return f.first == "f/1.json"; })->second);
  CHECK(fragment["number"] == "校党委发〔2020〕51号");
  CHECK(fragment["text"] == "学习强国平台，学习强国积分。");

  // Files are sorted and byte-identical for the same records.
  ShardFiles again = write_search_shard(records, 0, records.size());
  CHECK(again.files == shard.files);
  CHECK(std::is_sorted(shard.files.begin(), shard.files.end()));
}

TEST_CASE("a big shard spreads its terms over many buckets, each term in exactly one", "[search]") {
  std::vector<SearchRecord> records;
  for (int i = 0; i < 400; ++i)
    records.push_back(rec("a/" + std::to_string(i) + "/", "第" + std::to_string(i) + "号",
                          "单位" + std::to_string(i * 7) + "学习积分排名第" + std::to_string(i) + "名"));
  ShardFiles shard = write_search_shard(records, 0, records.size());
  CHECK(shard.buckets > 1);
  auto terms = read_back(shard);
  CHECK(terms["积分"].size() == 400);
  // 399 is doc 399's number (title and body) and doc 57's unit (57 × 7, body only).
  CHECK(terms["399"] == std::map<int, int>{{57, 1}, {399, static_cast<int>(FieldWeights{}.title + 1)}});
  CHECK(search_manifest({{"x", 400, shard.length, shard.buckets}}) ==
        "{\"format\":1,\"shards\":[{\"dir\":\"x\",\"docs\":400,\"length\":" + std::to_string(shard.length) +
            ",\"buckets\":" + std::to_string(shard.buckets) + "}]}\n");
}

TEST_CASE("an article's record made from the article is the one made from its page", "[search]") {
  Article a;
  a.slug = "sues-four-forces";
  a.title = "聚焦“四个力” 用好用活“学习强国”学习平台";
  a.unit = "上海工程技术大学";
  a.date = parse_date("2020-12-16").value();
  a.summary = "学校党委推动落实。";
  a.tags = {"学习强国", "经验"};
  a.body_html = "<p>一是明确站位。</p><table><tr><td>学院</td><td>44</td></tr></table>";
  auto from_page = search_record("article", article_page(a));
  REQUIRE(from_page);
  // What start_search_index does with a deferred record, through the public path.
  std::vector<SearchRecord> deferred = {article_search_record(a)};
  CHECK(deferred[0].url == from_page->url);
  CHECK(deferred[0].article == &a);
  std::string cache = std::filesystem::temp_directory_path() / ("bulletin-search-article-" + std::to_string(getpid()));
  std::filesystem::remove_all(cache);
  MemoryWriter out;
  std::string why;
  SearchIndex index = build_search_index(*find_search_tools("", why), cache, deferred, out);
  REQUIRE(index.built);
  CHECK(out.files.at("search/data/_site/f/0.json") == "<copy of " + cache + "/_site/bundle/f/0.json>");
  std::ifstream in(cache + "/_site/bundle/f/0.json");
  auto fragment = nlohmann::json::parse(in);
  // The article's tags too (its page data holds them as objects, which the page path skips).
  CHECK(fragment["text"] == from_page->text + "\n学习强国、经验");
  CHECK(fragment["text"] == "学校党委推动落实。\n一是明确站位。\n学院，44。\n学习强国、经验");
  CHECK(fragment["title"] == from_page->title);
  CHECK(fragment["organ"] == from_page->organ);
  CHECK(fragment["date"] == from_page->date);
  std::filesystem::remove_all(cache);
}

}  // namespace
}  // namespace bulletin
