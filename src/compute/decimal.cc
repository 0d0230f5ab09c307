#include "compute/decimal.h"

#include <gmpxx.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace bulletin {

class BigRational {
 public:
  mpq_class q;
};

namespace {

using u128 = unsigned __int128;
using i128 = __int128;

u128 abs128(i128 v) { return v < 0 ? -static_cast<u128>(v) : static_cast<u128>(v); }

u128 gcd128(u128 a, u128 b) {
  if (a == 0) return b;
  if (b == 0) return a;
  // Small values (the common case) take the machine's 64-bit division.
  if ((a >> 64) == 0 && (b >> 64) == 0) {
    uint64_t x = static_cast<uint64_t>(a), y = static_cast<uint64_t>(b);
    while (y) {
      uint64_t t = x % y;
      x = y;
      y = t;
    }
    return x;
  }
  int shift = 0;
  while (((a | b) & 1) == 0) a >>= 1, b >>= 1, ++shift;
  while ((a & 1) == 0) a >>= 1;
  do {
    while ((b & 1) == 0) b >>= 1;
    if (a > b) std::swap(a, b);
    b -= a;
  } while (b != 0);
  return a << shift;
}

const i128 kPow10[] = {
    1,
    10,
    100,
    1000,
    10000,
    100000,
    1000000,
    10000000,
    100000000,
    1000000000,
    10000000000LL,
    100000000000LL,
    1000000000000LL,
    10000000000000LL,
    100000000000000LL,
    1000000000000000LL,
    10000000000000000LL,
    100000000000000000LL,
    1000000000000000000LL,
};

i128 pow10_128(int k) {  // 0 <= k <= 38
  i128 v = 1;
  while (k >= 18) v *= kPow10[18], k -= 18;
  return v * kPow10[k];
}

void set_mpz(mpz_class& z, i128 v) {
  u128 a = abs128(v);
  mpz_class hi(static_cast<unsigned long>(static_cast<uint64_t>(a >> 64)));
  mpz_class lo(static_cast<unsigned long>(static_cast<uint64_t>(a)));
  z = (hi << 64) + lo;
  if (v < 0) z = -z;
}

bool get_i128(const mpz_class& z, i128& out) {
  if (mpz_sizeinbase(z.get_mpz_t(), 2) > 126) return false;
  mpz_class a = abs(z);
  mpz_class hi = a >> 64;
  mpz_class lo = a - (hi << 64);
  u128 v = (static_cast<u128>(hi.get_ui()) << 64) | lo.get_ui();
  out = sgn(z) < 0 ? -static_cast<i128>(v) : static_cast<i128>(v);
  return true;
}

std::string u128_digits(u128 v) {
  if (v == 0) return "0";
  char buf[48];
  int i = 48;
  while (v) buf[--i] = static_cast<char>('0' + static_cast<int>(v % 10)), v /= 10;
  return std::string(buf + i, buf + 48);
}

// "digits" with `places` of them after the point, a sign unless zero.
std::string place_point(std::string digits, int places, bool negative) {
  if (places > 0) {
    if (static_cast<int>(digits.size()) <= places)
      digits.insert(0, static_cast<size_t>(places + 1 - digits.size()), '0');
    digits.insert(digits.size() - places, ".");
  }
  bool zero = digits.find_first_not_of("0.") == std::string::npos;
  return negative && !zero ? "-" + digits : digits;
}

}  // namespace

Exact Exact::integer(long long v) {
  Exact e;
  e.num_ = v;
  return e;
}

Exact Exact::undefined() {
  Exact e;
  e.state_ = State::Undefined;
  return e;
}

bool Exact::is_zero() const {
  if (state_ == State::Small) return num_ == 0;
  if (state_ == State::Big) return sgn(big_->q) == 0;
  return false;
}

int Exact::sign() const {
  if (state_ == State::Small) return num_ < 0 ? -1 : num_ > 0;
  if (state_ == State::Big) return sgn(big_->q);
  return 0;
}

BigRational Exact::to_big() const {
  BigRational b;
  if (state_ == State::Big) return *big_;
  mpz_class n, d;
  set_mpz(n, num_);
  set_mpz(d, den_);
  b.q = mpq_class(n, d);
  b.q.canonicalize();
  return b;
}

