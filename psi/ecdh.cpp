// ECDH-PSI on ristretto255 (docs/psi.md "ECDH"). Each party holds a secret scalar a and sends
// a·H(x) for its ids x, shuffled; the peer returns b·(a·H(x)) in the same positions, and sends
// its own b·H(y), to which this party applies a. ab·H(x) = ab·H(y) exactly when x = y (H is a
// hash onto the group: crypto_core_ristretto255_from_hash of 64 BLAKE2b bytes). Under DDH in
// ristretto255, a·H(y) and ab·H(y) of an id the other party lacks look random.
//
// Pipelined: round r carries this party's masked chunk r and the re-masked peer chunk r - 1,
// so both cores work on both parts at once and a run of c chunks takes c + 1 rounds. The
// doubly masked values are only compared, so 16 of their 32 bytes travel and are kept
// (2^-128 per pair of a false match).
#include <sodium.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>

#include "psi/common.h"

namespace jointly::psi::detail {
namespace {

constexpr std::size_t kPoint = crypto_core_ristretto255_BYTES;  // 32
constexpr std::size_t kDouble = 16;                             // kept bytes of ab·H(x)
using Tag = std::array<std::uint8_t, kDouble>;

struct Scalar {
  std::array<std::uint8_t, crypto_core_ristretto255_SCALARBYTES> bytes{};
  Scalar() { crypto_core_ristretto255_scalar_random(bytes.data()); }
  ~Scalar() { sodium_memzero(bytes.data(), bytes.size()); }
  Scalar(const Scalar&) = delete;
  Scalar& operator=(const Scalar&) = delete;
};

std::size_t chunks(std::size_t n) { return (n + kChunkItems - 1) / kChunkItems; }
std::size_t chunk_size(std::size_t n, std::size_t c) {
  return c < chunks(n) ? std::min(kChunkItems, n - c * kChunkItems) : 0;
}

}  // namespace

Result ecdh_intersect(net::Network& network, const IdSource& ids, const Options& options,
                      const Session& session) {
  const std::size_t nm = ids.size, np = session.peer_size;
  const Scalar a;
  // Message position p carries the id of row perm[p]: the peer learns nothing from the order.
  const std::vector<std::uint32_t> perm = random_permutation(nm);
  std::vector<Tag> mine(nm), theirs(np);
  net::Bytes peer_chunk;  // the peer's masked chunk r - 1, re-masked in round r
  const std::size_t rounds = std::max(chunks(nm), chunks(np)) + 1;
  const std::uint64_t total = nm + np;
  std::uint64_t done = 0;

  for (std::size_t r = 0; r < rounds; ++r) {
    const std::size_t my_count = chunk_size(nm, r);
    const std::size_t back_count = r > 0 ? chunk_size(np, r - 1) : 0;
    net::Bytes out(my_count * kPoint + back_count * kDouble);
    std::uint8_t* back = out.data() + my_count * kPoint;
    std::atomic<bool> bad_point = false;  // set by either thread
    parallel_for(my_count + back_count, options.threads, [&](std::size_t b, std::size_t e) {
      std::array<std::uint8_t, crypto_core_ristretto255_HASHBYTES> h;
      std::array<std::uint8_t, kPoint> point;
      for (std::size_t i = b; i < e; ++i) {
        if (i < my_count) {
          const std::size_t row = perm[r * kChunkItems + i];
          hash_id(session.salt, "ecdh", ids.at(row), h);
          crypto_core_ristretto255_from_hash(point.data(), h.data());
          if (crypto_scalarmult_ristretto255(out.data() + i * kPoint, a.bytes.data(),
                                             point.data()) != 0) {
            bad_point = true;  // the identity: probability 2^-252, never in practice
          }
        } else {
          const std::size_t k = i - my_count;
          if (crypto_scalarmult_ristretto255(point.data(), a.bytes.data(),
                                             peer_chunk.data() + k * kPoint) != 0) {
            bad_point = true;  // not a valid encoding, or the identity
          }
          std::memcpy(back + k * kDouble, point.data(), kDouble);
        }
      }
    });
    if (bad_point) {
      throw net::PeerError(session.peer, "ECDH-PSI: " + network.peer_name(session.peer) +
                                             " sent an invalid group element");
    }
    // The peer's ids of chunk r - 1 under both scalars (kept before `out` leaves).
    for (std::size_t k = 0; k < back_count; ++k)
      std::memcpy(theirs[(r - 1) * kChunkItems + k].data(), back + k * kDouble, kDouble);
    const std::size_t expect_points = chunk_size(np, r),
                      expect_back = r > 0 ? chunk_size(nm, r - 1) : 0;
    net::Bytes in = swap(network, session.peer, std::move(out));
    if (in.size() != expect_points * kPoint + expect_back * kDouble) {
      throw net::PeerError(session.peer,
                           "ECDH-PSI: message of " + std::to_string(in.size()) + " bytes from " +
                               network.peer_name(session.peer) + ", expected " +
                               std::to_string(expect_points * kPoint + expect_back * kDouble));
    }
    // My ids of chunk r - 1, masked by both scalars, come back in the positions I sent them.
    for (std::size_t k = 0; k < expect_back; ++k) {
      std::memcpy(mine[perm[(r - 1) * kChunkItems + k]].data(),
                  in.data() + expect_points * kPoint + k * kDouble, kDouble);
    }
    in.resize(expect_points * kPoint);
    peer_chunk = std::move(in);
    done += my_count + back_count;
    if (options.progress) options.progress("ECDH masking", std::min(done, total), total);
  }

  // The peer's doubly masked values, sorted, against mine: a match is a common id.
  std::sort(theirs.begin(), theirs.end());
  std::vector<std::size_t> rows;
  std::vector<std::uint8_t> keys;
  for (std::size_t row = 0; row < nm; ++row) {
    if (std::binary_search(theirs.begin(), theirs.end(), mine[row])) {
      rows.push_back(row);
      keys.insert(keys.end(), mine[row].begin(), mine[row].end());
    }
  }
  // The common order: by ab·H(x), which both parties hold for every common id.
  Result result;
  for (std::size_t k : order_by(keys, kDouble)) result.rows.push_back(rows[k]);
  return result;
}

}  // namespace jointly::psi::detail
