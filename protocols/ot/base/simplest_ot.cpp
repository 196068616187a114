#include "protocols/ot/base/simplest_ot.h"

#include <sodium.h>

#include <stdexcept>
#include <string>

namespace jointly::ot {
namespace {

constexpr std::size_t kPoint = crypto_core_ristretto255_BYTES;
constexpr std::size_t kScalar = crypto_core_ristretto255_SCALARBYTES;

void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

// A uniform scalar from 64 PRG bytes reduced mod l (libsodium's recommended way).
void random_scalar(Prg& prg, std::uint8_t* out) {
  std::array<std::uint8_t, crypto_core_ristretto255_NONREDUCEDSCALARBYTES> wide;
  prg.fill(wide);
  crypto_core_ristretto255_scalar_reduce(out, wide.data());
  sodium_memzero(wide.data(), wide.size());
}

// H(A, R_i, i, P) -> 128-bit key.
Block derive_key(const std::uint8_t* big_a, const std::uint8_t* r, std::uint64_t index,
                 const std::uint8_t* point) {
  crypto_generichash_state state;
  static const char kLabel[] = "jointly.simplest-ot.v1";
  crypto_generichash_init(&state, nullptr, 0, sizeof(Block));
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(kLabel),
                            sizeof kLabel - 1);
  crypto_generichash_update(&state, big_a, kPoint);
  crypto_generichash_update(&state, r, kPoint);
  unsigned char idx[8];
  for (int b = 0; b < 8; ++b) idx[b] = static_cast<unsigned char>(index >> (8 * b));
  crypto_generichash_update(&state, idx, sizeof idx);
  crypto_generichash_update(&state, point, kPoint);
  Block key;
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(&key), sizeof key);
  return key;
}

}  // namespace

SimplestOtSender::SimplestOtSender(Prg& prg) {
  ensure_sodium();
  random_scalar(prg, a_.data());
  if (crypto_scalarmult_ristretto255_base(big_a_.data(), a_.data()) != 0 ||
      crypto_scalarmult_ristretto255(a_times_a_.data(), a_.data(), big_a_.data()) != 0) {
    throw std::runtime_error("simplest OT: degenerate sender scalar");
  }
}

SimplestOtSender::~SimplestOtSender() {
  sodium_memzero(a_.data(), a_.size());
  sodium_memzero(a_times_a_.data(), a_times_a_.size());
}

net::Bytes SimplestOtSender::first_message() const {
  return net::Bytes(big_a_.begin(), big_a_.end());
}

std::vector<BlockPair> SimplestOtSender::keys(const net::Bytes& reply, std::size_t count,
                                              net::PartyId peer) {
  if (reply.size() != count * kPoint) {
    throw net::PeerError(peer, "simplest OT: reply of " + std::to_string(reply.size()) +
                                   " bytes, expected " + std::to_string(count * kPoint));
  }
  std::vector<BlockPair> out(count);
  std::array<std::uint8_t, kPoint> p0, p1;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t* r = reply.data() + i * kPoint;
    // scalarmult rejects non-canonical encodings and the identity.
    if (crypto_scalarmult_ristretto255(p0.data(), a_.data(), r) != 0) {
      throw net::PeerError(peer, "simplest OT: invalid point " + std::to_string(i));
    }
    crypto_core_ristretto255_sub(p1.data(), p0.data(), a_times_a_.data());
    out[i][0] = derive_key(big_a_.data(), r, i, p0.data());
    out[i][1] = derive_key(big_a_.data(), r, i, p1.data());
  }
  sodium_memzero(p0.data(), p0.size());
  sodium_memzero(p1.data(), p1.size());
  return out;
}

SimplestOtReceiver::SimplestOtReceiver(Prg& prg, std::span<const std::uint8_t> choices,
                                       std::size_t count)
    : count_(count), choices_(choices.begin(), choices.end()), scalars_(count * kScalar) {
  ensure_sodium();
  if (choices.size() * 8 < count) throw std::invalid_argument("simplest OT: too few choices");
  for (std::size_t i = 0; i < count; ++i) random_scalar(prg, scalars_.data() + i * kScalar);
}

SimplestOtReceiver::~SimplestOtReceiver() {
  sodium_memzero(scalars_.data(), scalars_.size());
  sodium_memzero(choices_.data(), choices_.size());
}

net::Bytes SimplestOtReceiver::reply(const net::Bytes& first_message, net::PartyId peer) {
  if (first_message.size() != kPoint ||
      crypto_core_ristretto255_is_valid_point(first_message.data()) != 1) {
    throw net::PeerError(peer, "simplest OT: invalid sender message");
  }
  const std::uint8_t* big_a = first_message.data();
  net::Bytes out(count_ * kPoint);
  keys_.resize(count_);
  std::array<std::uint8_t, kPoint> xg, shared;
  for (std::size_t i = 0; i < count_; ++i) {
    const std::uint8_t* x = scalars_.data() + i * kScalar;
    std::uint8_t* r = out.data() + i * kPoint;
    crypto_scalarmult_ristretto255_base(xg.data(), x);
    if (get_bit(choices_.data(), i)) {
      crypto_core_ristretto255_add(r, xg.data(), big_a);
    } else {
      std::copy(xg.begin(), xg.end(), r);
    }
    if (crypto_scalarmult_ristretto255(shared.data(), x, big_a) != 0) {
      throw net::PeerError(peer, "simplest OT: degenerate sender point");
    }
    keys_[i] = derive_key(big_a, r, i, shared.data());
  }
  sodium_memzero(shared.data(), shared.size());
  sodium_memzero(scalars_.data(), scalars_.size());
  return out;
}

}  // namespace jointly::ot
