#include "site/search/search.h"

#include <catch2/catch.hpp>

namespace bulletin {
namespace {

SearchRecord doc(const std::string& url, const std::string& type, const std::string& date_iso) {
  SearchRecord r;
  r.url = url;
  r.type = type;
  r.date_iso = date_iso;
  r.year = date_iso.substr(0, 4);
  return r;
}

TEST_CASE("a small site is one search bundle, a big one shards by year, section, then month", "[search]") {
  std::vector<SearchRecord> records = {doc("articles/a/", "经验交流", "2021-03-02"),
                                       doc("notices/2020/x/", "通知", "2020-05-01")};
  records.push_back(doc("", "栏目", ""));
  assign_shards(records);
  for (const auto& r : records) CHECK(r.shard == "");

  std::vector<SearchRecord> big;
  for (int i = 0; i < 5; ++i)
    big.push_back(doc("articles/a" + std::to_string(i) + "/", "经验交流", "2021-0" + std::to_string(i + 1) + "-01"));
  big.push_back(doc("notices/2021/n/", "通知", "2021-01-05"));
  big.push_back(doc("notices/2020/n/", "通知", "2020-01-05"));
  big.push_back(doc("rankings/r/entities/甲/", "排名", ""));
  assign_shards(big, ShardSizes{0, 3});
  CHECK(big[0].shard == "2021/articles/01");
  CHECK(big[4].shard == "2021/articles/05");
  CHECK(big[5].shard == "2021/notices");
  CHECK(big[6].shard == "2020");
  CHECK(big[7].shard == "undated");
  CHECK(shard_folder("2021/articles/01") == "2021-articles-01");
  CHECK(shard_folder("") == "_site");
  CHECK(shard_folder("2021/rankings/校党委") != shard_folder("2021/rankings/校团委"));
}

TEST_CASE("a notice's search record carries its number, organ and date, and table rows read as sentences", "[search]") {
  PageData page = {
      {"url", "notices/校党委发/2020/51/"},
      {"title", "关于印发实施办法的通知"},
      {"doc_no", "校党委发〔2020〕51号"},
      {"issuer", "中共上海师范大学委员会"},
      {"date", "2020年9月4日"},
      {"date_iso", "2020-09-04"},
      {"body",
       "<p>各二级党组织：</p><table><tr><th>单位</th><th>人数</th></tr><tr><td>数理学院</td><td>44</td></tr></table>"}};
  auto r = search_record("notice", page);
  REQUIRE(r);
  CHECK(r->type == "通知");
  CHECK(r->number == "校党委发〔2020〕51号");
  CHECK(r->organ == "中共上海师范大学委员会");
  CHECK(r->year == "2020");
  CHECK(r->text == "各二级党组织：\n单位，人数。\n数理学院，44。");
  page["superseded"] = {{"version", "1"}};
  CHECK_FALSE(search_record("notice", page));
  CHECK_FALSE(search_record("changes", PageData::object()));
}

TEST_CASE("a build that fails while the index is written stops it and leaves the search cache as it was", "[search]") {
  std::string why;
  auto tools = find_search_tools(BULLETIN_SOURCE_DIR, why);
  REQUIRE(tools);
  CHECK(why.empty());
  namespace fs = std::filesystem;
  std::string cache = fs::temp_directory_path() / ("bulletin-search-stop-" + std::to_string(getpid()));
  fs::remove_all(cache);
  SearchRecord r = doc("notices/2020/n/", "通知", "2020-03-01");
  r.title = "关于学习强国平台推广工作的通知";
  r.text = "各单位：请做好推广工作。";
  {
    PendingSearch pending = start_search_index(*tools, cache, {r});
    REQUIRE(pending);
  }  // destroyed before finish_search_index, as when a page fails to render
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(cache)) left.push_back(e.path().filename().string());
  CHECK(left == std::vector<std::string>{".lock"});
  MemoryWriter out;
  SearchIndex index = finish_search_index(*start_search_index(*tools, cache, {r}), out);
  CHECK(index.message == "search index: 1 pages in 1 shards; 1 re-indexed (1 pages)");
  CHECK(out.files.count("search/data/shards.json") == 1);
  CHECK(out.files.count("search/data/_site/docs.json") == 1);
  CHECK(out.files.count("search/data/_site/f/0.json") == 1);
  fs::remove_all(cache);
}

}  // namespace
}  // namespace bulletin

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace bulletin {
namespace {

ino_t inode(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

TEST_CASE("only the shard of an edited page is indexed again; other shards' cached files are untouched", "[search]") {
  std::string why;
  auto tools = find_search_tools(BULLETIN_SOURCE_DIR, why);
  REQUIRE(tools);
  namespace fs = std::filesystem;
  std::string cache = fs::temp_directory_path() / ("bulletin-search-test-" + std::to_string(getpid()));
  fs::remove_all(cache);
  std::vector<SearchRecord> records;
  for (int i = 0; i < 4; ++i) {
    SearchRecord r =
        doc("notices/20" + std::to_string(20 + i) + "/n/", "通知", "20" + std::to_string(20 + i) + "-03-01");
    r.title = "关于第" + std::to_string(i) + "项工作的通知";
    r.text = "各单位：请做好学习强国平台推广工作。";
    records.push_back(r);
  }
  ShardSizes sizes{0, 300};
  MemoryWriter first;
  SearchIndex a = build_search_index(*tools, cache, records, first, sizes);
  INFO(a.message);
  REQUIRE(a.built);
  CHECK(a.shards == 5);  // four years and the (empty) primary shard
  CHECK(a.reindexed == 5);
  CHECK(first.files.count("search/data/_site/docs.json") == 1);
  CHECK(first.files.count("search/data/2020/docs.json") == 1);
  CHECK(first.files.count("search/data/2020/b/0.json") == 1);
  CHECK(first.files.at("search/data/shards.json") ==
        "{\"format\":1,\"shards\":[{\"dir\":\"_site\",\"docs\":0,\"length\":0,\"buckets\":1},"
        "{\"dir\":\"2020\",\"docs\":1,\"length\":16,\"buckets\":1},"
        "{\"dir\":\"2021\",\"docs\":1,\"length\":16,\"buckets\":1},"
        "{\"dir\":\"2022\",\"docs\":1,\"length\":16,\"buckets\":1},"
        "{\"dir\":\"2023\",\"docs\":1,\"length\":16,\"buckets\":1}]}\n");
  auto bytes = [&](const std::string& rel) {
    std::ifstream in(cache + "/" + rel, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
  };
  std::string kept_bucket = bytes("2020/bundle/b/0.json"), edited_bucket = bytes("2023/bundle/b/0.json");
  CHECK(kept_bucket.find("\"推广\":[0,1]") != std::string::npos);
  ino_t kept = inode(cache + "/2020/bundle/docs.json");
  ino_t edited = inode(cache + "/2023/bundle/docs.json");

  MemoryWriter again;
  SearchIndex b = build_search_index(*tools, cache, records, again, sizes);
  CHECK(b.reindexed == 0);
  CHECK(b.message == "search index: 4 pages in 5 shards; none changed, nothing re-indexed");
  CHECK(again.files.size() == first.files.size());

  records[3].text += "新增一段。";
  MemoryWriter third;
  SearchIndex c = build_search_index(*tools, cache, records, third, sizes);
  CHECK(c.message == "search index: 4 pages in 5 shards; 1 re-indexed (1 pages)");
  CHECK(inode(cache + "/2020/bundle/docs.json") == kept);
  CHECK(inode(cache + "/2023/bundle/docs.json") != edited);
  CHECK(bytes("2020/bundle/b/0.json") == kept_bucket);
  CHECK(bytes("2023/bundle/b/0.json") != edited_bucket);
  CHECK(bytes("2023/bundle/b/0.json").find("\"新增\":[0,1]") != std::string::npos);
  fs::remove_all(cache);
}

}  // namespace
}  // namespace bulletin
