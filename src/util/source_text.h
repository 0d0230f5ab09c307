// Places in source text as path:line:col, the way Diagnostic shows them:
// lines 1-based, columns in code points (not bytes).
#pragma once

#include <cstddef>
#include <string>

#include "util/diagnostics.h"

namespace bulletin {

// The place of byte `offset` of `text` (clamped to its end).
SourceLocation location_of_offset(const std::string& path, const std::string& text, size_t offset);

// The place of byte `byte` of line `line` (1-based) of `text`.
SourceLocation location_of_byte(const std::string& path, const std::string& text, int line, size_t byte);

}  // namespace bulletin
