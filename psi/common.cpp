#include "psi/common.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <mutex>
#include <numeric>
#include <thread>

#include "protocols/prg.h"

namespace jointly::psi::detail {

void hash_id(const Salt& salt, std::string_view purpose, std::string_view id,
             std::span<std::uint8_t> out) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, salt.data(), salt.size(), out.size());
  const std::string domain = "jointly.psi." + std::string(purpose) + ".v1";
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(domain.data()),
                            domain.size() + 1);  // with its NUL: the domain ends here
  std::uint8_t len[8];
  const std::uint64_t n = id.size();
  for (int i = 0; i < 8; ++i) len[i] = static_cast<std::uint8_t>(n >> (8 * i));
  crypto_generichash_update(&state, len, sizeof len);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(id.data()), id.size());
  crypto_generichash_final(&state, out.data(), out.size());
}

void parallel_for(std::size_t n, int threads,
                  const std::function<void(std::size_t, std::size_t)>& body) {
  const std::size_t t = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(threads, 1)), 1,
                                                std::max<std::size_t>(n, 1));
  if (t == 1) {
    body(0, n);
    return;
  }
  std::exception_ptr error;
  std::mutex mutex;
  std::vector<std::thread> pool;
  auto run = [&](std::size_t b, std::size_t e) {
    try {
      body(b, e);
    } catch (...) {
      const std::lock_guard lock(mutex);
      if (!error) error = std::current_exception();
    }
  };
  for (std::size_t k = 1; k < t; ++k) pool.emplace_back(run, n * k / t, n * (k + 1) / t);
  run(0, n / t);
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

std::vector<std::uint32_t> random_permutation(std::size_t n) {
  // Fisher–Yates on an AES-CTR stream from a fresh OS seed (libsodium's randombytes_uniform
  // makes one getrandom system call per draw: a third of a 2^18 run). j = (r · i) >> 64 is
  // within 2^-32 of uniform for i < 2^32.
  Prg prg(random_seed());
  std::vector<std::uint32_t> p(n);
  std::iota(p.begin(), p.end(), 0u);
  for (std::size_t i = n; i > 1; --i) {
    const auto j = static_cast<std::size_t>((static_cast<unsigned __int128>(prg.next()) * i) >> 64);
    std::swap(p[i - 1], p[j]);
  }
  return p;
}

net::Bytes swap(net::Network& network, net::PartyId peer, net::Bytes out) {
  std::vector<net::Bytes> msgs(2);
  msgs[static_cast<std::size_t>(peer)] = std::move(out);
  return std::move(network.exchange(std::move(msgs))[static_cast<std::size_t>(peer)]);
}

namespace {
constexpr std::uint8_t kWireVersion = 1;

void put_u64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint64_t get_u64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= std::uint64_t{p[i]} << (8 * i);
  return v;
}
}  // namespace

Session open_session(net::Network& network, Protocol protocol, std::size_t size) {
  if (network.parties() != 2) {
    throw std::invalid_argument("PSI needs exactly 2 parties, not " +
                                std::to_string(network.parties()));
  }
  Session s;
  s.peer = 1 - network.self();
  s.my_size = size;
  Salt mine;
  randombytes_buf(mine.data(), mine.size());
  net::Bytes out(2 + 8 + mine.size());
  out[0] = kWireVersion;
  out[1] = static_cast<std::uint8_t>(protocol);
  put_u64(out.data() + 2, size);
  std::memcpy(out.data() + 10, mine.data(), mine.size());
  const net::Bytes in = swap(network, s.peer, out);
  if (in.size() != out.size() || in[0] != kWireVersion) {
    throw net::PeerError(s.peer,
                         "PSI: " + network.peer_name(s.peer) + " sent a malformed set-up message");
  }
  if (in[1] != out[1]) {
    throw net::PeerError(s.peer, "PSI: " + network.peer_name(s.peer) + " runs protocol " +
                                     (in[1] == 0 ? "ecdh" : "oprf") + ", this party " +
                                     protocol_name(protocol));
  }
  s.peer_size = get_u64(in.data() + 2);
  if (s.peer_size == 0 || s.peer_size >= (std::uint64_t{1} << 32)) {
    throw net::PeerError(s.peer, "PSI: " + network.peer_name(s.peer) + " announces " +
                                     std::to_string(s.peer_size) + " ids");
  }
  // salt = H(share of party 0 || share of party 1): random if either party's share is.
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, s.salt.size());
  const bool first = network.self() == 0;
  crypto_generichash_update(&state, first ? mine.data() : in.data() + 10, mine.size());
  crypto_generichash_update(&state, first ? in.data() + 10 : mine.data(), mine.size());
  crypto_generichash_final(&state, s.salt.data(), s.salt.size());
  return s;
}

std::vector<std::size_t> order_by(const std::vector<std::uint8_t>& keys, std::size_t width) {
  std::vector<std::size_t> order(keys.size() / width);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::memcmp(keys.data() + a * width, keys.data() + b * width, width) < 0;
  });
  return order;
}

}  // namespace jointly::psi::detail
