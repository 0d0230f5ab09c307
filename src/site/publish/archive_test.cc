#include "site/publish/archive.h"

#include <catch2/catch.hpp>

using namespace bulletin;

namespace {
Publishable notice(const std::string& digest, int revision = 0, const std::string& note = "") {
  Publishable d;
  d.kind = DocumentKind::Notice;
  d.url = "notices/某发/2020/3/";
  d.title = "关于某事的通知";
  d.source = "content/notices/n.md";
  d.source_digest = digest;
  d.declared_revision = revision;
  d.revision_note = note;
  d.page = {{"title", "关于某事的通知"}, {"body", "<p>正文。</p>\n"}};
  return d;
}

DocumentHistory history_of(const Snapshot& s) {
  DocumentHistory h;
  h.url = s.url;
  h.versions.push_back(s);
  return h;
}
}  // namespace

TEST_CASE("publishing a document for the first time makes version 1", "[archive]") {
  PublishOutcome out = plan_publication(notice("sha256:a"), nullptr, Date{2020, 9, 4}, "");
  REQUIRE(out.snapshot);
  CHECK(out.snapshot->version == 1);
  CHECK(out.snapshot->digest == snapshot_digest(*out.snapshot));
  CHECK(out.message == "published notices/某发/2020/3/ as version 1 (2020年9月4日)");
}

TEST_CASE("publishing an unchanged document again does nothing", "[archive]") {
  Snapshot v1 = *plan_publication(notice("sha256:a"), nullptr, Date{2020, 9, 4}, "").snapshot;
  DocumentHistory h = history_of(v1);
  PublishOutcome out = plan_publication(notice("sha256:a"), &h, Date{2020, 9, 5}, "");
  CHECK_FALSE(out.snapshot);
  CHECK_FALSE(out.error);
  CHECK(out.message ==
        "notices/某发/2020/3/ is already published as version 1, published on 2020年9月4日; nothing to do");
}

TEST_CASE("a changed source without a declared revision is refused with how to correct it", "[archive]") {
  Snapshot v1 = *plan_publication(notice("sha256:a"), nullptr, Date{2020, 9, 4}, "").snapshot;
  DocumentHistory h = history_of(v1);
  std::string expected =
      "'关于某事的通知' (notices/某发/2020/3/) was published as version 1, published on 2020年9月4日 and its "
      "source has changed since. Published documents are frozen: to issue a correction, add `revision: 2` and "
      "`revision_note: <what was corrected>` to its front matter and run `bulletin publish content/notices/n.md`; "
      "otherwise restore the source as published";
  CHECK(unpublished_change(notice("sha256:b"), h) == expected);
  PublishOutcome out = plan_publication(notice("sha256:b"), &h, Date{2020, 9, 5}, "");
  CHECK(out.error);
  CHECK(out.message == expected);
  CHECK(unpublished_change(notice("sha256:b", 3, "x"), h) ==
        "'关于某事的通知' (notices/某发/2020/3/) was published as version 1, published on 2020年9月4日 and its "
        "source has changed since; the next revision is 2, not 3");
}

TEST_CASE("a declared revision publishes the next version with its note", "[archive]") {
  Snapshot v1 = *plan_publication(notice("sha256:a"), nullptr, Date{2020, 9, 4}, "").snapshot;
  DocumentHistory h = history_of(v1);
  CHECK(unpublished_change(notice("sha256:b", 2, "更正日期"), h).empty());
  PublishOutcome out = plan_publication(notice("sha256:b", 2, "更正日期"), &h, Date{2020, 9, 8}, "");
  REQUIRE(out.snapshot);
  CHECK(out.snapshot->version == 2);
  CHECK(out.snapshot->note == "更正日期");
}

TEST_CASE("a ranking period is republished only with a note", "[archive]") {
  Publishable r;
  r.kind = DocumentKind::Ranking;
  r.url = "rankings/units/2020-11/";
  r.title = "学习情况 2020年11月";
  r.source = "data/rules/units.yaml";
  r.page = {{"rows", "1"}};
  Snapshot v1 = *plan_publication(r, nullptr, Date{2020, 12, 1}, "").snapshot;
  DocumentHistory h = history_of(v1);
  r.page = {{"rows", "2"}};
  CHECK(unpublished_change(r, h).empty());  // changed exports never break the build
  PublishOutcome refused = plan_publication(r, &h, Date{2020, 12, 2}, "");
  CHECK(refused.error);
  CHECK(refused.message ==
        "rankings/units/2020-11/ is already published as version 1, published on 2020年12月1日; to publish "
        "corrected numbers as version 2, say what was corrected with --note");
  PublishOutcome v2 = plan_publication(r, &h, Date{2020, 12, 2}, "更正导出数据");
  REQUIRE(v2.snapshot);
  CHECK(v2.snapshot->version == 2);
}

TEST_CASE("changes between versions are listed paragraph by paragraph in reading order", "[archive]") {
  PageData before = {{"title", "通知"}, {"body", "<p>第一段。</p>\n<p>第二段。</p>\n<p>第三段。</p>\n"}};
  PageData after = {{"title", "通知"}, {"body", "<p>第一段。</p>\n<p>第二段（更正）。</p>\n<p>第三段。</p>\n"}};
  auto rows = paragraph_changes(before, after);
  REQUIRE(rows.size() == 5);
  CHECK(rows[0].kind == ChangeRow::Same);
  CHECK(rows[0].text == "通知");  // the title comes first, as printed
  CHECK(rows[1].text == "第一段。");
  CHECK(rows[2].kind == ChangeRow::Removed);
  CHECK(rows[2].text == "第二段。");
  CHECK(rows[3].kind == ChangeRow::Added);
  CHECK(rows[3].text == "第二段（更正）。");
  CHECK(rows[4].kind == ChangeRow::Same);
}

TEST_CASE("a snapshot edited by hand is reported by its path", "[archive]") {
  Snapshot v1 = *plan_publication(notice("sha256:a"), nullptr, Date{2020, 9, 4}, "").snapshot;
  std::string text = write_snapshot(v1);
  size_t at = text.find("正文。");
  text.replace(at, std::string("正文。").size(), "正文！");
  MemoryFileSystem fs;
  fs.add("p/" + snapshot_path(v1.url, 1), text);
  Diagnostics diags;
  Archive archive = load_archive(fs, "p", diags);
  CHECK(archive.by_url.empty());
  CHECK(diags.format_all() ==
        "data/published/notices/某发/2020/3/v1.yaml: error: this snapshot of a published document does not match "
        "its digest: it was edited by hand. Restore it (git checkout -- data/published/notices/某发/2020/3/v1.yaml); "
        "to correct a published document, declare `revision:` in its source and run `bulletin publish`\n");
}
