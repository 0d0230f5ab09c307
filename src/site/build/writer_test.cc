#include "site/build/writer.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>

#include "site/build/spread_folders.h"
#include "util/cache_digest.h"
#include "util/diagnostics.h"
#include "util/sha256.h"

using namespace bulletin;
namespace fs = std::filesystem;

namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/bulletin-writer-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

// A site built by bulletin (so it carries the marker) holding one file.
void commit_site(const fs::path& site, const std::string& rel, const std::string& bytes) {
  StagedSiteWriter out(site.string());
  out.write(rel, bytes);
  out.commit();
}
}  // namespace

TEST_CASE("a committed build replaces the old site as a whole", "[writer]") {
  TempDir tmp;
  fs::path site = tmp.path / "site";
  {  // the old site, built by bulletin (it carries the marker)
    StagedSiteWriter out(site.string());
    out.write("old/index.html", "old");
    out.commit();
  }
  {
    StagedSiteWriter out(site.string());
    out.write("index.html", "新");
    out.write("articles/a/index.html", "文章");
    out.commit();
    CHECK(out.pages() == 2);
  }
  CHECK(slurp(site / "index.html") == "新");
  CHECK(slurp(site / "articles/a/index.html") == "文章");
  CHECK_FALSE(fs::exists(site / "old"));
  CHECK(tmp.entries() == std::vector<std::string>{"site"});  // no staging folder left
}

TEST_CASE("a build that fails before commit leaves the old site exactly as it was", "[writer]") {
  TempDir tmp;
  fs::path site = tmp.path / "site";
  commit_site(site, "index.html", "old");
  {
    StagedSiteWriter out(site.string());
    out.write("index.html", "half");
    // destroyed without commit, as when a later step throws
  }
  CHECK(slurp(site / "index.html") == "old");
  CHECK(tmp.entries() == std::vector<std::string>{"site"});
}

TEST_CASE("the first build creates the output folder", "[writer]") {
  TempDir tmp;
  fs::path site = tmp.path / "deep" / "site";
  StagedSiteWriter out(site.string());
  out.write("index.html", "x");
  out.commit();
  CHECK(slurp(site / "index.html") == "x");
}

TEST_CASE("two pages written to the same file is an error", "[writer]") {
  MemoryWriter out;
  out.write("a/index.html", "1");
  try {
    out.write("a/index.html", "2");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.diagnostic().format() == "a/index.html: error: two pages would be written to the same file a/index.html");
  }
}

TEST_CASE("the writer refuses site paths that could leave the site, with the reason", "[writer]") {
  const std::pair<std::string, std::string> cases[] = {
      {"", "site: error: refusing to write '' into the site: the path is empty"},
      {"/etc/passwd", "site: error: refusing to write '/etc/passwd' into the site: the path is absolute"},
      {"a/../../x", "site: error: refusing to write 'a/../../x' into the site: the path has a '..' segment"},
      {"..", "site: error: refusing to write '..' into the site: the path has a '..' segment"},
      {"a//b", "site: error: refusing to write 'a//b' into the site: the path has an empty segment"},
      {"a/", "site: error: refusing to write 'a/' into the site: the path has an empty segment"},
      {"./a", "site: error: refusing to write './a' into the site: the path has a '.' segment"},
      {"a\\..\\b", "site: error: refusing to write 'a\\..\\b' into the site: the path contains a backslash"},
      {std::string("a\0b", 3),
       "site: error: refusing to write 'a\\x00b' into the site: the path contains a control character"},
      {"a\nb", "site: error: refusing to write 'a\\x0ab' into the site: the path contains a control character"},
  };
  for (const auto& [rel, message] : cases) {
    INFO(rel);
    MemoryWriter out;
    try {
      out.write(rel, "x");
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.diagnostic().format() == message);
    }
    CHECK(out.files.empty());
  }
}

