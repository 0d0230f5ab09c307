// Checks applied to everything bulletin reads, at the moment it is read, so
// that a problem is reported at path:line:col of its source and never later
// (as a crash in a JSON dump, a file written outside the site, a feed that is
// not well-formed XML).
//
// - Text files are UTF-8: the first byte that is not is reported.
// - Values that become URL segments (issuer codes of 发文字号, slugs, series
//   ids, rule ids, period ids, entity names, attachment names) go through one
//   function, url_segment_problem().
// - Numbers are parsed without exceptions and within bounds.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/diagnostics.h"

namespace bulletin {

// Byte offset of the first byte of `text` that is not part of a well-formed
// UTF-8 sequence (overlong forms, surrogates and code points past U+10FFFF
// are not), or of the first NUL byte; npos when the text is clean.
size_t invalid_utf8_at(std::string_view text);

// invalid_utf8_at() without its fast path for clean text (SIMD validation):
// the byte-by-byte scan alone, for tests that compare the two.
size_t invalid_utf8_at_bytewise(std::string_view text);

// Byte offset of the first Unicode noncharacter (U+FDD0..U+FDEF, U+xFFFE,
// U+xFFFF) before the first invalid byte, or npos (what require_utf8 reports
// for otherwise well-formed text); `bytewise` skips the fast path (tests).
size_t noncharacter_at(std::string_view text, bool bytewise = false);

// Throws Error at path:line:col of the first invalid byte of `text`
// ("… is not valid UTF-8 text"). The shown source line has the bad bytes
// replaced by U+FFFD so the terminal shows something readable.
void require_utf8(const std::string& path, std::string_view text);

// `s` with every invalid byte replaced by U+FFFD (for messages).
std::string utf8_sanitized(std::string_view s);

// Byte offset of the first C0 control character other than TAB and LF (or
// DEL) in `s`, or npos.
size_t control_char_at(std::string_view s);

// Why `segment` cannot be one segment of a site URL and of a file path in the
// site, in words ("contains '/'", "is '..'"); empty when it can. A segment is
// non-empty UTF-8 of at most 200 bytes, is not '.' or '..', does not start
// with '.', and holds no '/', '\\', '?', '#', '%', ':', '*', '"', '<', '>',
// '|', no space and no control character.
std::string url_segment_problem(std::string_view segment);

// A whole number of 1 to `max_digits` ASCII digits, at most `max`; nullopt
// otherwise (never throws).
std::optional<long> parse_bounded(std::string_view digits, long max, int max_digits = 9);

}  // namespace bulletin
