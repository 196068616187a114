#include "circuits/compare/compare.h"

#include <stdexcept>

#include "circuits/gmw/gmw.h"

namespace jointly::circuits {

BoolShared ltz_bits(Protocol& protocol, const Shared& x) {
  return binary_of(protocol, "ltz").sign_bits(x, false);
}

BoolShared gez_bits(Protocol& protocol, const Shared& x) {
  return binary_of(protocol, "gez").sign_bits(x, true);
}

BitProducts b2a_times(Protocol& protocol, const BoolShared& bits,
                      const std::vector<Shared>& values) {
  return binary_of(protocol, "b2a").b2a_times(bits, values);
}

Shared b2a(Protocol& protocol, const BoolShared& bits) { return b2a_times(protocol, bits, {}).bit; }

BitProducts gez_times(Protocol& protocol, const Shared& x, const std::vector<Shared>& values) {
  return protocol.gez_times(x, values);
}

BitProducts gez_offsets_times(Protocol& protocol, const Shared& x,
                              std::span<const std::int64_t> offsets,
                              const std::vector<Shared>& values) {
  return protocol.gez_offsets_times(x, offsets, values);
}

Shared ltz(Protocol& protocol, const Shared& x) { return protocol.ltz(x); }

Shared less_than(Protocol& protocol, const Shared& a, const Shared& b) {
  return ltz(protocol, protocol.sub(a, b));
}

RowMax max_rows(Protocol& protocol, const Shared& x, bool with_argmax) {
  if (x.cols() == 0) throw std::invalid_argument("max_rows: a row has no columns");
  const Index rows = x.rows();
  Shared cur = x;
  Shared idx;
  if (with_argmax) {
    IntMatrix columns(rows, x.cols());
    for (Index c = 0; c < x.cols(); ++c) columns.col(c).setConstant(c);
    idx = protocol.add_public(protocol.sub(x, x), columns);  // zero shares of x's kind
  }
  // Each layer compares the left half of the columns with the right half; an odd last column
  // waits for the next layer. ceil(log2(cols)) layers.
  while (cur.cols() > 1) {
    const Index half = cur.cols() / 2;
    const Shared a = cur.block(0, 0, rows, half), b = cur.block(0, half, rows, half);
    const Shared diff = protocol.sub(a, b);
    std::vector<Shared> values{diff};
    if (with_argmax) {
      values.push_back(protocol.sub(idx.block(0, 0, rows, half), idx.block(0, half, rows, half)));
    }
    const BitProducts s = gez_times(protocol, diff, values);
    Shared next = protocol.add(b, s.products[0]);  // b + [a >= b]·(a - b)
    Shared next_idx;
    if (with_argmax) next_idx = protocol.add(idx.block(0, half, rows, half), s.products[1]);
    if (cur.cols() % 2 == 1) {
      next = Shared::hstack({next, cur.block(0, 2 * half, rows, 1)});
      if (with_argmax) next_idx = Shared::hstack({next_idx, idx.block(0, 2 * half, rows, 1)});
    }
    cur = std::move(next);
    idx = std::move(next_idx);
  }
  return RowMax{std::move(cur), std::move(idx)};
}

}  // namespace jointly::circuits
