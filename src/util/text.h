// Text helpers for UTF-8 strings holding Chinese text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bulletin {

// Number of code points in a UTF-8 string.
size_t utf8_length(std::string_view s);
// The first n code points of s.
std::string utf8_prefix(std::string_view s, size_t n);
// Terminal columns: East Asian wide and full-width characters count 2.
size_t display_width(std::string_view s);
// 1-based code-point column of byte offset `byte` within `line`.
int column_of_byte(std::string_view line, size_t byte);

// Edit distance over code points; swapping two neighbours counts as one edit.
size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to `word` if it is close enough to be a likely typo.
std::optional<std::string> did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

std::string trim(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
std::vector<std::string> split_lines(std::string_view s);

// ASCII lower case; other bytes (UTF-8) unchanged.
std::string ascii_lower(std::string_view s);

// "12.3 KB"-style size for attachment links.
std::string human_size(unsigned long long bytes);

}  // namespace bulletin

namespace bulletin {
// 1 -> 一, 10 -> 十, 12 -> 十二, 21 -> 二十一 (for 一、二、 section numbers).
std::string chinese_number(int n);
}  // namespace bulletin