TEST_CASE("the staged writer refuses a bad path before writing anything", "[writer]") {
  TempDir tmp;
  fs::path site = tmp.path / "site";
  StagedSiteWriter out(site.string());
  try {
    out.copy("../outside.txt", "/etc/hostname");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.diagnostic().format() == site.string() +
                                         ": error: refusing to write '../outside.txt' into the site: "
                                         "the path has a '..' segment");
  }
  CHECK_FALSE(fs::exists(tmp.path / "outside.txt"));
}

TEST_CASE("a symlink in the old site is replaced, never written through", "[writer]") {
  TempDir tmp;
  fs::path site = tmp.path / "site", victim = tmp.path / "victim";
  fs::create_directories(victim);
  {
    StagedSiteWriter out(site.string());
    out.write("articles/a/index.html", "a");
    out.commit();
  }
  fs::remove_all(site / "articles");
  fs::create_directory_symlink(victim, site / "articles");
  {
    StagedSiteWriter out(site.string());
    out.write("articles/a/index.html", "new");
    out.commit();
  }
  CHECK(fs::is_empty(victim));
  CHECK_FALSE(fs::is_symlink(site / "articles"));
  CHECK(slurp(site / "articles/a/index.html") == "new");
}

TEST_CASE("a file whose inputs did not change is kept: same inode, same mtime", "[writer]") {
  TempDir tmp;
  fs::path site = tmp.path / "site";
  {
    StagedSiteWriter out(site.string());
    out.write_made_from("a/index.html", "A", "digest-a");
    out.write_made_from("b/index.html", "B", "digest-b");
    out.write("gone.xml", "G");
    out.commit();
  }
  struct stat before {};
  REQUIRE(::stat((site / "a/index.html").c_str(), &before) == 0);
  {
    StagedSiteWriter out(site.string());
    CHECK(out.keep("a/index.html", "digest-a"));
    CHECK_FALSE(out.keep("b/index.html", "digest-b2"));
    out.write_made_from("b/index.html", "B2", "digest-b2");
    out.commit();
    CHECK(out.kept() == 1);
    CHECK(out.pages() == 2);
  }
  struct stat after {};
  REQUIRE(::stat((site / "a/index.html").c_str(), &after) == 0);
  CHECK(after.st_ino == before.st_ino);
  CHECK(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
  CHECK(after.st_mtim.tv_sec == before.st_mtim.tv_sec);
  CHECK(slurp(site / "b/index.html") == "B2");
  CHECK_FALSE(fs::exists(site / "gone.xml"));  // not produced any more: removed
  CHECK(tmp.entries() == std::vector<std::string>{"site"});
}

TEST_CASE("a file edited by hand after a build is made again", "[writer]") {
  TempDir tmp;
  fs::path site = tmp.path / "site";
  {
    StagedSiteWriter out(site.string());
    out.write_made_from("a/index.html", "A", "digest-a");
    out.commit();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::ofstream(site / "a/index.html") << "X";  // same size, later mtime
  StagedSiteWriter out(site.string());
  CHECK_FALSE(out.keep("a/index.html", "digest-a"));
}

TEST_CASE("a commit cut short is completed by the next build from its journal", "[writer]") {
  TempDir tmp;
  fs::path site = tmp.path / "site";
  {
    StagedSiteWriter out(site.string());
    out.write("a.txt", "old a");
    out.write("b.txt", "old b");
    out.commit();
  }
  // What a build killed in the middle of its commit leaves: the journal (the
  // new manifest), one file already moved in, one still staged.
  std::string manifest = slurp(site / ".bulletin-site");
  fs::path staging = tmp.path / ".site.staging-Kill09";
  fs::create_directories(staging / "site");
  std::ofstream(staging / ".bulletin-staging");
  std::ofstream(site / "a.txt", std::ios::trunc) << "new a";
  std::ofstream(staging / "site/b.txt") << "new b";
  std::string journal = "bulletin site 1\n" + sha256("new a") + "\t5\ta.txt\n" + sha256("new b") + "\t5\tb.txt\n";
  std::ofstream(staging / "journal") << journal;
  {
    StagedSiteWriter out(site.string());  // completes it, then stages its own build
    CHECK(slurp(site / "a.txt") == "new a");
    CHECK(slurp(site / "b.txt") == "new b");
    CHECK(slurp(site / ".bulletin-site") == journal);
    CHECK_FALSE(fs::exists(staging));
    out.write("a.txt", "new a");
    out.write("b.txt", "new b");
    out.commit();
    CHECK(out.kept() == 2);
  }
  CHECK(tmp.entries() == std::vector<std::string>{"site"});
}

TEST_CASE("the writer stages its files inside its own staging folder", "[writer]") {
  TempDir tmp;
  fs::path site = tmp.path / "site";
  StagedSiteWriter out(site.string());
  out.write("index.html", "x");
  CHECK(fs::path(out.staging_dir()).parent_path() == tmp.path);
  CHECK(fs::path(out.staging_dir()).filename().string().starts_with(".site.staging-"));
  CHECK(slurp(fs::path(out.staging_dir()) / "site/index.html") == "x");
  CHECK(fs::exists(fs::path(out.staging_dir()) / ".bulletin-staging"));
  CHECK_FALSE(fs::exists(site));
}

TEST_CASE("files and folders put into the site by hand are removed without walking it", "[writer]") {
  TempDir tmp;
  fs::path site = tmp.path / "site";
  {
    StagedSiteWriter out(site.string());
    out.write_made_from("a/x/index.html", "A", "digest-a");
    out.write_made_from("b/index.html", "B", "digest-b");
    out.write_made_from("c/index.html", "C", "digest-c");
    out.commit();
    // An in-place commit vouches for the site's stamps; a first build does not.
    CHECK_FALSE(out.site_stamps());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::ofstream(site / "a/x/stray.txt") << "by hand";  // in a folder of the site
  fs::create_directories(site / "new/deeper");
  std::ofstream(site / "new/deeper/file.txt") << "by hand";  // in a folder no build made
  // A folder replaced by a symlink to a copy elsewhere: nothing is kept through it.
  fs::create_directories(tmp.path / "elsewhere");
  fs::copy_file(site / "b/index.html", tmp.path / "elsewhere/index.html");
  fs::last_write_time(tmp.path / "elsewhere/index.html", fs::last_write_time(site / "b/index.html"));
  fs::remove_all(site / "b");
  fs::create_directory_symlink(tmp.path / "elsewhere", site / "b");
  {
    StagedSiteWriter out(site.string());
    CHECK(out.keep("a/x/index.html", "digest-a"));
    CHECK(out.keep("c/index.html", "digest-c"));
    CHECK_FALSE(out.keep("b/index.html", "digest-b"));
    out.write_made_from("b/index.html", "B", "digest-b");
    out.commit();
    CHECK_FALSE(out.site_stamps());  // strays were found: the record walks the site instead
  }
  CHECK_FALSE(fs::exists(site / "a/x/stray.txt"));
  CHECK_FALSE(fs::exists(site / "new"));
  CHECK_FALSE(fs::is_symlink(site / "b"));
  CHECK(slurp(site / "b/index.html") == "B");
  CHECK(slurp(tmp.path / "elsewhere/index.html") == "B");  // never written through the link
  // Nothing by hand this time: the writer's stamps are those of the files and folders as they are.
  StagedSiteWriter out(site.string());
  CHECK(out.keep("a/x/index.html", "digest-a"));
  CHECK(out.keep("b/index.html", "digest-b"));
  CHECK_FALSE(out.keep("c/index.html", "digest-c2"));
  out.write_made_from("c/index.html", "C2", "digest-c2");
  out.commit();
  auto stamps = out.site_stamps();
  REQUIRE(stamps);
  std::vector<std::string> listed;
  for (const auto& [rel, st] : *stamps) {
    listed.push_back(rel);
    struct stat now {};
    REQUIRE(::lstat((site / rel).c_str(), &now) == 0);
    INFO(rel);
    CHECK(now.st_ino == st.st_ino);
    CHECK(now.st_size == st.st_size);
    CHECK(now.st_mtim.tv_sec == st.st_mtim.tv_sec);
    CHECK(now.st_mtim.tv_nsec == st.st_mtim.tv_nsec);
  }
  std::vector<std::string> walked;
  for (const auto& e : fs::recursive_directory_iterator(site)) walked.push_back(fs::relative(e.path(), site).string());
  std::sort(listed.begin(), listed.end());
  std::sort(walked.begin(), walked.end());
  CHECK(listed == walked);
}

namespace {
ino_t inode_of(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 ? st.st_ino : 0;
}
std::vector<std::string> files_under(const fs::path& root) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), root).string());
  std::sort(out.begin(), out.end());
  return out;
}
void put(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}
}  // namespace

