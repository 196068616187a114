// Bristol Fashion: the reader's validation (errors name the line) and GMW evaluation of
// circuits generated here — a 64-bit adder and an unsigned comparator — against integer
// arithmetic, with the cost of bristol_cost().
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "circuits/bristol/circuit.h"
#include "circuits/bristol/evaluate.h"
#include "circuits/gmw/gmw.h"
#include "tests/circuits/circuit_suite.h"

namespace jointly::testing {
namespace {

constexpr int kWidth = 64;

// Writes a Bristol Fashion file gate by gate. Inputs get the first wires; outputs are copied
// (EQW) to the last wires at the end, as the format requires.
class CircuitWriter {
 public:
  explicit CircuitWriter(std::vector<std::uint32_t> inputs) : inputs_(std::move(inputs)) {
    for (std::uint32_t bits : inputs_) next_ += bits;
  }
  std::uint32_t input_wire(int input, int bit) const {
    std::uint32_t w = 0;
    for (int i = 0; i < input; ++i) w += inputs_[static_cast<std::size_t>(i)];
    return w + static_cast<std::uint32_t>(bit);
  }
  std::uint32_t gate(const char* type, std::uint32_t a, std::uint32_t b) {
    gates_ << "2 1 " << a << " " << b << " " << next_ << " " << type << "\n";
    ++count_;
    return next_++;
  }
  std::uint32_t unary(const char* type, std::uint32_t a) {
    gates_ << "1 1 " << a << " " << next_ << " " << type << "\n";
    ++count_;
    return next_++;
  }
  std::uint32_t xor_(std::uint32_t a, std::uint32_t b) { return gate("XOR", a, b); }
  std::uint32_t and_(std::uint32_t a, std::uint32_t b) { return gate("AND", a, b); }
  // majority(a, b, c) = ((a ^ c) & (b ^ c)) ^ c: one AND.
  std::uint32_t maj(std::uint32_t a, std::uint32_t b, std::uint32_t c) {
    return xor_(and_(xor_(a, c), xor_(b, c)), c);
  }

  std::string finish(const std::vector<std::vector<std::uint32_t>>& outputs) {
    std::ostringstream head;
    for (const auto& out : outputs) {
      for (std::uint32_t w : out) unary("EQW", w);
    }
    head << count_ << " " << next_ << "\n" << inputs_.size();
    for (std::uint32_t bits : inputs_) head << " " << bits;
    head << "\n" << outputs.size();
    for (const auto& out : outputs) head << " " << out.size();
    head << "\n\n" << gates_.str();
    return head.str();
  }

