// Page = JSON: every number and rank on every ranking page of the sample site
// equals its index.json, tables and lists alike.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <regex>

#include "e2e.h"

using namespace e2e;

namespace {

std::string unescape_html(std::string s) {
  const std::pair<const char*, const char*> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : kEntities) {
    for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += std::string(to).size())
      s.replace(at, std::string(from).size(), to);
  }
  return s;
}

}  // namespace

TEST_CASE("every number and rank on every ranking page equals its index.json", "[e2e][rankings]") {
  fs::path site = sample_site();
  int pages = 0, cells = 0, entries = 0;
  for (const auto& e : fs::recursive_directory_iterator(site / "rankings")) {
    if (e.path().filename() != "index.json") continue;
    fs::path html_path = e.path().parent_path() / "index.html";
    REQUIRE(fs::exists(html_path));
    auto j = nlohmann::json::parse(read_file(e.path()));
    std::string html = read_file(html_path);
    INFO(html_path.string());
    ++pages;
    // The tables: one <tr> per row, in the order of "rows".
    size_t tables_start = html.find("<div class=\"ranking-tables\">");
    size_t groups_start = html.find("<section class=\"ranking-groups\">");
    std::string tables = html.substr(tables_start, (groups_start == std::string::npos ? html.size() : groups_start) - tables_start);
    std::regex row_re("<tr><td class=\"num\">([0-9]+)</td><td><a [^>]*>([^<]*)</a></td>((?:<td class=\"num\">[^<]*</td>)*)</tr>");
    std::regex cell_re("<td class=\"num\">([^<]*)</td>");
    std::vector<std::smatch> rows;
    for (std::sregex_iterator it(tables.begin(), tables.end(), row_re), end; it != end; ++it) rows.push_back(*it);
    REQUIRE(rows.size() == j["rows"].size());
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto& row = j["rows"][i];
      CHECK(rows[i][1].str() == std::to_string(row["rank"].get<int>()));
      CHECK(unescape_html(rows[i][2].str()) == row["entity"].get<std::string>());
      std::string metrics = rows[i][3].str();
      size_t k = 0;
      for (std::sregex_iterator it(metrics.begin(), metrics.end(), cell_re), end; it != end; ++it, ++k) {
        CHECK(it->str(1) == row[j["metrics"][k]["id"].get<std::string>()]["text"].get<std::string>());
        ++cells;
      }
      CHECK(k == j["metrics"].size());
    }
    // The lists: each entry "name（第 N 名）" in the order of "entries".
    for (const auto& [id, list] : j["lists"].items()) {
      size_t start = html.find("<section class=\"ranking-list\" id=\"list-" + id + "\">");
      REQUIRE(start != std::string::npos);
      std::string section = html.substr(start, html.find("</section>", start) - start);
      std::regex item_re("<a [^>]*>([^<]*)</a>（第 ([0-9]+) 名）");
      size_t k = 0;
      for (std::sregex_iterator it(section.begin(), section.end(), item_re), end; it != end; ++it, ++k) {
        REQUIRE(k < list["entries"].size());
        CHECK(unescape_html(it->str(1)) == list["entries"][k]["entity"].get<std::string>());
        CHECK(it->str(2) == std::to_string(list["entries"][k]["rank"].get<int>()));
        ++entries;
      }
      CHECK(k == list["entries"].size());
    }
    // Group results: rank, name, members and metric texts.
    if (j.contains("groups")) {
      REQUIRE(groups_start != std::string::npos);
      std::string groups = html.substr(groups_start);
      std::regex grow_re("<tr><td class=\"num\">([0-9]+)</td><td>([^<]*)</td><td class=\"num\">([0-9]+)</td>((?:<td class=\"num\">[^<]*</td>)*)</tr>");
      size_t k = 0;
      for (std::sregex_iterator it(groups.begin(), groups.end(), grow_re), end; it != end; ++it, ++k) {
        REQUIRE(k < j["groups"]["rows"].size());
        const auto& g = j["groups"]["rows"][k];
        CHECK(it->str(1) == std::to_string(g["rank"].get<int>()));
        CHECK(unescape_html(it->str(2)) == g["group"].get<std::string>());
        CHECK(it->str(3) == std::to_string(g["members"].get<int>()));
        std::string metrics = it->str(4);
        size_t m = 0;
        for (std::sregex_iterator c(metrics.begin(), metrics.end(), cell_re), e2; c != e2; ++c, ++m)
          CHECK(c->str(1) == g[j["groups"]["metrics"][m]["id"].get<std::string>()]["text"].get<std::string>());
      }
      CHECK(k == j["groups"]["rows"].size());
    }
  }
  CHECK(pages > 10);
  CHECK(cells > 100);
  CHECK(entries > 10);
}
