#include "tests/protocols/leakage/statistics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace jointly::testing::leakage {
namespace {

constexpr double kLn10 = 2.302585092994046;
constexpr int kNibbleBins = 16;
// Bit-planes of a ring word that enter the GF(2) relation test: bit 0 carries every relation
// over Z_2^64 exactly (sums and products mod 2), the others XOR relations (GMW's bit shares).
constexpr int kRingPlanes = 8;

// ln Q(a, x), the regularised upper incomplete gamma function (Numerical Recipes §6.2:
// series below a + 1, Lentz's continued fraction above, both in logs so that tails far
// beyond double precision still compare).
double ln_gamma_q(double a, double x) {
  if (x <= 0) return 0;
  const double ln_prefix = -x + a * std::log(x) - std::lgamma(a);
  if (x < a + 1) {
    double term = 1 / a, sum = term;
    for (int n = 1; n < 10000; ++n) {
      term *= x / (a + n);
      sum += term;
      if (std::fabs(term) < std::fabs(sum) * 1e-16) break;
    }
    const double p = std::exp(ln_prefix + std::log(sum));
    return std::log1p(-std::min(p, 1.0 - 1e-300));
  }
  constexpr double kTiny = 1e-300;
  double b = x + 1 - a, c = 1 / kTiny, d = 1 / b, h = d;
  for (int i = 1; i < 10000; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < 1e-16) break;
  }
  return ln_prefix + std::log(h);
}

double ln_choose(std::size_t n, std::size_t k) {
  return std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(k) + 1) -
         std::lgamma(static_cast<double>(n - k) + 1);
}

int nibbles(Algebra algebra) { return algebra == Algebra::kRing ? 16 : 32; }

// --- Spans of feature vectors: echelon bases over GF(2) and F_p ---------------------------
// Rows are inserted reduced by the rows before them, so row k is zero at every earlier row's
// pivot and reducing by the rows in order leaves zero at every pivot.
class BitBasis {
 public:
  explicit BitBasis(std::size_t features) : words_((features + 63) / 64) {}
  std::size_t words() const { return words_; }
  // Reduces v in place; true if it was in the span.
  bool reduce(std::vector<std::uint64_t>& v) const {
    for (std::size_t k = 0; k < rows_.size(); ++k) {
      if ((v[pivots_[k] / 64] >> (pivots_[k] % 64)) & 1) {
        const std::uint64_t* row = rows_[k].data();
        for (std::size_t w = 0; w < words_; ++w) v[w] ^= row[w];
      }
    }
    return std::all_of(v.begin(), v.end(), [](std::uint64_t w) { return w == 0; });
  }
  void insert(std::vector<std::uint64_t> v) {
    if (reduce(v)) return;
    std::size_t w = 0;
    while (v[w] == 0) ++w;
    pivots_.push_back(w * 64 + static_cast<std::size_t>(__builtin_ctzll(v[w])));
    rows_.push_back(std::move(v));
  }
  std::size_t rank() const { return rows_.size(); }

 private:
  std::size_t words_;
  std::vector<std::vector<std::uint64_t>> rows_;
  std::vector<std::size_t> pivots_;
};

class FieldBasis {
 public:
  bool reduce(std::vector<Fp>& v) const {
    for (std::size_t k = 0; k < rows_.size(); ++k) {
      const Fp c = v[pivots_[k]];
      if (c == Fp(0)) continue;
      const std::vector<Fp>& row = rows_[k];
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (row[i] != Fp(0)) v[i] -= c * row[i];
      }
    }
    return std::all_of(v.begin(), v.end(), [](Fp f) { return f == Fp(0); });
  }
  void insert(std::vector<Fp> v) {
    if (reduce(v)) return;
    std::size_t p = 0;
    while (v[p] == Fp(0)) ++p;
    const Fp inverse = v[p].inverse();
    for (Fp& f : v) f *= inverse;
    pivots_.push_back(p);
    rows_.push_back(std::move(v));
  }
  std::size_t rank() const { return rows_.size(); }

 private:
  std::vector<std::vector<Fp>> rows_;
  std::vector<std::size_t> pivots_;
};

bool use_quadratic(std::size_t width, std::size_t limit) { return width <= limit; }

std::vector<std::uint64_t> bit_features(const u128* view, std::size_t width, bool quadratic,
                                        std::size_t features) {
  std::vector<std::uint64_t> v((features + 63) / 64, 0);
  const auto set = [&](std::size_t i) { v[i / 64] |= std::uint64_t{1} << (i % 64); };
  set(0);  // the constant: the span is then the affine hull
  std::size_t at = 1;
  for (std::size_t w = 0; w < width; ++w) {
    for (int b = 0; b < kRingPlanes; ++b, ++at) {
      if ((view[w] >> b) & 1) set(at);
    }
  }
  if (quadratic) {
    for (std::size_t i = 0; i < width; ++i) {
      for (std::size_t j = i + 1; j < width; ++j, ++at) {
        if (view[i] & view[j] & 1) set(at);
      }
    }
  }
  return v;
}

std::vector<Fp> field_features(const u128* view, std::size_t width, bool quadratic,
                               std::size_t features) {
  std::vector<Fp> v;
  v.reserve(features);
  v.push_back(Fp(1));
  for (std::size_t w = 0; w < width; ++w) v.push_back(Fp(view[w]));
  if (quadratic) {
    for (std::size_t i = 0; i < width; ++i) {
      for (std::size_t j = i; j < width; ++j) v.push_back(Fp(view[i]) * Fp(view[j]));
    }
  }
  return v;
}

