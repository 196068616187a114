#include "protocols/prime_field.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "protocols/wrong_shares.h"

namespace jointly {
namespace {

constexpr std::size_t kMaxBits = 4096;
constexpr int kMillerRabinRounds = 50;

using Element = PrimeField::Element;

// Parses decimal or 0x-hex into `out`; false if the text is not a non-negative integer.
bool parse(std::string_view text, Element& out) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) return false;
  for (char ch : text) {
    const bool digit = base == 10 ? (ch >= '0' && ch <= '9')
                                  : ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
                                     (ch >= 'A' && ch <= 'F'));
    if (!digit) return false;
  }
  return mpz_set_str(out.raw(), std::string(text).c_str(), base) == 0;
}

}  // namespace

std::string Element::to_string(int base) const {
  std::unique_ptr<char, void (*)(void*)> text(mpz_get_str(nullptr, base, v_), std::free);
  return text.get();
}

PrimeField::PrimeField(std::string_view modulus) {
  if (!parse(modulus, p_)) {
    throw std::invalid_argument("prime field: '" + std::string(modulus) + "' is not a number");
  }
  bits_ = mpz_sizeinbase(p_.raw(), 2);
  if (bits_ > kMaxBits) {
    throw std::invalid_argument("prime field: the modulus has " + std::to_string(bits_) +
                                " bits, more than " + std::to_string(kMaxBits));
  }
  if (mpz_cmp_ui(p_.raw(), 2) <= 0 || mpz_even_p(p_.raw()) ||
      mpz_probab_prime_p(p_.raw(), kMillerRabinRounds) == 0) {
    throw std::invalid_argument("prime field: " + std::string(modulus) + " is not an odd prime");
  }
}

Element PrimeField::reduce(Element v) const {
  mpz_mod(v.raw(), v.raw(), p_.raw());  // mpz_mod's result is non-negative
  return v;
}

Element PrimeField::from_int(std::int64_t v) const {
  Element e;
  if (v >= 0) {
    mpz_set_ui(e.raw(), static_cast<unsigned long>(v));
  } else {
    // -(v + 1) + 1 avoids negating INT64_MIN.
    mpz_set_ui(e.raw(), static_cast<unsigned long>(-(v + 1)));
    mpz_add_ui(e.raw(), e.raw(), 1);
    mpz_neg(e.raw(), e.raw());
  }
  return reduce(std::move(e));
}

Element PrimeField::from_string(std::string_view text) const {
  Element e;
  if (!parse(text, e) || mpz_cmp(e.raw(), p_.raw()) >= 0) {
    throw std::invalid_argument("prime field: '" + std::string(text) +
                                "' is not an element (a number below the modulus)");
  }
  return e;
}

Element PrimeField::random(Prg& prg) const {
  const std::size_t bytes = (bits_ + 7) / 8;
  std::vector<std::uint8_t> raw(bytes);
  Element e;
  // Keep only bits() bits, so each try lands below p with probability above 1/2.
  const unsigned spare = static_cast<unsigned>(8 * bytes - bits_);
  do {
    prg.fill(raw);
    raw[0] &= static_cast<std::uint8_t>(0xff >> spare);
    mpz_import(e.raw(), bytes, 1, 1, 1, 0, raw.data());
  } while (mpz_cmp(e.raw(), p_.raw()) >= 0);
  return e;
}

Element PrimeField::add(const Element& a, const Element& b) const {
  Element r;
  mpz_add(r.raw(), a.raw(), b.raw());
  if (mpz_cmp(r.raw(), p_.raw()) >= 0) mpz_sub(r.raw(), r.raw(), p_.raw());
  return r;
}

Element PrimeField::sub(const Element& a, const Element& b) const {
  Element r;
  mpz_sub(r.raw(), a.raw(), b.raw());
  if (mpz_sgn(r.raw()) < 0) mpz_add(r.raw(), r.raw(), p_.raw());
  return r;
}

Element PrimeField::mul(const Element& a, const Element& b) const {
  Element r;
  mpz_mul(r.raw(), a.raw(), b.raw());
  return reduce(std::move(r));
}

Element PrimeField::neg(const Element& a) const {
  Element r;
  if (mpz_sgn(a.raw()) != 0) mpz_sub(r.raw(), p_.raw(), a.raw());
  return r;
}

