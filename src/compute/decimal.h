// Exact numbers for rankings: every export number, aggregate, expression and
// group metric is a rational computed without rounding, so that ranking,
// ties, `where` conditions and printing all see the same exact value; only
// printing rounds (half away from zero, on the exact value).
//
// Representation: numerator and denominator in 128-bit integers, reduced,
// which holds every sum of decimals an export can produce; when an operation
// would overflow, the value moves to a GMP rational (exact fallback) and
// comes back once it fits again. Measured on bench/: the 128-bit path takes
// every value of the 1,000,000-record benchmark.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace bulletin {

class BigRational;  // GMP, in decimal.cc

class Exact {
 public:
  Exact() = default;  // 0
  static Exact integer(long long v);
  // A value that is not a number: 0/0, or a group aggregate over no values.
  static Exact undefined();

  bool defined() const { return state_ != State::Undefined; }
  bool is_zero() const;
  int sign() const;  // -1, 0, 1 (0 for undefined)

  friend Exact operator+(const Exact& a, const Exact& b);
  friend Exact operator-(const Exact& a, const Exact& b);
  friend Exact operator*(const Exact& a, const Exact& b);
  // Undefined when b is 0.
  friend Exact operator/(const Exact& a, const Exact& b);
  Exact operator-() const;
  Exact& operator+=(const Exact& b);

  // Order of two defined values: negative, 0 or positive.
  static int compare(const Exact& a, const Exact& b);
  // Equality as numbers; an undefined value equals only an undefined one.
  friend bool operator==(const Exact& a, const Exact& b);

  // The nearest double (round to nearest, ties to even); NaN if undefined.
  double to_double() const;
  // The exact value as text: "0.035", "-12", or "1/3" when it has no finite
  // decimal form; "" if undefined.
  std::string exact_text() const;
  // Rounded to `places` decimals, half away from zero, after moving the
  // point `shift` places right (2 for percent); "—" if undefined. No sign on
  // a value that rounds to zero: -0.004 gives "0.00".
  std::string rounded(int places, int shift = 0) const;

  // A compact binary form, for holding values outside memory (the rankings'
  // spill file): append_binary() writes it, read_binary() reads it back from
  // `p` (advanced past it) as the same value. Not a format for other programs.
  void append_binary(std::string& out) const;
  static Exact read_binary(const char*& p);

 private:
  enum class State : uint8_t { Small, Big, Undefined };
  State state_ = State::Small;
  __int128 num_ = 0;
  __int128 den_ = 1;  // > 0, gcd(num_, den_) == 1
  std::shared_ptr<const BigRational> big_;

  static Exact from_big(BigRational&& b);
  BigRational to_big() const;
  friend class ExactParser;
};

// Parses a number as written in an export: an optional sign, digits with an
// optional decimal point (at least one digit), an optional exponent
// (`2.85e-1`), nothing else; leading and trailing spaces are ignored.
// "0.285", "2.85e-1" and "+0.2850" are the same value. The value must be
// finite as a double would hold it (|v| < 1e308 or so, and not below 1e-330):
// "NaN", "inf", "1e999", "0x10", "1,000" and "" are not numbers. On failure
// returns nullopt and, when `why` is given, says why in a few words.
std::optional<Exact> parse_decimal(std::string_view text, std::string* why = nullptr);

}  // namespace bulletin
