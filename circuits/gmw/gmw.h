// Circuits on XOR shares, over whichever backend provides a bit-wise XOR sharing
// (Protocol::binary(): the additive backend's GMW, protocols/additive/gmw.h).
//
// One and_words call evaluates 64 × len AND gates in one round; callers batch a whole circuit
// layer (all elements, all bit positions) into one call.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "circuits/gmw/bool_shared.h"
#include "protocols/binary.h"
#include "protocols/protocol.h"

namespace jointly::circuits {

using jointly::chunk_words;
using jointly::even_bits;
using jointly::odd_bits;
using jointly::pack_chunks;
using jointly::unpack_chunks;
using jointly::Words;

// The protocol's XOR sharing. Throws std::invalid_argument naming `op` and the protocol if it
// has none.
BinarySharing& binary_of(Protocol& protocol, std::string_view op);

// A handle on the protocol's XOR sharing for one circuit.
class Gmw {
 public:
  // Throws std::invalid_argument naming `op` and the protocol if it has no XOR sharing.
  Gmw(Protocol& protocol, std::string_view op)
      : protocol_(protocol), engine_(binary_of(protocol, op)) {}

  Protocol& protocol() const { return protocol_; }
  net::PartyId self() const { return protocol_.self(); }
  int parties() const { return protocol_.parties(); }
  // The word this party XORs in to add a public all-ones word.
  Ring public_ones() const { return engine_.public_ones(); }

  // z = x AND y bit by bit on XOR shares: 1 round.
  Words and_words(std::span<const Ring> x, std::span<const Ring> y) {
    return engine_.and_words(x, y);
  }
  // One round that opens XOR-shared words and additively shared elements at once.
  void open(Words& xor_words, Words& sum_elements) { engine_.open(xor_words, sum_elements); }

 private:
  Protocol& protocol_;
  BinarySharing& engine_;
};

// --- XOR sharing in and out -------------------------------------------------------------
// Owner's value as XOR shares (0 rounds on GMW).
BoolShared input_bits(Protocol& protocol, net::PartyId owner, const RingMatrix* value, Index rows,
                      Index cols);
// Reveals XOR-shared words to every party (1 round, |x| words to each peer).
RingMatrix open_bits(Protocol& protocol, const BoolShared& x);

}  // namespace jointly::circuits
