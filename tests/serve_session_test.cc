// A `bulletin serve` session on a copy of the sample project: after each
// edit (an article edited, added, renamed, removed; a template, an export, a
// rule and bulletin.yaml edited; a broken article and its fix), once serve
// has reloaded, its site is byte for byte the site a fresh `bulletin build`
// makes of the same files in a new folder, with no cache.
#include "serve_e2e.h"

using namespace e2e;

namespace {

// `bulletin serve` on tmp/project, with its status and build counter.
struct Session : ServeProcess {
  // /__bulletin/status's body.
  std::string status() const {
    std::string r = http_get(port, "/__bulletin/status");
    size_t body = r.find("\r\n\r\n");
    return body == std::string::npos ? "" : r.substr(body + 4);
  }
  // Waits until serve reports build `n` (or, with `or_failure`, a failed
  // rebuild); returns the status.
  std::string wait_for_build(int n, bool or_failure = true) const {
    std::string want = "\"build\":" + std::to_string(n) + ",";
    for (int i = 0; i < 600; ++i) {  // at most 60 s
      std::string s = status();
      if (s.find(want) != std::string::npos || (or_failure && s.find("\"ok\":false") != std::string::npos))
        return s;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return status();
  }
};

// The site a fresh build makes of the project's sources, copied to a new
// folder with no .bulletin-cache.
std::map<std::string, std::string> fresh_site(const fs::path& project) {
  TempDir fresh;
  fs::path copy = fresh / "project";
  fs::create_directories(copy);
  fs::copy_file(project / "bulletin.yaml", copy / "bulletin.yaml");
  for (const char* dir : {"content", "data", "templates"})
    if (fs::exists(project / dir)) copy_tree(project / dir, copy / dir);
  RunResult r = run_bulletin({"build", copy.string(), "-o", (fresh / "site").string()}, fresh.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto files = snapshot(fresh / "site");
  files.erase(".bulletin-site");  // the build's manifest: serve keeps its own in memory
  return files;
}

// Every file that differs, is missing or is extra, by name.
std::string differences(const std::map<std::string, std::string>& served,
                        const std::map<std::string, std::string>& fresh) {
  std::string out;
  for (const auto& [rel, bytes] : fresh) {
    auto it = served.find(rel);
    if (it == served.end()) {
      out += "missing from serve's site: " + rel + "\n";
    } else if (it->second != bytes) {
      out += "differs: " + rel + "\n";
    }
  }
  for (const auto& [rel, _] : served)
    if (!fresh.count(rel)) out += "only in serve's site: " + rel + "\n";
  return out;
}

}  // namespace

TEST_CASE("after every edit, serve's site is what a fresh build makes of the same files", "[e2e][serve]") {
  Session s;
  int build = 1;
  REQUIRE(s.wait_for_build(build).find("\"ok\":true") != std::string::npos);
  fs::path site = s.site();
  REQUIRE(fs::exists(site / "index.html"));
  CHECK(differences(snapshot(site), fresh_site(s.project)) == "");

  const fs::path article = s.project / "content/articles/sues-four-forces.md";
  const std::string added_text =
      "---\ntitle: \"新增的一篇\"\nunit: 上海工程技术大学\ndate: 2020-12-20\ntags: [\"经验交流\"]\n---\n新增文章的正文。\n";
  struct Step {
    const char* what;
    std::function<void()> edit;
  };
  std::vector<Step> steps = {
      {"an article's body edited", [&] { write_file(article, read_file(article) + "\n新的一段。\n"); }},
      {"an article's title edited",
       [&] { replace_in_file(article, "title: \"聚焦", "title: \"再次聚焦"); }},
      {"an article added", [&] { write_file(s.project / "content/articles/added-one.md", added_text); }},
      {"an article renamed",
       [&] {
         fs::rename(s.project / "content/articles/added-one.md", s.project / "content/articles/renamed-one.md");
       }},
      {"an article removed", [&] { fs::remove(s.project / "content/articles/renamed-one.md"); }},
      {"the article template edited",
       [&] {
         fs::path t = s.project / "templates/article.mustache";
         write_file(t, read_file(t) + "\n<!-- edited while serving -->\n");
       }},
      {"an export edited",
       [&] {
         replace_in_file(s.project / "data/exports/shnu-units-2020-11.jsonl", "\"积分合计\": 2618}",
                         "\"积分合计\": 2619}");
       }},
      {"a rule edited",
       [&] {
         replace_in_file(s.project / "data/rules/shnu-units-weekly.yaml", "title: 上海师范大学二级单位",
                         "title: 上海师范大学各二级单位");
       }},
      {"bulletin.yaml edited", [&] { replace_in_file(s.project / "bulletin.yaml", "title: 学习强国工作简报", "title: 学习强国工作简报（预览）"); }},
  };
  for (const auto& step : steps) {
    INFO(step.what);
    step.edit();
    ++build;
    std::string st = s.wait_for_build(build);
    INFO(st);
    INFO(read_file(s.tmp / "err"));
    REQUIRE(st.find("\"build\":" + std::to_string(build) + ",") != std::string::npos);
    REQUIRE(st.find("\"ok\":true") != std::string::npos);
    CHECK(differences(snapshot(site), fresh_site(s.project)) == "");
  }

  // A broken article: the last good site stays, and the fix brings the site a fresh build makes.
  auto before = snapshot(site);
  replace_in_file(article, "title: \"再次聚焦", "title: [\"再次聚焦");
  std::string failed = s.wait_for_build(build + 1);
  INFO(failed);
  REQUIRE(failed.find("\"ok\":false") != std::string::npos);
  CHECK(failed.find("\"errors\":\"content/articles/sues-four-forces.md:3:1: error: invalid YAML in front matter: a "
                    "list opened with '[' is never closed with ']'\\n    unit: 上海工程技术大学\\n    ^\\n\"") !=
        std::string::npos);
  CHECK(snapshot(site) == before);
  replace_in_file(article, "title: [\"再次聚焦", "title: \"又一次聚焦");
  ++build;
  std::string fixed = s.wait_for_build(build, /*or_failure=*/false);
  REQUIRE(fixed.find("\"build\":" + std::to_string(build) + ",") != std::string::npos);
  REQUIRE(fixed.find("\"ok\":true") != std::string::npos);
  CHECK(differences(snapshot(site), fresh_site(s.project)) == "");
}
