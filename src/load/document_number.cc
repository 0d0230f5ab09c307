#include "load/document_number.h"

#include <utility>
#include <vector>

#include "util/input_check.h"
#include "util/text.h"

namespace bulletin {

namespace {
constexpr std::string_view kHao = "号";  // ends the number
constexpr std::string_view kDi = "第";   // "number …": not written in a 发文字号
}  // namespace

std::optional<DocumentNumber> parse_document_number(const std::string& raw, const SourceLocation& where,
                                                    Diagnostics& diags, const std::string& source_line) {
  std::string text = trim(raw);
  auto report = [&](const std::string& message) {
    diags.error(where, message, source_line);
    return std::nullopt;
  };
  auto fail = [&](const std::string& what, const std::string& suggestion) {
    return report(what + (suggestion.empty() ? "" : "; write it as " + suggestion) + " (机关代字〔年份〕序号号)");
  };
  // Find the year in any kind of bracket staff type by mistake.
  static const std::vector<std::pair<std::string, std::string>> brackets = {
      {"〔", "〕"}, {"[", "]"}, {"(", ")"}, {"（", "）"}, {"【", "】"}, {"〖", "〗"}, {"［", "］"}};
  for (const auto& [open, close] : brackets) {
    size_t a = text.find(open);
    if (a == std::string::npos) continue;
    size_t b = text.find(close, a + open.size());
    if (b == std::string::npos) continue;
    std::string code = trim(text.substr(0, a));
    std::string year = trim(text.substr(a + open.size(), b - a - open.size()));
    std::string rest = trim(text.substr(b + close.size()));
    bool has_hao = rest.ends_with(kHao);
    std::string number = has_hao ? trim(rest.substr(0, rest.size() - kHao.size())) : rest;
    bool has_di = number.starts_with(kDi);
    if (has_di) number = trim(number.substr(kDi.size()));
    std::string digits_only = number;
    while (digits_only.size() > 1 && digits_only[0] == '0') digits_only.erase(0, 1);
    bool number_ok = !number.empty() && number.find_first_not_of("0123456789") == std::string::npos;
    bool year_ok = year.size() == 4 && year.find_first_not_of("0123456789") == std::string::npos;
    bool two_digits = year.size() == 2 && year.find_first_not_of("0123456789") == std::string::npos;
    std::string right = code + "〔" +
                        (year_ok      ? year
                         : two_digits ? "20" + year
                                      : "2020") +
                        "〕" + (number_ok ? digits_only : "1") + "号";
    if (code.empty()) return fail("document number '" + text + "' has no 机关代字 before the year", "");
    if (open != "〔") {
      return fail("document number '" + text + "' puts the year in " + open + close +
                      "; the year goes in hexagonal brackets 〔〕",
                  right);
    }
    if (!year_ok) {
      return fail("document number '" + text + "' must give the year in full (four digits)", right);
    }
    if (has_di) {
      return fail("document number '" + text + "' must not have 第 before the number", right);
    }
    if (!number_ok) {
      return fail("document number '" + text + "' must end with the number and 号", right);
    }
    if (number.size() > 1 && number[0] == '0') {
      return fail("document number '" + text + "' must not pad the number with zeros", right);
    }
    if (!has_hao) return fail("document number '" + text + "' must end with 号", right);
    std::string code_problem = url_segment_problem(code);
    if (!code_problem.empty()) {
      return report("the 机关代字 '" + utf8_sanitized(code) + "' of document number '" + utf8_sanitized(text) +
                    "' becomes part of the notice's URL and " + code_problem);
    }
    auto year_value = parse_bounded(year, 9999, 4);
    auto number_value = parse_bounded(number, kMaxDocumentNumber, 9);
    if (!year_value || *year_value < 1900) {
      return fail("document number '" + text + "' has a year before 1900", "");
    }
    if (!number_value) {
      return fail("document number '" + text + "' has a 序号 larger than " + std::to_string(kMaxDocumentNumber), "");
    }
    return DocumentNumber{code, static_cast<int>(*year_value), static_cast<int>(*number_value)};
  }
  return fail("document number '" + text + "' has no year in 〔〕", "校党委发〔2020〕51号");
}

}  // namespace bulletin
