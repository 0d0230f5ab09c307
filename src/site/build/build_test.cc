#include "site/build/build.h"

#include <catch2/catch.hpp>
#include <mutex>
#include <set>

using namespace bulletin;

namespace {
// A small project in memory, with the repository's real default theme.
MemoryFileSystem small_project() {
  MemoryFileSystem fs;
  RealFileSystem real;
  std::string theme = std::string(BULLETIN_SOURCE_DIR) + "/templates";
  for (const auto& rel : real.list(theme)) fs.add("p/templates/" + rel, *real.read(theme + "/" + rel));
  fs.add("p/bulletin.yaml",
         "title: 测试站\norganization: 测试单位\nseries:\n  - {id: jb, name: 工作简报, editor: 办公室}\n");
  fs.add("p/content/articles/a.md", "---\ntitle: 经验甲\nunit: 单位甲\ndate: 2020-12-16\n---\n正文甲。\n");
  fs.add("p/content/bulletins/jb/1.md",
         "---\nnumber: 1\ndate: 2020-11-01\ntitle: 第一期\nsections:\n  - {heading: 经验交流, articles: [a]}\n---\n");
  fs.add("p/content/bulletins/jb/2.md", "---\nnumber: 2\ndate: 2020-12-01\ntitle: 第二期\n---\n");
  fs.add("p/content/notices/n.md",
         "---\nissuer: 中共某某委员会\ndoc_no: 某发〔2020〕3号\ntitle: 关于某事的通知\nrecipients: 各单位\n"
         "signature: 中共某某委员会\ndate: 2020-09-04\n---\n一、总体要求\n\n正文。\n");
  return fs;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}
}  // namespace

TEST_CASE("a small project builds every page at its permanent URL", "[build]") {
  MemoryFileSystem fs = small_project();
  Diagnostics diags;
  Project p = load_project(fs, "p", diags);
  REQUIRE(diags.format_all() == "");
  MemoryWriter out;
  BuildReport report = build_site(p, fs, out);
  for (const char* page :
       {"index.html", "404.html", "articles/index.html", "articles/a/index.html", "notices/index.html",
        "notices/某发/2020/3/index.html", "bulletins/index.html", "bulletins/jb/index.html",
        "bulletins/jb/2020/1/index.html", "bulletins/jb/2020/2/index.html", "assets/style.css"}) {
    INFO(page);
    CHECK(out.files.count(page) == 1);
  }
  CHECK(report.documents["articles"] == 1);
  CHECK(report.documents["notices"] == 1);
  CHECK(report.documents["issues"] == 2);

  const std::string& home = out.files["index.html"];
  CHECK(contains(home, "href=\"articles/a/index.html\""));
  CHECK(contains(home, "href=\"bulletins/jb/2020/2/index.html\""));  // the latest issue

  const std::string& first = out.files["bulletins/jb/2020/1/index.html"];
  CHECK(contains(first, "href=\"../../../../assets/style.css\""));
  CHECK(contains(first, "rel=\"next\" href=\"../../../../bulletins/jb/2020/2/index.html\""));
  CHECK_FALSE(contains(first, "rel=\"prev\""));
  CHECK(contains(first, "一、经验交流"));
  CHECK(contains(first, "正文甲。"));  // the article appears in full inside the issue

  const std::string& notice = out.files["notices/某发/2020/3/index.html"];
  CHECK(contains(notice, "某发〔2020〕3号"));
  CHECK(contains(notice, "各单位："));
  CHECK(contains(notice, "<h2>一、总体要求</h2>"));
  CHECK(contains(notice, "2020年9月4日"));
}

TEST_CASE("building twice gives identical bytes", "[build]") {
  MemoryFileSystem fs = small_project();
  Diagnostics diags;
  Project p = load_project(fs, "p", diags);
  MemoryWriter a, b;
  build_site(p, fs, a);
  build_site(p, fs, b);
  CHECK(a.files == b.files);
}

TEST_CASE("a failing write stops the build with the error", "[build]") {
  MemoryFileSystem fs = small_project();
  Diagnostics diags;
  Project p = load_project(fs, "p", diags);
  MemoryWriter out;
  out.before_write = [](const std::string& rel) {
    if (rel == "notices/index.html") throw Error({rel, 0, 0}, "cannot write file (disk full or no permission?)");
  };
  try {
    build_site(p, fs, out);
    FAIL("expected the write to fail");
  } catch (const Error& e) {
    CHECK(e.diagnostic().format() ==
          "notices/index.html: error: cannot write file (disk full or no permission?)\n"
          "  while rendering notices/index.html with templates/notices.mustache");
  }
}

