// End-to-end tests of publishing (issue 5): frozen documents, corrections as
// visible versions, hand-edited snapshots, and ranking numbers that stay as
// published when exports change.
#include <catch2/catch.hpp>

#include "e2e.h"

using namespace e2e;

namespace {

// The sample project with nothing published yet.
void fresh_project(const fs::path& to) {
  copy_sample_project(to);
  fs::remove_all(to / "data/published");
}

const std::string kNotice = "content/notices/2020-shnu-51.md";
const std::string kNoticeUrl = "notices/校党委发/2020/51/";

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Rewrites an export so that every record of 中共复旦大学委员会 says all its
// members were active.
void make_fudan_fully_active(const fs::path& project, const std::string& file) {
  std::string out;
  for (const auto& line : split_lines(read_file(project / file))) {
    std::string l = line;
    if (contains(l, "中共复旦大学委员会")) {
      size_t m = l.find("\"学员总数\": ");
      size_t a = l.find("\"活跃学员数\": ");
      REQUIRE(m != std::string::npos);
      REQUIRE(a != std::string::npos);
      std::string members = l.substr(m + 15, l.find(',', m) - m - 15);
      l = l.substr(0, a + 18) + members + l.substr(l.find(',', a));
    }
    out += l + "\n";
  }
  write_file(project / file, out);
}

}  // namespace

TEST_CASE("publishing writes a reviewable snapshot and the page shows its version", "[e2e][publish]") {
  TempDir tmp;
  fs::path project = tmp / "project";
  fresh_project(project);
  RunResult pub = run_bulletin({"publish", kNotice, "--date", "2020-09-04"}, project);
  REQUIRE(pub.exit_code == 0);
  CHECK(pub.out == "published " + kNoticeUrl +
                       " as version 1 (2020年9月4日)\n"
                       "  wrote data/published/" +
                       kNoticeUrl +
                       "v1.yaml\n"
                       "commit data/published to keep the record; run `bulletin build` to update the site\n");
  std::string snapshot = read_file(project / ("data/published/" + kNoticeUrl + "v1.yaml"));
  CHECK(contains(snapshot, "version: 1\npublished: 2020-09-04\n"));
  CHECK(contains(snapshot, "  body: |\n    <p>经学校党委审议通过"));

  REQUIRE(run_bulletin({"build", ".", "-o", (tmp / "site").string()}, project).exit_code == 0);
  CHECK(contains(read_file(tmp / "site" / kNoticeUrl / "index.html"), "已发布 · 第 1 版 · 2020年9月4日"));

  RunResult again = run_bulletin({"publish", kNotice}, project);
  CHECK(again.exit_code == 0);
  CHECK(again.out == kNoticeUrl + " is already published as version 1, published on 2020年9月4日; nothing to do\n");
}

TEST_CASE("editing a published notice fails the build and leaves the site untouched", "[e2e][publish]") {
  TempDir tmp;
  fs::path project = tmp / "project";
  fresh_project(project);
  REQUIRE(run_bulletin({"publish", kNotice, "--date", "2020-09-04"}, project).exit_code == 0);
  fs::path site = tmp / "site";
  REQUIRE(run_bulletin({"build", ".", "-o", site.string()}, project).exit_code == 0);
  auto before = snapshot(site);

  replace_in_file(project / kNotice, "经学校党委审议通过", "经学校党委常委会审议通过");
  RunResult build = run_bulletin({"build", ".", "-o", site.string()}, project);
  CHECK(build.exit_code == 1);
  CHECK(without_progress(build.err) ==
        kNotice + ":1:1: error: '关于印发上海师范大学关于运用“学习强国” 学习平台加强理论学习的实施办法的通知' (" +
            kNoticeUrl +
            ") was published as version 1, published on 2020年9月4日 and its source has changed since. "
            "Published documents are frozen: to issue a correction, add `revision: 2` and `revision_note: <what was "
            "corrected>` to its front matter and run `bulletin publish " +
            kNotice +
            "`; otherwise restore the source as published\n"
            "build failed: 1 error; " +
            site.string() + " was not changed\n");
  CHECK(snapshot(site) == before);
  CHECK(run_bulletin({"check", "."}, project).exit_code == 1);
}

