// Page = JSON: every number and rank on every ranking page of the sample site
// equals its index.json, tables and lists alike.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <regex>

#include "e2e.h"

using namespace e2e;

namespace {

std::string unescape_html(std::string s) {
  const std::pair<const char*, const char*> kEntities[] = {{"&lt;", "<"},  {"&gt;", ">"},   {"&quot;", "\""},
                                                           {"&#39;", "'"}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : kEntities) {
    for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += std::string(to).size())
      s.replace(at, std::string(from).size(), to);
  }
  return s;
}

struct Counts {
  int pages = 0, cells = 0, entries = 0, skipped = 0;
};

// Compares every ranking page of `site` with its index.json: table rows
// (rank, entity, metric texts), list entries (entity, rank), group rows and
// the skipped records shown (file, line, record, reason).
Counts check_pages_equal_json(const fs::path& site) {
  Counts counts;
  int& pages = counts.pages;
  int& cells = counts.cells;
  int& entries = counts.entries;
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
    std::string tables =
        html.substr(tables_start, (groups_start == std::string::npos ? html.size() : groups_start) - tables_start);
    std::regex row_re(
        "<tr><td class=\"num\">([0-9]+)</td><td><a [^>]*>([^<]*)</a></td>((?:<td class=\"num\">[^<]*</td>)*)</tr>");
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
      std::regex grow_re(
          "<tr><td class=\"num\">([0-9]+)</td><td>([^<]*)</td><td class=\"num\">([0-9]+)</td>((?:<td class=\"num\">[^<]*</td>)*)</tr>");
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
    // Skipped records: the first 20 in full, in the order of skipped.first.
    std::regex skip_re(
        "<tr><td>([^<]*)</td><td class=\"num\">([0-9]+)</td><td><code>([^<]*)</code></td><td>([^<]*)</td></tr>");
    size_t k = 0;
    for (std::sregex_iterator it(html.begin(), html.end(), skip_re), end; it != end; ++it, ++k) {
      REQUIRE(k < j["skipped"]["first"].size());
      const auto& r = j["skipped"]["first"][k];
      CHECK(unescape_html(it->str(1)) == r["file"].get<std::string>());
      CHECK(it->str(2) == std::to_string(r["line"].get<int>()));
      CHECK(unescape_html(it->str(3)) == r["text"].get<std::string>());
      CHECK(unescape_html(it->str(4)) == r["reason"].get<std::string>());
      ++counts.skipped;
    }
    CHECK(k == j["skipped"]["first"].size());
  }
  return counts;
}

}  // namespace

TEST_CASE("every number and rank on every ranking page equals its index.json", "[e2e][rankings]") {
  Counts c = check_pages_equal_json(sample_site());
  CHECK(c.pages > 10);
  CHECK(c.cells > 100);
  CHECK(c.entries > 10);
}

TEST_CASE(
    "page = JSON holds for names with commas, quotes and HTML specials, ties, negative values and skipped records",
    "[e2e][rankings]") {
  TempDir dir;
  fs::path project = dir / "project";
  copy_sample_project(project);
  write_file(project / "data/rules/adv.yaml", R"(id: adv
title: 对抗
exports: exports/adv-*.jsonl
fields: {date: 日期, unit: 单位, branch: 支部, a: 甲, b: 乙}
entity: unit
group: branch
period: quarter
metrics:
  - {id: avg, label: 均值, value: mean(a), format: decimal:2}
  - {id: ratio, label: 比, value: sum(a) / sum(b), format: percent:1}
order: [avg desc]
lists:
  - {id: top2, label: 前二, top: 2, per_group: false}
  - {id: low, label: 末一, bottom: 1}
groups:
  metrics:
    - {id: gavg, label: 组均, value: mean(avg), format: decimal:3}
  order: [gavg desc]
  lists:
    - {id: best, label: 最佳, top: 1}
bad_records: skip
)");
  auto rec = [](const char* date, const char* unit, const char* branch, const char* a, const char* b) {
    return std::string("{\"日期\": \"") + date + "\", \"单位\": \"" + unit + "\", \"支部\": \"" + branch +
           "\", \"甲\": " + a + ", \"乙\": " + b + "}\n";
  };
  write_file(project / "data/exports/adv-2020.jsonl",
             rec("2020-12-30", "a,\\\"b\\\"", "支,1", "\"0.01\"", "0.1") +
                 rec("2020-12-31", "a,\\\"b\\\"", "支,1", "0.06", "\"0.2\"") +
                 rec("2020-12-30", "<x&y>", "支,1", "0.035", "0.4") + rec("2020-12-30", "c'd", "<支2>", "0.07", "0.4") +
                 rec("2020-12-31", "c'd", "<支2>", "0", "0.16") + rec("2020-12-30", "丁", "<支2>", "-0.01", "0.1") +
                 rec("2020-12-31", "丁", "<支2>", "\"-0.06\"", "-0.1") +
                 rec("2020-12-31", "丁</td>", "<支2>", "\"1,000\"", "1"));
  RunResult r = run_bulletin({"build", project.string(), "-o", "site"}, dir.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  fs::path page = dir / "site/rankings/adv/2020-Q4";
  REQUIRE(fs::exists(page / "index.json"));
  Counts c = check_pages_equal_json(dir / "site");
  CHECK(c.skipped >= 1);
  // The exact answers (Python fractions): three ties at 7/200 print 0.04
  // (the doubles give 0.034999999999999996 for a,"b"); 丁 -7/200 prints -0.04.
  auto j = nlohmann::json::parse(read_file(page / "index.json"));
  std::map<std::string, std::string> avg;
  for (const auto& row : j["rows"]) avg[row["entity"]] = row["avg"]["text"];
  CHECK(avg ==
        std::map<std::string, std::string>{{"a,\"b\"", "0.04"}, {"<x&y>", "0.04"}, {"c'd", "0.04"}, {"丁", "-0.04"}});
  CHECK(j["lists"]["top2"]["entries"].size() == 3);
  CHECK(j["lists"]["top2"]["ties_extended"] == true);
  std::string html = read_file(page / "index.html");
  CHECK(html.find("&lt;x&amp;y&gt;") != std::string::npos);
  CHECK(html.find("<x&y>") == std::string::npos);
  CHECK(html.find("丁&lt;/td&gt;") != std::string::npos);
  CHECK(j["skipped"]["first"][0]["reason"] == "field '甲' is not a number: \"1,000\"");
}
