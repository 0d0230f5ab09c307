// Markdown rendering with bulletin's own passes (official heading levels,
// CJK bold repair, raw HTML on or off) and the HTML-to-text of the diffs.
#include <cstdint>
#include <string>

#include "load/markdown.h"
#include "util/html.h"

using namespace bulletin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  MarkdownOptions options{(data[0] & 1) != 0, (data[0] & 2) != 0};
  std::string html = render_markdown(text, options);
  (void)html_to_text(html);
  size_t marker = 0;
  (void)official_heading_level(text, &marker);
  if (marker > text.size()) __builtin_trap();
  return 0;
}
