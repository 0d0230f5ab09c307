#include "compute/expression.h"

#include <catch2/catch.hpp>

using namespace bulletin;

namespace {

double eval_with(const std::string& text, const std::vector<double>& fields) {
  auto e = parse_expression(text);
  ExpressionScope scope;
  scope.inner_names = {"a", "b"};
  scope.outer_names = {"a", "b"};
  scope.inner_kind = Expr::Kind::Field;
  std::vector<AggregateTerm> terms;
  resolve_expression(*e, scope, terms);
  std::vector<Exact> exact;
  for (double f : fields) exact.push_back(*parse_decimal(std::to_string(f)));
  EvalContext ctx;
  ctx.metrics = exact.data();
  ctx.inner = exact.data();
  return evaluate(*e, ctx).to_double();
}

std::string error_of(const std::string& text, ExpressionScope scope = {}) {
  try {
    auto e = parse_expression(text);
    std::vector<AggregateTerm> terms;
    resolve_expression(*e, scope, terms);
  } catch (const ExpressionError& ex) {
    return std::to_string(ex.offset) + ": " + ex.what();
  }
  return "";
}

}  // namespace

TEST_CASE("expressions follow arithmetic precedence", "[compute]") {
  CHECK(eval_with("1 + 2 * 3", {}) == 7);
  CHECK(eval_with("(1 + 2) * 3", {}) == 9);
  CHECK(eval_with("10 - 4 - 3", {}) == 3);
  CHECK(eval_with("-a + b", {2, 5}) == 3);
  CHECK(eval_with("a / b", {1, 4}) == 0.25);
  CHECK(eval_with("a >= 2 and b < 5", {2, 4}) == 1);
  CHECK(eval_with("a > 2 or b == 4", {2, 4}) == 1);
  CHECK(eval_with("a != 2", {2, 4}) == 0);
}

TEST_CASE("aggregates collect terms and keep their arguments", "[compute]") {
  auto e = parse_expression("last(total) - first(total)");
  ExpressionScope scope;
  scope.inner_names = {"total"};
  std::vector<AggregateTerm> terms;
  resolve_expression(*e, scope, terms);
  REQUIRE(terms.size() == 2);
  CHECK(terms[0].aggregate == Aggregate::Last);
  CHECK(terms[1].aggregate == Aggregate::First);
  CHECK(print_expression(*e) == "last(total) - first(total)");
  CHECK(print_expression(*parse_expression("a-(b-c)*2")) == "a - (b - c) * 2");
}

TEST_CASE("expression errors say what is wrong and where", "[compute]") {
  ExpressionScope scope;
  scope.inner_names = {"active", "members"};
  scope.outer_names = {"participation"};
  CHECK(error_of("mean(activ / members)", scope) == "5: unknown name 'activ' in expression; did you mean 'active'?");
  CHECK(error_of("avg(active)", scope) ==
        "0: unknown function 'avg'; the aggregates are sum, mean, min, max, count, first and last");
  CHECK(error_of("active / members", scope) == "0: field 'active' must be inside an aggregate, e.g. last(active)");
  CHECK(error_of("mean(participation)", scope) ==
        "5: metric 'participation' cannot be used inside an aggregate, whose argument is evaluated per record");
  CHECK(error_of("mean(mean(active))", scope) == "5: aggregates cannot be nested");
  CHECK(error_of("mean(active", scope) == "11: expected ')' but found end of expression");
  CHECK(error_of("1 +", scope) == "3: the expression ends where a value was expected");
  CHECK(error_of("participation = 1", scope) == "14: '=' is not an operator; write '==' to compare");
  CHECK(error_of("", scope) == "0: the expression is empty");
  CHECK(error_of("1 < 2 < 3", scope) == "6: comparisons cannot be chained; use 'and'");
  CHECK(error_of("import(os)", scope) ==
        "0: unknown function 'import'; the aggregates are sum, mean, min, max, count, first and last");
}
