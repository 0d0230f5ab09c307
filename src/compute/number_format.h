// How a metric's value is printed: "percent:2" gives 97.60%, "decimal:2"
// gives 43.06. Printing rounds half away from zero on the value's decimal
// digits (2.675 -> "2.68"), never on its binary approximation, and never
// changes the order: ranks come from the full-precision values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

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
std::string format_number(double value, const NumberFormat& format);

// Rounds `value` to `places` decimals, half away from zero, with the decimal
// point moved `shift` places right first (2 for percent). Works on the
// shortest decimal that round-trips to `value`. No sign on zero.
std::string round_decimal(double value, int places, int shift = 0);

}  // namespace bulletin