TEST_CASE("a declared revision publishes version 2 with history, the superseded version and the changes",
          "[e2e][publish]") {
  TempDir tmp;
  fs::path project = tmp / "project";
  fresh_project(project);
  REQUIRE(run_bulletin({"publish", kNotice, "--date", "2020-09-04"}, project).exit_code == 0);
  replace_in_file(project / kNotice, "经学校党委审议通过", "经学校党委常委会审议通过");
  replace_in_file(project / kNotice, "\ntitle:", "\nrevision: 2\nrevision_note: 更正审议机构\ntitle:");

  // Declared but not yet published: the build goes on and shows version 1.
  fs::path site = tmp / "site";
  RunResult pending = run_bulletin({"build", ".", "-o", site.string()}, project);
  REQUIRE(pending.exit_code == 0);
  CHECK(contains(pending.err, "warning: revision 2 is declared but not published yet"));
  CHECK(contains(read_file(site / kNoticeUrl / "index.html"), "经学校党委审议通过"));

  RunResult pub = run_bulletin({"publish", kNotice, "--date", "2020-09-10"}, project);
  REQUIRE(pub.exit_code == 0);
  CHECK(contains(pub.out, "published " + kNoticeUrl + " as version 2 (2020年9月10日)"));
  REQUIRE(run_bulletin({"build", ".", "-o", site.string()}, project).exit_code == 0);

  std::string latest = read_file(site / kNoticeUrl / "index.html");
  CHECK(contains(latest, "经学校党委常委会审议通过"));
  CHECK(contains(latest, "修订记录"));
  CHECK(contains(latest, "第 2 版</a> <span class=\"meta\">2020年9月10日</span> 更正审议机构"));
  CHECK(contains(latest, "第 1 版</a> <span class=\"meta\">2020年9月4日</span> 首次发布"));

  std::string v1 = read_file(site / kNoticeUrl / "v1/index.html");
  CHECK(contains(v1, "本页为第 1 版，已被第 2 版取代。"));
  CHECK(contains(v1, "经学校党委审议通过"));

  std::string changes = read_file(site / kNoticeUrl / "changes/v1-v2/index.html");
  CHECK(contains(changes, "<li class=\"removed\"><del>经学校党委审议通过"));
  CHECK(contains(changes, "<li class=\"added\"><ins>经学校党委常委会审议通过"));
  CHECK(contains(changes, "共 2 处段落变化"));
}

TEST_CASE("check reports a snapshot edited by hand", "[e2e][publish]") {
  TempDir tmp;
  fs::path project = tmp / "project";
  fresh_project(project);
  REQUIRE(run_bulletin({"publish", kNotice, "--date", "2020-09-04"}, project).exit_code == 0);
  std::string path = "data/published/" + kNoticeUrl + "v1.yaml";
  replace_in_file(project / path, "特此通知。", "特此通知！");
  RunResult check = run_bulletin({"check", "."}, project);
  CHECK(check.exit_code == 1);
  CHECK(check.err == path +
                         ": error: this snapshot of a published document does not match its digest: it was edited by "
                         "hand. Restore it (git checkout -- " +
                         path +
                         "); to correct a published document, declare `revision:` in its source and run `bulletin "
                         "publish`\ncheck failed: 1 error, 0 warnings\n");
}

TEST_CASE("a changed export leaves a published ranking as published and recomputes the others", "[e2e][publish]") {
  TempDir tmp;
  fs::path project = tmp / "project";
  fresh_project(project);
  REQUIRE(run_bulletin({"publish", "rankings/xxqg-units/2020-11", "--date", "2020-12-16"}, project).exit_code == 0);
  fs::path site = tmp / "site";
  REQUIRE(run_bulletin({"build", ".", "-o", site.string()}, project).exit_code == 0);
  std::string nov_json = read_file(site / "rankings/xxqg-units/2020-11/index.json");
  std::string nov_csv = read_file(site / "rankings/xxqg-units/2020-11/index.csv");
  std::string dec_json = read_file(site / "rankings/xxqg-units/2020-12/index.json");
  std::string issue = read_file(site / "bulletins/jiaowei/2020/6/index.html");

  // Every record of 复旦 becomes fully active, in November and in December.
  make_fudan_fully_active(project, "data/exports/units-2020-11.json");
  make_fudan_fully_active(project, "data/exports/units-2020-12.json");
  REQUIRE(run_bulletin({"build", ".", "-o", site.string()}, project).exit_code == 0);
  CHECK(read_file(site / "rankings/xxqg-units/2020-11/index.json") == nov_json);
  CHECK(read_file(site / "rankings/xxqg-units/2020-11/index.csv") == nov_csv);
  CHECK(read_file(site / "bulletins/jiaowei/2020/6/index.html") == issue);  // the embedded table too
  std::string dec = read_file(site / "rankings/xxqg-units/2020-12/index.json");
  CHECK(dec != dec_json);
  CHECK(contains(dec, "\"text\": \"100.00%\""));
}