 private:
  std::vector<std::uint32_t> inputs_;
  std::uint32_t next_ = 0, count_ = 0;
  std::ostringstream gates_;
};

// Ripple-carry a + b mod 2^64: 63 AND gates, AND depth 63.
std::string adder64() {
  CircuitWriter w({kWidth, kWidth});
  std::vector<std::uint32_t> sum;
  std::uint32_t carry = 0;
  for (int i = 0; i < kWidth; ++i) {
    const std::uint32_t a = w.input_wire(0, i), b = w.input_wire(1, i);
    sum.push_back(i == 0 ? w.xor_(a, b) : w.xor_(w.xor_(a, b), carry));
    if (i == 0) {
      carry = w.and_(a, b);
    } else if (i + 1 < kWidth) {
      carry = w.maj(a, b, carry);
    }
  }
  return w.finish({sum});
}

// Unsigned a < b: a + ~b + 1 has no carry out. Uses EQ (the carry-in 1) and INV.
std::string less_than64() {
  CircuitWriter w({kWidth, kWidth});
  std::uint32_t carry = w.unary("EQ", 1);
  for (int i = 0; i < kWidth; ++i) {
    carry = w.maj(w.input_wire(0, i), w.unary("INV", w.input_wire(1, i)), carry);
  }
  return w.finish({{w.unary("INV", carry)}});
}

TEST(BristolReader, GeneratedCircuitsParseWithTheirGateCounts) {
  const circuits::BristolCircuit add = circuits::parse_bristol(adder64(), "adder64");
  EXPECT_EQ(add.input_bits, (std::vector<std::uint32_t>{64, 64}));
  EXPECT_EQ(add.output_bits, (std::vector<std::uint32_t>{64}));
  EXPECT_EQ(add.and_gates(), 63u);
  EXPECT_EQ(add.and_depth(), 63);
  const circuits::BristolCircuit lt = circuits::parse_bristol(less_than64(), "lt64");
  EXPECT_EQ(lt.and_gates(), 64u);
  EXPECT_EQ(lt.and_depth(), 64);
}

TEST(BristolReader, ErrorsNameTheLine) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"", "<circuit> line 0: the header must be"},
      {"1 4\n", "line 1: missing the inputs line"},
      {"x 4\n2 1 1\n1 1\n\n1 2 0 1 AND", "line 1: expected the gate count, found 'x'"},
      {"1 4\n2 1 1 1\n1 1\n\n2 1 0 1 3 AND\n", "line 2: the inputs line announces 2"},
      {"1 2\n2 1 1\n1 1\n\n2 1 0 1 2 AND\n", "line 3: inputs (2 wires) and outputs (1) do not fit"},
      {"1 4\n2 1 1\n1 1\n\n2 1 0 1 3 NAND\n", "line 5: unknown gate type 'NAND'"},
      {"1 4\n2 1 1\n1 1\n\n2 1 0 7 3 AND\n", "line 5: wire 7 is out of range"},
      {"1 4\n2 1 1\n1 1\n\n2 1 0 2 3 AND\n", "line 5: wire 2 is read before any gate writes it"},
      {"1 4\n2 1 1\n1 1\n\n2 1 0 1 1 AND\n", "line 5: wire 1 is an input wire"},
      {"2 4\n2 1 1\n1 1\n\n2 1 0 1 3 AND\n2 1 0 1 3 XOR\n", "line 6: wire 3 is written twice"},
      {"1 4\n2 1 1\n1 1\n\n1 1 0 3 AND\n", "line 5: AND cannot have 1 inputs and 1 outputs"},
      {"1 4\n2 1 1\n1 1\n\n2 1 0 3 AND\n", "line 5: the gate announces 2 inputs and 1 outputs"},
      {"1 4\n2 1 1\n1 1\n\n1 1 2 3 EQ\n", "line 5: EQ takes the constant 0 or 1, not 2"},
      {"2 4\n2 1 1\n1 1\n\n2 1 0 1 3 AND\n", "announces 2 gates but the file has 1"},
      {"1 4\n2 1 1\n1 1\n\n2 1 0 1 3 AND\n2 1 0 1 2 AND\n", "line 6: more gates than the 1"},
      {"1 5\n2 1 1\n1 1\n\n2 1 0 1 3 AND\n", "output wire 4 is never written"},
  };
  for (const Case& c : cases) {
    try {
      circuits::parse_bristol(c.text);
      ADD_FAILURE() << "accepted: " << c.text;
    } catch (const circuits::BristolError& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos)
          << "got '" << e.what() << "', want '" << c.message << "'";
    }
  }
}

// Found by fuzz/bristol_fuzz (fuzz/regressions/bristol/gate_count_reserve): the reader reserved
// the header's gate count before reading a gate, so a few bytes announcing 4e9 gates asked the
// allocator for 256 GB (std::bad_alloc, or an out-of-memory kill). It is the count error.
TEST(BristolReader, HugeGateCountInAShortFileIsACountErrorNotAnAllocation) {
  try {
    circuits::parse_bristol("4000000000 4\n2 1 1\n1 1\n\n2 1 0 1 3 AND\n");
    ADD_FAILURE() << "accepted";
  } catch (const circuits::BristolError& e) {
    EXPECT_NE(std::string(e.what()).find("announces 4000000000 gates but the file has 1"),
              std::string::npos)
        << e.what();
  }
}

