#include "site/new/scaffold.h"

#include <catch2/catch.hpp>

#include "compute/rules.h"
#include "load/config.h"
#include "load/documents.h"

using namespace bulletin;

namespace {

const Date kToday{2020, 12, 16};

MemoryFileSystem project_files() {
  MemoryFileSystem fs;
  fs.add("p/bulletin.yaml",
         "title: 测试站\norganization: 测试单位\nseries:\n"
         "  - {id: jb, name: 工作简报, editor: 办公室}\n"
         "  - {id: tb, name: 通报, editor: 宣传部, numbering: running}\n");
  fs.add("p/content/bulletins/jb/2020-05.md", "---\nnumber: 5\ndate: 2020-11-01\ntitle: 五\n---\n");
  fs.add("p/content/bulletins/jb/2020-06.md", "---\n期号: 6\n日期: 2020年12月1日\ntitle: 六\n---\n");
  fs.add("p/content/bulletins/jb/2019-09.md", "---\nnumber: 9\ndate: 2019-12-01\ntitle: 去年\n---\n");
  fs.add("p/content/bulletins/jb/zk.md", "---\nnumber: 2\nsupplement: true\ndate: 2020-10-01\ntitle: 增刊\n---\n");
  fs.add("p/content/bulletins/tb/a.md", "---\nnumber: 11\ndate: 2019-03-01\ntitle: 甲\n---\n");
  fs.add("p/content/notices/n.md",
         "---\nissuer: 中共某某委员会\ndoc_no: 校党委发〔2020〕51号\ntitle: 通知\ndate: 2020-09-04\n---\n正文。\n");
  fs.add("p/content/articles/2020-12-16.md", "---\ntitle: 已有\nunit: 单位\ndate: 2020-12-16\n---\n");
  return fs;
}

SiteConfig config_of(const FileSystem& fs) {
  Diagnostics diags;
  SiteConfig config = load_config(fs, "p", diags);
  REQUIRE(diags.format_all() == "");
  return config;
}

ScaffoldRequest request(ScaffoldKind kind) {
  ScaffoldRequest r;
  r.kind = kind;
  r.today = kToday;
  return r;
}

std::string error_of(const FileSystem& fs, const ScaffoldRequest& r) {
  try {
    scaffold(fs, "p", config_of(fs), r);
  } catch (const Error& e) {
    return e.diagnostic().format();
  }
  return "no error";
}

// Adds `file` to the content and returns what loading it says (as check would).
std::string check_with(MemoryFileSystem fs, const ScaffoldFile& file) {
  fs.add("p/" + file.path, file.text);
  Diagnostics diags;
  SiteConfig config = config_of(fs);
  load_content(fs, "p", config, SeriesIndex(config.series), diags);
  return diags.format_all();
}

}  // namespace

TEST_CASE("a new issue gets the next number of its series this year, today's date and the editor", "[scaffold]") {
  MemoryFileSystem fs = project_files();
  ScaffoldRequest r = request(ScaffoldKind::Issue);
  r.series = "jb";
  r.title = "“学习强国”学习平台建设情况（四）";
  ScaffoldFile f = scaffold(fs, "p", config_of(fs), r);
  CHECK(f.path == "content/bulletins/jb/2020-07.md");
  CHECK(
      f.text.starts_with("---\nseries: jb   # 工作简报\nnumber: 7   # 期号\ndate: 2020年12月16日\n"
                         "title: \"“学习强国”学习平台建设情况（四）\"\neditor: \"办公室\"   # 编印单位\n"));
  CHECK(f.note.empty());
}

TEST_CASE("issue numbers restart each year, count supplements apart and run on for running series", "[scaffold]") {
  MemoryFileSystem fs = project_files();
  SiteConfig config = config_of(fs);
  CHECK(next_issue_number(fs, "p", config, "jb", 2021, false) == 1);
  CHECK(next_issue_number(fs, "p", config, "jb", 2019, false) == 10);
  CHECK(next_issue_number(fs, "p", config, "jb", 2020, true) == 3);
  CHECK(next_issue_number(fs, "p", config, "tb", 2020, false) == 12);
}

TEST_CASE("a new issue of a site with several series needs --series", "[scaffold]") {
  MemoryFileSystem fs = project_files();
  CHECK(error_of(fs, request(ScaffoldKind::Issue)) ==
        "bulletin new: error: this site has several bulletin series; choose one with --series (jb, tb)");
  ScaffoldRequest r = request(ScaffoldKind::Issue);
  r.series = "jbb";
  CHECK(error_of(fs, r) == "bulletin new: error: unknown bulletin series 'jbb'; did you mean 'jb'?");
}

TEST_CASE("a scaffolded issue, article and notice pass check once titled", "[scaffold]") {
  MemoryFileSystem fs = project_files();
  for (ScaffoldKind kind : {ScaffoldKind::Issue, ScaffoldKind::Article, ScaffoldKind::Notice}) {
    ScaffoldRequest r = request(kind);
    r.series = "tb";
    r.title = "标题";
    ScaffoldFile f = scaffold(fs, "p", config_of(fs), r);
    INFO(f.path << "\n" << f.text);
    CHECK(check_with(fs, f) == "");
  }
}

