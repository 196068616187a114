// Correlated randomness for the Z_2^64 protocols, behind one interface: the protocol never
// knows whether its triples came from a dealer, from oblivious transfer, or elsewhere.
//
// Every party's source must be asked for the same shapes in the same order (the protocol is
// the same program on every party), which is what keeps the parties' shares consistent.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "net/network.h"
#include "protocols/ring.h"

namespace jointly {

// This party's shares of a, b and c with c = a ∘ b (element-wise) or C = A · B (matrix).
struct BeaverTriple {
  RingMatrix a, b, c;
};

// This party's shares of a uniform r, of its top bit r_msb = r >> 63 (as 0/1), and of
// r_low = (r mod 2^63) >> bits: what one-round truncation needs (docs/fixed-point.md).
struct TruncPair {
  RingMatrix r, r_msb, r_low;
};

// Random bits known to nobody, shared two ways: XOR shares (bit 0 of each element; the other
// bits are zero) and additive shares over Z_2^64 of the same bit. They convert a boolean
// share into an arithmetic one (B2A) with one opening.
struct DaBits {
  RingMatrix xor_bits, ring_bits;
};

// One item of a preprocessing plan: what a program will ask a source for, in order
// (TripleProvider, protocols/triples/provider.h, records, prepares and serves plans).
struct TripleRequest {
  enum class Kind { kElementwise, kMatrix, kTruncPair, kAnd, kDaBits };
  Kind kind = Kind::kElementwise;
  Index rows = 0, cols = 0;  // kMatrix: A is rows x inner, B is inner x cols
  Index inner = 0;
  int bits = 0;  // kTruncPair: the shift

  static TripleRequest elementwise(Index rows, Index cols) {
    return {Kind::kElementwise, rows, cols, 0, 0};
  }
  static TripleRequest matrix(Index m, Index k, Index n) { return {Kind::kMatrix, m, n, k, 0}; }
  static TripleRequest trunc_pair(Index rows, Index cols, int bits) {
    return {Kind::kTruncPair, rows, cols, 0, bits};
  }
  static TripleRequest and_triples(Index rows, Index cols) {
    return {Kind::kAnd, rows, cols, 0, 0};
  }
  static TripleRequest dabits(Index rows, Index cols) { return {Kind::kDaBits, rows, cols, 0, 0}; }
  bool operator==(const TripleRequest&) const = default;
};

// "matrix triple 4x3·3x1", "trunc pair 32x1 >> 16", ...: for error messages and listings.
std::string describe(const TripleRequest& r);

// One item made for a request: the field its kind uses is filled (triple for element-wise,
// matrix and AND triples; pair for trunc pairs; dabits for daBits), the others are empty.
struct PreparedItem {
  TripleRequest request;
  BeaverTriple triple;
  TruncPair pair;
  DaBits dabits;
};

// Units of preprocessing done and in total (OTs for the OT source).
using PrepareProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

class TripleSource {
 public:
  virtual ~TripleSource() = default;

  // Shown in every output that used this source.
  virtual std::string name() const = 0;
  // True for sources whose security rests on a party nobody should trust in production.
  virtual bool simulation_only() const = 0;

  virtual BeaverTriple elementwise(Index rows, Index cols) = 0;
  virtual BeaverTriple matrix(Index m, Index k, Index n) = 0;
  virtual TruncPair trunc_pair(Index rows, Index cols, int bits) = 0;
  // Boolean triples for GMW: XOR shares of 64 independent bit triples per element, with
  // c = a AND b bit by bit.
  virtual BeaverTriple and_triples(Index rows, Index cols) = 0;
  virtual DaBits dabits(Index rows, Index cols) = 0;

  // What producing the triples so far cost this party: bytes received and sent, rounds.
  virtual net::Traffic offline_traffic() const = 0;

  // --- Offline phase ---------------------------------------------------------------------
  // True for sources that make a whole plan much faster in one batch than item by item, so a
  // program should make its plan ahead (OT: one OT job per kind instead of one per item).
  virtual bool has_offline_phase() const { return false; }
  // Makes the items `plan` lists, in plan order, in one batch; `progress` gets units done and
  // in total (items here, OTs for the OT source). The default asks the per-item methods one by
  // one; a source with an offline phase overrides it.
  virtual std::vector<PreparedItem> generate(std::span<const TripleRequest> plan,
                                             const PrepareProgress& progress = {});
  // Makes every item of `plan` now; later calls are served from them in plan order. Only a
  // TripleProvider (protocols/triples/provider.h) holds prepared items: any other source
  // throws std::logic_error.
  virtual void prepare(std::span<const TripleRequest> plan, const PrepareProgress& progress = {});

  // --- Checkpoints: the positions of the source's streams, where it has any (the dealer) --
  // Empty for sources that keep nothing to replay (OT draws fresh randomness).
  virtual std::vector<std::uint64_t> positions() const { return {}; }
  // Continues from positions() of an earlier run; throws std::invalid_argument if the count
  // differs.
  virtual void seek(const std::vector<std::uint64_t>& positions);
};

}  // namespace jointly
