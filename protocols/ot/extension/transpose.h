// Bit-matrix transpose for IKNP: 128 rows of n bits (one per base OT, as the PRGs produce
// them) into n rows of 128 bits (one Block per extended OT).
#pragma once

#include <cstddef>
#include <cstdint>

#include "protocols/ot/block.h"

namespace jointly::ot {

// in: 128 rows, row j at in + j * (n / 8), bits least-significant first. n % 128 == 0.
// out: n Blocks; bit j of out[i] = bit i of row j.
void transpose_128xn(const std::uint8_t* in, std::size_t n, Block* out);

}  // namespace jointly::ot