void Exact::append_binary(std::string& out) const {
  out.push_back(static_cast<char>(state_));
  if (state_ == State::Small) {
    out.append(reinterpret_cast<const char*>(&num_), sizeof num_);
    out.append(reinterpret_cast<const char*>(&den_), sizeof den_);
  } else if (state_ == State::Big) {
    std::string text = big_->q.get_str(62);
    uint32_t n = static_cast<uint32_t>(text.size());
    out.append(reinterpret_cast<const char*>(&n), sizeof n);
    out += text;
  }
}

Exact Exact::read_binary(const char*& p) {
  Exact e;
  e.state_ = static_cast<State>(*p++);
  if (e.state_ == State::Small) {
    std::memcpy(&e.num_, p, sizeof e.num_);
    std::memcpy(&e.den_, p + sizeof e.num_, sizeof e.den_);
    p += sizeof e.num_ + sizeof e.den_;
  } else if (e.state_ == State::Big) {
    uint32_t n;
    std::memcpy(&n, p, sizeof n);
    p += sizeof n;
    BigRational b;
    b.q.set_str(std::string(p, n), 62);
    p += n;
    e.big_ = std::make_shared<const BigRational>(std::move(b));
  }
  return e;
}

Exact Exact::from_big(BigRational&& b) {
  Exact e;
  i128 n, d;
  if (get_i128(b.q.get_num(), n) && get_i128(b.q.get_den(), d)) {
    e.num_ = n;
    e.den_ = d;
    return e;
  }
  e.state_ = State::Big;
  e.big_ = std::make_shared<const BigRational>(std::move(b));
  return e;
}

namespace {

// Reduces n/d (d > 0) into e's fields; false on nothing (always succeeds).
inline void reduce(i128& n, i128& d) {
  if (d == 1) return;
  u128 g = gcd128(abs128(n), static_cast<u128>(d));
  if (g > 1) n /= static_cast<i128>(g), d /= static_cast<i128>(g);
}

}  // namespace

Exact operator+(const Exact& a, const Exact& b) {
  if (!a.defined() || !b.defined()) return Exact::undefined();
  if (a.state_ == Exact::State::Small && b.state_ == Exact::State::Small) {
    Exact r;
    if (a.den_ == b.den_) {
      if (!__builtin_add_overflow(a.num_, b.num_, &r.num_)) {
        r.den_ = a.den_;
        reduce(r.num_, r.den_);
        return r;
      }
    } else {
      i128 g = static_cast<i128>(gcd128(static_cast<u128>(a.den_), static_cast<u128>(b.den_)));
      i128 bd = b.den_ / g, ad = a.den_ / g, x, y, d;
      if (!__builtin_mul_overflow(a.num_, bd, &x) && !__builtin_mul_overflow(b.num_, ad, &y) &&
          !__builtin_add_overflow(x, y, &r.num_) && !__builtin_mul_overflow(a.den_, bd, &d)) {
        r.den_ = d;
        reduce(r.num_, r.den_);
        return r;
      }
    }
  }
  BigRational x = a.to_big();
  x.q += b.to_big().q;
  return Exact::from_big(std::move(x));
}

Exact& Exact::operator+=(const Exact& b) { return *this = *this + b; }

Exact Exact::operator-() const {
  if (state_ == State::Undefined) return *this;
  if (state_ == State::Small && num_ != std::numeric_limits<i128>::min()) {
    Exact r = *this;
    r.num_ = -num_;
    return r;
  }
  BigRational x = to_big();
  x.q = -x.q;
  return from_big(std::move(x));
}

Exact operator-(const Exact& a, const Exact& b) { return a + (-b); }

Exact operator*(const Exact& a, const Exact& b) {
  if (!a.defined() || !b.defined()) return Exact::undefined();
  if (a.state_ == Exact::State::Small && b.state_ == Exact::State::Small) {
    i128 g1 = static_cast<i128>(gcd128(abs128(a.num_), static_cast<u128>(b.den_)));
    i128 g2 = static_cast<i128>(gcd128(abs128(b.num_), static_cast<u128>(a.den_)));
    if (g1 == 0) g1 = 1;
    if (g2 == 0) g2 = 1;
    Exact r;
    if (!__builtin_mul_overflow(a.num_ / g1, b.num_ / g2, &r.num_) &&
        !__builtin_mul_overflow(a.den_ / g2, b.den_ / g1, &r.den_)) {
      if (r.num_ == 0) r.den_ = 1;
      return r;
    }
  }
  BigRational x = a.to_big();
  x.q *= b.to_big().q;
  return Exact::from_big(std::move(x));
}

