// Hostile inputs, end to end: projects, flags and files written to make
// bulletin write or read outside what it owns, or crash. Each case runs the
// real binary on a copy of the sample project (already built into site/) and
// checks the exit status, the whole message, and that site/, content/ and
// data/ are byte for byte as before (symlinks compared as links).
//
// The HTTP side of `serve` is in serve_hostile_test.cc.
#include <unistd.h>
#include <catch2/catch.hpp>

#include "e2e.h"

using namespace e2e;

namespace {

// Every entry under `root`: regular files by their bytes, symlinks by their
// target (never followed, so a loop or a link out of the project is fine).
void walk(const fs::path& root, const fs::path& dir, std::map<std::string, std::string>& out) {
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string rel = e.path().lexically_relative(root).generic_string();
    auto st = e.symlink_status();
    if (fs::is_symlink(st)) {
      out[rel] = "-> " + fs::read_symlink(e.path()).string();
    } else if (fs::is_directory(st)) {
      out[rel + "/"] = "";
      walk(root, e.path(), out);
    } else if (fs::is_regular_file(st)) {
      out[rel] = read_file(e.path());
    }
  }
}

std::map<std::string, std::string> tree(const fs::path& root) {
  std::map<std::string, std::string> out;
  if (fs::is_directory(fs::symlink_status(root))) walk(root, root, out);
  return out;
}

// A copy of the sample project with its site built, ready to be made hostile.
struct Project {
  TempDir tmp;
  fs::path dir = tmp / "project";
  Project() {
    copy_sample_project(dir);
    copy_tree(sample_site(), dir / "site");
  }
  fs::path operator/(const std::string& rel) const { return dir / rel; }
  std::map<std::string, std::string> state() const {
    std::map<std::string, std::string> all;
    for (const char* sub : {"site", "content", "data"})
      for (auto& [rel, bytes] : tree(dir / sub)) all[std::string(sub) + "/" + rel] = bytes;
    return all;
  }
  // Runs bulletin in the project folder; checks status, the whole stderr, and
  // that nothing bulletin owns or reads changed.
  RunResult expect(const std::vector<std::string>& args, int exit_code, const std::string& err) const {
    auto before = state();
    RunResult r = run_bulletin(args, dir);
    CHECK(r.exit_code == exit_code);
    CHECK(without_progress(r.err) == err);
    CHECK((state() == before));
    return r;
  }
};

// A notice of its own (not published), so a case changes nothing else.
void add_notice(const Project& p, const std::string& front_matter) {
  write_file(
      p / "content/notices/2021-hostile.md",
      "---\nissuer: 上海工程技术大学\ntitle: 关于测试的通知\ndate: 2021-03-01\n" + front_matter + "---\n正文。\n");
}

const std::string kBuildFailed1 = "build failed: 1 error; site was not changed\n";

}  // namespace

TEST_CASE("an issuer code that climbs out of the site is an error at the 发文字号", "[hostile]") {
  Project p;
  add_notice(p, "doc_no: \"../../x〔2021〕1号\"\n");
  p.expect({"build"}, 1,
           "content/notices/2021-hostile.md:5:9: error: the 机关代字 '../../x' of document number "
           "'../../x〔2021〕1号' becomes part of the notice's URL and contains '/'\n"
           "    doc_no: \"../../x〔2021〕1号\"\n"
           "            ^\n" +
               kBuildFailed1);
  CHECK_FALSE(fs::exists(p.tmp / "x"));
  p.expect({"publish", "content/notices/2021-hostile.md"}, 1,
           "content/notices/2021-hostile.md:5:9: error: the 机关代字 '../../x' of document number "
           "'../../x〔2021〕1号' becomes part of the notice's URL and contains '/'\n"
           "    doc_no: \"../../x〔2021〕1号\"\n"
           "            ^\n"
           "publish failed: fix the 1 error above first; nothing was published\n");
}

TEST_CASE("a 序号 past any int is an error, not an abort", "[hostile]") {
  Project p;
  add_notice(p, "doc_no: 校党委发〔2020〕2147483648号\n");
  p.expect({"check"}, 1,
           "content/notices/2021-hostile.md:5:9: error: document number '校党委发〔2020〕2147483648号' has a 序号 "
           "larger than 999999 (机关代字〔年份〕序号号)\n"
           "    doc_no: 校党委发〔2020〕2147483648号\n"
           "            ^\n"
           "check failed: 1 error, 0 warnings\n");
}

