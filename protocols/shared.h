// A tensor of secret shares: this party's share of every element of a rows x cols matrix —
// ring elements (additive sharing over Z_2^64), field elements (Shamir over F_p), or a pair of
// ring elements (2-out-of-3 replicated sharing over Z_2^64: this party's two of the three
// additive shares).
//
// Callers above protocols/ (circuits, ml) treat it as opaque: they reshape, slice and
// transpose it (local operations on every share alike) and hand it back to the Protocol for
// arithmetic. Only the protocol that made it reads the elements.
#pragma once

#include <span>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "protocols/field.h"
#include "protocols/ring.h"

namespace jointly {

// Replicated sharing (protocols/replicated): x = x_0 + x_1 + x_2 and party i holds x_i
// (`mine`) and x_{i+1} (`next`), so every share is held by two parties.
struct RingPair {
  RingMatrix mine, next;
};

class Shared {
 public:
  Shared() = default;
  explicit Shared(RingMatrix shares) : shares_(std::move(shares)) {}
  explicit Shared(FieldMatrix shares) : shares_(std::move(shares)) {}
  explicit Shared(RingPair shares) : shares_(std::move(shares)) {}
  Shared(RingMatrix mine, RingMatrix next) : shares_(RingPair{std::move(mine), std::move(next)}) {}
  // Any Eigen expression over ring or field elements (evaluated here).
  template <class Derived>
  explicit Shared(const Eigen::MatrixBase<Derived>& expression) {
    using Scalar = typename Derived::Scalar;
    static_assert(std::is_same_v<Scalar, Ring> || std::is_same_v<Scalar, Fp>,
                  "shares are ring or field elements");
    if constexpr (std::is_same_v<Scalar, Ring>) {
      shares_ = RingMatrix(expression);
    } else {
      shares_ = FieldMatrix(expression);
    }
  }

  Index rows() const {
    return std::visit([](const auto& m) { return first_of(m).rows(); }, shares_);
  }
  Index cols() const {
    return std::visit([](const auto& m) { return first_of(m).cols(); }, shares_);
  }
  Index size() const { return rows() * cols(); }

  // Local re-arrangements; every party applies the same one to its shares.
  Shared transpose() const {
    return map([](const auto& m) { return m.transpose(); });
  }
  Shared block(Index row, Index col, Index rows, Index cols) const {
    return map([&](const auto& m) { return m.block(row, col, rows, cols); });
  }
  Shared middle_rows(Index first, Index count) const {
    return map([&](const auto& m) { return m.middleRows(first, count); });
  }
  // The same elements in a rows x cols shape, column-major order (rows · cols == size()).
  Shared reshaped(Index rows, Index cols) const {
    return map([&](const auto& m) { return m.reshaped(rows, cols).eval(); });
  }
  // Rows `indices` of this tensor, in that order (a mini-batch).
  Shared gather_rows(std::span<const Index> indices) const {
    return map([&](const auto& m) {
      std::decay_t<decltype(m)> out(static_cast<Index>(indices.size()), m.cols());
      for (std::size_t i = 0; i < indices.size(); ++i) {
        out.row(static_cast<Index>(i)) = m.row(indices[i]);
      }
      return out;
    });
  }
  // Stacks tensors with the same number of columns (parties' rows) or rows (their columns).
  static Shared vstack(const std::vector<Shared>& parts) { return stack(parts, true); }
  static Shared hstack(const std::vector<Shared>& parts) { return stack(parts, false); }

  // For protocol implementations only. Asking for the wrong kind is a programming error
  // (a tensor of one protocol handed to another) and throws std::logic_error.
  bool is_ring() const { return std::holds_alternative<RingMatrix>(shares_); }
  bool is_pair() const { return std::holds_alternative<RingPair>(shares_); }
  const RingPair& pair() const { return get<RingPair>(); }
  RingPair& pair() { return const_cast<RingPair&>(std::as_const(*this).pair()); }
  const RingMatrix& ring() const { return get<RingMatrix>(); }
  RingMatrix& ring() { return const_cast<RingMatrix&>(std::as_const(*this).ring()); }
  const FieldMatrix& field() const { return get<FieldMatrix>(); }
  FieldMatrix& field() { return const_cast<FieldMatrix&>(std::as_const(*this).field()); }

 private:
  template <class M>
  const M& get() const {
    if (const M* m = std::get_if<M>(&shares_)) return *m;
    throw std::logic_error("Shared: tensor belongs to another kind of protocol");
  }
  static const RingMatrix& first_of(const RingPair& p) { return p.mine; }
  template <class M>
  static const M& first_of(const M& m) {
    return m;
  }
  // Applies a local re-arrangement to every share matrix this party holds.
  template <class F>
  Shared map(F f) const {
    return std::visit(
        [&](const auto& m) {
          using M = std::decay_t<decltype(m)>;
          if constexpr (std::is_same_v<M, RingPair>) {
            return Shared(RingPair{RingMatrix(f(m.mine)), RingMatrix(f(m.next))});
          } else {
            return Shared(M(f(m)));
          }
        },
        shares_);
  }
  static Shared stack(const std::vector<Shared>& parts, bool vertical) {
    if (parts.empty()) return Shared();
    if (parts.front().is_pair()) {
      // Both share matrices at once, each part's copied once (no intermediate tensors).
      Index rows = vertical ? 0 : parts.front().rows(), cols = vertical ? parts.front().cols() : 0;
      for (const Shared& p : parts) (vertical ? rows : cols) += vertical ? p.rows() : p.cols();
      RingPair out{RingMatrix(rows, cols), RingMatrix(rows, cols)};
      Index at = 0;
      for (const Shared& p : parts) {
        const RingPair& m = p.pair();
        if (vertical) {
          if (p.cols() != cols) throw std::invalid_argument("vstack: column counts differ");
          out.mine.middleRows(at, p.rows()) = m.mine;
          out.next.middleRows(at, p.rows()) = m.next;
          at += p.rows();
        } else {
          if (p.rows() != rows) throw std::invalid_argument("hstack: row counts differ");
          out.mine.middleCols(at, p.cols()) = m.mine;
          out.next.middleCols(at, p.cols()) = m.next;
          at += p.cols();
        }
      }
      return Shared(std::move(out));
    }
    return std::visit(
        [&](const auto& first) {
          using M = std::decay_t<decltype(first)>;
          if constexpr (std::is_same_v<M, RingPair>) {
            return Shared();  // handled above
          } else {
            Index rows = vertical ? 0 : first.rows(), cols = vertical ? first.cols() : 0;
            for (const Shared& p : parts)
              (vertical ? rows : cols) += vertical ? p.rows() : p.cols();
            M out(rows, cols);
            Index at = 0;
            for (const Shared& p : parts) {
              const M& m = p.template get<M>();
              if (vertical) {
                if (m.cols() != cols) throw std::invalid_argument("vstack: column counts differ");
                out.middleRows(at, m.rows()) = m;
                at += m.rows();
              } else {
                if (m.rows() != rows) throw std::invalid_argument("hstack: row counts differ");
                out.middleCols(at, m.cols()) = m;
                at += m.cols();
              }
            }
            return Shared(std::move(out));
          }
        },
        parts.front().shares_);
  }

  std::variant<RingMatrix, FieldMatrix, RingPair> shares_;
};

}  // namespace jointly
