// The ring Z_2^64: wrap-around uint64 arithmetic, element-wise and as Eigen matrices.
//
// Shares live in RingMatrix (row-major so a matrix is one contiguous buffer that goes on the
// wire without a copy into another layout). Public values cross the protocol interface as
// IntMatrix: signed 64-bit integers (fixed-point encodings), which every protocol can embed —
// the ring by reinterpretation, a prime field by mapping negatives to p - |x|.
#pragma once

#include <Eigen/Core>
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>

#include "net/transport.h"

namespace jointly {

using Ring = std::uint64_t;
inline constexpr int kRingBits = 64;

using Index = Eigen::Index;
using RingMatrix = Eigen::Matrix<Ring, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using IntMatrix = Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Two's complement views; both are free (same bits).
inline RingMatrix to_ring(const IntMatrix& m) { return m.cast<Ring>(); }
inline IntMatrix to_int(const RingMatrix& m) { return m.cast<std::int64_t>(); }

// Arithmetic shift of a ring element read as a signed integer.
inline Ring shift_signed(Ring x, int bits) {
  return static_cast<Ring>(static_cast<std::int64_t>(x) >> bits);
}

// --- Wire encoding: little-endian uint64, row-major, no header (shapes are known to both ends).
static_assert(std::endian::native == std::endian::little, "wire format assumes little endian");

// Appends the elements of each matrix, in order, to one buffer: one message per round.
net::Bytes pack(std::initializer_list<const RingMatrix*> parts);

// Splits `bytes` into matrices of the given shapes; throws PeerError naming `from` if the
// size does not match (a malformed or truncated message).
void unpack(const net::Bytes& bytes, net::PartyId from,
            std::initializer_list<RingMatrix*> parts_with_shape);

}  // namespace jointly
