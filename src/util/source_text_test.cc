#include "util/source_text.h"

#include <catch2/catch.hpp>

using namespace bulletin;

TEST_CASE("a byte offset becomes line and column in characters", "[util]") {
  std::string text = "第一行\n标题: {{#x}\n";
  auto at = [&](size_t offset) {
    SourceLocation w = location_of_offset("t.mustache", text, offset);
    return w.path + ":" + std::to_string(w.line) + ":" + std::to_string(w.column);
  };
  CHECK(at(0) == "t.mustache:1:1");
  CHECK(at(text.find('\n')) == "t.mustache:1:4");   // the newline ends line 1
  CHECK(at(text.find("{{")) == "t.mustache:2:5");   // after 标题: and a space
  CHECK(at(text.size() + 10) == "t.mustache:3:1");  // past the end: the end
}

TEST_CASE("a byte of a line becomes its column in characters", "[util]") {
  std::string text = "a: 1\n标题: x\n";
  SourceLocation w = location_of_byte("f.yaml", text, 2, std::string("标题: ").size());
  CHECK(w.line == 2);
  CHECK(w.column == 5);
}
