// KKRT16 PSI (docs/psi.md "OPRF"): party 0 is the receiver R, party 1 the sender S.
//
//   1. both: x = BLAKE2b(salt, id) -> a 128-bit item and 3 hash words (the bins h_0..h_2)
//   2. base OTs (2 rounds): R is the base-OT sender of 512 pairs, S chooses s
//   3. R cuckoo-hashes its items into B = 1.27 n + 128 bins (bin i holds r_i = x ⊕ j for the
//      function j that placed x, or a random dummy) and sends U chunk by chunk (one round per
//      chunk of kChunkItems bins); S finishes each chunk's rows Q and, for every one of its
//      items x and function j with h_j(x) in the chunk, computes F_{h_j(x)}(x ⊕ j)
//   4. S sends its 3 n_S values, truncated to L bytes, in 3 independently shuffled lists
//      (chunked); R looks each up among its own B outputs H(i, T_i)
//   5. R sends the positions of the matched values, sorted by value: the common order.
// L = ceil((40 + log2(B) + log2(3 n_S)) / 8) bytes: a false match among all B · 3 n_S
// comparisons has probability below 2^-40.
#include <sodium.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "protocols/ot/base/simplest_ot.h"
#include "psi/common.h"
#include "psi/cuckoo.h"
#include "psi/kkrt.h"

namespace jointly::psi::detail {
namespace {

constexpr std::size_t kHashBytes = 16 + 8 * kCuckooHashes;

// Each id as the OPRF sees it: its 128-bit item and its bin under each hash function.
struct Items {
  std::vector<ot::Block> x;
  std::vector<CuckooBins> bins;
};

Items hash_items(const IdSource& ids, const Salt& salt, std::size_t bins, int threads) {
  Items it;
  it.x.resize(ids.size);
  it.bins.resize(ids.size);
  parallel_for(ids.size, threads, [&](std::size_t b, std::size_t e) {
    std::array<std::uint8_t, kHashBytes> h;
    for (std::size_t i = b; i < e; ++i) {
      hash_id(salt, "oprf", ids.at(i), h);
      std::memcpy(&it.x[i], h.data(), 16);
      for (int j = 0; j < kCuckooHashes; ++j) {
        std::uint64_t word;
        std::memcpy(&word, h.data() + 16 + 8 * j, 8);
        it.bins[i][static_cast<std::size_t>(j)] = cuckoo_bin(word, bins);
      }
    }
  });
  if (ids.release) ids.release();  // the OPRF needs only the hashes from here on
  return it;
}

// The code input of item x placed by function j: distinct per j, so an id whose bins
// coincide still gives S three unrelated values.
inline ot::Block tweak(ot::Block x, std::size_t j) {
  x.hi ^= static_cast<std::uint64_t>(j);
  return x;
}

std::size_t value_bytes(std::size_t bins, std::size_t sender_items) {
  const double bits = kStatisticalBits + std::log2(static_cast<double>(bins)) +
                      std::log2(3.0 * static_cast<double>(sender_items));
  return std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(bits / 8)), 8, 16);
}

std::size_t pad128(std::size_t n) { return (n + 127) / 128 * 128; }

// Flow control: a party streaming chunks waits for the peer's one-byte acknowledgement of chunk
// c - kWindow before sending chunk c, so at most kWindow chunks (a few MB) are queued in
// either process however far one runs ahead: without it a 2^20 run held the whole 85 MB OT
// matrix in the sender's receive queue.
constexpr std::size_t kWindow = 3;

// The streaming side, before sending chunk c.
void await_ack(net::Network& network, net::PartyId peer, std::size_t c) {
  if (c < kWindow) return;
  if (network.gather()[static_cast<std::size_t>(peer)].size() != 1)
    throw net::PeerError(peer,
                         "OPRF-PSI: a malformed acknowledgement from " + network.peer_name(peer));
}
// The consuming side, after finishing chunk c of `chunks`.
void send_ack(net::Network& network, net::PartyId peer, std::size_t c, std::size_t chunks) {
  if (c + kWindow < chunks) network.send_round(peer, net::Bytes(1, 0));
}

