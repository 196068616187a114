#include "protocols/shamir/compare.h"

#include <span>
#include <stdexcept>

#include "protocols/shamir/shamir.h"

namespace jointly {
namespace {

constexpr int kLowBits = kFieldCompareBits - 1;  // m: bits of y below its top bit
// Bits of each party's part of R: 40 bits of statistical hiding over the at most 2 carried
// into bit m of y + r'.
constexpr int kHighMaskBits = kShamirStatBits + 2;

Fp power_of_two(int e) { return Fp(u128{1} << e); }

// Group counts of the tree's levels, bottom up: m, ceil(m/2), ..., 1.
template <class F>
void for_each_level(int bits, F f) {
  for (int width = bits; width > 1; width = (width + 1) / 2) f(width);
}

}  // namespace

int field_compare_products(int bits) {
  int products = 0;
  // Each pair of groups costs two products (E and L), except the last pair, whose E nobody
  // needs.
  for_each_level(bits, [&](int width) { products += width == 2 ? 1 : 2 * (width / 2); });
  return products;
}

int field_compare_depth(int bits) {
  int depth = 0;
  for_each_level(bits, [&](int) { ++depth; });
  return depth;
}

BitProducts field_gez_times(Shamir& shamir, const Shared& x, const std::vector<Shared>& values) {
  const std::int64_t none[] = {0};
  return field_gez_offsets_times(shamir, x, none, values);
}

BitProducts field_gez_offsets_times(Shamir& shamir, const Shared& x,
                                    std::span<const std::int64_t> offsets,
                                    const std::vector<Shared>& values) {
  const Index k = static_cast<Index>(offsets.size());
  if (k == 0) throw std::invalid_argument("gez: no thresholds");
  for (const Shared& v : values) {
    if (v.rows() != k * x.rows() || v.cols() != x.cols()) {
      throw std::invalid_argument("gez: value shape differs from the compared tensor's shape");
    }
  }
  const Index n = x.size(), all = k * n, m = kLowBits;
  BitProducts out;
  if (n == 0) {
    out.bit = Shared::vstack(std::vector<Shared>(static_cast<std::size_t>(k), x));
    out.products.assign(values.size(), out.bit);
    return out;
  }
  // y_j = x + offset_j + 2^(k-1) for every threshold j, block j of the `all` rows.
  const FieldMatrix y0 = Eigen::Map<const FieldMatrix>(x.field().data(), n, 1).array() +
                         power_of_two(kFieldCompareBits - 1);

  // --- Preprocessing: one mask per element of x, whatever the number of thresholds; double
  // sharings for every product of every tree.
  const FieldMatrix bits_flat = shamir.random_bits(n * m);
  const Eigen::Map<const FieldMatrix> bits(bits_flat.data(), n, m);  // row e: r_0 .. r_{m-1}
  const FieldMatrix high = shamir.bounded_random(n, 1, kHighMaskBits);
  shamir.prepare_double_sharings(all *
                                 (field_compare_products() + static_cast<Index>(values.size())));

  // r' = sum_i 2^i r_i; r = r' + 2^m R. Opening y0 + r once serves every threshold: the
  // parties add offset_j to it publicly, c_j = y_j + r.
  FieldMatrix low_mask = FieldMatrix::Zero(n, 1);
  for (Index i = 0; i < m; ++i) low_mask += bits.col(i) * power_of_two(static_cast<int>(i));
  const FieldMatrix c = shamir.open_elements(FieldMatrix(y0 + low_mask + high * power_of_two(m)));

  // --- Leaves: with c_i public, E_i = [c_i == r_i] and L_i = [c_i < r_i] are linear in r_i.
  const u128 low_bits = (u128{1} << m) - 1;
  FieldMatrix eq(all, m), lt(all, m), c_low(all, 1), y(all, 1);
  for (Index j = 0; j < k; ++j) {
    const Fp offset(offsets[static_cast<std::size_t>(j)]);
    for (Index e = 0; e < n; ++e) {
      const Index row = j * n + e;
      y(row, 0) = y0(e, 0) + offset;
      const u128 ce = (c(e, 0) + offset).value() & low_bits;
      c_low(row, 0) = Fp(ce);
      for (Index i = 0; i < m; ++i) {
        const bool ci = (ce >> i) & 1;
        const Fp ri = bits(e, i);
        eq(row, i) = ci ? ri : Fp(1) - ri;
        lt(row, i) = ci ? Fp(0) : ri;
      }
    }
  }
  FieldMatrix low_masks(all, 1);
  for (Index j = 0; j < k; ++j) low_masks.middleRows(j * n, n) = low_mask;

  // --- Tree: pair groups (2j, 2j+1), 2j+1 the more significant; an odd top group waits.
  while (eq.cols() > 1) {
    const Index width = eq.cols(), pairs = width / 2, next = (width + 1) / 2;
    const bool last = width == 2;
    FieldMatrix left(all, last ? 1 : 2 * pairs), right(all, last ? 1 : 2 * pairs);
    for (Index j = 0; j < pairs; ++j) {
      left.col(j) = eq.col(2 * j + 1);  // E_hi · L_lo
      right.col(j) = lt.col(2 * j);
      if (!last) {
        left.col(pairs + j) = eq.col(2 * j + 1);  // E_hi · E_lo
        right.col(pairs + j) = eq.col(2 * j);
      }
    }
    const FieldMatrix prod = shamir.multiply(left, right);
    FieldMatrix next_lt(all, next), next_eq(all, last ? 0 : next);
    for (Index j = 0; j < pairs; ++j) {
      next_lt.col(j) = lt.col(2 * j + 1) + prod.col(j);
      if (!last) next_eq.col(j) = prod.col(pairs + j);
    }
    if (width % 2 == 1) {
      next_lt.col(next - 1) = lt.col(width - 1);
      next_eq.col(next - 1) = eq.col(width - 1);
    }
    lt = std::move(next_lt);
    eq = last ? FieldMatrix(all, 1) : std::move(next_eq);
    if (last) break;
  }

  // --- y mod 2^m = c' - r' + 2^m·[c' < r'];  [y >= 2^m] = (y - y mod 2^m) / 2^m.
  const FieldMatrix y_mod = c_low - low_masks + lt.col(0) * power_of_two(m);
  const FieldMatrix gez = (y - y_mod) * power_of_two(m).inverse();
  // Row j·n + e is threshold j of element e: as a (k·rows) x cols tensor, block j is x + o_j.
  out.bit = Shared(FieldMatrix(Eigen::Map<const FieldMatrix>(gez.data(), k * x.rows(), x.cols())));
  if (values.empty()) return out;

  // --- Products b·v for every v, in one round.
  FieldMatrix stacked_bits(static_cast<Index>(values.size()) * all, 1),
      stacked(stacked_bits.rows(), 1);
  for (std::size_t v = 0; v < values.size(); ++v) {
    stacked_bits.middleRows(static_cast<Index>(v) * all, all) = gez;
    stacked.middleRows(static_cast<Index>(v) * all, all) =
        Eigen::Map<const FieldMatrix>(values[v].field().data(), all, 1);
  }
  const FieldMatrix prod = shamir.multiply(stacked_bits, stacked);
  for (std::size_t v = 0; v < values.size(); ++v) {
    out.products.emplace_back(FieldMatrix(Eigen::Map<const FieldMatrix>(
        prod.data() + static_cast<Index>(v) * all, k * x.rows(), x.cols())));
  }
  return out;
}

OpCost field_gez_cost(int parties, std::uint64_t elements, int products, int thresholds) {
  const std::uint64_t peers = static_cast<std::uint64_t>(parties - 1);
  const std::uint64_t honest = static_cast<std::uint64_t>(parties - (parties - 1) / 2);
  const auto per_dealer = [&](std::uint64_t count) { return (count + honest - 1) / honest; };
  const std::uint64_t all = elements * static_cast<std::uint64_t>(thresholds);
  const std::uint64_t bits = elements * kLowBits;
  const std::uint64_t tree = all * static_cast<std::uint64_t>(field_compare_products());
  const std::uint64_t pool = tree + all * static_cast<std::uint64_t>(products);
  std::uint64_t elements_sent = 0;
  elements_sent += 3 * per_dealer(bits) + bits;  // random bits: dealing, then opening a²
  elements_sent += elements;                     // bounded R: one dealing per element
  elements_sent += 2 * per_dealer(pool);         // double sharings for every product
  elements_sent += elements;                     // opening c, once for all thresholds
  elements_sent += pool;                         // trees and products: one opening each
  OpCost cost;
  cost.rounds = static_cast<std::uint64_t>(5 + field_compare_depth() + (products > 0 ? 1 : 0));
  cost.bytes_sent = peers * elements_sent * sizeof(Fp);
  return cost;
}

}  // namespace jointly
