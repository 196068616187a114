// The batched OPRF of KKRT16 (Kolesnikov, Kumaresan, Rosulek, Trieu, "Efficient Batched
// Oblivious PRF with Applications to Private Set Intersection", CCS 2016, §3–4): IKNP OT
// extension widened to k = 512 columns, where the receiver's choice for OT i is not a bit but
// the codeword C(r_i) of a pseudorandom code (here C = four AES-128 keys applied to r_i: a PRF
// with 512-bit outputs, which has minimum distance >= 128 except with negligible probability
// for the 2^-40-bounded number of pairs we compare). Local computation only; psi/oprf.cpp
// moves the messages.
//
//   base OTs: the receiver is the base-OT *sender* of 512 pairs (k0_j, k1_j); the sender
//             chooses s in {0,1}^512 and gets k_{s_j, j}.
//   receiver: T = rows of G(k0_j), U_i = T_i ⊕ rows of G(k1_j) ⊕ C(r_i)       --- U --->
//   sender:   Q_i = rows of G(k_{s_j, j}) ⊕ (U_i & s) = T_i ⊕ (C(r_i) & s)
//   OPRF:     F_i(x) = H(i, Q_i ⊕ (C(x) & s)); the receiver's output is F_i(r_i) = H(i, T_i).
// Working on rows (transposing G rather than U) needs only the forward 128 x n transpose of
// protocols/ot/extension. U_i is masked by G(k1) in every column the sender cannot open (s_j
// = 0) and by T in every other one, so it is pseudorandom whatever r_i is.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "protocols/ot/block.h"
#include "protocols/prg.h"

namespace jointly::psi {

inline constexpr std::size_t kCodeBlocks = 4;                         // 4 x 128 = 512 bits
inline constexpr std::size_t kCodeBits = kCodeBlocks * ot::kBaseOts;  // base OTs of the OPRF

struct Row {
  std::array<ot::Block, kCodeBlocks> b;
  friend Row operator^(const Row& x, const Row& y) {
    Row r;
    for (std::size_t k = 0; k < kCodeBlocks; ++k) r.b[k] = x.b[k] ^ y.b[k];
    return r;
  }
  friend Row operator&(const Row& x, const Row& y) {
    Row r;
    for (std::size_t k = 0; k < kCodeBlocks; ++k) r.b[k] = x.b[k] & y.b[k];
    return r;
  }
};
static_assert(sizeof(Row) == 64);

// The pseudorandom code: out[i].b[k] = AES-128_{key_k}(x[i]), keys derived from `seed` (both
// parties derive the same). Thread-safe (each call has its own cipher contexts).
class Code {
 public:
  explicit Code(const Seed& seed);
  void encode(const ot::Block* x, std::size_t n, Row* out) const;

 private:
  std::array<std::array<std::uint8_t, 16>, kCodeBlocks> keys_;
};

// H(i, row) of the OPRF: BLAKE2b of (domain, i, row), 16 bytes.
ot::Block oprf_hash(std::uint64_t index, const Row& row);

class KkrtReceiver {
 public:
  explicit KkrtReceiver(std::span<const ot::BlockPair> base_keys);  // kCodeBits pairs
  // m % 128 == 0. codes: C(r_i) for the m OTs. Writes u (m rows, to send) and t (m rows).
  // The four 128-column groups run on up to `threads` threads.
  void extend(const Row* codes, std::size_t m, Row* u, Row* t, int threads);

 private:
  std::vector<Prg> g0_, g1_;
};

class KkrtSender {
 public:
  // s: kCodeBits choice bits (LSB first); base_keys[j] = k_{s_j, j}.
  KkrtSender(const Row& s, std::span<const ot::Block> base_keys);
  // m % 128 == 0; u as the receiver produced it. Writes q (m rows).
  void extend(const Row* u, std::size_t m, Row* q, int threads);
  const Row& s() const { return s_; }

 private:
  Row s_;
  std::vector<Prg> g_;
};

}  // namespace jointly::psi
