#include "site/serve/watch.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "site/serve/serve_testing.h"

using namespace bulletin;
using namespace bulletin::serve_testing;
namespace fs = std::filesystem;

namespace {

// Moves the file's modification time, as a save that keeps the size does.
void touch_later(const std::string& path) {
  fs::last_write_time(path, fs::last_write_time(path) + std::chrono::seconds(2));
}

}  // namespace

TEST_CASE("a snapshot stamps every file under the watched folders except hidden ones", "[watch]") {
  TempFolder dir;
  write(dir / "content/articles/a.md", "a");
  write(dir / "content/.a.md.swp", "swap");
  write(dir / "content/.git/HEAD", "x");
  write(dir / "bulletin.yaml", "title: x");
  FileSnapshot snap = take_snapshot({dir / "bulletin.yaml", dir / "content", dir / "missing"});
  std::vector<std::string> paths;
  for (const auto& [path, stamp] : snap) paths.push_back(path);
  CHECK(paths == std::vector<std::string>{dir / "bulletin.yaml", dir / "content/articles/a.md"});
  CHECK(snap[dir / "content/articles/a.md"].size == 1);
}

TEST_CASE("the watcher reports added, removed and modified files once each", "[watch]") {
  TempFolder dir;
  write(dir / "content/a.md", "a");
  write(dir / "content/b.md", "b");
  write(dir / "templates/layout.mustache", "x");
  Watcher watcher(project_watch_paths(dir.path));
  CHECK(watcher.poll().empty());

  write(dir / "content/a.md", "longer");           // size changes
  touch_later(dir / "templates/layout.mustache");  // same size, later time
  fs::remove(dir / "content/b.md");
  write(dir / "content/c.md", "c");
  CHECK(watcher.poll() == std::vector<std::string>{dir / "content/a.md", dir / "content/b.md", dir / "content/c.md",
                                                   dir / "templates/layout.mustache"});
  CHECK(watcher.poll().empty());
}

TEST_CASE("changed_files compares two snapshots by size and time", "[watch]") {
  FileSnapshot before = {{"a", {1, 1}}, {"b", {1, 1}}, {"c", {1, 1}}};
  FileSnapshot after = {{"a", {1, 1}}, {"b", {2, 1}}, {"d", {1, 1}}};
  CHECK(changed_files(before, after) == std::vector<std::string>{"b", "c", "d"});
  CHECK(changed_files(after, after).empty());
}

namespace {
// Waits up to two seconds for the watcher to report something.
std::vector<std::string> next_changes(ChangeWatcher& w) {
  for (int i = 0; i < 20; ++i) {
    auto changed = w.wait(std::chrono::milliseconds(100));
    if (!changed.empty()) return changed;
  }
  return {};
}
bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
}  // namespace

TEST_CASE("the event-driven watcher reports saves, new folders and the watched files only", "[watch]") {
  TempFolder dir;
  write(dir / "content/articles/a.md", "a");
  write(dir / "bulletin.yaml", "title: x");
  write(dir / "notes.txt", "not watched");
  ChangeWatcher w({dir / "bulletin.yaml", dir / "content", dir / "data"});
  REQUIRE(w.event_driven());
  CHECK(w.wait(std::chrono::milliseconds(50)).empty());

  write(dir / "content/articles/a.md", "a, edited");
  CHECK(next_changes(w) == std::vector<std::string>{dir / "content/articles/a.md"});

  write(dir / "notes.txt", "still not watched");
  write(dir / "content/.a.md.swp", "editor swap file");
  CHECK(w.wait(std::chrono::milliseconds(200)).empty());

  write(dir / "bulletin.yaml", "title: y");
  CHECK(next_changes(w) == std::vector<std::string>{dir / "bulletin.yaml"});

  // A folder that did not exist when watching began, with a file in it, then an edit inside it.
  write(dir / "data/exports/new.jsonl", "{}");
  auto created = next_changes(w);
  CHECK(has(created, dir / "data"));
  while (!w.wait(std::chrono::milliseconds(100)).empty()) {
  }
  write(dir / "data/exports/new.jsonl", "{\"a\": 1}");
  CHECK(has(next_changes(w), dir / "data/exports/new.jsonl"));

  fs::remove(dir / "content/articles/a.md");
  CHECK(next_changes(w) == std::vector<std::string>{dir / "content/articles/a.md"});
}

TEST_CASE("the watcher falls back to polling and reports the same changes", "[watch]") {
  TempFolder dir;
  write(dir / "content/a.md", "a");
  ChangeWatcher w({dir / "content"}, true);
  CHECK_FALSE(w.event_driven());
  touch_later(dir / "content/a.md");
  CHECK(w.wait(std::chrono::milliseconds(10)) == std::vector<std::string>{dir / "content/a.md"});
  CHECK(w.wait(std::chrono::milliseconds(10)).empty());
}

namespace {
using Clock = SaveSettle::Clock;
using std::chrono::milliseconds;
const Clock::time_point t0 = Clock::time_point() + std::chrono::hours(1);
Change change(const std::string& path, ChangeKind kind, uint32_t cookie = 0) { return {path, kind, cookie}; }
}  // namespace

