// Base oblivious transfer: Chou–Orlandi "The Simplest Protocol for Oblivious Transfer"
// (LATINCRYPT 2015, §3) over the prime-order group ristretto255 (libsodium).
//
// Random OT, semi-honest, one message each way for a whole batch:
//   sender:   a <- Z_l,  A = a·G                                  --- A --->
//   receiver: x_i <- Z_l, R_i = x_i·G + c_i·A                      <--- R_i ---
//   receiver key  k_i     = H(A, R_i, i, x_i·A)
//   sender keys   k_{0,i} = H(A, R_i, i, a·R_i),  k_{1,i} = H(A, R_i, i, a·R_i - a·A)
// R_i is a uniform group element whatever c_i is, so the sender learns nothing about c_i;
// the receiver cannot compute a·(R_i - c_i·A ± A) without solving CDH. H is BLAKE2b
// (crypto_generichash) with the transcript and index for domain separation. Known caveat:
// the original UC proof against malicious parties is flawed (Genç–Iovino–Rial 2017); we only
// claim semi-honest security, for which the protocol is sound.
//
// Scalars are drawn from a caller's Prg (so a seeded run is reproducible) and wiped after use.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "net/transport.h"
#include "protocols/ot/block.h"
#include "protocols/prg.h"

namespace jointly::ot {

class SimplestOtSender {
 public:
  explicit SimplestOtSender(Prg& prg);
  ~SimplestOtSender();
  SimplestOtSender(const SimplestOtSender&) = delete;
  SimplestOtSender& operator=(const SimplestOtSender&) = delete;

  // The sender's one message: A (32 bytes).
  net::Bytes first_message() const;
  // Both keys of every OT, from the receiver's reply (count points of 32 bytes). Throws
  // PeerError naming `peer` if the reply has the wrong size or holds an invalid point.
  std::vector<BlockPair> keys(const net::Bytes& reply, std::size_t count, net::PartyId peer);

 private:
  std::array<std::uint8_t, 32> a_{}, big_a_{}, a_times_a_{};
};

class SimplestOtReceiver {
 public:
  // choices: one bit per OT, packed least-significant-bit first.
  SimplestOtReceiver(Prg& prg, std::span<const std::uint8_t> choices, std::size_t count);
  ~SimplestOtReceiver();
  SimplestOtReceiver(const SimplestOtReceiver&) = delete;
  SimplestOtReceiver& operator=(const SimplestOtReceiver&) = delete;

  // The reply to the sender's A: the points R_i, and (afterwards) the chosen keys.
  net::Bytes reply(const net::Bytes& first_message, net::PartyId peer);
  const std::vector<Block>& keys() const { return keys_; }

 private:
  std::size_t count_;
  std::vector<std::uint8_t> choices_;
  std::vector<std::uint8_t> scalars_;  // count x 32 bytes, wiped in the destructor
  std::vector<Block> keys_;
};

}  // namespace jointly::ot