// Found while fuzzing (fuzz/regressions/bristol/huge_wire_count; the fuzzer itself reached
// only the 512 MB wire table): a header may announce 2^32 - 1 wires with no gate at all; the
// file parsed and and_depth() then asked for 16 GB. The wire count is now bounded first.
TEST(BristolReader, HugeWireCountIsRefusedBeforeAnyAllocation) {
  for (const char* text : {"0 4294967295\n0\n0\n", "0 67108865\n1 67108865\n0\n"}) {
    try {
      circuits::parse_bristol(text);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const circuits::BristolError& e) {
      EXPECT_NE(std::string(e.what()).find("line 1: the header announces"), std::string::npos)
          << e.what();
    }
  }
  EXPECT_EQ(circuits::parse_bristol("0 67108864\n0\n0\n").wires, 67108864u);  // the limit
}

TEST(BristolReader, ReadsFilesAndNamesMissingOnes) {
  const std::string path = ::testing::TempDir() + "jointly_adder64.txt";
  std::ofstream(path) << adder64();
  EXPECT_EQ(circuits::read_bristol_file(path).and_gates(), 63u);
  std::remove(path.c_str());
  EXPECT_THROW(circuits::read_bristol_file(path), circuits::BristolError);
}

TEST(Bitslicing, RoundTrips) {
  Prg prg(seed_from_u64(3));
  std::vector<Ring> values(130);
  for (Ring& v : values) v = prg.next() & 0xFFFFF;
  const RingMatrix sliced = circuits::bitslice(values, 20);
  EXPECT_EQ(sliced.rows(), 20);
  EXPECT_EQ(sliced.cols(), 3);
  EXPECT_EQ(circuits::unbitslice(sliced, values.size()), values);
}

using BristolSuite = CircuitSuite;

// Evaluates a two-input, 64-bit circuit on `count` instances: a from party 0, b from the last.
std::vector<Ring> evaluate(Protocol& proto, const circuits::BristolCircuit& c,
                           const std::vector<Ring>& a, const std::vector<Ring>& b,
                           net::Traffic* cost) {
  const RingMatrix sa = circuits::bitslice(a, kWidth), sb = circuits::bitslice(b, kWidth);
  const net::PartyId last = proto.parties() - 1;
  const auto ia =
      circuits::input_bits(proto, 0, proto.self() == 0 ? &sa : nullptr, sa.rows(), sa.cols());
  const auto ib =
      circuits::input_bits(proto, last, proto.self() == last ? &sb : nullptr, sb.rows(), sb.cols());
  const auto before = online_traffic(proto);
  const std::vector<circuits::BoolShared> out = circuits::evaluate_bristol(proto, c, {ia, ib});
  *cost = online_traffic(proto) - before;
  return circuits::unbitslice(circuits::open_bits(proto, out.at(0)), a.size());
}

TEST_P(BristolSuite, Adder64MatchesIntegerAddition) {
  Prg data(seed_from_u64(seed()));
  const std::size_t count = 100;
  std::vector<Ring> a(count), b(count);
  for (std::size_t i = 0; i < count; ++i) a[i] = data.next(), b[i] = data.next();
  a[0] = ~Ring{0}, b[0] = 1;  // wraps to 0
  a[1] = 0, b[1] = 0;
  const circuits::BristolCircuit c = circuits::parse_bristol(adder64(), "adder64");
  run([&](Protocol& proto) {
    net::Traffic cost;
    const std::vector<Ring> sum = evaluate(proto, c, a, b, &cost);
    const circuits::Cost want = circuits::bristol_cost(n(), c, count);
    EXPECT_EQ(cost.rounds, want.rounds);
    EXPECT_EQ(cost.bytes_sent, want.bytes_sent);
    for (std::size_t i = 0; i < count; ++i) ASSERT_EQ(sum[i], a[i] + b[i]) << "instance " << i;
  });
}