TEST_CASE("a folder made as a whole is kept without a look at its files, or replaced as a whole", "[writer]") {
  TempDir tmp;
  fs::path site = tmp.path / "site", src = tmp.path / "cache";
  put(src / "one/docs.json", "1");
  put(src / "one/b/0.json", "10");
  put(src / "two/docs.json", "2");
  put(src / "two/f/0.json", "20");
  put(src / "two2/docs.json", "2 again");
  {
    StagedSiteWriter out(site.string(), WriterOptions{{src.string()}});
    out.write("index.html", "home");
    out.copy_folder("search/data/one", (src / "one").string(), {"b/0.json", "docs.json"}, "search:d1");
    out.copy_folder("search/data/two", (src / "two").string(), {"docs.json", "f/0.json"}, "search:d2");
    CHECK(out.files() == 4);
    out.commit();
  }
  // One manifest entry for each folder, with its number of files.
  std::string manifest = slurp(site / ".bulletin-site");
  CHECK(manifest.find("search:d1\t2\tsearch/data/one/\n") != std::string::npos);
  CHECK(manifest.find("search/data/one/docs.json") == std::string::npos);
  CHECK(inode_of(site / "search/data/one/docs.json") == inode_of(src / "one/docs.json"));  // linked from the cache
  ino_t kept = inode_of(site / "search/data/one/b/0.json");
  {
    StagedSiteWriter out(site.string(), WriterOptions{{src.string()}});
    CHECK_FALSE(out.keep_folder("search/data/one", "search:other"));
    CHECK(out.keep_folder("search/data/one", "search:d1"));
    CHECK_FALSE(out.keep_folder("search/data/two", "search:d2b"));
    out.copy_folder("search/data/two", (src / "two2").string(), {"docs.json"}, "search:d2b");
    CHECK(out.keep("index.html", cache_digest("home")));
    CHECK(out.kept() == 3);  // the kept folder's two files and the page
    out.commit();
    // The record of the site stamps a kept folder by its folders, not its files.
    auto stamps = out.site_stamps();
    REQUIRE(stamps);
    std::vector<std::string> listed;
    for (const auto& [rel, st] : *stamps) listed.push_back(rel);
    std::sort(listed.begin(), listed.end());
    CHECK(listed == std::vector<std::string>{".bulletin-site", "index.html", "search", "search/data",
                                             "search/data/one", "search/data/one/b", "search/data/two"});
  }
  CHECK(inode_of(site / "search/data/one/b/0.json") == kept);
  CHECK(files_under(site / "search/data/two") == std::vector<std::string>{"docs.json"});  // f/0.json went with its folder
  CHECK(slurp(site / "search/data/two/docs.json") == "2 again");
  CHECK(tmp.entries() == std::vector<std::string>{"cache", "site"});

  // A file removed by hand changes its folder: the folder is not kept.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  fs::remove(site / "search/data/one/b/0.json");
  {
    StagedSiteWriter out(site.string(), WriterOptions{{src.string()}});
    CHECK_FALSE(out.keep_folder("search/data/one", "search:d1"));
    out.copy_folder("search/data/one", (src / "one").string(), {"b/0.json", "docs.json"}, "search:d1");
    out.write("index.html", "home");  // search/data/two is no longer made: removed
    out.commit();
  }
  CHECK(files_under(site) == std::vector<std::string>{".bulletin-site", "index.html", "search/data/one/b/0.json",
                                                      "search/data/one/docs.json"});
  CHECK(slurp(site / "search/data/one/b/0.json") == "10");
  // A folder made file by file before (an older manifest) becomes one entry.
  {
    StagedSiteWriter out(site.string(), WriterOptions{{src.string()}});
    out.write("index.html", "home");
    out.copy("search/data/one/docs.json", (src / "one/docs.json").string());
    out.commit();
  }
  {
    StagedSiteWriter out(site.string(), WriterOptions{{src.string()}});
    out.write("index.html", "home");
    CHECK_FALSE(out.keep_folder("search/data/one", "search:d1"));
    out.copy_folder("search/data/one", (src / "one").string(), {"b/0.json", "docs.json"}, "search:d1");
    out.commit();
  }
  CHECK(files_under(site / "search/data/one") == std::vector<std::string>{"b/0.json", "docs.json"});
}

