// Two-party private set intersection on the id column (docs/psi.md).
//
//   net::Network network(transport);          // exactly 2 parties
//   psi::Result r = psi::intersect(network, table.ids, {.protocol = psi::Protocol::kOprf});
//   // r.rows[k]: this party's row of the k-th common id; the peer's r.rows[k] names the same id.
//
// Output mode (a): each party learns which of its own rows are in the intersection, and a
// common order for them. This reveals membership: each party learns which of its customers
// the other party also holds (and the other's set size). Nothing else about the other's ids.
//
// Protocols (semi-honest):
//   kEcdh  Diffie–Hellman PSI on ristretto255 (Meadows 1986, Huberman–Franklin–Hogg 1999):
//          symmetric, one masked point per id each way, then one re-masked value per id back.
//   kOprf  KKRT16 (Kolesnikov–Kumaresan–Rosulek–Trieu, CCS 2016): party 0 (the receiver)
//          cuckoo-hashes its ids into bins and gets one OPRF output per bin from a 1-out-of-N
//          OT extension with a pseudorandom code; party 1 (the sender) sends its OPRF values
//          under each of the 3 hash functions; the receiver matches and tells the sender which
//          of its (shuffled) values matched, in the common order.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "net/network.h"
#include "psi/ids.h"

namespace jointly::psi {

enum class Protocol { kEcdh, kOprf };
Protocol parse_protocol(std::string_view name);  // "ecdh" | "oprf"; std::invalid_argument
std::string protocol_name(Protocol protocol);

// The two tables share no id: both parties raise it, after the protocol ran to its end.
class EmptyIntersection : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// stage ("masking", "OT extension", ...), items done, items in the stage.
using Progress =
    std::function<void(std::string_view stage, std::uint64_t done, std::uint64_t total)>;

// Statistical security of the OPRF comparison: a false match between two different ids has
// probability below 2^-kStatisticalBits over the whole run.
inline constexpr int kStatisticalBits = 40;
// Ids per message (ECDH points, OPRF values, OT rows): bounds a frame to a few MB and sets how
// often progress is reported.
inline constexpr std::size_t kChunkItems = std::size_t{1} << 15;

struct Options {
  Protocol protocol = Protocol::kOprf;
  int threads = 2;  // local compute threads (scalar multiplications, hashing, codes)
  Progress progress = {};
  bool allow_empty = false;  // false: an empty intersection throws EmptyIntersection
};

struct Result {
  // This party's rows of the common ids, the k-th naming the same id on both parties.
  std::vector<std::size_t> rows;
  std::size_t peer_size = 0;  // the other party's number of ids (PSI reveals it)
  net::Traffic traffic;       // this run's bytes and rounds
};

// The ids as PSI reads them: how many, and the i-th. `release`, if set, is called once PSI no
// longer needs them (the OPRF protocol: after hashing them), so that the caller can free them.
struct IdSource {
  std::size_t size = 0;
  std::function<std::string_view(std::size_t)> at;
  std::function<void()> release;
};

// Both parties call it with their own ids (unique: see check_unique). Throws
// EmptyIntersection, InputError (duplicate ids, more than 2^32 - 1 ids), net::PeerError.
Result intersect(net::Network& network, const IdSource& ids, const Options& options);
// The same over a table that PSI frees as soon as it can (2^20 ids are 30 MB).
Result intersect(net::Network& network, IdTable table, const Options& options);
Result intersect(net::Network& network, std::span<const std::string> ids, const Options& options);

}  // namespace jointly::psi
