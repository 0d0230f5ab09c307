#include "util/input_check.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace bulletin;

TEST_CASE("the first byte that is not UTF-8 is found", "[input]") {
  CHECK(invalid_utf8_at("校党委发〔2020〕51号") == std::string::npos);
  CHECK(invalid_utf8_at("ab\xFF") == 2);
  CHECK(invalid_utf8_at("a\xC0\xAF") == 1);         // overlong '/'
  CHECK(invalid_utf8_at("\xED\xA0\x80") == 0);      // a surrogate
  CHECK(invalid_utf8_at("\xF4\x90\x80\x80") == 0);  // past U+10FFFF
  CHECK(invalid_utf8_at("\xE6\xA0") == 0);          // truncated 校
  CHECK(invalid_utf8_at(std::string_view("a\0b", 3)) == 1);
}

TEST_CASE("a bad byte is found at every offset, after runs of ASCII read eight bytes at a time", "[input]") {
  for (size_t ascii = 0; ascii < 20; ++ascii) {
    std::string clean = std::string(ascii, 'a') + "校党委" + std::string(ascii % 9, 'b');
    CHECK(invalid_utf8_at(clean) == std::string::npos);
    for (std::string bad : {std::string(1, '\0'), std::string("\xFF"), std::string("\xE6\xA0")}) {
      std::string text = std::string(ascii, 'a') + bad + "aaaaaaaaaaaa";
      CHECK(invalid_utf8_at(text) == ascii);
      CHECK(invalid_utf8_at(clean + bad) == clean.size());
    }
  }
  // An invalid byte is reported even after a noncharacter.
  try {
    require_utf8("x.md",
                 "\xEF\xBF\xBE"
                 "aaaaaaaaaa\xFF");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.diagnostic().format() ==
          "x.md:1:12: error: byte 0xFF is not valid UTF-8; save the file as UTF-8 (not GBK or another encoding)\n"
          "    \xEF\xBF\xBE"
          "aaaaaaaaaa\xEF\xBF\xBD\n" +
              std::string(4 + 11, ' ') + "^");
  }
}

TEST_CASE("a text file that is not UTF-8 is an error at the bad byte", "[input]") {
  try {
    require_utf8("content/articles/a.md", "---\ntitle: 标题\xB1\xEA\n---\n");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.diagnostic().format() ==
          "content/articles/a.md:2:10: error: byte 0xB1 is not valid UTF-8; save the file as UTF-8 (not GBK or "
          "another encoding)\n    title: 标题\xEF\xBF\xBD\xEF\xBF\xBD\n" +
              std::string(4 + 11, ' ') + "^");
  }
}

TEST_CASE("a Unicode noncharacter is an error where it stands, since no YAML writer keeps it", "[input]") {
  require_utf8("content/a.md", "\xEF\xBF\xBD \xEF\xB7\x8F \xEF\xB7\xB0");  // U+FFFD, U+FDCF, U+FDF0 are text
  try {
    require_utf8("content/notices/a.md", "---\ntitle: 通知\n---\n工\xEF\xB7\xA5作委员会\n");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.diagnostic().format() ==
          "content/notices/a.md:4:2: error: U+FDE5 is a Unicode noncharacter, not text: remove it\n"
          "    工\xEF\xB7\xA5作委员会\n"
          "      ^");
  }
  try {
    require_utf8("x.md", "a\xF4\x8F\xBF\xBF");  // U+10FFFF
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.diagnostic().format() ==
          "x.md:1:2: error: U+10FFFF is a Unicode noncharacter, not text: remove it\n    a\xF4\x8F\xBF\xBF\n     ^");
  }
}

