// A tensor of secret shares: this party's share of every element of a rows x cols matrix.
//
// Callers above protocols/ (circuits, ml) treat it as opaque: they reshape, slice and
// transpose it (local operations on every share alike) and hand it back to the Protocol for
// arithmetic. Only the protocol that made it reads the elements.
#pragma once

#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#include "protocols/ring.h"

namespace jointly {

class Shared {
 public:
  Shared() = default;
  explicit Shared(RingMatrix shares) : shares_(std::move(shares)) {}

  Index rows() const { return shares_.rows(); }
  Index cols() const { return shares_.cols(); }
  Index size() const { return shares_.size(); }

  // Local re-arrangements; every party applies the same one to its shares.
  Shared transpose() const { return Shared(shares_.transpose()); }
  Shared block(Index row, Index col, Index rows, Index cols) const {
    return Shared(shares_.block(row, col, rows, cols));
  }
  Shared middle_rows(Index first, Index count) const {
    return Shared(shares_.middleRows(first, count));
  }

  // Rows `indices` of this tensor, in that order (a mini-batch).
  Shared gather_rows(std::span<const Index> indices) const {
    RingMatrix out(static_cast<Index>(indices.size()), cols());
    for (std::size_t i = 0; i < indices.size(); ++i)
      out.row(static_cast<Index>(i)) = shares_.row(indices[i]);
    return Shared(std::move(out));
  }
  // Stacks tensors with the same number of columns (parties' rows) or rows (their columns).
  static Shared vstack(const std::vector<Shared>& parts) {
    Index rows = 0;
    for (const Shared& p : parts) rows += p.rows();
    RingMatrix out(rows, parts.empty() ? 0 : parts.front().cols());
    Index at = 0;
    for (const Shared& p : parts) {
      if (p.cols() != out.cols()) throw std::invalid_argument("vstack: column counts differ");
      out.middleRows(at, p.rows()) = p.shares_;
      at += p.rows();
    }
    return Shared(std::move(out));
  }
  static Shared hstack(const std::vector<Shared>& parts) {
    Index cols = 0;
    for (const Shared& p : parts) cols += p.cols();
    RingMatrix out(parts.empty() ? 0 : parts.front().rows(), cols);
    Index at = 0;
    for (const Shared& p : parts) {
      if (p.rows() != out.rows()) throw std::invalid_argument("hstack: row counts differ");
      out.middleCols(at, p.cols()) = p.shares_;
      at += p.cols();
    }
    return Shared(std::move(out));
  }

  // For protocol implementations only.
  const RingMatrix& ring() const { return shares_; }
  RingMatrix& ring() { return shares_; }

 private:
  RingMatrix shares_;
};

}  // namespace jointly
