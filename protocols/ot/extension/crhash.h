// Tweakable circular-correlation-robust hash from fixed-key AES (Guo–Katz–Wang–Yu,
// "Efficient and Secure Multiparty Computation from Fixed-Key Block Ciphers", S&P 2020, §7):
//   H(x, t) = π(π(x) ⊕ t) ⊕ π(x),  π = AES-128 under a fixed public key (OpenSSL EVP, AES-NI).
// IKNP needs H to hide the sender's global offset s in the correlated rows Q_i ⊕ s; the tweak
// t = (OT index, output block) makes every call independent. A message of `width` ring
// elements takes ceil(width / 2) output blocks for one π(x), so the cost is
// 1 + ceil(width / 2) AES blocks per OT.
//
// Buffers are members reused across calls: no allocation per OT once warmed up.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "protocols/ot/block.h"
#include "protocols/ring.h"

namespace jointly::ot {

class CrHash {
 public:
  CrHash();
  ~CrHash();
  CrHash(const CrHash&) = delete;
  CrHash& operator=(const CrHash&) = delete;

  // out[i * width + l] = element l of H(x[i] ⊕ mask, (first_index + i, l / 2)), for i < n.
  void hash(const Block* x, std::size_t n, Block mask, std::uint64_t first_index, std::size_t width,
            Ring* out);

 private:
  void hash_batch(const Block* x, std::size_t n, Block mask, std::uint64_t first_index,
                  std::size_t width, Ring* out);
  void permute(const Block* in, Block* out, std::size_t blocks);

  struct Cipher;
  std::unique_ptr<Cipher> cipher_;
  std::vector<Block> pi_x_, tweaked_;
};

}  // namespace jointly::ot
