// The rule expression language: the only thing a rule can "run".
//
// A tiny, closed language, parsed by hand so that nothing else can execute:
//   numbers, names, + - * /, unary -, parentheses,
//   comparisons > >= < <= == != and `and` / `or` (true is 1, false is 0),
//   aggregate calls sum mean min max count first last, each taking one
//   argument that is evaluated once per record (count() takes none).
// Parsing gives a tree with byte offsets into the text; resolve() then binds
// every name to a field or metric of the rule and collects the aggregate
// terms, so that evaluation is plain arithmetic over arrays of numbers.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "compute/decimal.h"

namespace bulletin {

enum class Aggregate { Sum, Mean, Min, Max, Count, First, Last };

std::string_view aggregate_name(Aggregate a);

struct Expr {
  enum class Kind {
    Number,
    Name,          // unresolved name (only between parse and resolve)
    Field,         // index into the record's field values
    Metric,        // index into the metrics already computed at this level
    MemberMetric,  // index into a group member's metrics
    Call,          // aggregate call; `index` is its term
    Negate,
    Binary,
  };
  enum class Op { Add, Sub, Mul, Div, Lt, Le, Gt, Ge, Eq, Ne, And, Or };

  Kind kind = Kind::Number;
  double number = 0;  // Number: as a double, for printing
  Exact exact;        // Number: its exact value
  std::string name;   // Name/Field/Metric/MemberMetric: the name; Call: the function
  Op op = Op::Add;
  Aggregate aggregate = Aggregate::Sum;
  int index = -1;
  size_t offset = 0;  // byte offset in the source text, for error positions
  size_t end = 0;     // byte offset just past this node
  std::vector<std::shared_ptr<Expr>> args;
};

using ExprPtr = std::shared_ptr<const Expr>;

// A problem in an expression at byte `offset` of its text.
class ExpressionError : public std::runtime_error {
 public:
  ExpressionError(size_t offset, std::string message) : std::runtime_error(std::move(message)), offset(offset) {}
  size_t offset;
};

// Parses `text`; throws ExpressionError. Names are left unresolved.
std::shared_ptr<Expr> parse_expression(std::string_view text);

// One aggregate call of a rule, e.g. last(total): computed once per entity
// (or group) and period and shared by every metric that uses it.
struct AggregateTerm {
  Aggregate aggregate = Aggregate::Sum;
  ExprPtr argument;  // null for count()
};

// What names mean where. Outside an aggregate a name is one of
// `outer_names` (metrics defined above); inside one of `inner_names`
// (record fields, or member metrics for group metrics).
struct ExpressionScope {
  std::vector<std::string> outer_names;
  std::vector<std::string> inner_names;
  Expr::Kind inner_kind = Expr::Kind::Field;
  // Names defined further down, so that using one early gets a precise message.
  std::vector<std::string> later_names;
  // What an inner name is called in messages: "field" or "member metric".
  std::string inner_word = "field";
  bool allow_aggregates = true;
  // first/last need dates; group metrics have none.
  bool allow_first_last = true;
};

// Binds names and appends each aggregate call to `terms` (its index goes in
// the node). Throws ExpressionError with a plain-words message.
void resolve_expression(Expr& expr, const ExpressionScope& scope, std::vector<AggregateTerm>& terms);

// Raised while evaluating per record when a divisor is zero.
struct DivisionByZero {
  const Expr* divisor;
};

// Values an expression reads. Evaluation is exact (see decimal.h).
// Division by zero throws DivisionByZero when `throw_on_zero_division`,
// else gives an undefined value; arithmetic on an undefined value is
// undefined, and a comparison with one is false (0).
struct EvalContext {
  const Exact* inner = nullptr;  // record fields, or a member's metrics
  const Exact* metrics = nullptr;
  const Exact* terms = nullptr;
  bool throw_on_zero_division = false;
};

Exact evaluate(const Expr& expr, const EvalContext& ctx);

// True for a defined, non-zero value (how conditions read a value).
inline bool truthy(const Exact& v) { return v.defined() && !v.is_zero(); }

// The expression in canonical form ("active / members"), for messages.
std::string print_expression(const Expr& expr);

}  // namespace bulletin
