// XOR-shared bits, packed 64 to a word: the boolean counterpart of Shared.
//
// The meaning of the bits is set by the function that made the value: a comparison result
// holds one bit per tensor element (bit 0 of the element's word, same shape as the tensor it
// came from); a bit-sliced Bristol wire holds one bit per circuit instance. Every party holds
// one word per word, and the value is the XOR of all parties' words.
#pragma once

#include "protocols/ring.h"

namespace jointly::circuits {

struct BoolShared {
  RingMatrix words;

  Index rows() const { return words.rows(); }
  Index cols() const { return words.cols(); }
};

}  // namespace jointly::circuits