TEST_CASE("a commit cut short while it replaced a folder is completed, and never brings the old folder back",
          "[writer]") {
  for (bool swapped : {false, true}) {
    INFO((swapped ? "killed after the folder was swapped in" : "killed before the folder was swapped in"));
    TempDir tmp;
    fs::path site = tmp.path / "site", src = tmp.path / "cache";
    put(src / "old/docs.json", "old");
    put(src / "old/b/0.json", "old bucket");
    {
      StagedSiteWriter out(site.string(), WriterOptions{{src.string()}});
      out.write("index.html", "home");
      out.copy_folder("search/data/s", (src / "old").string(), {"b/0.json", "docs.json"}, "search:old");
      out.commit();
    }
    // What a build killed in its commit leaves: the staged folder, its inode
    // in the folder list, the journal (the new manifest).
    fs::path staging = tmp.path / ".site.staging-Kill10";
    put(staging / "site/search/data/s/docs.json", "new");
    std::ofstream(staging / ".bulletin-staging");
    std::string manifest = slurp(site / ".bulletin-site");
    std::string journal = manifest;
    journal.replace(journal.find("search:old\t2"), 12, "search:new\t1");
    ino_t ino = inode_of(staging / "site/search/data/s");
    std::ofstream(staging / "folders") << ino << "\tsearch/data/s\n";
    std::ofstream(staging / "journal") << journal;
    if (swapped)  // the old folder now where the staged one was
      REQUIRE(renameat2(AT_FDCWD, (staging / "site/search/data/s").c_str(), AT_FDCWD,
                        (site / "search/data/s").c_str(), RENAME_EXCHANGE) == 0);
    StagedSiteWriter out(site.string());  // completes it
    CHECK(inode_of(site / "search/data/s") == ino);
    CHECK(files_under(site / "search/data/s") == std::vector<std::string>{"docs.json"});
    CHECK(slurp(site / "search/data/s/docs.json") == "new");
    CHECK(slurp(site / ".bulletin-site") == journal);
    CHECK_FALSE(fs::exists(staging));
    CHECK(out.keep_folder("search/data/s", "search:new"));
  }
}

