#include "model/urls.h"

#include <catch2/catch.hpp>

using namespace bulletin;

// These forms are part of the published record: every link to a published
// document depends on them.
TEST_CASE("permanent URLs keep their published forms", "[urls]") {
  CHECK(article_url("2020-fudan") == "articles/2020-fudan/");
  CHECK(numbered_notice_url("校党委发", 2020, 51) == "notices/校党委发/2020/51/");
  CHECK(notice_url(2019, "2019-hnjw-xxqg") == "notices/2019/2019-hnjw-xxqg/");
  CHECK(series_url("jiaowei") == "bulletins/jiaowei/");
  CHECK(issue_url("jiaowei", 2020, 6, false) == "bulletins/jiaowei/2020/6/");
  CHECK(issue_url("jiaowei", 2020, 2, true) == "bulletins/jiaowei/2020/zk2/");
  CHECK(ranking_rule_url("xxqg-units") == "rankings/xxqg-units/");
  CHECK(ranking_period_url("xxqg-units", "2020-11") == "rankings/xxqg-units/2020-11/");
  CHECK(ranking_entities_url("xxqg-units") == "rankings/xxqg-units/entities/");
  CHECK(attachment_page_url("notices/2019/2019-hnjw-xxqg/", 2) == "notices/2019/2019-hnjw-xxqg/attachment-2/");
  CHECK(feed_path(series_url("jiaowei")) == "bulletins/jiaowei/feed.xml");
  CHECK(version_url("notices/校党委发/2020/51/", 1) == "notices/校党委发/2020/51/v1/");
  CHECK(changes_url("notices/校党委发/2020/51/", 1, 2) == "notices/校党委发/2020/51/changes/v1-v2/");
}

TEST_CASE("a published version's files sit beside its snapshot in data/published", "[urls]") {
  CHECK(snapshot_path("notices/校党委发/2020/51/", 2) == "data/published/notices/校党委发/2020/51/v2.yaml");
  CHECK(frozen_pdf_path("notices/校党委发/2020/51/", 2) == "data/published/notices/校党委发/2020/51/v2.pdf");
  CHECK(frozen_file_path("notices/校党委发/2020/51/", 2, "名单.xlsx") ==
        "data/published/notices/校党委发/2020/51/v2-files/名单.xlsx");
}

TEST_CASE("document kinds read back from the words snapshots use", "[urls]") {
  for (DocumentKind k : {DocumentKind::Article, DocumentKind::Notice, DocumentKind::Issue, DocumentKind::Ranking})
    CHECK(parse_document_kind(kind_name(k)) == k);
  CHECK(kind_name(DocumentKind::Notice) == "notice");
  CHECK(kind_name(DocumentKind::Ranking) == "ranking");
  CHECK_FALSE(parse_document_kind("document").has_value());
}
