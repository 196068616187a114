// GMW over XOR shares for the additive protocol over Z_2^64 (Goldreich–Micali–Wigderson 1987;
// the n-party semi-honest variant with Beaver-style AND triples, as in ABY / MOTION).
//
// AND gates consume the TripleSource's packed AND triples (64 independent bit triples per
// uint64), so one `and_words` call evaluates 64 × len AND gates. Each call is exactly one
// network round: every party broadcasts d = x ^ a and e = y ^ b, 2·len words to each peer.
// Callers batch a whole circuit layer (all elements, all bit positions) into one call.
//
// Only the additive protocol is supported for now; the Shamir protocol (issue 5) will get its
// own engine behind the same free functions (docs/circuits.md).
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "circuits/gmw/bool_shared.h"
#include "protocols/protocol.h"

namespace jointly {
class Additive;
class TripleSource;
}  // namespace jointly

namespace jointly::circuits {

using Words = std::vector<Ring>;

class Gmw {
 public:
  // Throws std::invalid_argument naming `op` and the protocol if `protocol` is not additive.
  Gmw(Protocol& protocol, std::string_view op);

  Protocol& protocol() const { return protocol_; }
  TripleSource& triples() const;
  net::PartyId self() const { return protocol_.self(); }
  int parties() const { return protocol_.parties(); }
  // The party that applies public constants (XOR with a public bit, adding a public value).
  bool leader() const { return self() == 0; }

  // z = x AND y bit by bit on XOR shares: 1 round, 2·len words to each peer.
  Words and_words(std::span<const Ring> x, std::span<const Ring> y);

  // One round that opens, at once, XOR-shared words (combined by XOR) and additively shared
  // ring elements (combined by +). Both buffers are replaced by the opened values.
  void open(Words& xor_words, Words& sum_elements);

 private:
  Protocol& protocol_;
  Additive& additive_;
};

// --- Bit packing (local, linear over XOR, so it applies to shares alike) -----------------
// Packs the low `width` bits of each value, 64 / width values to a word (width: a power of 2
// in [1, 64]); the last word is zero-padded. ceil(n · width / 64) words.
Words pack_chunks(std::span<const Ring> values, int width);
// Inverse of pack_chunks for `values.size()` values.
void unpack_chunks(std::span<const Ring> words, int width, std::span<Ring> values);
inline std::size_t chunk_words(std::size_t count, int width) {
  return (count * static_cast<std::size_t>(width) + kRingBits - 1) / kRingBits;
}

// Bits 0, 2, 4, ... of x moved to bits 0, 1, 2, ... (a software PEXT with mask 0x55..55).
Ring even_bits(Ring x);
inline Ring odd_bits(Ring x) { return even_bits(x >> 1); }

// --- XOR sharing in and out -------------------------------------------------------------
// Owner's value as XOR shares: the owner's share is the value, everyone else's is zero. This
// reveals nothing to the others; AND gates mask with fresh triples (0 rounds).
BoolShared input_bits(Protocol& protocol, net::PartyId owner, const RingMatrix* value, Index rows,
                      Index cols);
// Reveals XOR-shared words to every party (1 round, |x| words to each peer).
RingMatrix open_bits(Protocol& protocol, const BoolShared& x);

}  // namespace jointly::circuits