namespace {
// The error a build reports, with `jobs` threads and `fail` injected into the writer.
std::string build_error(const MemoryFileSystem& fs, int jobs, std::function<void(const std::string&)> fail) {
  Diagnostics diags;
  Project p = load_project(fs, "p", diags);
  REQUIRE(diags.format_all() == "");
  MemoryWriter out;
  out.before_write = std::move(fail);
  BuildOptions options;
  options.jobs = jobs;
  try {
    build_site(p, fs, out, options);
  } catch (const Error& e) {
    return e.diagnostic().format();
  }
  return "no error";
}

MemoryFileSystem project_with_articles(int count) {
  MemoryFileSystem fs = small_project();
  for (int k = 1; k <= count; ++k) {
    std::string day = std::to_string(k);
    if (day.size() < 2) day.insert(0, "0");
    fs.add("p/content/articles/x" + std::to_string(k) + ".md",
           "---\ntitle: 经验" + std::to_string(k) + "\nunit: 单位\ndate: 2021-01-" + day + "\n---\n正文。\n");
  }
  return fs;
}

const char* kFull = "cannot write file (disk full or no permission?)";
}  // namespace

// Article pages start rendering while the rest of the plan is made: the
// error reported is still the one the jobs run one by one in plan order give.
TEST_CASE("the error of the first failing page in plan order is reported, whatever runs first", "[build]") {
  MemoryFileSystem fs = project_with_articles(20);
  for (int jobs : {1, 2, 8}) {
    INFO("jobs " << jobs);
    // The home page is planned first, the article pages (newest first) after the lists.
    CHECK(build_error(fs, jobs, [](const std::string& rel) {
            if (rel == "index.html" || (rel.ends_with("/index.html") && rel.starts_with("articles/x")))
              throw Error({rel, 0, 0}, kFull);
          }) == "index.html: error: cannot write file (disk full or no permission?)\n"
                "  while rendering index.html with templates/home.mustache");
    CHECK(build_error(fs, jobs, [](const std::string& rel) {
            if (rel == "articles/x3/index.html" || rel == "articles/x12/index.html" || rel == "feed.xml")
              throw Error({rel, 0, 0}, kFull);
          }) == "articles/x12/index.html: error: cannot write file (disk full or no permission?)\n"
                "  while rendering articles/x12/index.html with templates/article.mustache");
    CHECK(build_error(fs, jobs, [](const std::string& rel) {
            if (rel == "articles/x3/index.html") throw Error({rel, 0, 0}, kFull);
          }) == "articles/x3/index.html: error: cannot write file (disk full or no permission?)\n"
                "  while rendering articles/x3/index.html with templates/article.mustache");
  }
}

TEST_CASE("a plan that writes one file twice is refused before any failing page's error", "[build]") {
  MemoryFileSystem fs = project_with_articles(20);
  // A file beside an article, named like its page, would be copied over it.
  fs.add("p/content/articles/x5/index.html", "<p>旧页面</p>");
  for (int jobs : {1, 8}) {
    INFO("jobs " << jobs);
    CHECK(build_error(fs, jobs, [](const std::string& rel) {
            if (rel.starts_with("articles/x")) throw Error({rel, 0, 0}, kFull);
          }) == "articles/x5/index.html: error: two files would be written to the same path articles/x5/index.html");
  }
}

TEST_CASE("a build on one thread and on eight writes the same files", "[build]") {
  MemoryFileSystem fs = project_with_articles(40);
  Diagnostics diags;
  Project p = load_project(fs, "p", diags);
  MemoryWriter one, eight;
  BuildOptions options;
  options.jobs = 1;
  build_site(p, fs, one, options);
  options.jobs = 8;
  build_site(p, fs, eight, options);
  CHECK(one.files.size() > 40);
  CHECK(one.files == eight.files);
}

namespace {
// Keeps what `kept` says and records what each kept or written file was made from.
class RecordingWriter : public MemoryWriter {
 public:
  bool keep_all = false;
  std::map<std::string, std::string> made_from;  // path -> digest asked to keep it
  std::set<std::string> written;
  bool keep(const std::string& rel, const std::string& digest) override {
    std::lock_guard<std::mutex> lock(m_);
    made_from[rel] = digest;
    return keep_all;
  }
  void write(const std::string& rel, std::string_view bytes) override {
    {
      std::lock_guard<std::mutex> lock(m_);
      written.insert(rel);
    }
    MemoryWriter::write(rel, bytes);
  }

