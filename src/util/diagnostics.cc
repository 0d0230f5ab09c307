#include "util/diagnostics.h"

#include <algorithm>
#include <tuple>

#include "util/text.h"

namespace bulletin {

std::string Diagnostic::format() const {
  std::string out = where.path;
  if (where.line > 0) {
    out += ':' + std::to_string(where.line);
    if (where.column > 0) out += ':' + std::to_string(where.column);
  }
  out += severity == Severity::Error ? ": error: " : ": warning: ";
  out += message;
  for (const auto& c : context) out += "\n  " + c;
  if (!source_line.empty()) {
    out += "\n    " + source_line;
    if (where.column > 0) {
      // Pad with the display width of the text before the column.
      std::string before = utf8_prefix(source_line, where.column - 1);
      out += "\n    " + std::string(display_width(before), ' ') + '^';
    }
  }
  return out;
}

Error::Error(Diagnostic d) : std::runtime_error(d.message), diagnostic_(std::move(d)) {}

Error::Error(SourceLocation where, std::string message, std::string source_line)
    : Error(Diagnostic{Severity::Error, std::move(where), std::move(message), std::move(source_line), {}}) {}

void Diagnostics::error(SourceLocation where, std::string message, std::string source_line) {
  add({Severity::Error, std::move(where), std::move(message), std::move(source_line), {}});
}

void Diagnostics::warning(SourceLocation where, std::string message, std::string source_line) {
  add({Severity::Warning, std::move(where), std::move(message), std::move(source_line), {}});
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

int Diagnostics::error_count() const {
  return static_cast<int>(
      std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::Error; }));
}

int Diagnostics::warning_count() const { return static_cast<int>(items_.size()) - error_count(); }

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

std::string Diagnostics::format_all() const {
  std::vector<const Diagnostic*> sorted;
  for (const auto& d : items_) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic* a, const Diagnostic* b) {
    return std::tie(a->severity, a->where.path, a->where.line, a->where.column) <
           std::tie(b->severity, b->where.path, b->where.line, b->where.column);
  });
  std::string out;
  for (const auto* d : sorted) out += d->format() + '\n';
  return out;
}

std::string line_of(const std::string& text, int line) {
  if (line < 1) return {};
  size_t start = 0;
  for (int i = 1; i < line; ++i) {
    start = text.find('\n', start);
    if (start == std::string::npos) return {};
    ++start;
  }
  size_t end = text.find('\n', start);
  std::string s = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

}  // namespace bulletin
