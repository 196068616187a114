#include "psi/cuckoo.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace jointly::psi {

std::size_t cuckoo_bins(std::size_t n) {
  return static_cast<std::size_t>(std::ceil(kCuckooExpansion * static_cast<double>(n))) +
         kCuckooExtraBins;
}

std::vector<CuckooSlot> cuckoo_insert(const std::vector<CuckooBins>& bins_of, std::size_t bins,
                                      std::uint64_t walk_seed) {
  std::vector<CuckooSlot> table(bins);
  std::uint64_t rng = walk_seed | 1;
  auto next = [&rng] {  // xorshift64: the walk needs no secrecy, only variety
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
  };
  for (std::uint32_t i = 0; i < bins_of.size(); ++i) {
    CuckooSlot cur{i, 0};
    bool placed = false;
    // First a free bin among the item's own, then a random walk of evictions.
    for (int j = 0; j < kCuckooHashes && !placed; ++j) {
      CuckooSlot& s = table[bins_of[i][static_cast<std::size_t>(j)]];
      if (s.item == CuckooSlot::kEmpty) {
        s = {i, static_cast<std::uint8_t>(j)};
        placed = true;
      }
    }
    for (int kick = 0; kick < kCuckooMaxKicks && !placed; ++kick) {
      // Move cur to a bin of another function than the one that just evicted it.
      int j = static_cast<int>(next() % (kCuckooHashes - (kick > 0 ? 1 : 0)));
      if (kick > 0 && j >= cur.hash) ++j;
      cur.hash = static_cast<std::uint8_t>(j);
      CuckooSlot& s = table[bins_of[cur.item][cur.hash]];
      std::swap(s, cur);
      placed = cur.item == CuckooSlot::kEmpty;
    }
    if (!placed) {
      throw std::runtime_error("PSI: cuckoo hashing of " + std::to_string(bins_of.size()) +
                               " ids into " + std::to_string(bins) +
                               " bins failed (probability below 2^-40); run again");
    }
  }
  return table;
}

}  // namespace jointly::psi
