// IKNP OT extension (Ishai–Kilian–Nissim–Petrank, CRYPTO 2003, §3), local computation only:
// the network part lives in CotChannel.
//
// Set-up: the extension *receiver* holds 128 pairs of base-OT keys (k0_j, k1_j); the
// extension *sender* holds a random s in {0,1}^128 and k_{s_j, j}. Both expand each key
// with AES-CTR (Prg) column by column, so every batch continues the same streams.
//   receiver, choices r (n bits): t_j = G(k0_j),  u_j = t_j ⊕ G(k1_j) ⊕ r      -> sends u
//   sender:                       q_j = G(k_{s_j}) ⊕ s_j·u_j = t_j ⊕ s_j·r
// Transposed to one 128-bit row per OT: Q_i = T_i ⊕ r_i·s. The receiver knows T_i, the sender
// Q_i and Q_i ⊕ s; hashing them (CrHash) gives random OTs. u is t ⊕ G(k1) ⊕ r with G(k1_j)
// unknown to the sender for every j with s_j = 0, so u is pseudorandom whatever r is.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "protocols/ot/block.h"
#include "protocols/ot/extension/extension.h"
#include "protocols/prg.h"

namespace jointly::ot {

class IknpReceiver final : public ExtensionReceiver {
 public:
  explicit IknpReceiver(std::span<const BlockPair> base_keys);  // kBaseOts pairs

  // n % 128 == 0. choices: n bits packed LSB first. Writes u (kBaseOts * n / 8 bytes, row j
  // at u + j * n / 8) and t (n rows).
  std::size_t u_bytes(std::size_t n) const override { return kBaseOts * n / 8; }
  void extend(const std::uint8_t* choices, std::size_t n, std::uint8_t* u, Block* t) override;

 private:
  std::vector<Prg> g0_, g1_;
  std::vector<std::uint8_t> columns_, pad_;
};

class IknpSender final : public ExtensionSender {
 public:
  // s: the sender's base-OT choice bits; base_keys[j] = k_{s_j, j}.
  IknpSender(Block s, std::span<const Block> base_keys);

  // n % 128 == 0; u as produced by the receiver's extend. Writes q (n rows).
  std::size_t u_bytes(std::size_t n) const override { return kBaseOts * n / 8; }
  void extend(const std::uint8_t* u, std::size_t n, Block* q) override;
  Block delta() const override { return s_; }

 private:
  Block s_;
  std::vector<Prg> g_;
  std::vector<std::uint8_t> columns_;
};

}  // namespace jointly::ot
