#include "util/source_text.h"

#include <algorithm>

#include "util/text.h"

namespace bulletin {

SourceLocation location_of_offset(const std::string& path, const std::string& text, size_t offset) {
  offset = std::min(offset, text.size());
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
  size_t newline = offset == 0 ? std::string::npos : text.rfind('\n', offset - 1);
  size_t line_start = newline == std::string::npos ? 0 : newline + 1;
  return {path, line, column_of_byte(line_of(text, line), offset - line_start)};
}

SourceLocation location_of_byte(const std::string& path, const std::string& text, int line, size_t byte) {
  return {path, line, column_of_byte(line_of(text, line), byte)};
}

}  // namespace bulletin
