// F_p for any odd prime p, on GMP (mpz): the general-prime counterpart of the fast Fp
// (protocols/field.h, p = 2^127 - 1), for deployments that must use another field — a
// 255-bit prime for more statistical headroom, or the prime of a system to interoperate with
// — and the cross-check the tests run the fast field against.
//
// Elements are reduced to [0, p) after every operation. Shamir sharing over any such field
// (share at the points 1..n, reconstruct from t + 1 shares with the others checked) is below;
// the protocol engine itself (protocols/shamir) runs on the fast field.
#pragma once

#include <gmp.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/prg.h"

namespace jointly {

class PrimeField {
 public:
  // One element of some PrimeField (it does not know which: the field's functions take it).
  class Element {
   public:
    Element() { mpz_init(v_); }
    Element(const Element& o) { mpz_init_set(v_, o.v_); }
    Element(Element&& o) noexcept : Element() { mpz_swap(v_, o.v_); }
    Element& operator=(Element o) noexcept {
      mpz_swap(v_, o.v_);
      return *this;
    }
    ~Element() { mpz_clear(v_); }
    friend bool operator==(const Element& a, const Element& b) { return mpz_cmp(a.v_, b.v_) == 0; }
    std::string to_string(int base = 10) const;

    mpz_t& raw() { return v_; }
    const mpz_t& raw() const { return v_; }

   private:
    mpz_t v_;
  };

  // `modulus` in decimal or with a 0x prefix in hexadecimal. Throws std::invalid_argument
  // unless it is an odd probable prime (50 Miller–Rabin rounds) of at most 4096 bits.
  explicit PrimeField(std::string_view modulus);

  std::size_t bits() const { return bits_; }
  const Element& modulus() const { return p_; }

  Element from_int(std::int64_t v) const;  // negative v maps to p - |v|
  // Decimal or 0x-hex; throws std::invalid_argument if it is not a number below p.
  Element from_string(std::string_view text) const;
  // Uniform in [0, p): rejection sampling on bits() random bits from `prg`.
  Element random(Prg& prg) const;

  Element add(const Element& a, const Element& b) const;
  Element sub(const Element& a, const Element& b) const;
  Element mul(const Element& a, const Element& b) const;
  Element neg(const Element& a) const;
  Element pow(const Element& a, const Element& e) const;
  Element inverse(const Element& a) const;  // throws std::domain_error for 0

 private:
  Element reduce(Element v) const;

  Element p_;
  std::size_t bits_ = 0;
};

// Shamir over any PrimeField, threshold t < n: party i's share is f(i + 1) for a random
// polynomial f of degree t with f(0) = secret.
std::vector<PrimeField::Element> shamir_share(const PrimeField& field,
                                              const PrimeField::Element& secret, int t, int n,
                                              Prg& prg);
// f(0) from all n shares: the first t + 1 reconstruct (Lagrange at 0), every other share must
// lie on their polynomial. Shares that do not throw InconsistentShares (protocols/
// wrong_shares.h): naming the corrupted share's owner when at most ⌊(n − t − 1)/2⌋ are wrong
// and the redundancy can tell, every party as a candidate otherwise (n = 3, t = 1).
PrimeField::Element shamir_reconstruct(const PrimeField& field,
                                       const std::vector<PrimeField::Element>& shares, int t);

}  // namespace jointly