namespace {
// Every file below `root` (site-relative path → bytes).
std::map<std::string, std::string> site_files(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) out[fs::relative(e.path(), root).string()] = slurp(e.path());
  return out;
}
bool top_flag(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  bool set = has_top_folder_flag(fd);
  ::close(fd);
  return set;
}
void write_sample_site(const fs::path& site, bool spread) {
  WriterOptions options;
  options.spread_folders = spread;
  StagedSiteWriter out(site.string(), options);
  out.write("index.html", "首页");
  for (int i = 0; i < 50; ++i) out.write("articles/" + std::to_string(i) + "/index.html", "文章 " + std::to_string(i));
  out.write("articles/2024/page/2/index.html", "列表");
  out.write("notices/n1/index.html", "公文");
  out.write("feed.xml", "<feed/>");
  out.commit();
}
}  // namespace

TEST_CASE("the site's root and its top folders carry ext4's top-folder flag, and the files are the same without it",
          "[writer]") {
  TempDir tmp;  // on /tmp, ext4 on the build machine
  {
    fs::create_directory(tmp.path / "probe");
    int fd = ::open((tmp.path / "probe").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    bool supported = mark_top_folder(fd);
    ::close(fd);
    if (!supported) {
      WARN("skipped: the file system of " << tmp.path << " has no FS_TOPDIR_FL (not ext2/3/4)");
      return;
    }
  }
  fs::path spread = tmp.path / "spread", plain = tmp.path / "plain";
  write_sample_site(spread, true);
  write_sample_site(plain, false);
  CHECK(top_flag(spread));
  CHECK(top_flag(spread / "articles"));
  CHECK(top_flag(spread / "notices"));
  CHECK_FALSE(top_flag(spread / "articles/7"));  // only the folders that hold the page folders
  CHECK_FALSE(top_flag(spread / "articles/2024"));
  CHECK_FALSE(top_flag(plain));
  CHECK_FALSE(top_flag(plain / "articles"));
  auto with = site_files(spread), without = site_files(plain);
  CHECK(with.size() == 55);  // 54 pages and the manifest
  CHECK(with == without);

}

TEST_CASE("where the file system has no top-folder flag (tmpfs), the writer builds the site all the same",
          "[writer]") {
  if (!fs::is_directory("/dev/shm")) {
    WARN("skipped: no /dev/shm");
    return;
  }
  char tmpl[] = "/dev/shm/bulletin-writer-XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  fs::path dir = tmpl;
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  bool supported = mark_top_folder(fd);
  ::close(fd);
  if (supported) {
    fs::remove_all(dir);
    WARN("skipped: /dev/shm has FS_TOPDIR_FL here");
    return;
  }
  write_sample_site(dir / "site", true);
  CHECK(site_files(dir / "site").size() == 55);
  CHECK(slurp(dir / "site/notices/n1/index.html") == "公文");
  fs::remove_all(dir);
}

namespace {
// Every entry below `root`, folders with a trailing '/' (sorted).
std::vector<std::string> entries_under(const fs::path& root) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    out.push_back(fs::relative(e.path(), root).string() + (e.is_directory() && !e.is_symlink() ? "/" : ""));
  std::sort(out.begin(), out.end());
  return out;
}
// The old site of the in-place tests: a kept page, a page to change, a file to drop.
void write_old_site(const fs::path& site) {
  StagedSiteWriter out(site.string());
  out.write_made_from("articles/kept/index.html", "kept", "d-kept");
  out.write_made_from("articles/changed/index.html", "old page", "d-old");
  out.write("articles/index.html", "old list");
  out.write("gone/old/index.html", "gone");
  out.commit();
}
// The in-place build over it: one page kept, two changed, two in folders the
// old site does not have (a new article's `articles/<slug>/`, deeper ones).
void write_new_site(StagedSiteWriter& out, const fs::path& asset) {
  CHECK(out.keep("articles/kept/index.html", "d-kept"));
  out.write_made_from("articles/changed/index.html", "new page", "d-new");
  out.write("articles/index.html", "new list");
  out.write_made_from("articles/新文章/index.html", "新", "d-added");
  out.copy("assets/img/2024/photo.txt", asset.string());
}
const std::map<std::string, std::string> kNewSite = {{"articles/kept/index.html", "kept"},
                                                     {"articles/changed/index.html", "new page"},
                                                     {"articles/index.html", "new list"},
                                                     {"articles/新文章/index.html", "新"},
                                                     {"assets/img/2024/photo.txt", "photo"}};
std::map<std::string, std::string> site_pages(const fs::path& site) {
  auto files = site_files(site);
  files.erase(".bulletin-site");
  return files;
}
}  // namespace

