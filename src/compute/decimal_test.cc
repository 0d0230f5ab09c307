#include "compute/decimal.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

using namespace bulletin;

namespace {
Exact d(const char* text) { return *parse_decimal(text); }
std::string why_not(const char* text) {
  std::string why;
  auto v = parse_decimal(text, &why);
  return v ? "accepted" : why;
}
}  // namespace

TEST_CASE("a decimal written three ways is the same exact value", "[decimal]") {
  CHECK(d("0.285") == d("2.85e-1"));
  CHECK(d("0.285") == d("+0.2850"));
  CHECK(d(" 285E-3 ") == d("0.285"));
  CHECK(d("0.285").exact_text() == "0.285");
  CHECK(d("-12.50").exact_text() == "-12.5");
  CHECK(d("1.5e3").exact_text() == "1500");
  CHECK(d(".5").exact_text() == "0.5");
}

TEST_CASE("only finite decimals are numbers", "[decimal]") {
  CHECK(why_not("NaN") == "it is not a decimal number");
  CHECK(why_not("inf") == "it is not a decimal number");
  CHECK(why_not("-nan") == "it is not a decimal number");
  CHECK(why_not("Infinity") == "it is not a decimal number");
  CHECK(why_not("1e999") == "it is too large");
  CHECK(why_not("1e-999") == "it is too small");
  CHECK(why_not("0x10") == "it is not a decimal number");
  CHECK(why_not("1,000") == "it is not a decimal number");
  CHECK(why_not("") == "it is empty");
  CHECK(why_not("-") == "it is not a decimal number");
  CHECK(why_not("1e") == "it is not a decimal number");
  CHECK(why_not("1e308") == "accepted");
}

TEST_CASE("arithmetic is exact, so rounding boundaries after arithmetic round half away from zero", "[decimal]") {
  Exact mean = (d("0.01") + d("0.06")) / Exact::integer(2);
  CHECK(mean.exact_text() == "0.035");
  CHECK(mean.rounded(2) == "0.04");
  CHECK(mean.rounded(0, 2) == "4");  // percent:0
  CHECK((d("8.35") / d("0.1")).rounded(0) == "84");
  CHECK((d("0.1") + d("0.2")) == d("0.3"));
  CHECK((-mean).rounded(2) == "-0.04");
  CHECK(d("-0.004").rounded(2) == "0.00");
  CHECK(d("-0.005").rounded(2) == "-0.01");
  CHECK((Exact::integer(1) / Exact::integer(3)).exact_text() == "1/3");
  CHECK((Exact::integer(2) / Exact::integer(3)).rounded(4) == "0.6667");
  CHECK((Exact::integer(-7) / Exact::integer(30)).exact_text() == "-7/30");
  CHECK(d("-1e-30").exact_text() == "-0.000000000000000000000000000001");
  // Past 128 bits (GMP) the text has the same form.
  Exact big = d("1e30") * d("1e30");
  CHECK(big.exact_text() == "1" + std::string(60, '0'));
  CHECK((big / Exact::integer(-3)).exact_text() == "-1" + std::string(60, '0') + "/3");
  CHECK((Exact::integer(1) / big).exact_text() == "0." + std::string(59, '0') + "1");
}

TEST_CASE("division by zero is undefined and stays undefined", "[decimal]") {
  Exact u = Exact::integer(1) / Exact();
  CHECK_FALSE(u.defined());
  CHECK_FALSE((u + Exact::integer(1)).defined());
  CHECK(u.rounded(2) == "—");
  CHECK(std::isnan(u.to_double()));
}

TEST_CASE("values beyond 128 bits move to the exact fallback and back", "[decimal]") {
  Exact big = d("123456789012345678901234567890.123456789");
  Exact sq = big * big;
  CHECK((sq / big) == big);
  CHECK((sq - sq) == Exact());
  Exact tiny = d("1e-300") * d("1e-20");
  CHECK(tiny.sign() == 1);
  CHECK((tiny * d("1e300") * d("1e20")) == Exact::integer(1));
  CHECK(big.rounded(3) == "123456789012345678901234567890.123");
}

TEST_CASE("the double of an exact value is the nearest one", "[decimal]") {
  CHECK(d("0.1").to_double() == 0.1);
  CHECK(d("0.035").to_double() == 0.035);
  CHECK((Exact::integer(1) / Exact::integer(3)).to_double() == 1.0 / 3.0);
  CHECK(d("123456789012345678901234567890").to_double() == 123456789012345678901234567890.0);
  CHECK(d("-2.85e-1").to_double() == -0.285);
}

TEST_CASE("the binary form reads back as the same value, small, big or undefined", "[decimal]") {
  Exact big = d("123456789012345678901234567890.123456789");
  std::vector<Exact> values = {d("0.035"),          d("-8.35") / d("0.1"), Exact::integer(1) / Exact::integer(3),
                               big * big * d("-1"), Exact::undefined(),    Exact()};
  std::string bytes;
  for (const auto& v : values) v.append_binary(bytes);
  const char* p = bytes.data();
  for (const auto& v : values) {
    Exact back = Exact::read_binary(p);
    CHECK(back == v);
    CHECK(back.exact_text() == v.exact_text());
  }
  CHECK(p == bytes.data() + bytes.size());
}

TEST_CASE("the rounding examples of docs/rules.md: half away from zero on the exact value", "[decimal]") {
  CHECK(d("0.125").rounded(2) == "0.13");
  CHECK(d("-0.125").rounded(2) == "-0.13");
  CHECK(d("2.675").rounded(2) == "2.68");  // 2.67499999999999982236431605997495353221893310546875 as a double
  CHECK(d("9.995").rounded(2) == "10.00");
  CHECK(d("-0.004").rounded(2) == "0.00");
  CHECK(d("-0.004").rounded(0, 2) == "0");  // percent:0 of -0.4%
}

TEST_CASE("the number strings of docs/rules.md: accepted and refused", "[decimal]") {
  CHECK(d("5.") == Exact::integer(5));
  CHECK(d(".5").exact_text() == "0.5");
  CHECK(d("+0.2850") == d("0.285"));
  CHECK(d("2.85E-1") == d("0.285"));
  CHECK(why_not("12%") == "it is not a decimal number");
  CHECK(why_not("1 000") == "it is not a decimal number");
  CHECK(why_not(".") == "it is not a decimal number");
}
