#include "compute/expression.h"

#include <cctype>
#include <charconv>

#include "util/text.h"

namespace bulletin {

namespace {

const char* const kAggregateNames[] = {"sum", "mean", "min", "max", "count", "first", "last"};

bool is_name_start(unsigned char c) {
  // Bytes >= 0x80 let Chinese field names be written as they are.
  return std::isalpha(c) || c == '_' || c >= 0x80;
}
bool is_name_char(unsigned char c) { return is_name_start(c) || std::isdigit(c); }

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::shared_ptr<Expr> parse() {
    skip_space();
    if (pos_ == text_.size()) throw ExpressionError(0, "the expression is empty");
    auto e = parse_or();
    skip_space();
    if (pos_ != text_.size()) throw ExpressionError(pos_, "unexpected " + describe_here() + " after the expression");
    return e;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;

  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }

  std::string describe_here() {
    if (pos_ >= text_.size()) return "end of expression";
    size_t n = 1;
    unsigned char c = text_[pos_];
    if (c >= 0xC0) n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    return "'" + std::string(text_.substr(pos_, n)) + "'";
  }

  bool accept(std::string_view token) {
    skip_space();
    if (text_.substr(pos_, token.size()) != token) return false;
    // Keywords must not run into a following name: "order" is not "or" + "der".
    if (is_name_start(token[0]) && pos_ + token.size() < text_.size() && is_name_char(text_[pos_ + token.size()]))
      return false;
    pos_ += token.size();
    return true;
  }

  std::shared_ptr<Expr> binary(Expr::Op op, std::shared_ptr<Expr> l, std::shared_ptr<Expr> r) {
    auto e = std::make_shared<Expr>();
    e->kind = Expr::Kind::Binary;
    e->op = op;
    e->offset = l->offset;
    e->end = r->end;
    e->args = {std::move(l), std::move(r)};
    return e;
  }

  std::shared_ptr<Expr> parse_or() {
    auto l = parse_and();
    while (accept("or")) l = binary(Expr::Op::Or, l, parse_and());
    return l;
  }

  std::shared_ptr<Expr> parse_and() {
    auto l = parse_comparison();
    while (accept("and")) l = binary(Expr::Op::And, l, parse_comparison());
    return l;
  }

  std::shared_ptr<Expr> parse_comparison() {
    auto l = parse_sum();
    static const std::pair<const char*, Expr::Op> kOps[] = {{">=", Expr::Op::Ge}, {"<=", Expr::Op::Le},
                                                            {"==", Expr::Op::Eq}, {"!=", Expr::Op::Ne},
                                                            {">", Expr::Op::Gt},  {"<", Expr::Op::Lt}};
    for (const auto& [tok, op] : kOps) {
      if (accept(tok)) {
        auto r = parse_sum();
        skip_space();
        for (const auto& [tok2, op2] : kOps)
          if (text_.substr(pos_, std::string_view(tok2).size()) == tok2)
            throw ExpressionError(pos_, "comparisons cannot be chained; use 'and'");
        return binary(op, l, r);
      }
    }
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '=')
      throw ExpressionError(pos_, "'=' is not an operator; write '==' to compare");
    return l;
  }

  std::shared_ptr<Expr> parse_sum() {
    auto l = parse_product();
    for (;;) {
      if (accept("+")) l = binary(Expr::Op::Add, l, parse_product());
      else if (accept("-")) l = binary(Expr::Op::Sub, l, parse_product());
      else return l;
    }
  }

  std::shared_ptr<Expr> parse_product() {
    auto l = parse_unary();
    for (;;) {
      if (accept("*")) l = binary(Expr::Op::Mul, l, parse_unary());
      else if (accept("/")) l = binary(Expr::Op::Div, l, parse_unary());
      else return l;
    }
  }

  std::shared_ptr<Expr> parse_unary() {
    skip_space();
    size_t start = pos_;
    if (accept("-")) {
      auto e = std::make_shared<Expr>();
      e->kind = Expr::Kind::Negate;
      e->offset = start;
      e->args.push_back(parse_unary());
      e->end = e->args[0]->end;
      return e;
    }
    return parse_primary();
  }

