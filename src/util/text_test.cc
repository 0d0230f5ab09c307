#include "util/text.h"

#include <catch2/catch.hpp>

using namespace bulletin;

TEST_CASE("UTF-8 lengths and display widths count Chinese characters right", "[text]") {
  CHECK(utf8_length("标题: x") == 5);
  CHECK(display_width("标题: x") == 7);
  CHECK(utf8_prefix("中共上海", 2) == "中共");
  CHECK(column_of_byte("日期: 2020", 8) == 5);
}

TEST_CASE("did you mean finds a close key and ignores distant ones", "[text]") {
  std::vector<std::string> keys = {"title", "date", "unit", "标题", "日期"};
  CHECK(did_you_mean("titel", keys) == std::optional<std::string>("title"));
  CHECK(did_you_mean("dat", keys) == std::optional<std::string>("date"));
  CHECK(did_you_mean("日其", keys) == std::optional<std::string>("日期"));
  CHECK_FALSE(did_you_mean("colour", keys));
  CHECK(edit_distance("学习强国", "学习强围") == 1);
}

TEST_CASE("Chinese numerals for section numbers", "[text]") {
  CHECK(chinese_number(1) == "一");
  CHECK(chinese_number(10) == "十");
  CHECK(chinese_number(12) == "十二");
  CHECK(chinese_number(20) == "二十");
  CHECK(chinese_number(31) == "三十一");
}