net::Bytes expect(net::Network& network, net::PartyId peer, std::size_t bytes, const char* what) {
  net::Bytes in = std::move(network.gather()[static_cast<std::size_t>(peer)]);
  if (in.size() != bytes) {
    throw net::PeerError(peer, std::string("OPRF-PSI: ") + what + " of " +
                                   std::to_string(in.size()) + " bytes from " +
                                   network.peer_name(peer) + ", expected " + std::to_string(bytes));
  }
  return in;
}

void report(const Options& o, std::string_view stage, std::uint64_t done, std::uint64_t total) {
  if (o.progress) o.progress(stage, done, total);
}

// Open addressing on the first 8 bytes of R's values (pseudorandom): slot -> bin + 1.
class ValueIndex {
 public:
  ValueIndex(const std::vector<std::uint8_t>& values, std::size_t width,
             const std::vector<CuckooSlot>& table)
      : values_(values), width_(width) {
    slots_.assign(std::bit_ceil(2 * table.size()), 0);
    for (std::size_t i = 0; i < table.size(); ++i) {
      if (table[i].item == CuckooSlot::kEmpty) continue;
      std::size_t s = key(values.data() + i * width);
      while (slots_[s] != 0) s = (s + 1) & (slots_.size() - 1);
      slots_[s] = static_cast<std::uint32_t>(i + 1);
    }
  }
  // The bin whose value equals v, or -1.
  std::int64_t find(const std::uint8_t* v) const {
    for (std::size_t s = key(v); slots_[s] != 0; s = (s + 1) & (slots_.size() - 1)) {
      const std::size_t bin = slots_[s] - 1;
      if (std::memcmp(values_.data() + bin * width_, v, width_) == 0)
        return static_cast<std::int64_t>(bin);
    }
    return -1;
  }

 private:
  std::size_t key(const std::uint8_t* v) const {
    std::uint64_t k;
    std::memcpy(&k, v, 8);
    return static_cast<std::size_t>(k) & (slots_.size() - 1);
  }
  const std::vector<std::uint8_t>& values_;
  std::size_t width_;
  std::vector<std::uint32_t> slots_;
};

