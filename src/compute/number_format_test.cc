#include "compute/number_format.h"

#include <catch2/catch.hpp>
#include <cmath>

using namespace bulletin;

TEST_CASE("rounding is half away from zero on the decimal value", "[compute]") {
  CHECK(round_decimal(2.675, 2) == "2.68");
  CHECK(round_decimal(1.005, 2) == "1.01");
  CHECK(round_decimal(0.125, 2) == "0.13");
  CHECK(round_decimal(-2.675, 2) == "-2.68");
  CHECK(round_decimal(-0.125, 2) == "-0.13");
  CHECK(round_decimal(2.674999, 2) == "2.67");
  CHECK(round_decimal(9.995, 2) == "10.00");
  CHECK(round_decimal(-0.001, 2) == "0.00");
  CHECK(round_decimal(0.5, 0) == "1");
  CHECK(round_decimal(-0.5, 0) == "-1");
  CHECK(round_decimal(1234567.0, 0) == "1234567");
  CHECK(round_decimal(1e-7, 3) == "0.000");
  CHECK(round_decimal(1.5e20, 1) == "150000000000000000000.0");
}

TEST_CASE("formats print percent and decimal", "[compute]") {
  auto pct = *parse_number_format("percent:2");
  auto dec = *parse_number_format("decimal:2");
  CHECK(format_number(0.976, pct) == "97.60%");
  CHECK(format_number(0.61, pct) == "61.00%");
  CHECK(format_number(0.0061235, pct) == "0.61%");
  CHECK(format_number(0.00612345, pct) == "0.61%");
  CHECK(format_number(0.02675, pct) == "2.68%");
  CHECK(format_number(43.06, dec) == "43.06");
  CHECK(format_number(NAN, dec) == "—");
  CHECK(parse_number_format("integer")->places == 0);
  CHECK(parse_number_format("percent")->places == 2);
  CHECK_FALSE(parse_number_format("percent:x"));
  CHECK_FALSE(parse_number_format("money:2"));
  CHECK(parse_number_format("decimal:1")->spec() == "decimal:1");
}
