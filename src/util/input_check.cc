#include "util/input_check.h"

#include <cstdint>
#include <cstdio>
#include <cstring>

#include <simdjson.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "util/text.h"

namespace bulletin {
namespace {

// The length a UTF-8 sequence starting with lead byte `c` (>= 0x80) has, and
// the range its second byte must be in (overlongs, surrogates and code points
// past U+10FFFF excluded); 0 when `c` cannot start one.
size_t lead_byte(unsigned char c, unsigned char& lo, unsigned char& hi) {
  lo = 0x80;
  hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) return 2;
  if (c >= 0xE0 && c <= 0xEF) {
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
    return 4;
  }
  return 0;
}

// Length of the well-formed UTF-8 sequence at s[i], or 0 when it is not one.
size_t sequence_at(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c == 0) return 0;
  if (c < 0x80) return 1;
  unsigned char lo, hi;
  size_t n = lead_byte(c, lo, hi);
  if (n == 0 || i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return n;
}

// One pass over `text`: the offset of the first byte that is not part of a
// well-formed UTF-8 sequence (or a NUL), or npos; `nonchar` gets the offset
// of the first Unicode noncharacter before it (U+FDD0..U+FDEF, U+xFFFE,
// U+xFFFF; npos when none) and `code` its code point. Noncharacters are valid
// UTF-8 but not text, and YAML writers replace them with U+FFFD, so a
// published snapshot holding one would not read back as it was written.
// Every source byte goes through here once: runs of ASCII are skipped eight
// bytes at a time and sequences are decoded inline (lead_byte's rules).
size_t scan_utf8(std::string_view text, size_t* nonchar, unsigned* code) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  *nonchar = std::string_view::npos;
  size_t i = 0;
  while (i < size) {
    while (i + 8 <= size) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      // Stop at a byte >= 0x80 or a NUL.
      if (((w | ((w - 0x0101010101010101ULL) & ~w)) & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i >= size) break;
    unsigned char c = p[i];
    if (c < 0x80) {
      if (c == 0) return i;
      ++i;
      continue;
    }
    unsigned char lo, hi;
    size_t n = lead_byte(c, lo, hi);
    if (n == 0 || i + n > size || p[i + 1] < lo || p[i + 1] > hi) return i;
    for (size_t k = 2; k < n; ++k)
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    if (n >= 3 && *nonchar == std::string_view::npos && (c == 0xEF || n == 4)) {
      unsigned cp = c & (n == 3 ? 0x0F : 0x07);
      for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (p[i + k] & 0x3F);
      if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
        *nonchar = i;
        *code = cp;
      }
    }
    i += n;
  }
  return std::string_view::npos;
}

// For well-formed UTF-8 `text`: true when it holds none of what scan_utf8
// reports beyond well-formedness, a NUL or a noncharacter; false means "look
// closer" (scan_utf8 then decides). In well-formed text:
// - U+FDD0..U+FDEF are EF B7 90..AF, so an EF B7 pair is looked at;
// - U+xFFFE and U+xFFFF are EF BF BE/BF (U+FFFE, U+FFFF) or F0..F4, a byte
//   ending in F, BF, BE/BF (the other planes). A BF followed by BE or BF is
//   never a sequence's last byte, so the byte before it is EF (a 3-byte lead)
//   or a 4-byte sequence's second byte, and either ends in F exactly when
//   the code point is a noncharacter. So CJK characters such as U+5FFE
//   (E5 BF BE) do not send the text to the slow scan.
bool no_nul_nor_nonchar_candidate(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  if (size == 0) return true;
  if (p[0] == 0 || (size > 1 && p[0] == 0xEF && p[1] == 0xB7)) return false;
  size_t i = 1;  // every byte from here is checked with the one before and the one after
#if defined(__SSE2__)
  const __m128i zero = _mm_setzero_si128();
  const __m128i ef = _mm_set1_epi8(static_cast<char>(0xEF));
  const __m128i b7 = _mm_set1_epi8(static_cast<char>(0xB7));
  const __m128i bf = _mm_set1_epi8(static_cast<char>(0xBF));
  const __m128i be = _mm_set1_epi8(static_cast<char>(0xBE));
  const __m128i low = _mm_set1_epi8(0x0F);
  // vp, v0, v1: bytes i-1.., i.., i+1.. (16 each, so i + 17 <= size).
  for (; i + 17 <= size; i += 16) {
    __m128i vp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i - 1));
    __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 1));
    __m128i hit = _mm_cmpeq_epi8(v0, zero);
    hit = _mm_or_si128(hit, _mm_and_si128(_mm_cmpeq_epi8(v0, ef), _mm_cmpeq_epi8(v1, b7)));
    __m128i tail = _mm_and_si128(_mm_cmpeq_epi8(v0, bf), _mm_cmpeq_epi8(_mm_max_epu8(v1, be), v1));
    hit = _mm_or_si128(hit, _mm_and_si128(tail, _mm_cmpeq_epi8(_mm_and_si128(vp, low), low)));
    if (_mm_movemask_epi8(hit) != 0) return false;
  }