Exact operator/(const Exact& a, const Exact& b) {
  if (!a.defined() || !b.defined() || b.is_zero()) return Exact::undefined();
  if (b.state_ == Exact::State::Small && b.num_ != std::numeric_limits<i128>::min()) {
    Exact inv;
    inv.num_ = b.num_ < 0 ? -b.den_ : b.den_;
    inv.den_ = b.num_ < 0 ? -b.num_ : b.num_;
    return a * inv;
  }
  BigRational x = a.to_big();
  x.q /= b.to_big().q;
  return Exact::from_big(std::move(x));
}

int Exact::compare(const Exact& a, const Exact& b) {
  if (a.state_ == State::Small && b.state_ == State::Small) {
    if (a.den_ == b.den_) return a.num_ < b.num_ ? -1 : a.num_ > b.num_;
    i128 x, y;
    if (!__builtin_mul_overflow(a.num_, b.den_, &x) && !__builtin_mul_overflow(b.num_, a.den_, &y))
      return x < y ? -1 : x > y;
  }
  return cmp(a.to_big().q, b.to_big().q);
}

bool operator==(const Exact& a, const Exact& b) {
  if (!a.defined() || !b.defined()) return a.defined() == b.defined();
  return Exact::compare(a, b) == 0;
}

double Exact::to_double() const {
  if (state_ == State::Undefined) return NAN;
  if (state_ == State::Small) {
    constexpr i128 k53 = static_cast<i128>(1) << 53;
    if (num_ > -k53 && num_ < k53 && den_ < k53)
      return static_cast<double>(num_) / static_cast<double>(den_);  // IEEE division rounds correctly
  }
  // q = |n| * 2^s / d with 65..66 bits, the remainder folded into its last
  // bit, so that converting q rounds exactly as the true quotient would.
  BigRational b = to_big();
  mpz_class a = abs(b.q.get_num()), d = b.q.get_den();
  long s =
      65 - (static_cast<long>(mpz_sizeinbase(a.get_mpz_t(), 2)) - static_cast<long>(mpz_sizeinbase(d.get_mpz_t(), 2)));
  mpz_class q, r;
  if (s >= 0) a <<= s;
  else d <<= -s;
  mpz_tdiv_qr(q.get_mpz_t(), r.get_mpz_t(), a.get_mpz_t(), d.get_mpz_t());
  i128 qi = 0;
  get_i128(q, qi);
  u128 bits = static_cast<u128>(qi) | (sgn(r) != 0 ? 1 : 0);
  double v = std::ldexp(static_cast<double>(bits), static_cast<int>(-s));
  return sgn(b.q) < 0 ? -v : v;
}

std::string Exact::rounded(int places, int shift) const {
  if (state_ == State::Undefined) return "—";
  int k = places + shift;
  if (state_ == State::Small && k >= 0 && k <= 36) {
    u128 m;
    u128 a = abs128(num_), d = static_cast<u128>(den_);
    if (!__builtin_mul_overflow(a, static_cast<u128>(pow10_128(k)), &m)) {
      u128 q = m / d, r = m % d;
      if (r >= d - r) ++q;  // half away from zero
      return place_point(u128_digits(q), places, num_ < 0);
    }
  }
  BigRational b = to_big();
  mpz_class a = abs(b.q.get_num()), d = b.q.get_den(), p;
  mpz_ui_pow_ui(p.get_mpz_t(), 10, static_cast<unsigned long>(std::abs(k)));
  if (k >= 0) a *= p;
  else d *= p;
  mpz_class q, r;
  mpz_tdiv_qr(q.get_mpz_t(), r.get_mpz_t(), a.get_mpz_t(), d.get_mpz_t());
  if (2 * r >= d) ++q;
  return place_point(q.get_str(), places, sgn(b.q) < 0);
}

