#include "compute/number_format.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace bulletin {

std::string NumberFormat::spec() const {
  return std::string(style == Style::Percent ? "percent:" : "decimal:") + std::to_string(places);
}

std::optional<NumberFormat> parse_number_format(std::string_view spec) {
  NumberFormat f;
  if (spec == "integer") return NumberFormat{NumberFormat::Style::Decimal, 0};
  std::string_view style = spec.substr(0, spec.find(':'));
  if (style == "decimal") f.style = NumberFormat::Style::Decimal;
  else if (style == "percent") f.style = NumberFormat::Style::Percent;
  else return std::nullopt;
  if (style.size() == spec.size()) return f;
  std::string_view n = spec.substr(style.size() + 1);
  auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), f.places);
  if (n.empty() || ec != std::errc() || p != n.data() + n.size() || f.places < 0 || f.places > 9) return std::nullopt;
  return f;
}

std::string round_decimal(double value, int places, int shift) {
  if (!std::isfinite(value)) return "—";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  auto exact = parse_decimal(std::string_view(buf, res.ptr - buf));
  return exact ? exact->rounded(places, shift) : "—";
}

std::string format_number(const Exact& value, const NumberFormat& format) {
  if (format.style == NumberFormat::Style::Percent) {
    std::string s = value.rounded(format.places, 2);
    return s == "—" ? s : s + "%";
  }
  return value.rounded(format.places, 0);
}

std::string format_number(double value, const NumberFormat& format) {
  if (format.style == NumberFormat::Style::Percent) {
    std::string s = round_decimal(value, format.places, 2);
    return s == "—" ? s : s + "%";
  }
  return round_decimal(value, format.places, 0);
}

}  // namespace bulletin