TEST_CASE("new notice --code cannot write outside the project", "[hostile]") {
  Project p;
  p.expect({"new", "notice", "--code", "../../x", "--title", "通知"}, 1,
           "bulletin new: error: invalid --code '../../x': the 机关代字 becomes part of the notice's URL and "
           "contains '/'\n");
  CHECK_FALSE(fs::exists(p.tmp / "x"));
}

TEST_CASE("attachments that name files outside the notice's folder are errors", "[hostile]") {
  Project p;
  add_notice(p, "attachments:\n  - title: 密码\n    file: ../../../../etc/passwd\n");
  p.expect({"build"}, 1,
           "content/notices/2021-hostile.md:7:11: error: attachment file '../../../../etc/passwd' goes up out of "
           "the notice's folder ('..'); name a file inside content/notices/2021-hostile\n"
           "        file: ../../../../etc/passwd\n"
           "              ^\n" +
               kBuildFailed1);
  add_notice(p, "attachments:\n  - page: ../../x.md\n");
  p.expect({"check"}, 1,
           "content/notices/2021-hostile.md:6:11: error: attachment page '../../x.md' goes up out of the "
           "notice's folder ('..'); name a file inside content/notices/2021-hostile\n"
           "      - page: ../../x.md\n"
           "              ^\n"
           "check failed: 1 error, 0 warnings\n");
  add_notice(p, "enclosure: /etc/passwd\n");
  p.expect({"check"}, 1,
           "content/notices/2021-hostile.md:5:12: error: enclosure '/etc/passwd' has a part '' that is empty; "
           "name a file inside content/notices/2021-hostile\n"
           "    enclosure: /etc/passwd\n"
           "               ^\n"
           "check failed: 1 error, 0 warnings\n");
}

TEST_CASE("an attachment that is a symlink out of the project is an error and is not copied", "[hostile]") {
  Project p;
  add_notice(p, "attachments: [passwd.txt]\n");
  fs::create_directories(p / "content/notices/2021-hostile");
  fs::create_symlink("/etc/passwd", p / "content/notices/2021-hostile/passwd.txt");
  p.expect({"build"}, 1,
           "content/notices/2021-hostile.md:5:15: error: attachment file 'passwd.txt' is a symlink to "
           "/etc/passwd, outside the project folder; bulletin reads only files inside the project\n"
           "    attachments: [passwd.txt]\n"
           "                  ^\n" +
               kBuildFailed1);
}

TEST_CASE("templates and assets that lead out of the project are errors", "[hostile]") {
  Project p;
  fs::create_symlink("/etc/passwd", p / "templates/assets/passwd.css");
  fs::create_symlink("/etc/hostname", p / "templates/partials/host.mustache");
  p.expect({"build"}, 1,
           "templates/assets/passwd.css: error: is a symlink to /etc/passwd, outside the project folder; "
           "bulletin reads only files inside the project\n"
           "templates/partials/host.mustache: error: is a symlink to /etc/hostname, outside the project "
           "folder; bulletin reads only files inside the project\n"
           "build failed: 2 errors; site was not changed\n");
}

TEST_CASE("a symlink loop under content/ is a located error, not an abort", "[hostile]") {
  Project p;
  fs::create_directory_symlink("..", p / "content/articles/loop");
  fs::create_symlink("self", p / "content/articles/self");
  fs::create_symlink("nowhere.md", p / "content/articles/broken.md");
  p.expect({"check"}, 1,
           "content/articles/broken.md: error: is a symlink to a file that does not exist\n"
           "content/articles/loop: error: is a symlink loop (it leads back to a folder that contains it)\n"
           "content/articles/self: error: is a symlink loop\n"
           "check failed: 3 errors, 0 warnings\n");
}

TEST_CASE("text that is not UTF-8 is an error at its first bad byte", "[hostile]") {
  Project p;
  write_file(p / "content/articles/gbk.md", "---\ntitle: \xB1\xEA\xCC\xE2\nunit: 某校\ndate: 2021-01-01\n---\n正文\n");
  p.expect({"check"}, 1,
           "content/articles/gbk.md:2:8: error: byte 0xB1 is not valid UTF-8; save the file as UTF-8 (not GBK "
           "or another encoding)\n"
           "    title: \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\n"
           "           ^\n"
           "check failed: 1 error, 0 warnings\n");
}

