// 发文字号 (document numbers) as staff type them: 机关代字〔年份〕序号号, with
// the common mistakes (wrong brackets, two-digit years, 第, padded numbers)
// recognised and answered with the right form.
#pragma once

#include <optional>
#include <string>

#include "model/documents.h"
#include "util/diagnostics.h"

namespace bulletin {

// The largest 序号 a 发文字号 may have (no office numbers documents past it).
inline constexpr long kMaxDocumentNumber = 999999;

// 发文字号: 机关代字〔年份〕序号号, as written at `where` (whose line is
// `source_line`). A malformed number is an error in `diags`, at `where`,
// saying what is wrong and the right form; then the result is nullopt.
std::optional<DocumentNumber> parse_document_number(const std::string& text, const SourceLocation& where,
                                                    Diagnostics& diags, const std::string& source_line = {});

}  // namespace bulletin
