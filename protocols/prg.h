// Pseudo-random generator: AES-128 in counter mode through OpenSSL EVP (AES-NI), keyed by a
// 128-bit seed. Fresh seeds come from libsodium's randombytes; derived seeds (one stream per
// purpose) from BLAKE2b keyed with the parent seed, so streams never overlap.
//
// Not thread-safe: one Prg per thread/party. A seeded Prg is fully reproducible, which is how
// tests print and replay their seeds.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/ring.h"

namespace jointly {

inline constexpr std::size_t kSeedBytes = 16;
using Seed = std::array<std::uint8_t, kSeedBytes>;

// A seed from the operating system's CSPRNG (libsodium randombytes_buf).
Seed random_seed();
// A child seed for `label` and `index`, independent of every other (label, index).
Seed derive_seed(const Seed& parent, std::string_view label, std::uint64_t index = 0);
// A seed from a small integer, for reproducible tests and simulation only.
Seed seed_from_u64(std::uint64_t value);
std::string seed_hex(const Seed& seed);

class Prg {
 public:
  explicit Prg(const Seed& seed);
  ~Prg();
  Prg(Prg&&) noexcept;
  Prg& operator=(Prg&&) noexcept;
  Prg(const Prg&) = delete;
  Prg& operator=(const Prg&) = delete;

  void fill(std::span<std::uint8_t> out);
  Ring next();
  RingMatrix ring(Index rows, Index cols);
  // Uniform bits (0 or 1) as ring elements.
  RingMatrix bits(Index rows, Index cols);

  // Bytes of keystream produced so far. seek() continues the stream at any such position
  // (CTR mode: set the block counter, skip into the block), so a checkpoint that stores the
  // seed and the position replays the stream exactly (parties/common/checkpoint.h).
  std::uint64_t position() const { return position_; }
  void seek(std::uint64_t position);

 private:
  struct Cipher;
  std::unique_ptr<Cipher> cipher_;
  std::uint64_t position_ = 0;
};

// A party's PRG streams as a checkpoint stores them: the seed and position of its private
// stream and of the stream it shares with each peer (pair[self] is empty; a backend without
// pair streams leaves pair empty). Only what this party already knows; restoring it replays
// the same shares (docs/checkpoints.md).
struct PrgStreams {
  struct Stream {
    Seed seed{};
    std::uint64_t position = 0;
  };
  Stream own;
  std::vector<std::optional<Stream>> pair;
};

}  // namespace jointly
