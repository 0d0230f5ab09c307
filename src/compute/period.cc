#include "compute/period.h"

#include <charconv>
#include <cstdio>

namespace bulletin {

namespace {

const char* const kKindNames[] = {"day", "week", "month", "quarter", "half", "year"};

// The Monday of ISO week 1 of ISO year `year`: the week holding January 4th.
long iso_week_one_monday(int year) {
  Date jan4{year, 1, 4};
  return jan4.days() - (jan4.weekday() - 1);
}

bool read_int(std::string_view s, int& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::string_view period_kind_name(PeriodKind kind) { return kKindNames[static_cast<int>(kind)]; }

std::optional<PeriodKind> parse_period_kind(std::string_view name) {
  for (int i = 0; i < 6; ++i)
    if (name == kKindNames[i]) return static_cast<PeriodKind>(i);
  return std::nullopt;
}

PeriodRange period_of(PeriodKind kind, const Date& d) {
  char buf[32];
  switch (kind) {
    case PeriodKind::Day: return {d.iso(), d, d};
    case PeriodKind::Week: {
      int year = d.iso_week_year();
      std::snprintf(buf, sizeof buf, "%04d-W%02d", year, d.iso_week());
      long monday = d.days() - (d.weekday() - 1);
      return {buf, Date::from_days(monday), Date::from_days(monday + 6)};
    }
    case PeriodKind::Month:
      std::snprintf(buf, sizeof buf, "%04d-%02d", d.year, d.month);
      return {buf, {d.year, d.month, 1}, {d.year, d.month, days_in_month(d.year, d.month)}};
    case PeriodKind::Quarter: {
      int q = (d.month - 1) / 3 + 1;
      std::snprintf(buf, sizeof buf, "%04d-Q%d", d.year, q);
      int last = q * 3;
      return {buf, {d.year, last - 2, 1}, {d.year, last, days_in_month(d.year, last)}};
    }
    case PeriodKind::Half: {
      int h = d.month <= 6 ? 1 : 2;
      std::snprintf(buf, sizeof buf, "%04d-H%d", d.year, h);
      return {buf, {d.year, h == 1 ? 1 : 7, 1}, {d.year, h == 1 ? 6 : 12, h == 1 ? 30 : 31}};
    }
    case PeriodKind::Year:
      std::snprintf(buf, sizeof buf, "%04d", d.year);
      return {buf, {d.year, 1, 1}, {d.year, 12, 31}};
  }
  return {};
}

std::string period_id(PeriodKind kind, const Date& date) { return period_of(kind, date).id; }

std::optional<PeriodRange> parse_period_id(PeriodKind kind, std::string_view id) {
  int year = 0, n = 0;
  if (id.size() < 4 || !read_int(id.substr(0, 4), year) || year < 1) return std::nullopt;
  std::string_view rest = id.substr(4);
  std::optional<Date> any_day;
  switch (kind) {
    case PeriodKind::Day: {
      int m = 0, d = 0;
      if (rest.size() != 6 || rest[0] != '-' || rest[3] != '-' || !read_int(rest.substr(1, 2), m) ||
          !read_int(rest.substr(4, 2), d) || !is_valid_date(year, m, d))
        return std::nullopt;
      any_day = Date{year, m, d};
      break;
    }
    case PeriodKind::Week: {
      if (rest.size() != 4 || rest.substr(0, 2) != "-W" || !read_int(rest.substr(2), n) || n < 1) return std::nullopt;
      long monday = iso_week_one_monday(year) + 7L * (n - 1);
      Date d = Date::from_days(monday);
      if (d.iso_week_year() != year) return std::nullopt;  // week 53 in a 52-week year
      any_day = d;
      break;
    }
    case PeriodKind::Month:
      if (rest.size() != 3 || rest[0] != '-' || !read_int(rest.substr(1), n) || n < 1 || n > 12) return std::nullopt;
      any_day = Date{year, n, 1};
      break;
    case PeriodKind::Quarter:
      if (rest.size() != 3 || rest.substr(0, 2) != "-Q" || !read_int(rest.substr(2), n) || n < 1 || n > 4)
        return std::nullopt;
      any_day = Date{year, n * 3, 1};
      break;
    case PeriodKind::Half:
      if (rest.size() != 3 || rest.substr(0, 2) != "-H" || !read_int(rest.substr(2), n) || n < 1 || n > 2)
        return std::nullopt;
      any_day = Date{year, n * 6, 1};
      break;
    case PeriodKind::Year:
      if (!rest.empty()) return std::nullopt;
      any_day = Date{year, 1, 1};
      break;
  }
  PeriodRange r = period_of(kind, *any_day);
  if (r.id != id) return std::nullopt;
  return r;
}

}  // namespace bulletin