 private:
  std::mutex m_;
};

MemoryFileSystem project_with_ranking() {
  MemoryFileSystem fs = small_project();
  fs.add("p/data/rules/units.yaml",
         "title: 学习情况\nexports: exports/*.json\nfields:\n  date: 日期\n  unit: 单位\n  score: 积分\n"
         "entity: unit\nperiod: month\nmetrics:\n  - id: score\n    label: 积分\n    value: sum(score)\n");
  fs.add("p/data/exports/a.json",
         "[{\"日期\": \"2020-11-02\", \"单位\": \"甲\", \"积分\": 5}, {\"日期\": \"2020-11-03\", \"单位\": \"乙\", \"积分\": 7},\n"
         " {\"日期\": \"2020-12-01\", \"单位\": \"甲\", \"积分\": 3}]\n");
  return fs;
}

// The ranking files' digests of one build, and the ranking files it wrote.
std::pair<std::map<std::string, std::string>, std::set<std::string>> ranking_build(const MemoryFileSystem& fs,
                                                                                   bool keep_all) {
  Diagnostics diags;
  Project p = load_project(fs, "p", diags);
  REQUIRE(diags.format_all() == "");
  RecordingWriter out;
  out.keep_all = keep_all;
  build_site(p, fs, out);
  std::map<std::string, std::string> digests;
  for (const auto& [rel, d] : out.made_from)
    if (rel.starts_with("rankings/units/")) digests[rel] = d;
  std::set<std::string> written;
  for (const auto& rel : out.written)
    if (rel.starts_with("rankings/units/")) written.insert(rel);
  return {digests, written};
}
}  // namespace

// An unpublished period's page, index.csv, index.json and index.xlsx and the
// entities' pages are kept on what they are made from (the rule's text, the
// period's data, its neighbours), so a build that keeps them makes none.
TEST_CASE("unchanged ranking pages and files are kept without being made, changed ones are made again", "[build]") {
  MemoryFileSystem fs = project_with_ranking();
  auto [first, wrote_first] = ranking_build(fs, false);
  const std::vector<std::string> november = {"rankings/units/2020-11/index.html", "rankings/units/2020-11/index.csv",
                                             "rankings/units/2020-11/index.json", "rankings/units/2020-11/index.xlsx"};
  const std::vector<std::string> december = {"rankings/units/2020-12/index.html", "rankings/units/2020-12/index.csv",
                                             "rankings/units/2020-12/index.json", "rankings/units/2020-12/index.xlsx"};
  const std::string entity = "rankings/units/entities/甲/index.html";
  for (const auto& rel : november) CHECK(wrote_first.count(rel) == 1);
  for (const auto& rel : november) CHECK(first.count(rel) == 1);
  for (const auto& rel : december) CHECK(first.count(rel) == 1);
  REQUIRE(first.count(entity) == 1);

  // Every one kept: nothing of the rule is made or written.
  auto [again, wrote_again] = ranking_build(fs, true);
  CHECK(again == first);
  // (The rule's feed is written by bytes, kept by the writer on them.)
  CHECK(wrote_again == std::set<std::string>{"rankings/units/feed.xml"});

  // December's data changes: its files and the entities' histories are made again, November's kept.
  fs.add("p/data/exports/a.json",
         "[{\"日期\": \"2020-11-02\", \"单位\": \"甲\", \"积分\": 5}, {\"日期\": \"2020-11-03\", \"单位\": \"乙\", \"积分\": 7},\n"
         " {\"日期\": \"2020-12-01\", \"单位\": \"甲\", \"积分\": 4}]\n");
  auto [edited, wrote_edited] = ranking_build(fs, false);
  for (const auto& rel : november) CHECK(edited.at(rel) == first.at(rel));
  for (const auto& rel : december) CHECK(edited.at(rel) != first.at(rel));
  CHECK(edited.at(entity) != first.at(entity));

  // The rule's text changes: everything of it is made again.
  fs.add("p/data/rules/units.yaml",
         "title: 学习情况（新）\nexports: exports/*.json\nfields:\n  date: 日期\n  unit: 单位\n  score: 积分\n"
         "entity: unit\nperiod: month\nmetrics:\n  - id: score\n    label: 积分\n    value: sum(score)\n");
  auto [renamed, wrote_renamed] = ranking_build(fs, false);
  for (const auto& rel : november) CHECK(renamed.at(rel) != edited.at(rel));
  CHECK(renamed.at(entity) != edited.at(entity));
}
