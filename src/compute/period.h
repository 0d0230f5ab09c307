// Periods: the spans of the calendar a ranking is computed over.
//
// Every date falls into exactly one period of each kind. A period's id is
// what appears in URLs and file names: 2020-11-05 (day), 2020-W45 (ISO
// week, numbered in its ISO week-year), 2020-11 (month), 2020-Q4 (quarter),
// 2020-H2 (half year) and 2020 (year). Ids of one kind sort as text in
// calendar order, which the rankings rely on.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/date.h"

namespace bulletin {

enum class PeriodKind { Day, Week, Month, Quarter, Half, Year };

// "day", "week", "month", "quarter", "half", "year".
std::string_view period_kind_name(PeriodKind kind);
std::optional<PeriodKind> parse_period_kind(std::string_view name);

// The first and last calendar day of a period, both inclusive.
struct PeriodRange {
  std::string id;
  Date first;
  Date last;
};

// The id of the period of `kind` that holds `date`.
std::string period_id(PeriodKind kind, const Date& date);
// The period of `kind` that holds `date`, with its calendar range.
PeriodRange period_of(PeriodKind kind, const Date& date);
// The range of a period given by its id; nullopt if `id` is not an id of
// `kind` (e.g. "2020-W54", "2020-Q5").
std::optional<PeriodRange> parse_period_id(PeriodKind kind, std::string_view id);

}  // namespace bulletin