TEST_CASE("an in-place build stages its files flat, with no folder per page", "[writer]") {
  TempDir tmp;
  fs::path site = tmp.path / "site";
  put(tmp.path / "photo.txt", "photo");
  write_old_site(site);
  ino_t articles = inode_of(site / "articles"), changed = inode_of(site / "articles/changed");
  StagedSiteWriter out(site.string());
  write_new_site(out, tmp.path / "photo.txt");
  // Before the commit: the staged files side by side in files/, under names
  // the journal's paths give; no folder made for any of them.
  fs::path staging = out.staging_dir();
  std::string flat;  // files-XXXXXX
  for (const auto& e : fs::directory_iterator(staging))
    if (e.path().filename().string().starts_with("files-")) flat = e.path().filename().string();
  REQUIRE(flat.size() == 12);
  std::vector<std::string> expected = {".bulletin-staging", flat + "/", "site/"};
  for (const std::string rel : {"articles/changed/index.html", "articles/index.html", "articles/新文章/index.html",
                                "assets/img/2024/photo.txt"})
    expected.push_back(flat + "/" + staged_name(rel));
  std::sort(expected.begin(), expected.end());
  CHECK(entries_under(staging) == expected);
  CHECK(staged_name("articles/index.html").size() == 64);
  CHECK(staged_name("articles/index.html") != staged_name("articles/index.htm"));
  CHECK(slurp(staging / flat / staged_name("articles/新文章/index.html")) == "新");
  CHECK_FALSE(fs::exists(site / "articles/新文章"));  // the site untouched until the commit
  CHECK(slurp(site / "articles/changed/index.html") == "old page");
  out.commit();
  CHECK(site_pages(site) == kNewSite);
  CHECK_FALSE(fs::exists(site / "gone"));
  CHECK(inode_of(site / "articles") == articles);  // renamed into the folders that were there
  CHECK(inode_of(site / "articles/changed") == changed);
  CHECK(tmp.entries() == std::vector<std::string>{"photo.txt", "site"});
}