  std::shared_ptr<Expr> parse_primary() {
    skip_space();
    size_t start = pos_;
    if (pos_ == text_.size()) throw ExpressionError(pos_, "the expression ends where a value was expected");
    unsigned char c = text_[pos_];
    if (c == '(') {
      ++pos_;
      auto e = parse_or();
      if (!accept(")")) throw ExpressionError(pos_, "expected ')' but found " + describe_here());
      return e;
    }
    if (std::isdigit(c) || c == '.') {
      while (pos_ < text_.size() && (std::isdigit((unsigned char)text_[pos_]) || text_[pos_] == '.')) ++pos_;
      auto e = std::make_shared<Expr>();
      e->kind = Expr::Kind::Number;
      e->offset = start;
      e->end = pos_;
      std::string_view digits = text_.substr(start, pos_ - start);
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), e->number);
      auto exact = parse_decimal(digits);
      if (ec != std::errc() || p != digits.data() + digits.size() || !exact)
        throw ExpressionError(start, "'" + std::string(digits) + "' is not a number");
      e->exact = *exact;
      return e;
    }
    if (is_name_start(c)) {
      while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
      auto e = std::make_shared<Expr>();
      e->kind = Expr::Kind::Name;
      e->name = std::string(text_.substr(start, pos_ - start));
      e->offset = start;
      e->end = pos_;
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == '(') {
        ++pos_;
        e->kind = Expr::Kind::Call;
        skip_space();
        if (!accept(")")) {
          e->args.push_back(parse_or());
          if (accept(",")) throw ExpressionError(pos_ - 1, "'" + e->name + "' takes one argument");
          if (!accept(")")) throw ExpressionError(pos_, "expected ')' but found " + describe_here());
        }
        e->end = pos_;
      }
      return e;
    }
    throw ExpressionError(pos_, "unexpected " + describe_here());
  }
};

void resolve(Expr& e, const ExpressionScope& scope, std::vector<AggregateTerm>& terms, bool inside) {
  switch (e.kind) {
    case Expr::Kind::Number: return;
    case Expr::Kind::Name: {
      const auto& names = inside ? scope.inner_names : scope.outer_names;
      for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] == e.name) {
          e.kind = inside ? scope.inner_kind : Expr::Kind::Metric;
          e.index = static_cast<int>(i);
          return;
        }
      }
      const auto& other = inside ? scope.outer_names : scope.inner_names;
      for (const auto& n : other) {
        if (n != e.name) continue;
        if (inside)
          throw ExpressionError(e.offset, "metric '" + e.name +
                                              "' cannot be used inside an aggregate, whose "
                                              "argument is evaluated per record");
        if (!scope.allow_aggregates) throw ExpressionError(e.offset, "'" + e.name + "' is not a metric here");
        throw ExpressionError(
            e.offset, scope.inner_word + " '" + e.name + "' must be inside an aggregate, e.g. last(" + e.name + ")");
      }
      for (const auto& n : scope.later_names)
        if (n == e.name)
          throw ExpressionError(e.offset, "metric '" + e.name +
                                              "' is defined further down; a metric can use only "
                                              "the metrics above it");
      std::string message = "unknown name '" + e.name + "' in expression";
      if (auto s = did_you_mean(e.name, names)) message += "; did you mean '" + *s + "'?";
      throw ExpressionError(e.offset, message);
    }
    case Expr::Kind::Call: {
      int found = -1;
      for (int i = 0; i < 7; ++i)
        if (e.name == kAggregateNames[i]) found = i;
      if (found < 0) {
        std::vector<std::string> all(kAggregateNames, kAggregateNames + 7);
        std::string message = "unknown function '" + e.name + "'";
        if (auto s = did_you_mean(e.name, all)) message += "; did you mean '" + *s + "'?";
        else message += "; the aggregates are sum, mean, min, max, count, first and last";
        throw ExpressionError(e.offset, message);
      }
      if (!scope.allow_aggregates)
        throw ExpressionError(e.offset,
                              "aggregates such as '" + e.name + "' cannot be used here; refer to metrics by id");
      if (inside) throw ExpressionError(e.offset, "aggregates cannot be nested");
      e.aggregate = static_cast<Aggregate>(found);
      if ((e.aggregate == Aggregate::First || e.aggregate == Aggregate::Last) && !scope.allow_first_last)
        throw ExpressionError(e.offset, "'" + e.name + "' needs dates, which group metrics do not have");
      if (e.args.empty() && e.aggregate != Aggregate::Count)
        throw ExpressionError(e.offset, "'" + e.name + "' needs an argument");
      if (!e.args.empty()) resolve(*e.args[0], scope, terms, true);
      e.index = static_cast<int>(terms.size());
      terms.push_back({e.aggregate, e.args.empty() ? nullptr : ExprPtr(e.args[0])});
      return;
    }
    case Expr::Kind::Negate:
    case Expr::Kind::Binary:
      for (auto& a : e.args) resolve(*a, scope, terms, inside);
      return;
    default: return;  // already resolved
  }
}

}  // namespace

