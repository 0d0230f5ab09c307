#include "util/date.h"

#include <cstdio>
#include <ctime>
#include <vector>

#include "util/text.h"

namespace bulletin {

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

bool is_valid_date(int year, int month, int day) {
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month);
}

std::string Date::official() const {
  return std::to_string(year) + "年" + std::to_string(month) + "月" + std::to_string(day) + "日";
}

std::string Date::iso() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

// Howard Hinnant's days_from_civil / civil_from_days.
long Date::days() const {
  int y = year - (month <= 2);
  long era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

Date Date::from_days(long z) {
  z += 719468;
  long era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long y = static_cast<long>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Date{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

int Date::weekday() const {
  long d = days();               // 1970-01-01 was a Thursday (4)
  long w = (d % 7 + 7 + 3) % 7;  // 0 = Monday
  return static_cast<int>(w) + 1;
}

int Date::iso_week_year() const {
  // The ISO year is the year of this week's Thursday.
  return from_days(days() - weekday() + 4).year;
}

int Date::iso_week() const {
  Date thursday = from_days(days() - weekday() + 4);
  long jan1 = Date{thursday.year, 1, 1}.days();
  return static_cast<int>((thursday.days() - jan1) / 7) + 1;
}

namespace {

// Reads the digit runs of `text` separated by the given separators.
bool read_numbers(std::string_view text, const std::vector<std::string_view>& separators, bool trailing_separator,
                  int out[3]) {
  size_t i = 0;
  auto skip_spaces = [&] {
    while (i < text.size() && text[i] == ' ') ++i;
  };
  for (int k = 0; k < 3; ++k) {
    skip_spaces();
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == start || i - start > 4) return false;
    out[k] = std::stoi(std::string(text.substr(start, i - start)));
    skip_spaces();
    if (k < 2 || trailing_separator) {
      std::string_view sep = separators[k];
      if (text.substr(i, sep.size()) != sep) return false;
      i += sep.size();
    }
  }
  skip_spaces();
  return i == text.size();
}

}  // namespace

std::optional<Date> parse_date(std::string_view raw, std::string* why) {
  std::string text = trim(raw);
  int n[3] = {0, 0, 0};
  bool ok = read_numbers(text, {"-", "-", ""}, false, n) || read_numbers(text, {"/", "/", ""}, false, n) ||
            read_numbers(text, {"年", "月", "日"}, true, n) || read_numbers(text, {".", ".", ""}, false, n);
  if (!ok) {
    if (why) *why = "expected a date such as 2020-12-16 or 2020年12月16日";
    return std::nullopt;
  }
  if (n[0] < 1000) {
    if (why) *why = "the year must have four digits";
    return std::nullopt;
  }
  if (n[1] < 1 || n[1] > 12) {
    if (why) *why = "month " + std::to_string(n[1]) + " does not exist";
    return std::nullopt;
  }
  if (n[2] < 1 || n[2] > days_in_month(n[0], n[1])) {
    if (why) *why = std::to_string(n[0]) + "年" + std::to_string(n[1]) + "月 has no day " + std::to_string(n[2]);
    return std::nullopt;
  }
  return Date{n[0], n[1], n[2]};
}

Date local_today() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return Date{local.tm_year + 1900, local.tm_mon + 1, local.tm_mday};
}

}  // namespace bulletin