TEST_CASE("an in-place build killed at any step of its commit is completed by the next build, new folders included",
          "[writer]") {
  // The site a build that is not killed makes.
  TempDir ref;
  put(ref.path / "photo.txt", "photo");
  write_old_site(ref.path / "site");
  {
    StagedSiteWriter out((ref.path / "site").string());
    write_new_site(out, ref.path / "photo.txt");
    out.commit();
  }
  const std::string manifest = slurp(ref.path / "site/.bulletin-site");
  const std::map<std::string, std::string> kOldSite = {{"articles/kept/index.html", "kept"},
                                                       {"articles/changed/index.html", "old page"},
                                                       {"articles/index.html", "old list"},
                                                       {"gone/old/index.html", "gone"}};
  // Killed before the journal (-1), just after it (0), after the k-th file is moved in.
  for (int stop = -1; stop <= 4; ++stop) {
    INFO("killed at step " << stop);
    TempDir tmp;
    fs::path site = tmp.path / "site";
    write_old_site(site);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {  // the build that is killed: it stops dead, as under kill -9
      int steps = 0;
      WriterOptions options;
      options.after_commit_step = [&](const std::string&) {
        if (steps++ == stop) ::_exit(0);
      };
      StagedSiteWriter out(site.string(), options);
      write_new_site(out, ref.path / "photo.txt");  // the same asset, so the same manifest
      if (stop < 0) ::_exit(0);
      out.commit();
      ::_exit(1);  // not stopped: the test is wrong
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    // Meanwhile each file is its old or its new version, complete.
    for (const auto& [rel, bytes] : site_pages(site)) {
      INFO(rel);
      bool old_one = kOldSite.count(rel) && kOldSite.at(rel) == bytes;
      bool new_one = kNewSite.count(rel) && kNewSite.at(rel) == bytes;
      CHECK((old_one || new_one));
    }
    if (stop < 0) CHECK(site_pages(site) == kOldSite);  // before the commit point: untouched
    {
      StagedSiteWriter next(site.string());  // replays the journal, if any, then stages its own build
      if (stop >= 0) {
        CHECK(site_pages(site) == kNewSite);
        CHECK(slurp(site / ".bulletin-site") == manifest);
        CHECK_FALSE(fs::exists(site / "gone"));
      } else {
        CHECK(site_pages(site) == kOldSite);
      }
      write_new_site(next, ref.path / "photo.txt");
      next.commit();
    }
    CHECK(site_pages(site) == kNewSite);
    CHECK(slurp(site / ".bulletin-site") == manifest);
    CHECK(tmp.entries() == std::vector<std::string>{"site"});
  }
}

TEST_CASE("a large in-place commit keeps the old files as spares, and the next one writes over them, never over a linked file",
          "[writer]") {
  TempDir tmp;
  fs::path site = tmp.path / "site", spare = tmp.path / ".site.spare";
  auto build = [&](const std::string& version) {
    StagedSiteWriter out(site.string());
    for (int i = 0; i < 1200; ++i) out.write("articles/" + std::to_string(i) + "/index.html", version + std::to_string(i));
    out.write("index.html", version);
    out.commit();
  };
  build("one");
  CHECK_FALSE(fs::exists(spare));  // a first build swaps the site in: nothing to keep
  build("two-");
  // The old versions, beside the site under their staged names.
  REQUIRE(fs::is_directory(spare));
  CHECK(slurp(spare / staged_name("articles/7/index.html")) == "one7");
  CHECK(files_under(spare).size() == 1201);
  ino_t kept = inode_of(spare / staged_name("articles/7/index.html"));
  // A spare file with another link (as a file hard-linked from the cache would be) is never written over.
  fs::create_hard_link(spare / staged_name("articles/8/index.html"), tmp.path / "linked.txt");
  build("three-");
  CHECK(inode_of(site / "articles/7/index.html") == kept);  // the old file's inode, with the new bytes
  CHECK(slurp(site / "articles/7/index.html") == "three-7");
  CHECK(slurp(tmp.path / "linked.txt") == "one8");
  CHECK(slurp(site / "articles/8/index.html") == "three-8");
  CHECK(slurp(site / "articles/1199/index.html") == "three-1199");
  CHECK(slurp(site / "index.html") == "three-");
  CHECK(slurp(spare / staged_name("articles/7/index.html")) == "two-7");
  CHECK(files_under(site).size() == 1202);  // the pages and the manifest
  std::vector<std::string> beside = tmp.entries();
  CHECK(beside == std::vector<std::string>{".site.spare", "linked.txt", "site"});
}

TEST_CASE("a second build into the same folder waits until the first has committed", "[writer]") {
  TempDir tmp;
  fs::path site = tmp.path / "site";
  commit_site(site, "index.html", "old");
  int held[2], go[2];
  REQUIRE(::pipe(held) == 0);
  REQUIRE(::pipe(go) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {  // the first build: it commits only once the second is waiting
    ::close(go[1]);
    int status = 1;
    {
      StagedSiteWriter out(site.string());
      out.write("index.html", "first");
      char c = 'h';
      if (::write(held[1], &c, 1) == 1 && ::read(go[0], &c, 1) == 1) status = 0;
      out.commit();
    }
    ::_exit(status);
  }
  char c = 0;
  REQUIRE(::read(held[0], &c, 1) == 1);
  int waited = 0;
  WriterOptions options;
  options.waiting = [&] {
    ++waited;
    char g = 'g';
    REQUIRE(::write(go[1], &g, 1) == 1);
  };
  {
    StagedSiteWriter out(site.string(), options);  // returns once the first build is done
    CHECK(waited == 1);
    CHECK(slurp(site / "index.html") == "first");
    out.write("index.html", "second");
    out.commit();
  }
  ::close(go[1]);  // a first build still waiting (this one did not wait) goes on, and fails
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  CHECK(slurp(site / "index.html") == "second");
  CHECK(tmp.entries() == std::vector<std::string>{"site"});
  for (int fd : {held[0], held[1], go[0]}) ::close(fd);

  {  // a writer of the same process does not wait for itself
    StagedSiteWriter one((tmp.path / "a").string(), options);
    StagedSiteWriter two((tmp.path / "b").string(), options);
    CHECK(waited == 1);
  }
}