TEST_CASE("an entity's history shows a published period as published", "[e2e][publish]") {
  TempDir tmp;
  fs::path project = tmp / "project";
  fresh_project(project);
  REQUIRE(run_bulletin({"publish", "rankings/xxqg-units/2020-11", "--date", "2020-12-16"}, project).exit_code == 0);
  make_fudan_fully_active(project, "data/exports/units-2020-11.json");
  fs::path site = tmp / "site";
  REQUIRE(run_bulletin({"build", ".", "-o", site.string()}, project).exit_code == 0);
  std::string history = read_file(site / "rankings/xxqg-units/entities/中共复旦大学委员会/index.html");
  CHECK(contains(history, "2020年11月</a></td><td class=\"num\">44 / 44</td><td class=\"num\">26.19%</td>"));
}

TEST_CASE("an unchanged export that feeds only published periods is not read again, with the same site",
          "[e2e][publish]") {
  TempDir tmp;
  fs::path project = tmp / "project";
  fresh_project(project);
  REQUIRE(run_bulletin({"publish", "rankings/xxqg-units/2020-11", "--date", "2020-12-16"}, project).exit_code == 0);
  RunResult reused = run_bulletin({"build", ".", "-o", (tmp / "reused").string()}, project);
  REQUIRE(reused.exit_code == 0);
  CHECK(contains(reused.out,
                 "xxqg-units: 1 export file(s) not read again: unchanged, and their periods are published\n"));

  // The same records, written differently: the file must be read again, and
  // the site must come out the same.
  std::string file = "data/exports/units-2020-11.json";
  write_file(project / file, read_file(project / file) + "\n");
  RunResult read = run_bulletin({"build", ".", "-o", (tmp / "read").string()}, project);
  REQUIRE(read.exit_code == 0);
  CHECK_FALSE(contains(read.out, "not read again"));
  CHECK(snapshot(tmp / "reused") == snapshot(tmp / "read"));
}

TEST_CASE("a moved published notice keeps the files attached to its old versions", "[e2e][publish]") {
  TempDir tmp;
  fs::path project = tmp / "project";
  fresh_project(project);
  write_file(project / "content/notices/2020-shnu-51/名单.csv", "单位,人数\n甲,3\n");
  replace_in_file(project / kNotice, "enclosure: enclosure.md\n",
                  "enclosure: enclosure.md\nattachments:\n  - {title: 名单, file: 名单.csv}\n");
  REQUIRE(run_bulletin({"publish", kNotice, "--date", "2020-09-04"}, project).exit_code == 0);
  // The office gives the notice another number: the source now has another identity.
  replace_in_file(project / kNotice, "校党委发〔2020〕51号", "校党委发〔2020〕52号");
  fs::path site = tmp / "site";
  RunResult build = run_bulletin({"build", ".", "-o", site.string()}, project);
  REQUIRE(build.exit_code == 0);

  CHECK(contains(read_file(site / kNoticeUrl / "index.html"), "notices/校党委发/2020/52/"));
  std::string v1 = read_file(site / kNoticeUrl / "v1/index.html");
  CHECK(contains(v1, kNoticeUrl + "v1/名单.csv\">名单</a>"));
  REQUIRE(fs::is_regular_file(site / kNoticeUrl / "v1/名单.csv"));
  CHECK(read_file(site / kNoticeUrl / "v1/名单.csv") == "单位,人数\n甲,3\n");
}

TEST_CASE("a published notice's feed entry has its summary", "[e2e][publish]") {
  TempDir tmp;
  fs::path project = tmp / "project";
  fresh_project(project);
  REQUIRE(run_bulletin({"publish", kNotice, "--date", "2020-09-04"}, project).exit_code == 0);
  fs::path site = tmp / "site";
  REQUIRE(run_bulletin({"build", ".", "-o", site.string()}, project).exit_code == 0);
  std::string feed = read_file(site / "feed.xml");
  size_t at = feed.find(kNoticeUrl + "\"/>");  // the entry's link
  REQUIRE(at != std::string::npos);
  std::string entry = feed.substr(at, feed.find("</entry>", at) - at);
  CHECK(contains(entry,
                 "<summary>经学校党委审议通过，现将《上海师范大学关于运用“学习强国”学习平台加强理论学习的实施办法》"
                 "印发给你们，请认真执行。特此通知。</summary>"));
}
