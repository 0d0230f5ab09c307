#include "site/serve/watched_fs.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "site/serve/serve_testing.h"

using namespace bulletin;
using namespace bulletin::serve_testing;

TEST_CASE("the watched file system remembers listings and stamps until told what changed", "[watch][watched_fs]") {
  TempFolder dir;
  write(dir / "content/a.md", "a");
  write(dir / "other/x.txt", "x");
  WatchedFileSystem files({dir / "content"});
  // Not enabled: nothing is remembered.
  CHECK(files.list(dir / "content") == std::vector<std::string>{"a.md"});
  CHECK(files.remembered() == 0);

  files.set_enabled(true);
  auto first = files.stamp(dir / "content/a.md");
  REQUIRE(first);
  CHECK(files.list(dir / "content") == std::vector<std::string>{"a.md"});
  CHECK(files.remembered() == 2);
  files.stamp(dir / "other/x.txt");  // not below a watched path
  CHECK(files.remembered() == 2);

  // Changed on disk, not reported: the remembered answers stand.
  write(dir / "content/a.md", "a, longer now");
  write(dir / "content/b.md", "b");
  CHECK(files.stamp(dir / "content/a.md") == first);
  CHECK(files.list(dir / "content") == std::vector<std::string>{"a.md"});

  // a.md's bytes reported changed: its stamp is asked again, the listing stays.
  files.forget({dir / "content/a.md"}, /*names_kept=*/true);
  CHECK(files.stamp(dir / "content/a.md")->size == 13);
  CHECK(files.list(dir / "content") == std::vector<std::string>{"a.md"});
  // b.md reported (created): the listing that holds it is asked again.
  files.forget({dir / "content/b.md"});
  CHECK(files.list(dir / "content") == std::vector<std::string>{"a.md", "b.md"});

  // A folder reported: everything below it is forgotten.
  files.is_file(dir / "content/sub/c.md");
  write(dir / "content/sub/c.md", "c");
  CHECK_FALSE(files.is_file(dir / "content/sub/c.md"));
  files.forget({dir / "content/sub"});
  CHECK(files.is_file(dir / "content/sub/c.md"));
  CHECK(files.list(dir / "content") == std::vector<std::string>{"a.md", "b.md", "sub/c.md"});

  files.forget_all();
  CHECK(files.remembered() == 0);
  files.list(dir / "content");
  files.set_enabled(false);
  CHECK(files.remembered() == 0);
}