TEST_CASE("a save is due a short grace after its file is closed, a quiet wait while it is open", "[watch][settle]") {
  SaveSettle settle({milliseconds(10), milliseconds(50), milliseconds(500)});
  CHECK_FALSE(settle.pending());
  settle.add({change("a.md", ChangeKind::Modified)}, t0);
  CHECK(settle.pending());
  CHECK_FALSE(settle.settled());
  CHECK(settle.due() == t0 + milliseconds(50));  // still being written
  settle.add({change("a.md", ChangeKind::Written)}, t0 + milliseconds(2));
  CHECK(settle.settled());
  CHECK(settle.due() == t0 + milliseconds(12));
  // A chmod after the save changes nothing about it being over, but moves the grace on.
  settle.add({change("a.md", ChangeKind::Touched)}, t0 + milliseconds(5));
  CHECK(settle.settled());
  CHECK(settle.due() == t0 + milliseconds(15));
  CHECK(settle.take() == std::vector<std::string>{"a.md"});
  CHECK_FALSE(settle.pending());
}

TEST_CASE("a rename is over when both halves are seen; a file created and not closed keeps it waiting",
          "[watch][settle]") {
  SaveSettle settle({milliseconds(10), milliseconds(50), milliseconds(500)});
  // An editor's safe save: the new text in a temporary file, the old file renamed away, the new one in.
  settle.add({change("a.md.tmp", ChangeKind::Created), change("a.md.tmp", ChangeKind::Modified),
              change("a.md.tmp", ChangeKind::Written)},
             t0);
  CHECK(settle.settled());
  settle.add({change("a.md", ChangeKind::MovedOut, 7)}, t0 + milliseconds(1));
  CHECK_FALSE(settle.settled());  // half a rename
  CHECK(settle.due() == t0 + milliseconds(51));
  settle.add({change("a.md~", ChangeKind::MovedIn, 7)}, t0 + milliseconds(2));
  CHECK(settle.settled());
  settle.add({change("a.md.tmp", ChangeKind::MovedOut, 8), change("a.md", ChangeKind::MovedIn, 8)},
             t0 + milliseconds(3));
  CHECK(settle.settled());
  CHECK(settle.due() == t0 + milliseconds(13));
  settle.add({change("b.md", ChangeKind::Created)}, t0 + milliseconds(4));  // a link: no close ever comes
  CHECK_FALSE(settle.settled());
  CHECK(settle.due() == t0 + milliseconds(54));
  CHECK(settle.take() == std::vector<std::string>{"a.md", "a.md.tmp", "a.md~", "b.md"});
  // The cookies of the last batch are forgotten with it.
  settle.add({change("c.md", ChangeKind::MovedIn, 7)}, t0 + milliseconds(100));
  CHECK(settle.settled());
  CHECK(settle.take() == std::vector<std::string>{"c.md"});
}

TEST_CASE("changes that keep coming are built at most `longest` after the first; polled ones wait for quiet",
          "[watch][settle]") {
  SaveSettle settle({milliseconds(10), milliseconds(50), milliseconds(500)});
  for (int k = 0; k < 20; ++k) settle.add({change("log.md", ChangeKind::Modified)}, t0 + milliseconds(40 * k));
  CHECK(settle.due() == t0 + milliseconds(500));
  settle.take();
  settle.add({change("a.md", ChangeKind::Polled)}, t0 + milliseconds(1000));
  CHECK_FALSE(settle.settled());
  CHECK(settle.due() == t0 + milliseconds(1050));
  settle.add({change("b.md", ChangeKind::Removed), change("data", ChangeKind::Complete)}, t0 + milliseconds(1010));
  CHECK_FALSE(settle.settled());  // a.md was only polled
  CHECK(settle.due() == t0 + milliseconds(1060));
}

TEST_CASE("the watcher says what each event was: a write closed, a rename's halves, a symlink seen", "[watch]") {
  TempFolder dir;
  write(dir / "content/a.md", "a");
  ChangeWatcher w({dir / "content"});
  REQUIRE(w.event_driven());
  CHECK_FALSE(w.saw_symlink());
  write(dir / "content/a.md", "a, saved");
  auto saved = w.wait_changes(std::chrono::milliseconds(2000));
  REQUIRE_FALSE(saved.empty());
  CHECK(saved.back().path == dir / "content/a.md");
  CHECK(saved.back().kind == ChangeKind::Written);

  fs::rename(dir / "content/a.md", dir / "content/b.md");
  auto renamed = w.wait_changes(std::chrono::milliseconds(2000));
  REQUIRE(renamed.size() == 2);
  CHECK(renamed[0].path == dir / "content/a.md");
  CHECK(renamed[0].kind == ChangeKind::MovedOut);
  CHECK(renamed[1].path == dir / "content/b.md");
  CHECK(renamed[1].kind == ChangeKind::MovedIn);
  CHECK(renamed[0].cookie == renamed[1].cookie);

  fs::create_symlink(dir / "content/b.md", dir / "content/c.md");
  auto linked = w.wait_changes(std::chrono::milliseconds(2000));
  REQUIRE_FALSE(linked.empty());
  CHECK(linked.front().kind == ChangeKind::Created);
  CHECK(w.saw_symlink());
  CHECK_FALSE(w.take_overflow());
}