// Spans the features of a's first out.train runs, then counts the other runs outside the span.
template <class Basis, class Features>
void learn_and_count(Basis basis, Features features, const Views& a, const Views& b,
                     RelationResult& out) {
  const auto of = [&](const Views& v, std::size_t r) {
    return features(v.run(r), v.width, out.quadratic, out.features);
  };
  for (std::size_t r = 0; r < out.train; ++r) basis.insert(of(a, r));
  out.rank = basis.rank();
  for (std::size_t r = out.train; r < a.runs(); ++r) {
    auto v = of(a, r);
    out.outside_a += basis.reduce(v) ? 0 : 1;
  }
  for (std::size_t r = 0; r < b.runs(); ++r) {
    auto v = of(b, r);
    out.outside_b += basis.reduce(v) ? 0 : 1;
  }
}

}  // namespace

double log10_chi2_survival(double x, int df) {
  if (df <= 0) return 0;
  return ln_gamma_q(df / 2.0, x / 2.0) / kLn10;
}

double log10_hypergeometric_tail(std::size_t total, std::size_t marked, std::size_t draws,
                                 std::size_t k) {
  if (k == 0) return 0;
  const std::size_t last = std::min(marked, draws);
  if (k > last) return -std::numeric_limits<double>::infinity();
  const double ln_all = ln_choose(total, draws);
  double max_term = -std::numeric_limits<double>::infinity();
  std::vector<double> terms;
  for (std::size_t j = k; j <= last; ++j) {
    if (draws - j > total - marked) continue;
    terms.push_back(ln_choose(marked, j) + ln_choose(total - marked, draws - j) - ln_all);
    max_term = std::max(max_term, terms.back());
  }
  double sum = 0;
  for (double t : terms) sum += std::exp(t - max_term);
  return std::min(0.0, (max_term + std::log(sum)) / kLn10);
}

MarginalResult marginal_test(const Views& a, const Views& b) {
  if (a.width != b.width || a.algebra != b.algebra)
    throw std::invalid_argument("marginal_test: views of different shapes");
  MarginalResult out;
  const double na = static_cast<double>(a.runs()), nb = static_cast<double>(b.runs());
  const double wa = std::sqrt(nb / na), wb = std::sqrt(na / nb);
  double best = 1;  // smallest log10 p so far (0 = p of 1)
  for (std::size_t pos = 0; pos < a.width; ++pos) {
    for (int nib = 0; nib < nibbles(a.algebra); ++nib) {
      std::array<double, kNibbleBins> ca{}, cb{};
      for (std::size_t r = 0; r < a.runs(); ++r) ca[(a.run(r)[pos] >> (4 * nib)) & 0xf] += 1;
      for (std::size_t r = 0; r < b.runs(); ++r) cb[(b.run(r)[pos] >> (4 * nib)) & 0xf] += 1;
      double chi2 = 0;
      int bins = 0;
      for (int i = 0; i < kNibbleBins; ++i) {
        if (ca[i] + cb[i] == 0) continue;
        ++bins;
        const double diff = wa * ca[i] - wb * cb[i];
        chi2 += diff * diff / (ca[i] + cb[i]);
      }
      if (bins < 2) continue;  // the same constant under both secrets
      ++out.tests;
      const double lp = log10_chi2_survival(chi2, bins - 1);
      if (best > 0 || lp < best) {
        best = lp;
        out.chi2 = chi2;
        out.df = bins - 1;
        out.position = pos;
        out.nibble = nib;
      }
    }
  }
  out.log10_p_adjusted =
      out.tests == 0 ? 0 : std::min(0.0, best + std::log10(static_cast<double>(out.tests)));
  return out;
}

std::size_t relation_features(Algebra algebra, std::size_t width, std::size_t quadratic_limit) {
  const bool q = use_quadratic(width, quadratic_limit);
  if (algebra == Algebra::kRing) {
    return 1 + kRingPlanes * width + (q ? width * (width - 1) / 2 : 0);
  }
  return 1 + width + (q ? width * (width + 1) / 2 : 0);
}

RelationResult relation_test(const Views& a, const Views& b, std::size_t train,
                             std::size_t quadratic_limit) {
  if (a.width != b.width || a.algebra != b.algebra)
    throw std::invalid_argument("relation_test: views of different shapes");
  if (train >= a.runs()) throw std::invalid_argument("relation_test: no A runs left to test");
  RelationResult out;
  out.quadratic = use_quadratic(a.width, quadratic_limit);
  out.features = relation_features(a.algebra, a.width, quadratic_limit);
  out.train = train;
  out.tests_a = a.runs() - train;
  out.tests_b = b.runs();
  if (a.algebra == Algebra::kRing) {
    learn_and_count(BitBasis(out.features), bit_features, a, b, out);
  } else {
    learn_and_count(FieldBasis(), field_features, a, b, out);
  }
  out.log10_p = log10_hypergeometric_tail(out.tests_a + out.tests_b, out.outside_a + out.outside_b,
                                          out.tests_b, out.outside_b);
  return out;
}

}  // namespace jointly::testing::leakage