#endif
  for (; i < size; ++i) {
    if (p[i] == 0) return false;
    if (i + 1 < size && ((p[i] == 0xEF && p[i + 1] == 0xB7) ||
                         ((p[i - 1] & 0x0F) == 0x0F && p[i] == 0xBF && p[i + 1] >= 0xBE)))
      return false;
  }
  return true;
}

// scan_utf8's answer, found fast for clean text: simdjson's validator (SIMD,
// its kernel picked at run time) and the candidate check above; only text
// that fails either is scanned byte by byte, which gives the exact offset.
size_t scan_utf8_fast(std::string_view text, size_t* nonchar, unsigned* code) {
  if (simdjson::validate_utf8(text.data(), text.size()) && no_nul_nor_nonchar_candidate(text)) {
    *nonchar = std::string_view::npos;
    return std::string_view::npos;
  }
  return scan_utf8(text, nonchar, code);
}

}  // namespace

size_t invalid_utf8_at(std::string_view text) {
  size_t nonchar;
  unsigned code;
  return scan_utf8_fast(text, &nonchar, &code);
}

size_t invalid_utf8_at_bytewise(std::string_view text) {
  size_t nonchar;
  unsigned code;
  return scan_utf8(text, &nonchar, &code);
}

size_t noncharacter_at(std::string_view text, bool bytewise) {
  size_t nonchar;
  unsigned code;
  if (bytewise) {
    scan_utf8(text, &nonchar, &code);
  } else {
    scan_utf8_fast(text, &nonchar, &code);
  }
  return nonchar;
}

std::string utf8_sanitized(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = sequence_at(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

void require_utf8(const std::string& path, std::string_view text) {
  size_t nonchar;
  unsigned code = 0, noncharacter = 0;
  size_t at = scan_utf8_fast(text, &nonchar, &code);
  if (at == std::string_view::npos && nonchar != std::string_view::npos) {
    at = nonchar;
    noncharacter = code;
  }
  if (at == std::string_view::npos) return;
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  size_t line_end = text.find('\n', at);
  std::string_view raw =
      text.substr(line_start, line_end == std::string_view::npos ? text.size() - line_start : line_end - line_start);
  std::string shown = utf8_sanitized(raw);
  // Column in code points, counting each bad byte before `at` as one.
  int column = static_cast<int>(utf8_length(utf8_sanitized(text.substr(line_start, at - line_start)))) + 1;
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(text[at]));
  std::string what = text[at] == '\0' ? std::string("a NUL byte: bulletin reads text files, and this one is not text")
                                      : std::string("byte ") + hex +
                                            " is not valid UTF-8; save the file as UTF-8 (not GBK or another "
                                            "encoding)";
  if (noncharacter) {
    char code[16];
    std::snprintf(code, sizeof code, "U+%04X", noncharacter);
    what = std::string(code) + " is a Unicode noncharacter, not text: remove it";
  }
  if (!shown.empty() && shown.back() == '\r') shown.pop_back();
  throw Error({path, line, column}, what, shown);
}

size_t control_char_at(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) return i;
  }
  return std::string_view::npos;
}

std::string url_segment_problem(std::string_view s) {
  if (s.empty()) return "is empty";
  if (s == "." || s == "..") return "is '" + std::string(s) + "'";
  if (s.size() > 200) return "is longer than 200 bytes";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return "contains a control character";
  }
  if (invalid_utf8_at(s) != std::string_view::npos) return "is not valid UTF-8";
  for (char c : std::string_view("/\\?#%:*\"<>| ")) {
    if (s.find(c) != std::string_view::npos) return c == ' ' ? "contains a space" : std::string("contains '") + c + "'";
  }
  if (s[0] == '.') return "starts with '.'";
  return {};
}

std::optional<long> parse_bounded(std::string_view digits, long max, int max_digits) {
  if (digits.empty() || digits.size() > static_cast<size_t>(max_digits) || max_digits > 18) return std::nullopt;
  long v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v > max) return std::nullopt;
  return v;
}

}  // namespace bulletin
