#include "protocols/replicated/replicated.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "protocols/shape_checks.h"

namespace jointly {
namespace {

constexpr int kParties = 3;

using shape_checks::require_inner;
using shape_checks::require_same_shape;
using shape_checks::shape;

// Π_trunc1's 2-out-of-2 step is SecureML's, correct for |x| < 2^62 with a small failure
// probability (docs/replicated.md); the same headroom as the other backends' truncations.
constexpr int kTruncHeadroomBit = 62;

constexpr std::size_t kChunk = 1024;  // words per PRG draw into a stack buffer

constexpr std::size_t kHugePage = std::size_t{2} << 20;

// Asks for transparent huge pages on the 2 MB-aligned part of a large, untouched buffer. A
// hint only: where THP is off or the call fails, the buffer just faults in page by page.
void prefer_huge_pages(void* data, std::size_t bytes) {
  const auto begin = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t first = (begin + kHugePage - 1) / kHugePage * kHugePage;
  const std::uintptr_t last = (begin + bytes) / kHugePage * kHugePage;
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

}  // namespace

RingMatrix Replicated::uninitialised(Index rows, Index cols) {
  RingMatrix m(rows, cols);
  prefer_huge_pages(m.data(), static_cast<std::size_t>(m.size()) * sizeof(Ring));
  return m;
}

net::Bytes Replicated::empty_message(std::size_t words) {
  net::Bytes out;
  out.reserve(words * sizeof(Ring));
  prefer_huge_pages(out.data(), words * sizeof(Ring));
  return out;
}

net::Bytes Replicated::message(const Ring* words, std::size_t count) {
  net::Bytes out = empty_message(count);
  const auto* from = reinterpret_cast<const std::uint8_t*>(words);
  out.insert(out.end(), from, from + count * sizeof(Ring));
  return out;
}

Replicated::Replicated(net::Network& network, ReplicatedOptions options)
    : network_(network),
      seeds_(options.resume
                 ? *options.resume
                 : ReplicatedState{{options.seed ? *options.seed : random_seed(), 0}, {}}),
      own_(seeds_.own.seed),
      pair_(static_cast<std::size_t>(std::max(network.parties(), 0))) {
  if (parties() != kParties) {
    throw std::invalid_argument("replicated sharing needs exactly 3 parties, not " +
                                std::to_string(parties()));
  }
  if (options.resume) {
    const ReplicatedState& r = *options.resume;
    bool complete = r.pair.size() == static_cast<std::size_t>(kParties);
    for (net::PartyId p = 0; complete && p < kParties; ++p)
      complete = r.pair[p].has_value() == (p != self());
    if (!complete) {
      throw std::invalid_argument(
          "replicated: the resumed state does not hold one pair seed per peer");
    }
    for (net::PartyId p = 0; p < kParties; ++p) {
      if (p != self()) pair_[p].emplace(r.pair[p]->seed);
    }
    seek(r);
    return;
  }
  // Set-up round: party i draws k_i and sends it to party i-1, so it holds k_i (shared with
  // i-1) and receives k_{i+1} (shared with i+1).
  seeds_.pair.assign(kParties, std::nullopt);
  const Seed mine = options.seed ? derive_seed(*options.seed, "replicated.key") : random_seed();
  const auto in = round(prev_party(), net::Bytes(mine.begin(), mine.end()), {next_party()});
  if (in[next_party()].size() != kSeedBytes) {
    throw net::PeerError(next_party(),
                         network_.peer_name(next_party()) + " sent a malformed set-up message");
  }
  Seed theirs;
  std::copy(in[next_party()].begin(), in[next_party()].end(), theirs.begin());
  pair_[prev_party()].emplace(mine);
  seeds_.pair[prev_party()] = ReplicatedState::Stream{mine, 0};
  pair_[next_party()].emplace(theirs);
  seeds_.pair[next_party()] = ReplicatedState::Stream{theirs, 0};
}

ReplicatedState Replicated::state() const {
  ReplicatedState s = seeds_;
  s.own.position = own_.position();
  for (net::PartyId p = 0; p < kParties; ++p) {
    if (pair_[p]) s.pair[p]->position = pair_[p]->position();
  }
  return s;
}

void Replicated::seek(const ReplicatedState& state) {
  bool same = state.own.seed == seeds_.own.seed && state.pair.size() == seeds_.pair.size();
  for (std::size_t p = 0; same && p < state.pair.size(); ++p) {
    same = state.pair[p].has_value() == seeds_.pair[p].has_value() &&
           (!state.pair[p] || state.pair[p]->seed == seeds_.pair[p]->seed);
  }
  if (!same) throw std::invalid_argument("replicated: seek to a state with other seeds");
  own_.seek(state.own.position);
  for (net::PartyId p = 0; p < kParties; ++p) {
    if (pair_[p]) pair_[p]->seek(state.pair[p]->position);
  }
}

std::string Replicated::name() const { return "replicated/3 (honest majority, no dealer)"; }

Prg& Replicated::key(net::PartyId j) {
  if (j == self()) return *pair_[prev_party()];
  if (j == next_party()) return *pair_[next_party()];
  throw std::logic_error("replicated: party " + std::to_string(self()) + " does not hold key " +
                         std::to_string(j));
}

std::vector<net::Bytes> Replicated::round(net::PartyId to, net::Bytes out,
                                          std::initializer_list<net::PartyId> from) {
  if (to >= 0) network_.send(to, std::move(out));
  std::vector<net::Bytes> in(kParties);
  for (net::PartyId p : from) in[p] = network_.recv(p);
  network_.count_round();
  return in;
}

RingMatrix Replicated::zero_share(Index rows, Index cols) {
  // α_i = F(k_i) - F(k_{i+1}): the three differences telescope to zero. The second stream
  // goes through a small buffer, so a large tensor costs one allocation, not two.
  RingMatrix alpha = uninitialised(rows, cols);
  key(self()).fill({reinterpret_cast<std::uint8_t*>(alpha.data()),
                    static_cast<std::size_t>(alpha.size()) * sizeof(Ring)});
  Ring chunk[kChunk];
  const std::size_t n = static_cast<std::size_t>(alpha.size());
  for (std::size_t s = 0; s < n; s += kChunk) {
    const std::size_t len = std::min(kChunk, n - s);
    key(next_party()).fill({reinterpret_cast<std::uint8_t*>(chunk), len * sizeof(Ring)});
    for (std::size_t i = 0; i < len; ++i) alpha.data()[s + i] -= chunk[i];
  }
  return alpha;
}

Shared Replicated::reshare(RingMatrix z) {
  auto in =
      round(prev_party(), message(z.data(), static_cast<std::size_t>(z.size())), {next_party()});
  RingMatrix next = uninitialised(z.rows(), z.cols());
  unpack(in[next_party()], next_party(), {&next});
  return Shared(std::move(z), std::move(next));
}

Shared Replicated::input(net::PartyId owner, const IntMatrix* value, Index rows, Index cols) {
  if (owner < 0 || owner >= kParties) {
    throw std::invalid_argument("input: no party " + std::to_string(owner));
  }
  // Shares: x_o = F(k_o) (parties o and o-1 hold k_o), x_{o+1} = v - x_o (the owner sends it
  // to party o+1, to which it is masked by k_o), x_{o+2} = 0.
  if (self() == owner) {
    if (value == nullptr || value->rows() != rows || value->cols() != cols) {
      throw std::invalid_argument("input: the owner must pass a value of shape " +
                                  std::to_string(rows) + "x" + std::to_string(cols));
    }
    RingMatrix first = key(self()).ring(rows, cols);
    RingMatrix second = to_ring(*value) - first;
    round(next_party(), message(second.data(), static_cast<std::size_t>(second.size())), {});
    return Shared(std::move(first), std::move(second));
  }
  if (self() == (owner + 1) % kParties) {
    auto in = round(-1, {}, {owner});
    RingMatrix second(rows, cols);
    unpack(in[owner], owner, {&second});
    return Shared(std::move(second), RingMatrix::Zero(rows, cols));
  }
  RingMatrix first = key(next_party()).ring(rows, cols);  // k_o = k_{self+1}
  round(-1, {}, {});
  return Shared(RingMatrix::Zero(rows, cols), std::move(first));
}

IntMatrix Replicated::open(const Shared& x) {
  const RingPair& s = x.pair();
  auto in = round(next_party(), message(s.mine.data(), static_cast<std::size_t>(s.mine.size())),
                  {prev_party()});
  RingMatrix missing(x.rows(), x.cols());  // x_{i+2}, the predecessor's first share
  unpack(in[prev_party()], prev_party(), {&missing});
  missing += s.mine;
  missing += s.next;
  return to_int(missing);
}

std::optional<IntMatrix> Replicated::open_to(net::PartyId receiver, const Shared& x) {
  if (receiver < 0 || receiver >= kParties) {
    throw std::invalid_argument("open_to: no party " + std::to_string(receiver));
  }
  const RingPair& s = x.pair();
  if (self() == receiver) {
    auto in = round(-1, {}, {prev_party()});
    RingMatrix missing(x.rows(), x.cols());
    unpack(in[prev_party()], prev_party(), {&missing});
    missing += s.mine;
    missing += s.next;
    return to_int(missing);
  }
  if (next_party() == receiver) {
    round(receiver, message(s.mine.data(), static_cast<std::size_t>(s.mine.size())), {});
  } else {
    round(-1, {}, {});
  }
  return std::nullopt;
}

Shared Replicated::random(Index rows, Index cols) {
  RingMatrix mine = key(self()).ring(rows, cols);
  RingMatrix next = key(next_party()).ring(rows, cols);
  return Shared(std::move(mine), std::move(next));
}

Shared Replicated::add(const Shared& x, const Shared& y) {
  require_same_shape(x, y, "add");
  return Shared(RingMatrix(x.pair().mine + y.pair().mine),
                RingMatrix(x.pair().next + y.pair().next));
}

Shared Replicated::sub(const Shared& x, const Shared& y) {
  require_same_shape(x, y, "sub");
  return Shared(RingMatrix(x.pair().mine - y.pair().mine),
                RingMatrix(x.pair().next - y.pair().next));
}

Shared Replicated::add_public(const Shared& x, const IntMatrix& c) {
  require_same_shape(x, c, "add_public");
  RingPair s = x.pair();
  if (self() == 0) s.mine += to_ring(c);  // x_0 is party 0's first share ...
  if (self() == 2) s.next += to_ring(c);  // ... and party 2's second
  return Shared(std::move(s));
}

Shared Replicated::scale(const Shared& x, std::int64_t c) {
  const Ring k = static_cast<Ring>(c);
  return Shared(RingMatrix(x.pair().mine * k), RingMatrix(x.pair().next * k));
}

Shared Replicated::mul_public(const Shared& x, const IntMatrix& c) {
  require_same_shape(x, c, "mul_public");
  const RingMatrix k = to_ring(c);
  return Shared(RingMatrix(x.pair().mine.cwiseProduct(k)),
                RingMatrix(x.pair().next.cwiseProduct(k)));
}

Shared Replicated::matmul_public(const Shared& x, const IntMatrix& c) {
  require_inner(x.cols(), c.rows(), "matmul_public");
  const RingMatrix k = to_ring(c);
  return Shared(RingMatrix(x.pair().mine * k), RingMatrix(x.pair().next * k));
}

Shared Replicated::matmul_public(const IntMatrix& c, const Shared& x) {
  require_inner(c.cols(), x.rows(), "matmul_public");
  const RingMatrix k = to_ring(c);
  return Shared(RingMatrix(k * x.pair().mine), RingMatrix(k * x.pair().next));
}

// z_i = x_i y_i + x_i y_{i+1} + x_{i+1} y_i + α_i: the nine terms x_j y_k are split among the
// parties so that each is counted once, and α masks what goes to the predecessor.
Shared Replicated::mul(const Shared& x, const Shared& y) {
  require_same_shape(x, y, "mul");
  const RingPair &a = x.pair(), &b = y.pair();
  RingMatrix z = zero_share(x.rows(), x.cols());
  const Index n = z.size();
  Ring* out = z.data();
  const Ring *am = a.mine.data(), *an = a.next.data(), *bm = b.mine.data(), *bn = b.next.data();
  for (Index i = 0; i < n; ++i) out[i] += am[i] * (bm[i] + bn[i]) + an[i] * bm[i];
  return reshare(std::move(z));
}

Shared Replicated::matmul(const Shared& x, const Shared& y) {
  require_inner(x.cols(), y.rows(), "matmul");
  const RingPair &a = x.pair(), &b = y.pair();
  RingMatrix z = zero_share(x.rows(), y.cols());
  const RingMatrix b_sum = b.mine + b.next;
  z.noalias() += a.mine * b_sum;
  z.noalias() += a.next * b.mine;
  return reshare(std::move(z));
}

// ABY3 Π_trunc1 with this file's indices: party 0 holds A = x_0 + x_1, parties 1 and 2 hold
// B = x_2, and A + B = x is a 2-out-of-2 sharing. SecureML's local rule gives
// A' = A >> f and B' = -((-B) >> f) with A' + B' = x / 2^f up to ±1 (docs/replicated.md).
// New shares: x'_2 = B' (parties 1, 2), x'_0 = r from k_0 (parties 0, 2), and x'_1 = A' - r,
// which party 0 sends to party 1 (masked by r, which party 1 lacks).
Shared Replicated::trunc(const Shared& x, int bits) {
  if (bits < 0 || bits >= kTruncHeadroomBit) {
    throw std::invalid_argument("trunc: cannot shift by " + std::to_string(bits) + " bits");
  }
  if (bits == 0) return x;
  const RingPair& s = x.pair();
  const auto shift_up = [bits](Ring v) { return Ring{0} - shift_signed(Ring{0} - v, bits); };
  switch (self()) {
    case 0: {
      RingMatrix r = key(0).ring(x.rows(), x.cols());
      RingMatrix second =
          (s.mine + s.next).unaryExpr([bits](Ring v) { return shift_signed(v, bits); });
      second -= r;
      round(1, message(second.data(), static_cast<std::size_t>(second.size())), {});
      return Shared(std::move(r), std::move(second));
    }
    case 1: {
      auto in = round(-1, {}, {0});
      RingMatrix first(x.rows(), x.cols());
      unpack(in[0], 0, {&first});
      return Shared(std::move(first), RingMatrix(s.next.unaryExpr(shift_up)));
    }
    default: {
      RingMatrix r = key(0).ring(x.rows(), x.cols());
      round(-1, {}, {});
      return Shared(RingMatrix(s.mine.unaryExpr(shift_up)), std::move(r));
    }
  }
}

namespace {

// A uniformly random permutation of 0..n-1 from a pair key (Fisher–Yates; the modulo bias is
// below 2^-40 for any realistic n).
std::vector<Index> permutation(Prg& prg, Index n) {
  std::vector<Index> p(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) p[static_cast<std::size_t>(i)] = i;
  for (std::size_t i = p.size(); i-- > 1;) {
    std::swap(p[i], p[static_cast<std::size_t>(prg.next() % (i + 1))]);
  }
  return p;
}

// Row i of the result is row p[i] of m.
RingMatrix permute_rows(const RingMatrix& m, const std::vector<Index>& p) {
  RingMatrix out(m.rows(), m.cols());
  for (std::size_t i = 0; i < p.size(); ++i) out.row(static_cast<Index>(i)) = m.row(p[i]);
  return out;
}

}  // namespace

// Pass a, with b = a + 1 and c = a + 2: party a holds A = x_a + x_b, party b holds B = x_c
// (A + B = x). Both draw π and a mask z from k_b, their common key: A' = π(A) + z,
// B' = π(B) − z. New shares: y_a = r from k_a (parties a and c), y_b = A' − r, which a sends to
// b (masked by r, which b lacks), y_c = B', which b sends to c (masked by z, which c lacks).
// Party c sees only masked values, so π stays with a and b.
std::optional<Shared> Replicated::shuffle_rows(const Shared& x) {
  const Index rows = x.rows(), cols = x.cols();
  RingMatrix mine = x.pair().mine, next = x.pair().next;
  for (net::PartyId a = 0; a < kParties; ++a) {
    const net::PartyId b = (a + 1) % kParties, c = (a + 2) % kParties;
    if (self() == a) {
      const std::vector<Index> pi = permutation(key(b), rows);
      RingMatrix y_b = permute_rows(RingMatrix(mine + next), pi);
      y_b += key(b).ring(rows, cols);
      RingMatrix r = key(a).ring(rows, cols);
      y_b -= r;
      round(b, message(y_b.data(), static_cast<std::size_t>(y_b.size())), {});
      mine = std::move(r);
      next = std::move(y_b);
    } else if (self() == b) {
      const std::vector<Index> pi = permutation(key(b), rows);
      RingMatrix y_c = permute_rows(next, pi);
      y_c -= key(b).ring(rows, cols);
      const auto in = round(c, message(y_c.data(), static_cast<std::size_t>(y_c.size())), {a});
      RingMatrix y_b(rows, cols);
      unpack(in[a], a, {&y_b});
      mine = std::move(y_b);
      next = std::move(y_c);
    } else {
      RingMatrix r = key(a).ring(rows, cols);
      const auto in = round(-1, {}, {b});
      RingMatrix y_c(rows, cols);
      unpack(in[b], b, {&y_c});
      mine = std::move(y_c);
      next = std::move(r);
    }
  }
  return Shared(std::move(mine), std::move(next));
}

}  // namespace jointly
