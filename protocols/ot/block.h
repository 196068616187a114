// A 128-bit block: one row of the IKNP matrices, one base-OT key, one AES block.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

#include "protocols/prg.h"

namespace jointly::ot {

// The computational security parameter: 128 base OTs, 128-bit rows (libOTe's
// gOtExtBaseOtCount).
inline constexpr std::size_t kBaseOts = 128;

struct alignas(16) Block {
  std::uint64_t lo = 0, hi = 0;

  friend Block operator^(Block x, Block y) { return {x.lo ^ y.lo, x.hi ^ y.hi}; }
  Block& operator^=(Block y) {
    lo ^= y.lo;
    hi ^= y.hi;
    return *this;
  }
  friend Block operator&(Block x, Block y) { return {x.lo & y.lo, x.hi & y.hi}; }
  friend bool operator==(Block x, Block y) = default;
  bool bit(std::size_t i) const { return ((i < 64 ? lo >> i : hi >> (i - 64)) & 1) != 0; }
};
static_assert(sizeof(Block) == 16);

// A pair of random-OT messages (what the base-OT sender ends up with).
using BlockPair = std::array<Block, 2>;

// A block as a PRG seed (a base-OT key or a GGM node expanded with AES-CTR).
inline Seed seed_of(const Block& b) {
  static_assert(sizeof(Seed) == sizeof(Block));
  Seed s;
  std::memcpy(s.data(), &b, sizeof b);
  return s;
}

// Bit i of a packed, least-significant-bit-first bit string.
inline bool get_bit(const std::uint8_t* bits, std::size_t i) {
  return (bits[i / 8] >> (i % 8)) & 1;
}

}  // namespace jointly::ot