std::string Exact::exact_text() const {
  if (state_ == State::Undefined) return "";
  if (state_ == State::Small) {  // the common case, without GMP
    u128 d = static_cast<u128>(den_);
    int twos = 0, fives = 0;
    while ((d & 1) == 0) d >>= 1, ++twos;
    while (d % 5 == 0) d /= 5, ++fives;
    if (d != 1) return (num_ < 0 ? "-" : "") + u128_digits(abs128(num_)) + "/" + u128_digits(static_cast<u128>(den_));
    int places = std::max(twos, fives);
    u128 scaled;
    if (places <= 38 &&
        !__builtin_mul_overflow(abs128(num_), static_cast<u128>(pow10_128(places)) / static_cast<u128>(den_), &scaled))
      return place_point(u128_digits(scaled), places, num_ < 0);
  }
  BigRational b = to_big();
  mpz_class d = b.q.get_den();
  int twos = 0, fives = 0;
  while (mpz_divisible_ui_p(d.get_mpz_t(), 2)) d /= 2, ++twos;
  while (mpz_divisible_ui_p(d.get_mpz_t(), 5)) d /= 5, ++fives;
  if (d != 1) return b.q.get_num().get_str() + "/" + b.q.get_den().get_str();
  int places = std::max(twos, fives);
  mpz_class p;
  mpz_ui_pow_ui(p.get_mpz_t(), 10, static_cast<unsigned long>(places));
  mpz_class scaled = abs(b.q.get_num()) * (p / b.q.get_den());
  return place_point(scaled.get_str(), places, sgn(b.q) < 0);
}

class ExactParser {
 public:
  static std::optional<Exact> parse(std::string_view t, std::string* why) {
    auto fail = [&](const char* w) -> std::optional<Exact> {
      if (why) *why = w;
      return std::nullopt;
    };
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t' || t.front() == '\r' || t.front() == '\n'))
      t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r' || t.back() == '\n'))
      t.remove_suffix(1);
    if (t.empty()) return fail("it is empty");
    size_t i = 0;
    bool negative = false;
    if (t[0] == '-' || t[0] == '+') negative = t[0] == '-', ++i;
    // Fast path: a whole number of up to 18 digits.
    uint64_t whole = 0;
    size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9' && i - start < 18) whole = whole * 10 + (t[i++] - '0');
    if (i == t.size() && i > start) {
      Exact e;
      e.num_ = negative ? -static_cast<i128>(whole) : static_cast<i128>(whole);
      return e;
    }
    i = start;
    std::string digits;  // significant digits of the mantissa
    long scale = 0;      // value = digits * 10^-scale
    size_t seen = 0;
    bool point = false;
    for (; i < t.size(); ++i) {
      char c = t[i];
      if (c >= '0' && c <= '9') {
        ++seen;
        if (!(digits.empty() && c == '0')) digits += c;
        if (point) ++scale;
      } else if (c == '.' && !point) {
        point = true;
      } else {
        break;
      }
    }
    if (seen == 0) return fail("it is not a decimal number");
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
      ++i;
      bool eneg = false;
      if (i < t.size() && (t[i] == '-' || t[i] == '+')) eneg = t[i] == '-', ++i;
      size_t es = i;
      long exp = 0;
      while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
        if (exp < 100000) exp = exp * 10 + (t[i] - '0');
        ++i;
      }
      if (i == es) return fail("it is not a decimal number");
      scale += eneg ? exp : -exp;
    }
    if (i != t.size()) return fail("it is not a decimal number");
    if (digits.empty()) return Exact();
    // Finite as a double: the magnitude 10^(digits - scale) within range.
    long magnitude = static_cast<long>(digits.size()) - scale;
    if (magnitude > 309 || (magnitude == 309 && std::isinf(std::strtod(std::string(t).c_str(), nullptr))))
      return fail("it is too large");
    if (magnitude < -330) return fail("it is too small");
    if (digits.size() <= 38 && scale <= 38 && scale >= -38) {
      i128 n = 0;
      for (char c : digits) n = n * 10 + (c - '0');
      i128 d = 1;
      bool ok = true;
      if (scale > 0) d = pow10_128(static_cast<int>(scale));
      else if (scale < 0) ok = !__builtin_mul_overflow(n, pow10_128(static_cast<int>(-scale)), &n);
      if (ok) {
        Exact e;
        reduce(n, d);
        e.num_ = negative ? -n : n;
        e.den_ = d;
        return e;
      }
    }
    BigRational b;
    mpz_class n(digits), p;
    mpz_ui_pow_ui(p.get_mpz_t(), 10, static_cast<unsigned long>(std::labs(scale)));
    if (scale >= 0) b.q = mpq_class(n, p);
    else b.q = mpq_class(n * p);
    b.q.canonicalize();
    if (negative) b.q = -b.q;
    return Exact::from_big(std::move(b));
  }
};

std::optional<Exact> parse_decimal(std::string_view text, std::string* why) { return ExactParser::parse(text, why); }

}  // namespace bulletin
