// Diagnostics: every problem bulletin reports, located at path:line:col.
//
// Loaders collect problems into a Diagnostics list and keep going, so that
// `bulletin check` can report every problem at once. A stage that cannot go on
// throws Error, which carries one Diagnostic. main prints each one once.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace bulletin {

// A place in a source file. line and column are 1-based; column counts
// characters (code points), not bytes. line 0 means "the whole file".
struct SourceLocation {
  std::string path;
  int line = 0;
  int column = 0;
};

enum class Severity { Error, Warning };

struct Diagnostic {
  Severity severity = Severity::Error;
  SourceLocation where;
  std::string message;
  // The offending source line, shown under the message with a caret; empty
  // when showing it would not help.
  std::string source_line;
  // Outer context, innermost first: "while rendering bulletins/2020/6".
  std::vector<std::string> context;

  // "path:line:col: error: message" plus the source line and a caret,
  // aligned for CJK text (wide characters take two columns).
  std::string format() const;
};

class Error : public std::runtime_error {
 public:
  explicit Error(Diagnostic d);
  Error(SourceLocation where, std::string message, std::string source_line = {});
  const Diagnostic& diagnostic() const { return diagnostic_; }
  Diagnostic& diagnostic() { return diagnostic_; }

 private:
  Diagnostic diagnostic_;
};

class Diagnostics {
 public:
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  void error(SourceLocation where, std::string message, std::string source_line = {});
  void warning(SourceLocation where, std::string message, std::string source_line = {});
  bool has_errors() const;
  int error_count() const;
  int warning_count() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  void append(const Diagnostics& other);
  // Errors first in file order, then warnings; stable and deterministic.
  std::string format_all() const;

 private:
  std::vector<Diagnostic> items_;
};

// The text of line `line` (1-based) of `text`, without its newline.
std::string line_of(const std::string& text, int line);

}  // namespace bulletin