TEST_CASE("an untitled article is flagged by check at its empty title", "[scaffold]") {
  MemoryFileSystem fs = project_files();
  ScaffoldFile f = scaffold(fs, "p", config_of(fs), request(ScaffoldKind::Article));
  CHECK(f.path == "content/articles/2020-12-16-2.md");  // 2020-12-16.md exists
  CHECK(f.note == "fill in the title (bulletin check reports it as empty until then)");
  CHECK(check_with(fs, f) ==
        "content/articles/2020-12-16-2.md:2:8: error: the title is empty\n"
        "    title: \"\"   # 必填：文章标题\n"
        "           ^\n");
}

TEST_CASE("dates can be written in ISO form", "[scaffold]") {
  MemoryFileSystem fs = project_files();
  ScaffoldRequest r = request(ScaffoldKind::Article);
  r.iso_date = true;
  r.slug = "x";
  CHECK(scaffold(fs, "p", config_of(fs), r).text.find("\ndate: 2020-12-16\n") != std::string::npos);
}

TEST_CASE("a notice given its issuing code takes the next document number of the year", "[scaffold]") {
  MemoryFileSystem fs = project_files();
  ScaffoldRequest r = request(ScaffoldKind::Notice);
  r.code = "校党委发";
  r.title = "关于某事的通知";
  ScaffoldFile f = scaffold(fs, "p", config_of(fs), r);
  CHECK(f.path == "content/notices/2020-校党委发-52.md");
  CHECK(f.text.find("\ndoc_no: 校党委发〔2020〕52号\n") != std::string::npos);
  r.code.clear();
  r.doc_no = "校党委发2020年52号";
  CHECK(error_of(fs, r).starts_with("bulletin new: error: invalid --doc-no '校党委发2020年52号': "));
}

TEST_CASE("scaffolding never overwrites a file and rejects slugs that are not file names", "[scaffold]") {
  MemoryFileSystem fs = project_files();
  ScaffoldRequest r = request(ScaffoldKind::Issue);
  r.series = "jb";
  r.slug = "2020-06";
  CHECK(error_of(fs, r) ==
        "content/bulletins/jb/2020-06.md: error: already exists; bulletin new never overwrites a file "
        "(choose another --slug)");
  r = request(ScaffoldKind::Article);
  r.slug = "a/b";
  CHECK(error_of(fs, r) ==
        "bulletin new: error: invalid --slug 'a/b': use letters, digits, '-' or Chinese characters, without spaces, "
        "'/', '?', '#' or '%'");
}

TEST_CASE("a new rule is a commented skeleton named by its id", "[scaffold]") {
  MemoryFileSystem fs = project_files();
  CHECK(error_of(fs, request(ScaffoldKind::Rule)) ==
        "bulletin new: error: a rule needs an id, which is also its file name and URL segment: "
        "bulletin new rule --slug xxqg-units");
  ScaffoldRequest r = request(ScaffoldKind::Rule);
  r.slug = "units-monthly";
  r.title = "月度排名";
  ScaffoldFile f = scaffold(fs, "p", config_of(fs), r);
  CHECK(f.path == "data/rules/units-monthly.yaml");
  CHECK(f.text.find("\nid: units-monthly ") != std::string::npos);
  CHECK(f.text.find("\ntitle: \"月度排名\"\n") != std::string::npos);
  CHECK(YAML::Load(f.text)["metrics"].size() == 2);
}

TEST_CASE("bulletin new rule takes the ids the rule loader takes, no others", "[scaffold]") {
  MemoryFileSystem fs = project_files();
  for (std::string id : {"学习情况", "Units", "a b", ".hidden"}) {
    ScaffoldRequest r = request(ScaffoldKind::Rule);
    r.slug = id;
    INFO("id " << id);
    CHECK(error_of(fs, r) ==
          "bulletin new: error: invalid rule id '" + id + "': use only a-z, 0-9, '-' and '_' (it is a URL segment)");
    // The loader refuses the same id, with the same words.
    Diagnostics diags;
    parse_rule("data/rules/x.yaml",
               "id: \"" + id +
                   "\"\ntitle: t\nexports: e.json\nfields: {date: 日期, unit: 单位}\nentity: unit\n"
                   "period: month\nmetrics:\n  - {id: n, value: count()}\n",
               diags);
    REQUIRE(diags.items().size() == 1);
    CHECK(diags.items()[0].message == "rule id '" + id + "' must use only a-z, 0-9, '-' and '_' (it is a URL segment)");
  }
  ScaffoldRequest r = request(ScaffoldKind::Rule);
  r.slug = "units_2.monthly";
  ScaffoldFile f = scaffold(fs, "p", config_of(fs), r);
  Diagnostics diags;
  CHECK(parse_rule(f.path, f.text, diags));
  CHECK(diags.format_all() == "");
}
