// Cuckoo hashing of the OPRF receiver's ids (Pagh–Rodler; parameters of Pinkas–Schneider–
// Tkachenko–Yanai, "Efficient Circuit-based PSI with Linear Communication", EUROCRYPT 2019,
// and PSZ18 §3: 3 hash functions and 1.27·n bins without a stash fail with probability below
// 2^-40 for n >= 2^12; we add 128 bins so that small sets, where the asymptotic bound does
// not yet hold, have even more room). Every id goes to one of its 3 bins, each bin holds at
// most one id. The sender places each of its ids in all 3 of its bins.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace jointly::psi {

inline constexpr int kCuckooHashes = 3;
inline constexpr double kCuckooExpansion = 1.27;
inline constexpr std::size_t kCuckooExtraBins = 128;
// Evictions before an insertion is declared failed.
inline constexpr int kCuckooMaxKicks = 1000;

std::size_t cuckoo_bins(std::size_t n);

// Bin of an id under hash function j, from its 3 64-bit hash words: the high half of
// word_j · bins (Lemire's multiply-shift, uniform for uniform words).
inline std::uint32_t cuckoo_bin(std::uint64_t word, std::size_t bins) {
  return static_cast<std::uint32_t>((static_cast<unsigned __int128>(word) * bins) >> 64);
}

struct CuckooSlot {
  std::uint32_t item = kEmpty;  // row, or kEmpty
  std::uint8_t hash = 0;        // which function placed it
  static constexpr std::uint32_t kEmpty = 0xffffffffu;
};

// An id's bin under each hash function.
using CuckooBins = std::array<std::uint32_t, kCuckooHashes>;

// bins_of[i][j]: item i's bin under function j (< bins). Throws std::runtime_error if an
// insertion fails (probability below 2^-40: rerun, which draws a new session salt).
std::vector<CuckooSlot> cuckoo_insert(const std::vector<CuckooBins>& bins_of, std::size_t bins,
                                      std::uint64_t walk_seed);

}  // namespace jointly::psi