Element PrimeField::pow(const Element& a, const Element& e) const {
  Element r;
  mpz_powm(r.raw(), a.raw(), e.raw(), p_.raw());
  return r;
}

Element PrimeField::inverse(const Element& a) const {
  Element r;
  if (mpz_sgn(a.raw()) == 0 || mpz_invert(r.raw(), a.raw(), p_.raw()) == 0) {
    throw std::domain_error("prime field: 0 has no inverse");
  }
  return r;
}

std::vector<Element> shamir_share(const PrimeField& field, const Element& secret, int t, int n,
                                  Prg& prg) {
  if (t < 0 || n <= t) {
    throw std::invalid_argument("shamir_share: need 0 <= t < n (t = " + std::to_string(t) +
                                ", n = " + std::to_string(n) + ")");
  }
  std::vector<Element> coefficients;  // c_1 .. c_t
  for (int k = 0; k < t; ++k) coefficients.push_back(field.random(prg));
  std::vector<Element> shares;
  for (int i = 0; i < n; ++i) {
    const Element x = field.from_int(i + 1);
    Element acc;  // Horner: ((c_t x + c_{t-1}) x + ... + c_1) x + secret
    for (int k = t - 1; k >= 0; --k) acc = field.mul(field.add(acc, coefficients[k]), x);
    shares.push_back(field.add(acc, secret));
  }
  return shares;
}

namespace {

// Lagrange coefficients at `at` for the points parties[i] + 1.
std::vector<Element> lagrange(const PrimeField& field, const std::vector<int>& parties,
                              const Element& at) {
  std::vector<Element> out;
  for (const int i : parties) {
    Element num = field.from_int(1), den = field.from_int(1);
    for (const int m : parties) {
      if (m == i) continue;
      num = field.mul(num, field.sub(at, field.from_int(m + 1)));
      den = field.mul(den, field.sub(field.from_int(i + 1), field.from_int(m + 1)));
    }
    out.push_back(field.mul(num, field.inverse(den)));
  }
  return out;
}

// The value at `at` of the polynomial through the shares of `parties`.
Element evaluate(const PrimeField& field, const std::vector<Element>& shares,
                 const std::vector<int>& parties, const Element& at) {
  const std::vector<Element> coefficients = lagrange(field, parties, at);
  Element acc;
  for (std::size_t i = 0; i < parties.size(); ++i) {
    acc = field.add(acc, field.mul(shares[static_cast<std::size_t>(parties[i])], coefficients[i]));
  }
  return acc;
}

// Whether the shares of every party but `excluded` lie on one polynomial of degree t.
bool fits(const PrimeField& field, const std::vector<Element>& shares, int t,
          const std::vector<int>& excluded) {
  std::vector<int> kept;
  for (int p = 0; p < static_cast<int>(shares.size()); ++p) {
    if (std::find(excluded.begin(), excluded.end(), p) == excluded.end()) kept.push_back(p);
  }
  const std::vector<int> basis(kept.begin(), kept.begin() + t + 1);
  for (std::size_t j = static_cast<std::size_t>(t) + 1; j < kept.size(); ++j) {
    if (!(evaluate(field, shares, basis, field.from_int(kept[j] + 1)) ==
          shares[static_cast<std::size_t>(kept[j])]))
      return false;
  }
  return true;
}

}  // namespace

Element shamir_reconstruct(const PrimeField& field, const std::vector<Element>& shares, int t) {
  const int n = static_cast<int>(shares.size());
  if (t < 0 || n <= t) {
    throw std::invalid_argument("shamir_reconstruct: " + std::to_string(n) +
                                " shares cannot determine a degree-" + std::to_string(t) +
                                " polynomial");
  }
  if (!fits(field, shares, t, {})) {
    throw_inconsistent_shares(
        n, t, -1,
        [&](const std::vector<int>& excluded) { return fits(field, shares, t, excluded); },
        "shamir_reconstruct");
  }
  std::vector<int> first(static_cast<std::size_t>(t) + 1);
  for (int i = 0; i <= t; ++i) first[static_cast<std::size_t>(i)] = i;
  return evaluate(field, shares, first, field.from_int(0));
}

}  // namespace jointly
