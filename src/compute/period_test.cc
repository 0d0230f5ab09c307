#include "compute/period.h"

#include <catch2/catch.hpp>

using namespace bulletin;

TEST_CASE("period ids of every kind", "[compute]") {
  Date d{2020, 11, 5};
  CHECK(period_id(PeriodKind::Day, d) == "2020-11-05");
  CHECK(period_id(PeriodKind::Week, d) == "2020-W45");
  CHECK(period_id(PeriodKind::Month, d) == "2020-11");
  CHECK(period_id(PeriodKind::Quarter, d) == "2020-Q4");
  CHECK(period_id(PeriodKind::Half, d) == "2020-H2");
  CHECK(period_id(PeriodKind::Year, d) == "2020");
  CHECK(period_id(PeriodKind::Half, Date{2021, 6, 30}) == "2021-H1");
  CHECK(period_id(PeriodKind::Quarter, Date{2021, 4, 1}) == "2021-Q2");
}

TEST_CASE("ISO weeks belong to their ISO year at year boundaries", "[compute]") {
  CHECK(period_id(PeriodKind::Week, Date{2020, 12, 31}) == "2020-W53");
  CHECK(period_id(PeriodKind::Week, Date{2021, 1, 3}) == "2020-W53");
  CHECK(period_id(PeriodKind::Week, Date{2021, 1, 4}) == "2021-W01");
  CHECK(period_id(PeriodKind::Week, Date{2019, 12, 30}) == "2020-W01");
  CHECK(period_id(PeriodKind::Week, Date{2018, 12, 31}) == "2019-W01");
  auto w = period_of(PeriodKind::Week, Date{2021, 1, 1});
  CHECK(w.first == Date{2020, 12, 28});
  CHECK(w.last == Date{2021, 1, 3});
}

TEST_CASE("period ranges cover the calendar", "[compute]") {
  auto m = period_of(PeriodKind::Month, Date{2020, 2, 10});
  CHECK(m.first == Date{2020, 2, 1});
  CHECK(m.last == Date{2020, 2, 29});
  auto q = period_of(PeriodKind::Quarter, Date{2020, 11, 5});
  CHECK(q.first == Date{2020, 10, 1});
  CHECK(q.last == Date{2020, 12, 31});
  auto h = period_of(PeriodKind::Half, Date{2020, 3, 5});
  CHECK(h.last == Date{2020, 6, 30});
}

TEST_CASE("period ids parse back, and impossible ones are refused", "[compute]") {
  CHECK(parse_period_id(PeriodKind::Week, "2020-W53")->last == Date{2021, 1, 3});
  CHECK_FALSE(parse_period_id(PeriodKind::Week, "2021-W53"));
  CHECK_FALSE(parse_period_id(PeriodKind::Quarter, "2020-Q5"));
  CHECK_FALSE(parse_period_id(PeriodKind::Month, "2020-13"));
  CHECK_FALSE(parse_period_id(PeriodKind::Day, "2021-02-29"));
  CHECK(parse_period_id(PeriodKind::Half, "2020-H2")->first == Date{2020, 7, 1});
  CHECK(parse_period_id(PeriodKind::Year, "2020")->last == Date{2020, 12, 31});
  CHECK(parse_period_kind("quarter") == PeriodKind::Quarter);
  CHECK_FALSE(parse_period_kind("fortnight"));
}