Result run_receiver(net::Network& network, const IdSource& ids, const Options& o,
                    const Session& session) {
  const net::PartyId peer = session.peer;
  const std::size_t n = ids.size, ns = session.peer_size;
  const std::size_t bins = cuckoo_bins(n), width = value_bytes(bins, ns);
  const Items items = hash_items(ids, session.salt, bins, o.threads);
  report(o, "ids hashed", n, n);
  std::uint64_t walk_seed;
  randombytes_buf(&walk_seed, sizeof walk_seed);
  const std::vector<CuckooSlot> table = cuckoo_insert(items.bins, bins, walk_seed);

  // Base OTs: this party sends 512 random-OT pairs.
  Prg prg(random_seed());
  ot::SimplestOtSender base(prg);
  network.send_round(peer, base.first_message());
  const net::Bytes reply = expect(network, peer, kCodeBits * 32, "base-OT reply");
  KkrtReceiver receiver(base.keys(reply, kCodeBits, peer));
  const Code code(session.salt);  // both parties derive the same code keys

  // OT extension, one chunk of bins per round; R's outputs H(i, T_i), truncated.
  std::vector<std::uint8_t> mine(bins * width);
  std::vector<ot::Block> inputs;
  std::vector<Row> codes, t;
  for (std::size_t first = 0; first < bins; first += kChunkItems) {
    const std::size_t count = std::min(kChunkItems, bins - first), m = pad128(count);
    inputs.resize(m);
    randombytes_buf(inputs.data(), m * sizeof(ot::Block));  // dummies: empty bins, padding
    for (std::size_t i = 0; i < count; ++i) {
      const CuckooSlot& s = table[first + i];
      if (s.item != CuckooSlot::kEmpty) inputs[i] = tweak(items.x[s.item], s.hash);
    }
    codes.resize(m);
    t.resize(m);
    net::Bytes u(m * sizeof(Row));
    parallel_for(m, o.threads, [&](std::size_t b, std::size_t e) {
      code.encode(inputs.data() + b, e - b, codes.data() + b);
    });
    receiver.extend(codes.data(), m, reinterpret_cast<Row*>(u.data()), t.data(), o.threads);
    await_ack(network, peer, first / kChunkItems);
    network.send_round(peer, std::move(u));
    parallel_for(count, o.threads, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) {
        const ot::Block h = oprf_hash(first + i, t[i]);
        std::memcpy(mine.data() + (first + i) * width, &h, width);
      }
    });
    report(o, "OPRF (OT extension)", first + count, bins);
  }
  sodium_memzero(t.data(), t.size() * sizeof(Row));

  // S's values, 3 shuffled lists of ns, in chunks; remember (position, my bin) per match.
  const ValueIndex index(mine, width, table);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> matches;
  const std::size_t total = 3 * ns, per_msg = 4 * kChunkItems;
  for (std::size_t first = 0; first < total; first += per_msg) {
    const std::size_t count = std::min(per_msg, total - first);
    const net::Bytes in = expect(network, peer, count * width, "OPRF values");
    send_ack(network, peer, first / per_msg, (total + per_msg - 1) / per_msg);
    for (std::size_t k = 0; k < count; ++k) {
      const std::int64_t bin = index.find(in.data() + k * width);
      // Only a value of the function that placed the id counts (the lists are per function).
      if (bin >= 0 && table[static_cast<std::size_t>(bin)].hash == (first + k) / ns)
        matches.emplace_back(static_cast<std::uint32_t>(first + k),
                             static_cast<std::uint32_t>(bin));
    }
    report(o, "OPRF values", first + count, total);
  }

  // The common order: by the matched value.
  std::vector<std::uint8_t> keys;
  for (const auto& [pos, bin] : matches)
    keys.insert(keys.end(), mine.begin() + bin * width, mine.begin() + (bin + 1) * width);
  const std::vector<std::size_t> order = order_by(keys, width);
  Result result;
  net::Bytes positions(4 * matches.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    const auto& [pos, bin] = matches[order[k]];
    result.rows.push_back(table[bin].item);
    std::memcpy(positions.data() + 4 * k, &pos, 4);
  }
  network.send_round(peer, std::move(positions));
  return result;
}

