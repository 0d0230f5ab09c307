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
  if (n.empty() || ec != std::errc() || p != n.data() + n.size() || f.places < 0 || f.places > 9)
    return std::nullopt;
  return f;
}

std::string round_decimal(double value, int places, int shift) {
  if (!std::isfinite(value)) return "—";
  // Shortest round-trip form in scientific notation: d.ddddde±x.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view s(buf, res.ptr - buf);
  bool negative = s[0] == '-';
  if (negative) s.remove_prefix(1);
  size_t e = s.find('e');
  int exponent = std::atoi(std::string(s.substr(e + 1)).c_str()) + shift;
  std::string digits;
  for (char c : s.substr(0, e))
    if (c != '.') digits += c;
  // value = 0.digits * 10^(exponent + 1); `point` digits stand before the point.
  int point = exponent + 1;
  if (point < 0) {
    digits.insert(0, static_cast<size_t>(-point), '0');
    point = 0;
  }
  if (static_cast<int>(digits.size()) < point) digits.append(point - digits.size(), '0');
  // Keep point + places digits; the first dropped digit decides.
  size_t keep = static_cast<size_t>(point + places);
  if (digits.size() > keep) {
    bool up = digits[keep] >= '5';
    digits.resize(keep);
    if (up) {
      int i = static_cast<int>(keep) - 1;
      for (; i >= 0 && digits[i] == '9'; --i) digits[i] = '0';
      if (i >= 0) ++digits[i];
      else {
        digits = std::string(1, '1').append(digits);
        ++point;
      }
    }
  } else {
    digits.append(keep - digits.size(), '0');
  }
  std::string whole = digits.substr(0, point);
  std::string frac = digits.substr(point);
  size_t nz = whole.find_first_not_of('0');
  whole = nz == std::string::npos ? "0" : whole.substr(nz);
  bool zero = whole == "0" && frac.find_first_not_of('0') == std::string::npos;
  std::string out = negative && !zero ? "-" : "";
  out += whole;
  if (places > 0) out += "." + frac;
  return out;
}

std::string format_number(double value, const NumberFormat& format) {
  if (format.style == NumberFormat::Style::Percent) {
    std::string s = round_decimal(value, format.places, 2);
    return s == "—" ? s : s + "%";
  }
  return round_decimal(value, format.places, 0);
}

}  // namespace bulletin
