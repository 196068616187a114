// A tensor of secret shares: this party's share of every element of a rows x cols matrix.
//
// Callers above protocols/ (circuits, ml) treat it as opaque: they reshape, slice and
// transpose it (local operations on every share alike) and hand it back to the Protocol for
// arithmetic. Only the protocol that made it reads the elements.
#pragma once

#include <utility>

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

  // For protocol implementations only.
  const RingMatrix& ring() const { return shares_; }
  RingMatrix& ring() { return shares_; }

 private:
  RingMatrix shares_;
};

}  // namespace jointly