TEST_P(BristolSuite, ComparatorMatchesUnsignedLessThan) {
  Prg data(seed_from_u64(seed()));
  const std::size_t count = 70;
  std::vector<Ring> a(count), b(count);
  for (std::size_t i = 0; i < count; ++i) a[i] = data.next(), b[i] = data.next();
  a[0] = b[0] = 5;
  a[1] = 4, b[1] = 5;
  a[2] = ~Ring{0}, b[2] = 0;
  b[3] = a[3] ^ 1;  // differ in the last bit only
  const circuits::BristolCircuit c = circuits::parse_bristol(less_than64(), "lt64");
  run([&](Protocol& proto) {
    net::Traffic cost;
    const std::vector<Ring> lt = evaluate(proto, c, a, b, &cost);
    EXPECT_EQ(cost.rounds, 64u);
    for (std::size_t i = 0; i < count; ++i) {
      ASSERT_EQ(lt[i], a[i] < b[i] ? 1u : 0u) << a[i] << " < " << b[i];
    }
  });
}

TEST_P(BristolSuite, MandGatesRunInOneRound) {
  // out = (x0 & y0, x1 & y1) through one MAND of two ANDs.
  const std::string text = "1 6\n2 2 2\n1 2\n\n4 2 0 1 2 3 4 5 MAND\n";
  const circuits::BristolCircuit c = circuits::parse_bristol(text, "mand");
  EXPECT_EQ(c.and_gates(), 2u);
  EXPECT_EQ(c.and_depth(), 1);
  const std::vector<Ring> x{0b00, 0b01, 0b10, 0b11}, y{0b11, 0b11, 0b11, 0b01};
  run([&](Protocol& proto) {
    const RingMatrix sx = circuits::bitslice(x, 2), sy = circuits::bitslice(y, 2);
    const auto ix = circuits::input_bits(proto, 0, proto.self() == 0 ? &sx : nullptr, 2, 1);
    const auto iy = circuits::input_bits(proto, 1, proto.self() == 1 ? &sy : nullptr, 2, 1);
    const auto before = online_traffic(proto);
    const auto out = circuits::evaluate_bristol(proto, c, {ix, iy});
    EXPECT_EQ((online_traffic(proto) - before).rounds, 1u);
    const std::vector<Ring> z = circuits::unbitslice(circuits::open_bits(proto, out[0]), 4);
    for (std::size_t i = 0; i < x.size(); ++i) ASSERT_EQ(z[i], x[i] & y[i]);
  });
}

TEST_P(BristolSuite, InputShapeMismatchIsAnError) {
  const circuits::BristolCircuit c = circuits::parse_bristol(adder64(), "adder64");
  run([&](Protocol& proto) {
    const circuits::BoolShared wrong{RingMatrix::Zero(32, 1)};
    EXPECT_THROW(circuits::evaluate_bristol(proto, c, {wrong, wrong}), std::invalid_argument);
    EXPECT_THROW(circuits::evaluate_bristol(proto, c, {wrong}), std::invalid_argument);
  });
}

INSTANTIATE_TEST_SUITE_P(Binary, BristolSuite, kBinarySetups,
                         [](const auto& info) { return info.param.name; });

// The same circuits on arithmetic sharings of bits (evaluate_bristol_arithmetic), over every
// protocol: a from party 0, b from the last, as 0/1 sharings.
std::vector<Ring> evaluate_field(Protocol& proto, const circuits::BristolCircuit& c,
                                 const std::vector<Ring>& a, const std::vector<Ring>& b,
                                 net::Traffic* cost) {
  const Index count = static_cast<Index>(a.size());
  const IntMatrix ba = sliced_to_bits(circuits::bitslice(a, kWidth), count),
                  bb = sliced_to_bits(circuits::bitslice(b, kWidth), count);
  const net::PartyId last = proto.parties() - 1;
  const Shared sa = proto.input(0, proto.self() == 0 ? &ba : nullptr, kWidth, count);
  const Shared sb = proto.input(last, proto.self() == last ? &bb : nullptr, kWidth, count);
  const auto before = online_traffic(proto);
  const std::vector<Shared> out = circuits::evaluate_bristol_arithmetic(proto, c, {sa, sb});
  *cost = online_traffic(proto) - before;
  return circuits::unbitslice(bits_to_sliced(proto.open(out.at(0))), a.size());
}