std::string_view aggregate_name(Aggregate a) { return kAggregateNames[static_cast<int>(a)]; }

std::shared_ptr<Expr> parse_expression(std::string_view text) { return Parser(text).parse(); }

void resolve_expression(Expr& expr, const ExpressionScope& scope, std::vector<AggregateTerm>& terms) {
  resolve(expr, scope, terms, false);
}

Exact evaluate(const Expr& e, const EvalContext& ctx) {
  switch (e.kind) {
    case Expr::Kind::Number: return e.exact;
    case Expr::Kind::Field:
    case Expr::Kind::MemberMetric: return ctx.inner[e.index];
    case Expr::Kind::Metric: return ctx.metrics[e.index];
    case Expr::Kind::Call: return ctx.terms[e.index];
    case Expr::Kind::Negate: return -evaluate(*e.args[0], ctx);
    case Expr::Kind::Name: return Exact::undefined();  // unresolved; resolve_expression() prevents this
    case Expr::Kind::Binary: break;
  }
  Exact l = evaluate(*e.args[0], ctx);
  if (e.op == Expr::Op::And && !truthy(l)) return Exact();
  if (e.op == Expr::Op::Or && truthy(l)) return Exact::integer(1);
  Exact r = evaluate(*e.args[1], ctx);
  auto boolean = [](bool b) { return Exact::integer(b ? 1 : 0); };
  bool both = l.defined() && r.defined();
  switch (e.op) {
    case Expr::Op::Add: return l + r;
    case Expr::Op::Sub: return l - r;
    case Expr::Op::Mul: return l * r;
    case Expr::Op::Div:
      if (r.defined() && r.is_zero()) {
        if (ctx.throw_on_zero_division) throw DivisionByZero{e.args[1].get()};
        return Exact::undefined();
      }
      return l / r;
    case Expr::Op::Lt: return boolean(both && Exact::compare(l, r) < 0);
    case Expr::Op::Le: return boolean(both && Exact::compare(l, r) <= 0);
    case Expr::Op::Gt: return boolean(both && Exact::compare(l, r) > 0);
    case Expr::Op::Ge: return boolean(both && Exact::compare(l, r) >= 0);
    case Expr::Op::Eq: return boolean(both && Exact::compare(l, r) == 0);
    case Expr::Op::Ne: return boolean(both && Exact::compare(l, r) != 0);
    case Expr::Op::And:
    case Expr::Op::Or: return boolean(truthy(r));
  }
  return Exact::undefined();
}

namespace {

int precedence(const Expr& e) {
  if (e.kind == Expr::Kind::Negate) return 6;
  if (e.kind != Expr::Kind::Binary) return 7;
  switch (e.op) {
    case Expr::Op::Or: return 1;
    case Expr::Op::And: return 2;
    case Expr::Op::Add:
    case Expr::Op::Sub: return 4;
    case Expr::Op::Mul:
    case Expr::Op::Div: return 5;
    default: return 3;
  }
}

const char* op_text(Expr::Op op) {
  static const char* const kText[] = {"+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "and", "or"};
  return kText[static_cast<int>(op)];
}

}  // namespace

std::string print_expression(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::Number: {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, e.number);
      return std::string(buf, r.ptr);
    }
    case Expr::Kind::Call: return e.name + "(" + (e.args.empty() ? "" : print_expression(*e.args[0])) + ")";
    case Expr::Kind::Negate: {
      std::string inner = print_expression(*e.args[0]);
      return precedence(*e.args[0]) < 6 ? "-(" + inner + ")" : "-" + inner;
    }
    case Expr::Kind::Binary: {
      int p = precedence(e);
      std::string l = print_expression(*e.args[0]);
      std::string r = print_expression(*e.args[1]);
      if (precedence(*e.args[0]) < p) l = "(" + l + ")";
      // Right operands of equal precedence need parentheses: a - (b - c).
      if (precedence(*e.args[1]) <= p) r = "(" + r + ")";
      return l + " " + op_text(e.op) + " " + r;
    }
    default: return e.name;
  }
}

}  // namespace bulletin
