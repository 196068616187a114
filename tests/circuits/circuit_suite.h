// Shared fixture for the circuits suites: every test runs over additive with 2, 3 and 5
// parties (dealer triples), with a per-test seed so a failure can be replayed alone.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

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
  // Truncation rounds of the harness's protocol: local (0) for 2 parties, pair (1) otherwise.
  std::uint64_t trunc_rounds() const { return n() == 2 ? 0 : 1; }
  void run(const std::function<void(Protocol&)>& body) const {
    run_protocol(setup(), seed(), body);
  }
};

inline const auto kAdditiveSetups = ::testing::Values(
    ProtocolSetup{"additive2", 2}, ProtocolSetup{"additive3", 3}, ProtocolSetup{"additive5", 5});

// The Shamir suites: 3 and 5 parties, DN07 multiplication, no dealer.
inline const auto kShamirSetups =
    ::testing::Values(ProtocolSetup{"shamir3", 3, Truncation::kAuto, Scheme::kShamir},
                      ProtocolSetup{"shamir5", 5, Truncation::kAuto, Scheme::kShamir});

// Replicated sharing: exactly 3 parties, no dealer.
inline const auto kReplicatedSetups =
    ::testing::Values(ProtocolSetup{"replicated3", 3, Truncation::kAuto, Scheme::kReplicated});

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
