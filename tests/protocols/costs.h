// What each operation costs one party, per scheme and source (docs/cost.md, docs/shamir.md,
// docs/replicated.md): the formulas the suites assert against the counters.
#pragma once

#include <cstdint>

#include "tests/protocols/harness.h"

namespace jointly::testing {

// What one call costs this party (docs/cost.md, docs/shamir.md, docs/replicated.md): rounds
// and bytes sent. Replicated parties send different amounts, so the costs take the party.
struct Cost {
  std::uint64_t rounds, bytes;
};

constexpr std::uint64_t kWord = sizeof(Ring);

inline std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

// Shamir's dealer-free building blocks for n parties, t = (n-1)/2, e = 16-byte elements.
inline Cost shamir_open(int n, std::uint64_t elements) { return {1, (n - 1) * elements * 16}; }
inline Cost shamir_double_sharings(int n, std::uint64_t count) {
  const int t = (n - 1) / 2;
  return {1, 2 * (n - 1) * ceil_div(count, n - t) * 16};
}
inline Cost shamir_randoms(int n, std::uint64_t count) {
  const int t = (n - 1) / 2;
  return {1, (n - 1) * ceil_div(count, n - t) * 16};
}
inline Cost operator+(Cost a, Cost b) { return {a.rounds + b.rounds, a.bytes + b.bytes}; }

// Replicated: the predecessor of party p (the one its resharing messages go to).
inline net::PartyId predecessor(net::PartyId p) { return (p + 2) % 3; }

// The dealer's and OT's triples cost the same online: OT's own traffic is counted apart
// (online_traffic()).
inline Cost input_cost(const ProtocolSetup& s, net::PartyId self, net::PartyId owner,
                       std::uint64_t elements) {
  const int n = s.parties;
  if (s.replicated()) return {1, self == owner ? elements * kWord : 0};  // to the successor
  if (s.shamir()) return {1, self == owner ? (n - 1) * elements * 16 : 0};
  return {0, 0};  // additive: pairwise PRG seeds
}

inline Cost open_cost(const ProtocolSetup& s, std::uint64_t elements) {
  if (s.replicated()) return {1, elements * kWord};  // the one share the successor lacks
  return {1, (s.parties - 1) * elements * s.element_bytes()};
}

inline Cost open_to_cost(const ProtocolSetup& s, net::PartyId self, net::PartyId receiver,
                         std::uint64_t elements) {
  if (s.replicated()) return {1, self == predecessor(receiver) ? elements * kWord : 0};
  return {1, self == receiver ? 0 : elements * s.element_bytes()};
}

inline Cost mul_cost(const ProtocolSetup& s, std::uint64_t elements) {
  const int n = s.parties;
  if (s.replicated()) return {1, elements * kWord};
  if (!s.shamir()) return {1, 2 * (n - 1) * elements * kWord};
  const Cost reduce = shamir_double_sharings(n, elements) + shamir_open(n, elements);
  if (s.multiplication == ShamirMultiplication::kDn07) return reduce;
  return shamir_randoms(n, 2 * elements) + reduce + shamir_open(n, 2 * elements);
}

inline Cost matmul_cost(const ProtocolSetup& s, std::uint64_t m, std::uint64_t k, std::uint64_t p) {
  const int n = s.parties;
  if (s.replicated()) return {1, m * p * kWord};  // only the outputs are reshared
  if (!s.shamir()) return {1, (n - 1) * (m * k + k * p) * kWord};
  const Cost reduce = shamir_double_sharings(n, m * p) + shamir_open(n, m * p);
  if (s.multiplication == ShamirMultiplication::kDn07) return reduce;
  return shamir_randoms(n, m * k + k * p) + reduce + shamir_open(n, m * k + k * p);
}

inline Cost trunc_cost(const ProtocolSetup& s, net::PartyId self, std::uint64_t elements) {
  const int n = s.parties;
  if (s.replicated()) return {1, self == 0 ? elements * kWord : 0};  // Π_trunc1: 0 -> 1
  if (s.shamir()) return {2, (n - 1) * 3 * elements * 16};           // deal r and r_hi, then open
  if (s.local_truncation()) return {0, 0};
  return {1, (n - 1) * elements * kWord};
}

// Messages this party sends in `rounds` rounds of an operation in which every party sends:
// one per peer per round, or (replicated) one to its predecessor.
inline std::uint64_t messages(const ProtocolSetup& s, std::uint64_t rounds) {
  return rounds * (s.all_to_all() ? static_cast<std::uint64_t>(s.parties - 1) : 1);
}

}  // namespace jointly::testing
