// Shared fixture for the circuits suites, with a per-test seed so a failure can be replayed
// alone. Everything written against Protocol& runs over kEverySetup (every scheme and source of
// correlated randomness); functions on XOR shares over kBinarySetups (Protocol::binary()).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "tests/protocols/costs.h"
#include "tests/protocols/harness.h"

namespace jointly::testing {

class CircuitSuite : public ::testing::TestWithParam<ProtocolSetup> {
 protected:
  const ProtocolSetup& setup() const { return GetParam(); }
  int n() const { return setup().parties; }
  std::uint64_t seed() const {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return std::hash<std::string>{}(std::string(info->name()) + info->test_suite_name());
  }
  // What this party's truncation and product of `elements` elements cost (tests/protocols/
  // costs.h): the circuits' own figures come from Protocol::gez_cost.
  Cost trunc_cost_of(const Protocol& proto, std::uint64_t elements) const {
    return trunc_cost(setup(), proto.self(), elements);
  }
  Cost mul_cost_of(std::uint64_t elements) const { return mul_cost(setup(), elements); }
  // Units in the last place one truncation may be off by: Shamir's statistical truncation up
  // to n (docs/shamir.md), the others 1.
  int trunc_ulps() const { return setup().shamir() ? n() : 1; }
  // Checks an operation's online traffic against Protocol::gez_cost-style figures.
  void expect_cost(const net::Traffic& got, const OpCost& want) const {
    EXPECT_EQ(got.rounds, want.rounds);
    EXPECT_EQ(got.bytes_sent, want.bytes_sent);
    if (setup().all_to_all()) {
      EXPECT_EQ(got.messages_sent, want.rounds * static_cast<std::uint64_t>(n() - 1))
          << "one message per peer per round";
    }
  }
  void run(const std::function<void(Protocol&)>& body) const {
    run_protocol(setup(), seed(), body);
  }
};

// The matrix for everything written against Protocol&: additive with dealer triples (2, 3, 5
// parties) and OT triples (2), Shamir with DN07 (3, 5), replicated (3). Generic tests keep
// inputs within each backend's comparison range (ProtocolSetup::compare_bound).
inline const auto kEverySetup =
    ::testing::Values(additive_setup(2), additive_setup(3), additive_setup(5), additive_ot_setup(),
                      shamir_setup(3), shamir_setup(5), replicated_setup());

// Backends with a bit-wise XOR sharing (GMW: ltz_bits, b2a, AND words, Bristol on XOR shares):
// additive, both sources.
inline const auto kBinarySetups =
    ::testing::Values(additive_setup(2), additive_setup(3), additive_setup(5), additive_ot_setup());

// Additive with dealer triples only: AES on GMW, too large for on-demand OT triples in a test.
inline const auto kAdditiveSetups =
    ::testing::Values(additive_setup(2), additive_setup(3), additive_setup(5));

// The Shamir suites: 3 and 5 parties, DN07 multiplication, no dealer.
inline const auto kShamirSetups = ::testing::Values(shamir_setup(3), shamir_setup(5));

// Replicated sharing: exactly 3 parties, no dealer.
inline const auto kReplicatedSetups = ::testing::Values(replicated_setup());

// Bit-sliced words (bits x ceil(N/64), circuits::bitslice) <-> one 0/1 integer per bit and
// instance (bits x N): the input and output shape of evaluate_bristol_arithmetic.
inline IntMatrix sliced_to_bits(const RingMatrix& sliced, Index instances) {
  IntMatrix out(sliced.rows(), instances);
  for (Index b = 0; b < sliced.rows(); ++b) {
    for (Index i = 0; i < instances; ++i) {
      out(b, i) = static_cast<std::int64_t>((sliced(b, i / kRingBits) >> (i % kRingBits)) & 1);
    }
  }
  return out;
}
inline RingMatrix bits_to_sliced(const IntMatrix& bits) {
  RingMatrix out = RingMatrix::Zero(bits.rows(), (bits.cols() + kRingBits - 1) / kRingBits);
  for (Index b = 0; b < bits.rows(); ++b) {
    for (Index i = 0; i < bits.cols(); ++i) {
      out(b, i / kRingBits) |= static_cast<Ring>(bits(b, i) & 1) << (i % kRingBits);
    }
  }
  return out;
}

// Uniform double in [lo, hi) from a test PRG.
inline double uniform(Prg& prg, double lo, double hi) {
  constexpr double kTwoTo53 = 9007199254740992.0;
  return lo + (hi - lo) * static_cast<double>(prg.next() >> 11) / kTwoTo53;
}

}  // namespace jointly::testing
