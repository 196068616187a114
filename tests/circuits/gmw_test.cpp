// The GMW engine: bit packing, AND gates against plaintext with their exact cost, XOR
// sharing in and out, and the refusal of protocols it does not support.
#include "circuits/gmw/gmw.h"

#include <functional>

#include "circuits/compare/compare.h"
#include "tests/circuits/circuit_suite.h"

namespace jointly::testing {
namespace {

TEST(BitPacking, ChunksRoundTripForEveryWidth) {
  Prg prg(seed_from_u64(1));
  for (int width = 1; width <= kRingBits; width *= 2) {
    for (std::size_t count : {std::size_t{1}, std::size_t{63}, std::size_t{64}, std::size_t{200}}) {
      std::vector<Ring> values(count);
      const Ring mask = width == kRingBits ? ~Ring{0} : (Ring{1} << width) - 1;
      for (Ring& v : values) v = prg.next() & mask;
      const circuits::Words packed = circuits::pack_chunks(values, width);
      ASSERT_EQ(packed.size(), circuits::chunk_words(count, width));
      std::vector<Ring> back(count);
      circuits::unpack_chunks(packed, width, back);
      ASSERT_EQ(back, values) << "width " << width << " count " << count;
    }
  }
}

TEST(BitPacking, EvenAndOddBitsSplitAWord) {
  EXPECT_EQ(circuits::even_bits(0x5555555555555555ULL), 0xFFFFFFFFULL);
  EXPECT_EQ(circuits::odd_bits(0xAAAAAAAAAAAAAAAAULL), 0xFFFFFFFFULL);
  EXPECT_EQ(circuits::even_bits(0xAAAAAAAAAAAAAAAAULL), 0u);
  EXPECT_EQ(circuits::even_bits(0b1101), 0b11u);  // bits 0 and 2
  EXPECT_EQ(circuits::odd_bits(0b1101), 0b10u);   // bits 1 and 3
}

using GmwSuite = CircuitSuite;

TEST_P(GmwSuite, AndWordsMatchPlaintextInOneRound) {
  Prg data(seed_from_u64(seed()));
  const Index len = 100;
  const RingMatrix x = data.ring(1, len), y = data.ring(1, len);
  run([&](Protocol& proto) {
    const circuits::BoolShared sx =
        circuits::input_bits(proto, 0, proto.self() == 0 ? &x : nullptr, 1, len);
    const circuits::BoolShared sy =
        circuits::input_bits(proto, n() - 1, proto.self() == n() - 1 ? &y : nullptr, 1, len);
    circuits::Gmw gmw(proto, "test");
    const auto before = online_traffic(proto);
    const circuits::Words z = gmw.and_words({sx.words.data(), static_cast<std::size_t>(len)},
                                            {sy.words.data(), static_cast<std::size_t>(len)});
    const auto cost = online_traffic(proto) - before;
    EXPECT_EQ(cost.rounds, 1u);
    EXPECT_EQ(cost.bytes_sent, (n() - 1) * 2 * len * sizeof(Ring));
    RingMatrix zm(1, len);
    std::copy(z.begin(), z.end(), zm.data());
    EXPECT_EQ(circuits::open_bits(proto, circuits::BoolShared{zm}),
              RingMatrix(x.binaryExpr(y, std::bit_and<Ring>())));
  });
}

// A protocol that is not Additive (it forwards to one): the circuits must refuse it by name.
class Forwarding final : public Protocol {
 public:
  explicit Forwarding(Protocol& inner) : p_(inner) {}
  std::string name() const override { return "forwarding-test-protocol"; }
  net::Network& network() const override { return p_.network(); }
  int corruption_threshold() const override { return p_.corruption_threshold(); }
  Shared input(net::PartyId o, const IntMatrix* v, Index r, Index c) override {
    return p_.input(o, v, r, c);
  }
  IntMatrix open(const Shared& x) override { return p_.open(x); }
  std::optional<IntMatrix> open_to(net::PartyId r, const Shared& x) override {
    return p_.open_to(r, x);
  }
  Shared random(Index r, Index c) override { return p_.random(r, c); }
  Shared add(const Shared& x, const Shared& y) override { return p_.add(x, y); }
  Shared sub(const Shared& x, const Shared& y) override { return p_.sub(x, y); }
  Shared add_public(const Shared& x, const IntMatrix& c) override { return p_.add_public(x, c); }
  Shared scale(const Shared& x, std::int64_t c) override { return p_.scale(x, c); }
  Shared mul_public(const Shared& x, const IntMatrix& c) override { return p_.mul_public(x, c); }
  Shared matmul_public(const Shared& x, const IntMatrix& c) override {
    return p_.matmul_public(x, c);
  }
  Shared matmul_public(const IntMatrix& c, const Shared& x) override {
    return p_.matmul_public(c, x);
  }
  Shared mul(const Shared& x, const Shared& y) override { return p_.mul(x, y); }
  Shared matmul(const Shared& x, const Shared& y) override { return p_.matmul(x, y); }
  Shared trunc(const Shared& x, int bits) override { return p_.trunc(x, bits); }

 private:
  Protocol& p_;
};

TEST_P(GmwSuite, OtherProtocolsAreRefusedByName) {
  run([&](Protocol& proto) {
    Forwarding other(proto);
    const Shared x = other.random(2, 2);
    try {
      circuits::ltz(other, x);
      ADD_FAILURE() << "ltz accepted a non-additive protocol";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("forwarding-test-protocol"), std::string::npos)
          << e.what();
    }
  });
}

INSTANTIATE_TEST_SUITE_P(Binary, GmwSuite, kBinarySetups,
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace jointly::testing
