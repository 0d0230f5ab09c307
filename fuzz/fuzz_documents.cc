// Front matter and document loading: the input is one Markdown file, loaded
// as an article, a notice (with an attachment page, a file and an enclosure
// beside it) and a bulletin issue. Located errors are fine; anything else
// (another exception, a sanitizer report) is a bug.
#include <cstdint>
#include <string>

#include "load/documents.h"
#include "util/fs.h"

using namespace bulletin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  SiteConfig config;
  config.raw_html = size > 0 && data[0] % 2;
  config.series.push_back({"jiaowei", "教卫工作通报", "办公室", true, {}});
  MemoryFileSystem fs;
  fs.add("p/content/notices/n/attachment-1.md", "---\ntitle: 附件\n---\n正文\n");
  fs.add("p/content/notices/n/enclosure.md", text);
  fs.add("p/content/notices/n/统计表.pdf", "%PDF");
  Diagnostics diags;
  try {
    load_article({"content/articles/a.md", text}, config, diags);
  } catch (const Error&) {
  }
  try {
    load_notice({"content/notices/n.md", text}, fs, "p", config, diags, false);
  } catch (const Error&) {
  }
  try {
    load_issue({"content/bulletins/jiaowei/i.md", text}, config, diags, false);
  } catch (const Error&) {
  }
  for (const auto& d : diags.items()) (void)d.format();
  return 0;
}
