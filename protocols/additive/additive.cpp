#include "protocols/additive/additive.h"

#include <stdexcept>
#include <string>

#include "protocols/shape_checks.h"

namespace jointly {
namespace {

using shape_checks::require_inner;
using shape_checks::require_same_shape;
using shape_checks::shape;

// Truncation by one opening works for |x| < 2^62: x + 2^62 is then a 63-bit non-negative
// value, so the masked opening's carry into bit 63 is exactly what r_msb corrects.
constexpr int kTruncHeadroomBit = 62;

}  // namespace

Additive::Additive(net::Network& network, TripleSource& triples, AdditiveOptions options)
    : network_(network),
      triples_(triples),
      truncation_(options.truncation),
      seeds_(options.resume ? *options.resume
                            : AdditiveState{{options.seed ? *options.seed : random_seed(), 0}, {}}),
      own_(seeds_.own.seed),
      pair_(network.parties()) {
  if (parties() < 2) throw std::invalid_argument("additive sharing needs at least 2 parties");
  if (truncation_ == Truncation::kLocal && parties() != 2) {
    throw std::invalid_argument(
        "local (SecureML) truncation is only correct for 2 parties; use "
        "pair truncation for " +
        std::to_string(parties()));
  }
  if (options.resume) {
    const AdditiveState& r = *options.resume;
    bool complete = r.pair.size() == static_cast<std::size_t>(parties());
    for (net::PartyId p = 0; complete && p < parties(); ++p)
      complete = r.pair[p].has_value() == (p != self());
    if (!complete) {
      throw std::invalid_argument(
          "additive: the resumed state does not hold one pair seed per peer");
    }
    for (net::PartyId p = 0; p < parties(); ++p) {
      if (p != self()) pair_[p].emplace(r.pair[p]->seed);
    }
    seek(r);
    return;
  }
  seeds_.pair.resize(static_cast<std::size_t>(parties()));
  // Set-up round: the lower id of each pair picks the pair's input-sharing seed.
  std::vector<net::Bytes> out(parties());
  for (net::PartyId p = self() + 1; p < parties(); ++p) {
    const Seed s = options.seed ? derive_seed(*options.seed, "additive.pair", p) : random_seed();
    pair_[p].emplace(s);
    seeds_.pair[p] = AdditiveState::Stream{s, 0};
    out[p].assign(s.begin(), s.end());
  }
  const std::vector<net::Bytes> in = network_.exchange(std::move(out));
  for (net::PartyId p = 0; p < self(); ++p) {
    if (in[p].size() != kSeedBytes) {
      throw net::PeerError(p, network_.peer_name(p) + " sent a malformed set-up message");
    }
    Seed s;
    std::copy(in[p].begin(), in[p].end(), s.begin());
    pair_[p].emplace(s);
    seeds_.pair[p] = AdditiveState::Stream{s, 0};
  }
}

AdditiveState Additive::state() const {
  AdditiveState s = seeds_;
  s.own.position = own_.position();
  for (net::PartyId p = 0; p < parties(); ++p) {
    if (pair_[p]) s.pair[p]->position = pair_[p]->position();
  }
  return s;
}

void Additive::seek(const AdditiveState& state) {
  bool same = state.own.seed == seeds_.own.seed && state.pair.size() == seeds_.pair.size();
  for (std::size_t p = 0; same && p < state.pair.size(); ++p) {
    same = state.pair[p].has_value() == seeds_.pair[p].has_value() &&
           (!state.pair[p] || state.pair[p]->seed == seeds_.pair[p]->seed);
  }
  if (!same) throw std::invalid_argument("additive: seek to a state with other seeds");
  own_.seek(state.own.position);
  for (net::PartyId p = 0; p < parties(); ++p) {
    if (pair_[p]) pair_[p]->seek(state.pair[p]->position);
  }
}

std::string Additive::name() const {
  return "additive/" + std::to_string(parties()) + " with " + triples_.name() + " triples";
}

Shared Additive::input(net::PartyId owner, const IntMatrix* value, Index rows, Index cols) {
  if (owner < 0 || owner >= parties()) {
    throw std::invalid_argument("input: no party " + std::to_string(owner));
  }
  if (self() != owner) return Shared(pair_[owner]->ring(rows, cols));
  if (value == nullptr || value->rows() != rows || value->cols() != cols) {
    throw std::invalid_argument("input: the owner must pass a value of shape " +
                                std::to_string(rows) + "x" + std::to_string(cols));
  }
  RingMatrix share = to_ring(*value);
  for (net::PartyId p = 0; p < parties(); ++p) {
    if (p != self()) share -= pair_[p]->ring(rows, cols);
  }
  return Shared(std::move(share));
}

RingMatrix Additive::sum_shares(RingMatrix own, const std::vector<net::Bytes>& received) const {
  RingMatrix other(own.rows(), own.cols());
  for (net::PartyId p = 0; p < parties(); ++p) {
    if (p == self()) continue;
    unpack(received[p], p, {&other});
    own += other;
  }
  return own;
}

void Additive::open_pair(RingMatrix& d, RingMatrix& e) {
  auto in = network_.broadcast(pack({&d, &e}));
  RingMatrix d_peer(d.rows(), d.cols()), e_peer(e.rows(), e.cols());
  for (net::PartyId p = 0; p < parties(); ++p) {
    if (p == self()) continue;
    unpack(in[p], p, {&d_peer, &e_peer});
    d += d_peer;
    e += e_peer;
  }
}

IntMatrix Additive::open(const Shared& x) {
  auto in = network_.broadcast(pack({&x.ring()}));
  return to_int(sum_shares(x.ring(), in));
}

std::optional<IntMatrix> Additive::open_to(net::PartyId receiver, const Shared& x) {
  if (receiver < 0 || receiver >= parties()) {
    throw std::invalid_argument("open_to: no party " + std::to_string(receiver));
  }
  if (self() != receiver) {
    network_.send_round(receiver, pack({&x.ring()}));
    return std::nullopt;
  }
  return to_int(sum_shares(x.ring(), network_.gather()));
}

Shared Additive::random(Index rows, Index cols) { return Shared(own_.ring(rows, cols)); }

Shared Additive::add(const Shared& x, const Shared& y) {
  require_same_shape(x, y, "add");
  return Shared(x.ring() + y.ring());
}

Shared Additive::sub(const Shared& x, const Shared& y) {
  require_same_shape(x, y, "sub");
  return Shared(x.ring() - y.ring());
}

Shared Additive::add_public(const Shared& x, const IntMatrix& c) {
  require_same_shape(x, c, "add_public");
  if (self() != 0) return x;
  return Shared(x.ring() + to_ring(c));
}

Shared Additive::scale(const Shared& x, std::int64_t c) {
  return Shared(x.ring() * static_cast<Ring>(c));
}

Shared Additive::mul_public(const Shared& x, const IntMatrix& c) {
  require_same_shape(x, c, "mul_public");
  return Shared(x.ring().cwiseProduct(to_ring(c)));
}

Shared Additive::matmul_public(const Shared& x, const IntMatrix& c) {
  require_inner(x.cols(), c.rows(), "matmul_public");
  return Shared(x.ring() * to_ring(c));
}

Shared Additive::matmul_public(const IntMatrix& c, const Shared& x) {
  require_inner(c.cols(), x.rows(), "matmul_public");
  return Shared(to_ring(c) * x.ring());
}

Shared Additive::mul(const Shared& x, const Shared& y) {
  require_same_shape(x, y, "mul");
  BeaverTriple t = triples_.elementwise(x.rows(), x.cols());
  RingMatrix d = x.ring() - t.a;
  RingMatrix e = y.ring() - t.b;
  open_pair(d, e);
  // z = c + d∘b + e∘a (+ d∘e once): the shares of x∘y = (d + a)∘(e + b).
  RingMatrix z = t.c + d.cwiseProduct(t.b) + e.cwiseProduct(t.a);
  if (self() == 0) z += d.cwiseProduct(e);
  return Shared(std::move(z));
}

Shared Additive::matmul(const Shared& x, const Shared& y) {
  require_inner(x.cols(), y.rows(), "matmul");
  BeaverTriple t = triples_.matrix(x.rows(), x.cols(), y.cols());
  RingMatrix d = x.ring() - t.a;
  RingMatrix e = y.ring() - t.b;
  open_pair(d, e);
  // Z = C + D·B + A·E (+ D·E once). Party 0 folds D·E into D·(B + E): two products each.
  if (self() == 0) t.b += e;
  RingMatrix z = t.c;
  z.noalias() += d * t.b;
  z.noalias() += t.a * e;
  return Shared(std::move(z));
}

bool truncates_locally(Truncation rule, int parties) {
  return rule == Truncation::kLocal || (rule == Truncation::kAuto && parties == 2);
}

bool Additive::local_truncation() const { return truncates_locally(truncation_, parties()); }

Shared Additive::trunc(const Shared& x, int bits) {
  if (bits < 0 || bits >= kTruncHeadroomBit) {
    throw std::invalid_argument("trunc: cannot shift by " + std::to_string(bits) + " bits");
  }
  if (bits == 0) return x;
  return local_truncation() ? trunc_local(x, bits) : trunc_pair(x, bits);
}

// SecureML (Mohassel–Zhang 2017, Thm. 1): party 0 shifts its share, party 1 shifts the
// negation of its share. Off by at most 1 in the last place, except with probability about
// |x| / 2^63 per element, when the result is off by about 2^(64-bits) (docs/fixed-point.md).
Shared Additive::trunc_local(const Shared& x, int bits) const {
  if (self() == 0) {
    return Shared(x.ring().unaryExpr([bits](Ring v) { return shift_signed(v, bits); }));
  }
  return Shared(
      x.ring().unaryExpr([bits](Ring v) { return Ring{0} - shift_signed(Ring{0} - v, bits); }));
}

// One opening of c = x + 2^62 + r with a pair (r, r_msb, r_low = (r mod 2^63) >> bits).
// With c_low = c mod 2^63 and b = c_msb XOR r_msb (the carry out of bit 62):
//   (x + 2^62) >> bits = (c_low >> bits) - r_low + b · 2^(63-bits)   (up to +1),
// then subtract 2^(62-bits). r is uniform in Z_2^64, so c reveals nothing about x.
Shared Additive::trunc_pair(const Shared& x, int bits) {
  TruncPair t = triples_.trunc_pair(x.rows(), x.cols(), bits);
  RingMatrix masked = x.ring() + t.r;
  if (self() == 0) masked.array() += Ring{1} << kTruncHeadroomBit;
  auto in = network_.broadcast(pack({&masked}));
  const RingMatrix c = sum_shares(std::move(masked), in);

  constexpr Ring kLowMask = (Ring{1} << 63) - 1;
  const Ring lead = self() == 0 ? 1 : 0;
  RingMatrix z(x.rows(), x.cols());
  for (Index i = 0; i < z.size(); ++i) {
    const Ring c_i = c.data()[i];
    const Ring msb = t.r_msb.data()[i];
    const Ring carry = (c_i >> 63) ? lead - msb : msb;  // share of c_msb XOR r_msb
    Ring share = (carry << (63 - bits)) - t.r_low.data()[i];
    if (lead) share += ((c_i & kLowMask) >> bits) - (Ring{1} << (kTruncHeadroomBit - bits));
    z.data()[i] = share;
  }
  return Shared(std::move(z));
}

BitProducts Additive::gez_times(const Shared& x, const std::vector<Shared>& values) {
  return gmw_.b2a_times(gmw_.sign_bits(x, true), values);
}

Shared Additive::ltz(const Shared& x) { return gmw_.b2a_times(gmw_.sign_bits(x, false), {}).bit; }

OpCost Additive::gez_cost(std::uint64_t elements, int products, int thresholds) const {
  return ltz_cost(parties(), elements * static_cast<std::uint64_t>(thresholds), products);
}

}  // namespace jointly