TEST_CASE("NUL bytes and control characters in front matter are errors", "[hostile]") {
  Project p;
  write_file(p / "content/articles/nul.md", std::string("---\ntitle: a\0b\nunit: 某校\ndate: 2021-01-01\n---\n", 45));
  write_file(p / "content/articles/esc.md", "---\ntitle: \"标题\\x1b[31m\"\nunit: 某校\ndate: 2021-01-01\n---\n");
  p.expect({"check"}, 1,
           "content/articles/esc.md:2:8: error: the value holds the control character U+001B; front matter "
           "values are plain text (tabs and line breaks only)\n"
           "    title: \"标题\\x1b[31m\"\n"
           "           ^\n"
           "content/articles/nul.md:2:9: error: a NUL byte: bulletin reads text files, and this one is not text\n"
           "    title: a\xEF\xBF\xBD"
           "b\n"
           "            ^\n"
           "check failed: 2 errors, 0 warnings\n");
}

TEST_CASE("a rule file that is not UTF-8 is an error, not an abort", "[hostile]") {
  Project p;
  replace_in_file(p / "data/rules/xxqg-units.yaml", "title: ", "title: \xFF");
  p.expect({"check"}, 1,
           "content/bulletins/jiaowei/2020-06.md:12:21: error: no ranking rule 'xxqg-units' in data/rules\n"
           "        ranking: {rule: xxqg-units, period: 2020-11}\n"
           "                        ^\n"
           "data/rules/xxqg-units.yaml:2:8: error: byte 0xFF is not valid UTF-8; save the file as UTF-8 (not GBK "
           "or another encoding)\n"
           "    title: \xEF\xBF\xBD“学习强国”学习情况\n"
           "           ^\n"
           "check failed: 2 errors, 0 warnings\n");
}

TEST_CASE("a published snapshot that is not UTF-8 or names files outside is an error", "[hostile]") {
  Project p;
  fs::path snap = p / "data/published/notices/桂纺校党字/2020/58/v1.yaml";
  replace_in_file(snap, "url: \"", "url: \"\xC3");
  RunResult r = run_bulletin({"check"}, p.dir);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("data/published/notices/桂纺校党字/2020/58/v1.yaml:") == 0);
  CHECK(r.err.find("is not valid UTF-8") != std::string::npos);
  replace_in_file(snap, "url: \"\xC3", "url: \"../../../");
  r = run_bulletin({"check"}, p.dir);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("error: snapshot url '../../../notices/桂纺校党字/2020/58/' has a segment that is '..'") !=
        std::string::npos);
}

TEST_CASE("slugs and series ids that are not URL segments are errors at their source", "[hostile]") {
  Project p;
  write_file(p / "content/articles/up.md", "---\ntitle: 标题\nunit: 某校\ndate: 2021-01-01\nslug: ../../../x\n---\n");
  p.expect({"check"}, 1,
           "content/articles/up.md:5:7: error: '../../../x' cannot be used in a URL: it contains '/'\n"
           "    slug: ../../../x\n"
           "          ^\n"
           "check failed: 1 error, 0 warnings\n");
}

TEST_CASE("two entities whose names map to one URL are one error naming both", "[hostile]") {
  Project p;
  replace_in_file(
      p / "data/exports/units-2020-12.json", "\"data\": [\n",
      "\"data\": [\n{\"日期\": \"2020-12-02\", \"单位\": \"甲 乙\", \"学员总数\": 10, \"活跃学员数\": 5, \"积分合计\": 100},\n"
      "{\"日期\": \"2020-12-02\", \"单位\": \"甲/乙\", \"学员总数\": 10, \"活跃学员数\": 5, \"积分合计\": 100},\n");
  p.expect({"check"}, 1,
           "data/rules/xxqg-units.yaml: error: entities '甲 乙' and '甲/乙' of the exports would share the history "
           "page rankings/xxqg-units/entities/甲-乙/; rename one of them in the exports\n"
           "check failed: 1 error, 0 warnings\n");
}
