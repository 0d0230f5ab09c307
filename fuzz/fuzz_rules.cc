// Rule files and the expression language. The input is a rule file; its
// lines are also parsed, resolved and evaluated as expressions.
#include <cstdint>
#include <string>

#include "compute/expression.h"
#include "compute/rules.h"

using namespace bulletin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  Diagnostics diags;
  try {
    parse_rule("data/rules/fuzz.yaml", text, diags);
  } catch (const Error&) {
  }
  for (const auto& d : diags.items()) (void)d.format();

  size_t nl = text.find('\n');
  std::string line = text.substr(0, nl);
  try {
    auto expr = parse_expression(line);
    (void)print_expression(*expr);
    ExpressionScope scope;
    scope.outer_names = {"m1", "m2"};
    scope.inner_names = {"a", "b", "c"};
    std::vector<AggregateTerm> terms;
    resolve_expression(*expr, scope, terms);
    Exact inner[3] = {Exact::integer(1), Exact(), *parse_decimal("-2.5")};
    Exact metrics[2] = {Exact::integer(3), Exact()};
    Exact values[64] = {};
    if (terms.size() <= 64) {
      EvalContext ctx{inner, metrics, values, false};
      (void)evaluate(*expr, ctx);
    }
  } catch (const ExpressionError&) {
  }
  return 0;
}
