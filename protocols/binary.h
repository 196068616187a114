// Bit-wise XOR sharing, packed 64 bits to a word: the boolean counterpart of Shared, and the
// interface of a backend's boolean engine (Protocol::binary()).
//
// The meaning of the bits is set by the function that made the value: a comparison result
// holds one bit per tensor element (bit 0 of the element's word, same shape as the tensor it
// came from); a bit-sliced Bristol wire holds one bit per circuit instance. Every party holds
// one word per word, and the value is the XOR of all parties' words.
#pragma once

#include <span>
#include <vector>

#include "protocols/protocol.h"
#include "protocols/ring.h"

namespace jointly {

using Words = std::vector<Ring>;

struct BoolShared {
  RingMatrix words;

  Index rows() const { return words.rows(); }
  Index cols() const { return words.cols(); }
};

// A backend's XOR sharing (the additive backend's is GMW: protocols/additive/gmw.h).
class BinarySharing {
 public:
  virtual ~BinarySharing() = default;

  // z = x AND y bit by bit on XOR shares: 1 round. Callers batch a whole circuit layer.
  virtual Words and_words(std::span<const Ring> x, std::span<const Ring> y) = 0;
  // One round that opens, at once, XOR-shared words (combined by XOR) and additively shared
  // ring elements (combined by +). Both buffers are replaced by the opened values.
  virtual void open(Words& xor_words, Words& sum_elements) = 0;
  // The word this party XORs into a share to add a public all-ones word (one party holds
  // the constant: all ones there, zero elsewhere).
  virtual Ring public_ones() const = 0;
  // An owner's value as XOR shares (0 rounds where the backend allows it).
  virtual BoolShared input(net::PartyId owner, const RingMatrix* value, Index rows, Index cols) = 0;

  // [x < 0] (negate: [x >= 0]) of arithmetic shares, one bit per element (bit 0).
  virtual BoolShared sign_bits(const Shared& x, bool negate) = 0;
  // [b] as an arithmetic 0/1 share and [b ∘ v] for each v (same shape as the bits).
  virtual BitProducts b2a_times(const BoolShared& bits, const std::vector<Shared>& values) = 0;
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

}  // namespace jointly
