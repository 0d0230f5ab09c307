#include "render/snapshot.h"

#include <algorithm>
#include <catch2/catch.hpp>

using namespace bulletin;

namespace {
Snapshot sample() {
  Snapshot s;
  s.kind = DocumentKind::Notice;
  s.url = "notices/校党委发/2020/51/";
  s.title = "关于印发实施办法的通知";
  s.version = 1;
  s.published = Date{2020, 12, 16};
  s.source = "content/notices/a.md";
  s.source_digest = "sha256:00";
  s.page = {{"title", "关于印发实施办法的通知"},
            {"body", "<p>经学校党委审议通过。</p>\n<p>特此通知。</p>\n"},
            {"cc", false},
            {"sealed", true},
            {"looks_like_bool", "true"},
            {"crlf", "a\r\nb"},
            {"attachments", PageData::array({PageData::object({{"title", "名单"}, {"is_page", true}})})}};
  s.files["index.csv"] = "\xEF\xBB\xBF排名,单位\r\n1,甲\r\n";
  s.digest = snapshot_digest(s);
  return s;
}
}  // namespace

TEST_CASE("a snapshot reads back exactly as written", "[snapshot]") {
  Snapshot s = sample();
  std::string text = write_snapshot(s);
  Snapshot back = read_snapshot({snapshot_path(s.url, s.version), text});
  CHECK(back.page == s.page);
  CHECK(back.files == s.files);
  CHECK(back.published == s.published);
  CHECK(snapshot_digest(back) == s.digest);
  CHECK(back.digest == s.digest);
}

TEST_CASE("a snapshot keeps HTML bodies as readable blocks for review in a diff", "[snapshot]") {
  std::string text = write_snapshot(sample());
  CHECK(text.find("  body: |\n    <p>经学校党委审议通过。</p>\n    <p>特此通知。</p>\n") != std::string::npos);
  CHECK(text.find("sealed: true") != std::string::npos);
  CHECK(text.find("looks_like_bool: \"true\"") != std::string::npos);
  CHECK(text.rfind("# bulletin snapshot", 0) == 0);
}

TEST_CASE("any change to a snapshot's content changes its digest", "[snapshot]") {
  Snapshot s = sample();
  std::string original = s.digest;
  s.page["body"] = "<p>经学校党委常委会审议通过。</p>\n";
  CHECK(snapshot_digest(s) != original);
  s = sample();
  s.published = Date{2020, 12, 17};
  CHECK(snapshot_digest(s) != original);
}

TEST_CASE("snapshots live under data/published at their permanent URL", "[snapshot]") {
  CHECK(snapshot_path("notices/校党委发/2020/51/", 2) == "data/published/notices/校党委发/2020/51/v2.yaml");
}

TEST_CASE("a snapshot records its frozen PDF's digest, and older snapshots keep theirs", "[snapshot]") {
  Snapshot s = sample();
  std::string without = s.digest;
  s.pdf_digest = "sha256:11";
  CHECK(snapshot_digest(s) != without);
  s.digest = snapshot_digest(s);
  std::string text = write_snapshot(s);
  CHECK(text.find("pdf_digest: sha256:11\n") != std::string::npos);
  Snapshot back = read_snapshot({snapshot_path(s.url, s.version), text});
  CHECK(back.pdf_digest == "sha256:11");
  CHECK(snapshot_digest(back) == s.digest);
  // A snapshot without a PDF has no pdf_digest line, and the digest it had.
  CHECK(write_snapshot(sample()).find("pdf_digest") == std::string::npos);
  CHECK(snapshot_digest(sample()) == without);
}

TEST_CASE("a snapshot of an unknown kind is a located error", "[snapshot]") {
  Snapshot s = sample();
  std::string text = write_snapshot(s);
  size_t at = text.find("kind: \"notice\"");
  REQUIRE(at != std::string::npos);
  text.replace(at, 14, "kind: \"document\"");
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
  std::string path = snapshot_path(s.url, s.version);
  try {
    read_snapshot({path, text});
    FAIL("an unknown kind was read");
  } catch (const Error& e) {
    CHECK(e.diagnostic().format() == path + ":" + std::to_string(line) +
                                         ":7: error: snapshot kind 'document' is not article, notice, issue or "
                                         "ranking\n    kind: \"document\"\n          ^");
  }
}