Result run_sender(net::Network& network, const IdSource& ids, const Options& o,
                  const Session& session) {
  const net::PartyId peer = session.peer;
  const std::size_t n = ids.size, nr = session.peer_size;
  const std::size_t bins = cuckoo_bins(nr), width = value_bytes(bins, n);
  const Items items = hash_items(ids, session.salt, bins, o.threads);
  report(o, "ids hashed", n, n);

  // Entries (item, j), bucketed by bin with a counting sort.
  std::vector<std::uint32_t> start(bins + 1, 0), entries(3 * n);
  for (const auto& b : items.bins)
    for (std::uint32_t bin : b) ++start[bin + 1];
  for (std::size_t b = 0; b < bins; ++b) start[b + 1] += start[b];
  {
    std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
    for (std::uint32_t i = 0; i < n; ++i)
      for (std::uint32_t j = 0; j < kCuckooHashes; ++j)
        entries[fill[items.bins[i][j]]++] = 3 * i + j;
  }
  // Entry (i, j) goes to position j·n + perm[j][i] of the values.
  std::array<std::vector<std::uint32_t>, kCuckooHashes> perm;
  for (auto& p : perm) p = random_permutation(n);

  // Base OTs: this party chooses s.
  Prg prg(random_seed());
  Row s;
  prg.fill({reinterpret_cast<std::uint8_t*>(&s), sizeof s});
  const net::Bytes first_msg = expect(network, peer, 32, "base-OT message");
  ot::SimplestOtReceiver base(prg, {reinterpret_cast<const std::uint8_t*>(&s), sizeof s},
                              kCodeBits);
  network.send_round(peer, base.reply(first_msg, peer));
  KkrtSender sender(s, base.keys());
  sodium_memzero(&s, sizeof s);
  const Code code(session.salt);  // both parties derive the same code keys

  std::vector<std::uint8_t> values(3 * n * width);
  std::vector<Row> q;
  for (std::size_t first = 0; first < bins; first += kChunkItems) {
    const std::size_t count = std::min(kChunkItems, bins - first), m = pad128(count);
    const net::Bytes u = expect(network, peer, m * sizeof(Row), "OT extension matrix");
    q.resize(m);
    sender.extend(reinterpret_cast<const Row*>(u.data()), m, q.data(), o.threads);
    send_ack(network, peer, first / kChunkItems, (bins + kChunkItems - 1) / kChunkItems);
    const std::size_t e_first = start[first], e_end = start[first + count];
    parallel_for(e_end - e_first, o.threads, [&](std::size_t b, std::size_t e) {
      std::vector<ot::Block> x(e - b);
      std::vector<Row> c(e - b);
      for (std::size_t k = b; k < e; ++k) {
        const std::uint32_t entry = entries[e_first + k];
        x[k - b] = tweak(items.x[entry / 3], entry % 3);
      }
      code.encode(x.data(), x.size(), c.data());
      for (std::size_t k = b; k < e; ++k) {
        const std::uint32_t entry = entries[e_first + k];
        const std::size_t bin = items.bins[entry / 3][entry % 3];
        const ot::Block h = oprf_hash(bin, q[bin - first] ^ (c[k - b] & sender.s()));
        const std::size_t pos = (entry % 3) * n + perm[entry % 3][entry / 3];
        std::memcpy(values.data() + pos * width, &h, width);
      }
    });
    report(o, "OPRF (OT extension)", first + count, bins);
  }
  sodium_memzero(q.data(), q.size() * sizeof(Row));

  const std::size_t total = 3 * n, per_msg = 4 * kChunkItems;
  for (std::size_t first = 0; first < total; first += per_msg) {
    const std::size_t count = std::min(per_msg, total - first);
    await_ack(network, peer, first / per_msg);
    network.send_round(
        peer, net::Bytes(values.begin() + first * width, values.begin() + (first + count) * width));
    report(o, "OPRF values", first + count, total);
  }
  values = {};
  // perm[j][q] from here on: the row whose function-j value went to position q.
  for (auto& p : perm) {
    std::vector<std::uint32_t> inverse(n);
    for (std::uint32_t i = 0; i < n; ++i) inverse[p[i]] = i;
    p = std::move(inverse);
  }

  net::Bytes positions = std::move(network.gather()[static_cast<std::size_t>(peer)]);
  if (positions.size() % 4 != 0 || positions.size() / 4 > std::min(n, nr)) {
    throw net::PeerError(peer, "OPRF-PSI: a match list of " + std::to_string(positions.size()) +
                                   " bytes from " + network.peer_name(peer));
  }
  Result result;
  std::vector<bool> seen(n, false);
  for (std::size_t k = 0; k < positions.size() / 4; ++k) {
    std::uint32_t pos;
    std::memcpy(&pos, positions.data() + 4 * k, 4);
    const std::uint32_t row = pos < 3 * n ? perm[pos / n][pos % n] : 0;
    if (pos >= 3 * n || seen[row]) {
      throw net::PeerError(
          peer, "OPRF-PSI: " + network.peer_name(peer) + " named an invalid or repeated match");
    }
    seen[row] = true;
    result.rows.push_back(row);
  }
  return result;
}

}  // namespace

Result oprf_intersect(net::Network& network, const IdSource& ids, const Options& options,
                      const Session& session) {
  return network.self() == 0 ? run_receiver(network, ids, options, session)
                             : run_sender(network, ids, options, session);
}

}  // namespace jointly::psi::detail
