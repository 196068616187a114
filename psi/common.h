// Pieces both PSI protocols use: domain-separated hashing of ids (BLAKE2b, libsodium), a
// parallel loop over the machine's cores, and the order both parties agree on.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "net/network.h"
#include "psi/psi.h"

namespace jointly::psi::detail {

using Salt = std::array<std::uint8_t, 16>;

// out = BLAKE2b(key = salt, "jointly.psi.<purpose>.v1" || len(id) || id), out.size() in
// 16..64 bytes. The length prefix keeps ("ab","c") and ("a","bc") apart in callers that hash
// more than one field; the purpose string separates the uses of one id.
void hash_id(const Salt& salt, std::string_view purpose, std::string_view id,
             std::span<std::uint8_t> out);

// Calls body(begin, end) on `threads` threads over [0, n) in contiguous slices; rethrows the
// first exception.
void parallel_for(std::size_t n, int threads,
                  const std::function<void(std::size_t, std::size_t)>& body);

// A uniformly random permutation of 0 .. n-1 (AES-CTR from an OS seed).
std::vector<std::uint32_t> random_permutation(std::size_t n);

// The set-up round: both parties send (protocol, set size, salt share); the session salt is
// the hash of both shares in party order. Throws PeerError if the peer runs another protocol.
struct Session {
  std::size_t my_size = 0, peer_size = 0;
  Salt salt{};
  net::PartyId peer = 0;
};
Session open_session(net::Network& network, Protocol protocol, std::size_t size);

// One message to the peer and one from it (both parties call it in the same round).
net::Bytes swap(net::Network& network, net::PartyId peer, net::Bytes out);

// Sorts `keys` (fixed-width byte strings of `width` bytes, one per match) and returns the
// permutation that sorts them: the common order of mode (a).
std::vector<std::size_t> order_by(const std::vector<std::uint8_t>& keys, std::size_t width);

Result ecdh_intersect(net::Network& network, const IdSource& ids, const Options& options,
                      const Session& session);
Result oprf_intersect(net::Network& network, const IdSource& ids, const Options& options,
                      const Session& session);

}  // namespace jointly::psi::detail