TEST_CASE("the SIMD check of clean text and the byte-by-byte scan find the same first bad byte", "[input]") {
  // Every kind of byte the scan reports (or must not), placed at every offset
  // of a text long enough for the 16-byte blocks, alone and in pairs.
  const std::vector<std::string> pieces = {
      "a", "校", "，", "\xEF\xBF\xBD", "\xEF\xB7\x8F", "\xEF\xB7\xB0", "\xE3\xBF\xBF", "\xF0\x9F\x98\x80",
      std::string(1, '\0'), "\xFF", "\xE6\xA0", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
      "\xEF\xB7\x90", "\xEF\xB7\xAF", "\xEF\xBF\xBE", "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF", "\xF0\x9F\xBF\xBE",
      "\xBF", "\xBF\xBE", "\xB7", "\xE5\xBF\xBE", "\xE5\xBF\xBF", "\xF0\x9E\xBF\xBE", "\xF3\xAF\xBF\xBF"};
  const std::string filler = "通报 abc，工作委员会。0123456789";
  size_t compared = 0, bad = 0, nonchars = 0;
  for (size_t at = 0; at < 48; ++at) {
    for (const auto& x : pieces) {
      for (const auto& y : {std::string(), std::string("\xFF"), std::string("\xEF\xBF\xBE"), std::string(1, '\0')}) {
        std::string text = (filler + filler + filler).substr(0, at);
        // Cut in the middle of a character on purpose at some offsets.
        text += x + filler.substr(0, at % 7) + y + filler;
        size_t fast = invalid_utf8_at(text), slow = invalid_utf8_at_bytewise(text);
        CHECK(fast == slow);
        CHECK(noncharacter_at(text) == noncharacter_at(text, true));
        ++compared;
        if (slow != std::string::npos) ++bad;
        if (noncharacter_at(text, true) != std::string::npos) ++nonchars;
      }
    }
  }
  // The inputs hold clean texts, bad ones and noncharacters alike.
  CHECK(bad > compared / 4);
  CHECK(nonchars > compared / 8);
  CHECK(bad < compared);
}

TEST_CASE("a bad byte deep in a long file is reported at its line and column", "[input]") {
  std::string text = "---\ntitle: 通报\n---\n";
  for (int i = 0; i < 300; ++i) text += "各单位要加强组织领导，落实工作责任。Line " + std::to_string(i) + "\n";
  std::string clean = text;
  require_utf8("content/articles/long.md", clean);  // no error
  text += "第二段\xB1\xEA文字\n";
  try {
    require_utf8("content/articles/long.md", text);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.diagnostic().format() ==
          "content/articles/long.md:304:4: error: byte 0xB1 is not valid UTF-8; save the file as UTF-8 (not GBK or "
          "another encoding)\n    第二段\xEF\xBF\xBD\xEF\xBF\xBD文字\n" +
              std::string(4 + 6, ' ') + "^");
  }
}

TEST_CASE("one function says what cannot be a URL segment", "[input]") {
  CHECK(url_segment_problem("校党委发") == "");
  CHECK(url_segment_problem("2020-shnu-51") == "");
  CHECK(url_segment_problem("") == "is empty");
  CHECK(url_segment_problem("..") == "is '..'");
  CHECK(url_segment_problem("../../x") == "contains '/'");
  CHECK(url_segment_problem("a\\b") == "contains '\\'");
  CHECK(url_segment_problem(".hidden") == "starts with '.'");
  CHECK(url_segment_problem("a b") == "contains a space");
  CHECK(url_segment_problem("a\tb") == "contains a control character");
  CHECK(url_segment_problem(std::string("a\0b", 3)) == "contains a control character");
  CHECK(url_segment_problem("c:") == "contains ':'");
  CHECK(url_segment_problem("\xFF") == "is not valid UTF-8");
  CHECK(url_segment_problem(std::string(201, 'a')) == "is longer than 200 bytes");
}

TEST_CASE("numbers are parsed within bounds and without exceptions", "[input]") {
  CHECK(parse_bounded("51", 999999) == 51);
  CHECK(parse_bounded("2147483648", 999999, 9) == std::nullopt);
  CHECK(parse_bounded("99999999999999999999", 999999) == std::nullopt);
  CHECK(parse_bounded("", 10) == std::nullopt);
  CHECK(parse_bounded("1a", 10) == std::nullopt);
  CHECK(control_char_at("a\tb\nc") == std::string::npos);
  CHECK(control_char_at("a\x01") == 1);
}
