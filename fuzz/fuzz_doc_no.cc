// 发文字号 parsing: any text gives a number or one located error, never an exception.
#include <cstdint>
#include <string>

#include "load/documents.h"
#include "util/input_check.h"

using namespace bulletin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  Diagnostics diags;
  auto n = parse_document_number(text, {"fuzz", 1, 1}, diags);
  if (n != std::nullopt && diags.error_count() != 0) __builtin_trap();
  if (!n && diags.error_count() != 1) __builtin_trap();
  if (n) {
    // What a parsed number promises: its code is a URL segment, its numbers bounded.
    if (!url_segment_problem(n->code).empty() || n->number < 0 || n->number > kMaxDocumentNumber) __builtin_trap();
    std::string again = n->text();
    auto back = parse_document_number(again, {"fuzz", 1, 1}, diags);
    if (!back || back->code != n->code || back->year != n->year || back->number != n->number) __builtin_trap();
  }
  return 0;
}