using BristolArithmeticSuite = CircuitSuite;

// What evaluate_bristol_arithmetic costs: Shamir makes every double sharing in one round first
// (bristol_field_cost); elsewhere each layer is one Protocol::mul, whose bytes are linear in
// the products.
OpCost arithmetic_cost(const ProtocolSetup& s, const circuits::BristolCircuit& c,
                       std::uint64_t instances) {
  if (s.shamir()) return circuits::bristol_field_cost(s.parties, c, instances);
  const Cost products = mul_cost(s, circuits::field_products(c) * instances);
  return {static_cast<std::uint64_t>(circuits::field_depth(c)) * products.rounds, products.bytes};
}

TEST_P(BristolArithmeticSuite, Adder64AndComparatorMatchIntegersAtTheStatedCost) {
  Prg data(seed_from_u64(seed()));
  const std::size_t count = 9;
  std::vector<Ring> a(count), b(count);
  for (std::size_t i = 0; i < count; ++i) a[i] = data.next(), b[i] = data.next();
  a[0] = ~Ring{0}, b[0] = 1;  // wraps to 0
  a[1] = b[1] = 5;
  b[2] = a[2] ^ 1;  // differ in the last bit only
  const circuits::BristolCircuit add = circuits::parse_bristol(adder64(), "adder64");
  const circuits::BristolCircuit lt = circuits::parse_bristol(less_than64(), "lt64");
  run([&](Protocol& proto) {
    net::Traffic cost;
    const std::vector<Ring> sum = evaluate_field(proto, add, a, b, &cost);
    const circuits::Cost want = arithmetic_cost(setup(), add, count);
    EXPECT_EQ(cost.rounds, want.rounds);
    EXPECT_EQ(cost.bytes_sent, want.bytes_sent);
    for (std::size_t i = 0; i < count; ++i) ASSERT_EQ(sum[i], a[i] + b[i]) << "instance " << i;
    const std::vector<Ring> less = evaluate_field(proto, lt, a, b, &cost);
    for (std::size_t i = 0; i < count; ++i) {
      ASSERT_EQ(less[i], a[i] < b[i] ? 1u : 0u) << a[i] << " < " << b[i];
    }
  });
}

TEST_P(BristolArithmeticSuite, InvAndConstantsAreLocal) {
  // out = (NOT x, 1, x): no products at all.
  const std::string text = "3 4\n1 1\n1 3\n\n1 1 0 1 INV\n1 1 1 2 EQ\n1 1 0 3 EQW\n";
  const circuits::BristolCircuit c = circuits::parse_bristol(text, "local");
  EXPECT_EQ(circuits::field_products(c), 0u);
  const IntMatrix x{{0, 1, 1, 0}};
  run([&](Protocol& proto) {
    const Shared sx = proto.input(0, proto.self() == 0 ? &x : nullptr, 1, 4);
    const auto before = online_traffic(proto);
    const auto out = circuits::evaluate_bristol_arithmetic(proto, c, {sx});
    EXPECT_EQ((online_traffic(proto) - before).rounds, 0u);
    const IntMatrix z = proto.open(out.at(0));
    for (Index i = 0; i < 4; ++i) {
      EXPECT_EQ(z(0, i), 1 - x(0, i));
      EXPECT_EQ(z(1, i), 1);
      EXPECT_EQ(z(2, i), x(0, i));
    }
  });
}

INSTANTIATE_TEST_SUITE_P(All, BristolArithmeticSuite, kEverySetup,
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace jointly::testing
