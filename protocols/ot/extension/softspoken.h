// SoftSpokenOT (Lawrence Roy, "SoftSpokenOT: Quieter OT Extension from Small-Field Silent
// VOLE in the Minicrypt Model", CRYPTO 2022), semi-honest variant, local computation only:
// the network part lives in CotChannel. No consistency check: that is for malicious
// security (§5 of the paper), which jointly does not claim.
//
// The 128 base OTs of a direction are cut into B = ceil(128 / k) blocks of k bits (the last
// one shorter when k does not divide 128). For each block b:
//   * set-up (one message): the chooser (extension receiver) draws a GGM tree of depth k_b
//     with 2^k_b leaf seeds s_x, x in {0,1}^k_b. The sender's base-OT choice bits of the
//     block form Δ_b; with one base OT per tree level it learns every leaf except s_Δ_b
//     (a punctured PRF: the chooser sends the XOR of each level's left and right children
//     masked by the base-OT keys, 2 blocks per base OT).
//   * per chunk of n OTs, with G the AES-CTR stream of a leaf (n bits a chunk):
//       chooser: u_b = Σ_x G(s_x),     v_{b,i} = Σ_{x: x_i = 1} G(s_x)    (i < k_b)
//       sender:  w_{b,i} = Σ_{x ≠ Δ_b} (x ⊕ Δ_b)_i · G(s_x) = v_{b,i} ⊕ Δ_{b,i} · u_b
//     a subspace VOLE over GF(2)^k_b. The chooser sends c_b = u_b ⊕ r (n bits; r its choice
//     bits), the sender sets q_{b,i} = w_{b,i} ⊕ Δ_{b,i} · c_b = v_{b,i} ⊕ Δ_{b,i} · r.
// Taking the columns v (chooser) and q (sender) of all blocks, 128 in all, and transposing
// gives exactly IKNP's correlation Q_i = T_i ⊕ r_i·Δ with Δ = the sender's 128 base-OT
// choice bits. IKNP is the case k = 1 (a tree of one level is a base OT).
//
// Cost per extended OT: ceil(128 / k) bits of u (IKNP: 128), and (128 / k)·2^k bits of PRG
// output on each side (IKNP: 256 for the chooser, 128 for the sender); the sums over the
// leaves take about two XORs per leaf bit (a binary-counter walk over the leaves, below).
// What the sender sees of r: c_b = u_b ⊕ r, where u_b includes G(s_Δ_b), a stream it has no
// seed for, so every c_b is pseudorandom whatever r is (ot_tests checks this statistically).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "protocols/ot/block.h"
#include "protocols/ot/extension/extension.h"
#include "protocols/prg.h"

namespace jointly::ot {

// The blocks of 128 base OTs for field size k: ceil(128 / k) of them, the last one shorter.
std::size_t softspoken_blocks(int k);

class SoftSpokenReceiver final : public ExtensionReceiver {
 public:
  // base_keys: kBaseOts pairs from this party's base-OT sends; prg draws the tree roots.
  // Throws std::invalid_argument for k outside 2..8.
  SoftSpokenReceiver(int k, std::span<const BlockPair> base_keys, Prg& prg);

  // For the peer's SoftSpokenSender: 2 blocks per base OT (each level's masked sums).
  const std::vector<Block>& setup_message() const { return setup_; }

  std::size_t u_bytes(std::size_t n) const override { return blocks_ * n / 8; }
  void extend(const std::uint8_t* choices, std::size_t n, std::uint8_t* u, Block* t) override;

 private:
  int k_;
  std::size_t blocks_;
  std::vector<Prg> leaves_;  // block b's leaf x at b * 2^k + x
  std::vector<Block> setup_;
  std::vector<std::uint8_t> columns_, scratch_;
};

class SoftSpokenSender final : public ExtensionSender {
 public:
  // delta: this party's base-OT choice bits; base_keys[j] = k_{delta_j, j}; setup: the peer
  // receiver's setup_message(). Throws std::invalid_argument for a bad k or a setup message
  // of the wrong size.
  SoftSpokenSender(int k, Block delta, std::span<const Block> base_keys,
                   std::span<const Block> setup);

  std::size_t u_bytes(std::size_t n) const override { return blocks_ * n / 8; }
  void extend(const std::uint8_t* u, std::size_t n, Block* q) override;
  Block delta() const override { return delta_; }

 private:
  int k_;
  std::size_t blocks_;
  Block delta_;
  std::vector<Prg> leaves_;  // block b's leaf x at b * 2^k + x; the punctured one unused
  std::vector<std::uint8_t> columns_, scratch_;
};

}  // namespace jointly::ot
