// Calendar dates as offices write them: parsed from "2020-12-16" or
// "2020年12月16日" and shown in the official form "2020年12月16日".
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace bulletin {

struct Date {
  int year = 0;
  int month = 0;
  int day = 0;

  auto operator<=>(const Date&) const = default;

  // "2020年12月16日": no zero padding, as GB/T 9704 prescribes.
  std::string official() const;
  // "2020-12-16".
  std::string iso() const;
  // Days since 1970-01-01 (negative before).
  long days() const;
  static Date from_days(long days);
  // 1 = Monday ... 7 = Sunday.
  int weekday() const;
  // ISO 8601 week: the week-numbering year and week 1..53.
  int iso_week_year() const;
  int iso_week() const;
};

bool is_valid_date(int year, int month, int day);
int days_in_month(int year, int month);

// Accepts "2020-12-16", "2020-1-6", "2020/12/16", "2020年12月16日" and
// "2020 年 12 月 31 日". On failure returns nullopt and, if `why` is given,
// a plain-words reason ("month 13 does not exist").
std::optional<Date> parse_date(std::string_view text, std::string* why = nullptr);

// Today in the machine's local time zone (the office's), for defaults such as
// a new document's date or a publication date.
Date local_today();

}  // namespace bulletin
