#include "util/date.h"

#include <catch2/catch.hpp>

using namespace bulletin;

TEST_CASE("dates are accepted in ISO and in Chinese form", "[date]") {
  CHECK(parse_date("2020-12-16") == Date{2020, 12, 16});
  CHECK(parse_date("2020年12月16日") == Date{2020, 12, 16});
  CHECK(parse_date("2020 年 12 月 31 日") == Date{2020, 12, 31});
  CHECK(parse_date("2020-1-6") == Date{2020, 1, 6});
  CHECK(parse_date("2020/9/4") == Date{2020, 9, 4});
}

TEST_CASE("dates are shown in the official form without zero padding", "[date]") {
  CHECK(Date{2020, 9, 4}.official() == "2020年9月4日");
  CHECK(Date{2020, 12, 16}.official() == "2020年12月16日");
  CHECK(Date{2020, 9, 4}.iso() == "2020-09-04");
}

TEST_CASE("invalid dates say what is wrong", "[date]") {
  std::string why;
  CHECK_FALSE(parse_date("2020-13-01", &why));
  CHECK(why == "month 13 does not exist");
  CHECK_FALSE(parse_date("2020年2月30日", &why));
  CHECK(why == "2020年2月 has no day 30");
  CHECK_FALSE(parse_date("2021-02-29", &why));
  CHECK(why == "2021年2月 has no day 29");
  CHECK(parse_date("2020-02-29"));
  CHECK_FALSE(parse_date("16/12/2020", &why));
  CHECK(why == "the year must have four digits");
  CHECK_FALSE(parse_date("next monday", &why));
  CHECK(why == "expected a date such as 2020-12-16 or 2020年12月16日");
}

TEST_CASE("day arithmetic round-trips and weekdays are right", "[date]") {
  CHECK(Date{1970, 1, 1}.days() == 0);
  CHECK(Date::from_days(Date{2020, 12, 16}.days()) == Date{2020, 12, 16});
  CHECK(Date::from_days(Date{2000, 2, 29}.days() + 1) == Date{2000, 3, 1});
  CHECK(Date{2020, 12, 16}.weekday() == 3);  // a Wednesday
  CHECK(Date{2021, 1, 3}.weekday() == 7);
}

TEST_CASE("ISO weeks belong to the ISO year of their Thursday", "[date]") {
  CHECK(Date{2020, 12, 31}.iso_week() == 53);
  CHECK(Date{2021, 1, 3}.iso_week_year() == 2020);
  CHECK(Date{2021, 1, 3}.iso_week() == 53);
  CHECK(Date{2021, 1, 4}.iso_week_year() == 2021);
  CHECK(Date{2021, 1, 4}.iso_week() == 1);
  CHECK(Date{2019, 12, 30}.iso_week_year() == 2020);
  CHECK(Date{2019, 12, 30}.iso_week() == 1);
  CHECK(Date{2020, 11, 5}.iso_week() == 45);
}
