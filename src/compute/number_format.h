// How a metric's value is printed: "percent:2" gives 97.60%, "decimal:2"
// gives 43.06. Printing rounds half away from zero on the exact value
// (mean of 0.01 and 0.06 is 0.035 -> "0.04"), and never changes the order:
// ranks come from the exact values. A value that rounds to zero has no
// sign: -0.004 prints "0.00".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "compute/decimal.h"

namespace bulletin {

struct NumberFormat {
  enum class Style { Decimal, Percent };
  Style style = Style::Decimal;
  int places = 2;  // digits after the decimal point, 0..9

  // "decimal:2", "percent:1".
  std::string spec() const;
};

// Parses "decimal:N", "percent:N", "decimal", "percent" (2 places) and
// "integer" (decimal:0). nullopt if malformed.
std::optional<NumberFormat> parse_number_format(std::string_view spec);

// Prints `value`; "—" for a value that is not a number (e.g. 0/0).
std::string format_number(const Exact& value, const NumberFormat& format);
// The same for a double, taken as the shortest decimal that round-trips to it.
std::string format_number(double value, const NumberFormat& format);

// Rounds `value` to `places` decimals, half away from zero, with the decimal
// point moved `shift` places right first (2 for percent). Works on the
// shortest decimal that round-trips to `value`. No sign on zero.
std::string round_decimal(double value, int places, int shift = 0);

}  // namespace bulletin
