// AES-128 as a Bristol Fashion circuit, generated here, evaluated by GMW on shared key and
// block and compared with OpenSSL's AES on the same key and block.
//
// The S-box is inversion in GF(2^8) as x^254 (4 multiplications, 64 AND gates each; squaring
// is linear) followed by the affine map: 256 AND gates, AND depth 4 per S-box. That is 8x the
// AND gates of Boyar–Peralta's 32-AND S-box circuit but short enough to check by eye; AES-128
// with its key schedule has 200 S-boxes (51,200 ANDs) and AND depth 40.
//
// Wire order: input 0 is the key, input 1 the block, output 0 the ciphertext; byte k of each
// is wires 8k..8k+7, least significant bit first.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <array>
#include <chrono>
#include <iostream>
#include <memory>
#include <sstream>

#include "circuits/bristol/circuit.h"
#include "circuits/bristol/evaluate.h"
#include "circuits/gmw/gmw.h"
#include "tests/circuits/circuit_suite.h"

namespace jointly::testing {
namespace {

constexpr int kBlockBytes = 16;
constexpr int kRounds = 10;
constexpr std::uint8_t kAffineConstant = 0x63;
// x^8 = x^4 + x^3 + x + 1 in AES's field GF(2)[x] / (x^8 + x^4 + x^3 + x + 1).
constexpr int kReductionTaps[] = {4, 3, 1, 0};
constexpr std::uint8_t kRcon[kRounds] = {0x01, 0x02, 0x04, 0x08, 0x10,
                                         0x20, 0x40, 0x80, 0x1b, 0x36};

using Wire = std::uint32_t;
using Byte = std::array<Wire, 8>;

class AesWriter {
 public:
  Wire xor_(Wire a, Wire b) { return gate("2 1", {a, b}, "XOR"); }
  Wire and_(Wire a, Wire b) { return gate("2 1", {a, b}, "AND"); }
  Wire inv(Wire a) { return gate("1 1", {a}, "INV"); }

  Byte xor_bytes(const Byte& a, const Byte& b) {
    Byte o;
    for (int i = 0; i < 8; ++i) o[i] = xor_(a[i], b[i]);
    return o;
  }
  Byte xor_constant(Byte a, std::uint8_t c) {
    for (int i = 0; i < 8; ++i) {
      if ((c >> i) & 1) a[i] = inv(a[i]);
    }
    return a;
  }
  // XOR of the listed wires (at least one).
  Wire sum(const std::vector<Wire>& ws) {
    Wire acc = ws[0];
    for (std::size_t i = 1; i < ws.size(); ++i) acc = xor_(acc, ws[i]);
    return acc;
  }

  // GF(2^8) product: schoolbook (64 ANDs) and reduction (XORs).
  Byte mul(const Byte& a, const Byte& b) {
    std::vector<std::vector<Wire>> terms(15);
    for (int i = 0; i < 8; ++i) {
      for (int j = 0; j < 8; ++j) terms[i + j].push_back(and_(a[i], b[j]));
    }
    for (int k = 14; k >= 8; --k) {
      for (int tap : kReductionTaps) {
        terms[k - 8 + tap].insert(terms[k - 8 + tap].end(), terms[k].begin(), terms[k].end());
      }
    }
    Byte o;
    for (int i = 0; i < 8; ++i) o[i] = sum(terms[i]);
    return o;
  }
  // Squaring is linear: bit j of a goes to x^(2j), reduced.
  Byte square(const Byte& a) {
    std::vector<std::vector<Wire>> terms(15);
    for (int j = 0; j < 8; ++j) terms[2 * j].push_back(a[j]);
    for (int k = 14; k >= 8; --k) {
      for (int tap : kReductionTaps) {
        terms[k - 8 + tap].insert(terms[k - 8 + tap].end(), terms[k].begin(), terms[k].end());
      }
    }
    Byte o;
    for (int i = 0; i < 8; ++i) o[i] = sum(terms[i]);
    return o;
  }
  Byte power_of_two(Byte a, int squarings) {
    for (int i = 0; i < squarings; ++i) a = square(a);
    return a;
  }
  // x^254 = x^-1 (and 0 -> 0): x^3, x^15, x^252, x^254 — 4 products.
  Byte inverse(const Byte& x) {
    const Byte x2 = square(x);
    const Byte x3 = mul(x2, x);
    const Byte x12 = power_of_two(x3, 2);
    const Byte x15 = mul(x12, x3);
    const Byte x240 = power_of_two(x15, 4);
    const Byte x252 = mul(x240, x12);
    return mul(x252, x2);
  }
  Byte sbox(const Byte& x) {
    const Byte b = inverse(x);
    Byte o;
    for (int i = 0; i < 8; ++i) {
      o[i] = sum({b[i], b[(i + 4) % 8], b[(i + 5) % 8], b[(i + 6) % 8], b[(i + 7) % 8]});
    }
    return xor_constant(o, kAffineConstant);
  }
  // Multiplication by x (xtime): a shift and a conditional XOR with 0x1b — linear.
  Byte xtime(const Byte& a) {
    return {a[7], xor_(a[0], a[7]), a[1], xor_(a[2], a[7]), xor_(a[3], a[7]), a[4], a[5], a[6]};
  }

  std::string circuit() {
    Byte key[kBlockBytes], state[kBlockBytes];
    for (int k = 0; k < kBlockBytes; ++k) {
      for (int b = 0; b < 8; ++b) {
        key[k][b] = static_cast<Wire>(8 * k + b);
        state[k][b] = static_cast<Wire>(8 * kBlockBytes + 8 * k + b);
      }
    }
    next_ = 2 * 8 * kBlockBytes;
    for (int k = 0; k < kBlockBytes; ++k) state[k] = xor_bytes(state[k], key[k]);
    for (int round = 1; round <= kRounds; ++round) {
      // Key schedule: w[i] = w[i-4] ^ (first word: SubWord(RotWord(w[i-1])) ^ rcon).
      Byte t[4];
      for (int r = 0; r < 4; ++r) t[r] = sbox(key[12 + (r + 1) % 4]);
      t[0] = xor_constant(t[0], kRcon[round - 1]);
      for (int word = 0; word < 4; ++word) {
        for (int r = 0; r < 4; ++r) {
          const Byte& prev = word == 0 ? t[r] : key[4 * (word - 1) + r];
          key[4 * word + r] = xor_bytes(key[4 * word + r], prev);
        }
      }
      // SubBytes and ShiftRows (byte k is row k % 4 of column k / 4).
      Byte sub[kBlockBytes];
      for (int k = 0; k < kBlockBytes; ++k) sub[k] = sbox(state[k]);
      for (int c = 0; c < 4; ++c) {
        for (int r = 0; r < 4; ++r) state[4 * c + r] = sub[4 * ((c + r) % 4) + r];
      }
      if (round != kRounds) {  // MixColumns
        for (int c = 0; c < 4; ++c) {
          const Byte a[4] = {state[4 * c], state[4 * c + 1], state[4 * c + 2], state[4 * c + 3]};
          for (int r = 0; r < 4; ++r) {
            // 2·a_r ^ 3·a_{r+1} ^ a_{r+2} ^ a_{r+3}
            const Byte& a1 = a[(r + 1) % 4];
            state[4 * c + r] = xor_bytes(xor_bytes(xtime(a[r]), xor_bytes(xtime(a1), a1)),
                                         xor_bytes(a[(r + 2) % 4], a[(r + 3) % 4]));
          }
        }
      }
      for (int k = 0; k < kBlockBytes; ++k) state[k] = xor_bytes(state[k], key[k]);
    }
    for (int k = 0; k < kBlockBytes; ++k) {
      for (int b = 0; b < 8; ++b) gate("1 1", {state[k][b]}, "EQW");
    }
    std::ostringstream out;
    out << count_ << " " << next_ << "\n2 128 128\n1 128\n\n" << gates_.str();
    return out.str();
  }

 private:
  Wire gate(const char* arity, std::initializer_list<Wire> in, const char* type) {
    gates_ << arity;
    for (Wire w : in) gates_ << " " << w;
    gates_ << " " << next_ << " " << type << "\n";
    ++count_;
    return next_++;
  }

  Wire next_ = 0;
  std::uint64_t count_ = 0;
  std::ostringstream gates_;
};

const circuits::BristolCircuit& aes128() {
  static const circuits::BristolCircuit c =
      circuits::parse_bristol(AesWriter().circuit(), "aes128 (generated)");
  return c;
}

std::array<std::uint8_t, kBlockBytes> openssl_aes(const std::array<std::uint8_t, kBlockBytes>& key,
                                                  const std::array<std::uint8_t, kBlockBytes>& in) {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      EVP_CIPHER_CTX_free);
  std::array<std::uint8_t, kBlockBytes> out{};
  int len = 0;
  EXPECT_EQ(EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr, key.data(), nullptr), 1);
  EXPECT_EQ(EVP_CIPHER_CTX_set_padding(ctx.get(), 0), 1);
  EXPECT_EQ(EVP_EncryptUpdate(ctx.get(), out.data(), &len, in.data(), kBlockBytes), 1);
  return out;
}

// 128-bit values of `count` instances, bit-sliced: row 8k + b = bit b of byte k.
RingMatrix slice_blocks(const std::vector<std::array<std::uint8_t, kBlockBytes>>& blocks) {
  const Index words = static_cast<Index>((blocks.size() + kRingBits - 1) / kRingBits);
  RingMatrix out = RingMatrix::Zero(8 * kBlockBytes, words);
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    for (int bit = 0; bit < 8 * kBlockBytes; ++bit) {
      const Ring v = (blocks[i][bit / 8] >> (bit % 8)) & 1;
      out(bit, static_cast<Index>(i / kRingBits)) |= v << (i % kRingBits);
    }
  }
  return out;
}

std::array<std::uint8_t, kBlockBytes> block_of(const RingMatrix& sliced, std::size_t i) {
  std::array<std::uint8_t, kBlockBytes> out{};
  for (int bit = 0; bit < 8 * kBlockBytes; ++bit) {
    const Ring v = (sliced(bit, static_cast<Index>(i / kRingBits)) >> (i % kRingBits)) & 1;
    out[bit / 8] |= static_cast<std::uint8_t>(v << (bit % 8));
  }
  return out;
}

TEST(AesCircuit, HasTheExpectedShape) {
  EXPECT_EQ(aes128().and_gates(), 200u * 4 * 64);  // 200 S-boxes, 4 products of 64 ANDs
  EXPECT_EQ(aes128().and_depth(), 4 * kRounds);
}

using AesSuite = CircuitSuite;

TEST_P(AesSuite, MatchesOpenSslOnSharedKeyAndBlocks) {
  Prg data(seed_from_u64(seed()));
  const std::size_t count = 3;
  std::vector<std::array<std::uint8_t, kBlockBytes>> keys(count), blocks(count);
  for (std::size_t i = 0; i < count; ++i) {
    data.fill(keys[i]);
    data.fill(blocks[i]);
  }
  // FIPS-197 Appendix C.1 as the first instance.
  for (int k = 0; k < kBlockBytes; ++k) {
    keys[0][k] = static_cast<std::uint8_t>(k);
    blocks[0][k] = static_cast<std::uint8_t>(0x11 * k);
  }
  const RingMatrix key_bits = slice_blocks(keys), block_bits = slice_blocks(blocks);
  run([&](Protocol& proto) {
    const net::PartyId last = proto.parties() - 1;
    const auto key = circuits::input_bits(proto, 0, proto.self() == 0 ? &key_bits : nullptr,
                                          key_bits.rows(), key_bits.cols());
    const auto block =
        circuits::input_bits(proto, last, proto.self() == last ? &block_bits : nullptr,
                             block_bits.rows(), block_bits.cols());
    const auto before = proto.network().traffic();
    const auto out = circuits::evaluate_bristol(proto, aes128(), {key, block});
    const auto cost = proto.network().traffic() - before;
    const circuits::Cost want = circuits::bristol_cost(n(), aes128(), count);
    EXPECT_EQ(cost.rounds, want.rounds);
    EXPECT_EQ(cost.bytes_sent, want.bytes_sent);
    const RingMatrix cipher = circuits::open_bits(proto, out.at(0));
    for (std::size_t i = 0; i < count; ++i) {
      ASSERT_EQ(block_of(cipher, i), openssl_aes(keys[i], blocks[i])) << "instance " << i;
    }
  });
}

// AES-128 on Shamir shares of bits (3 parties, no dealer): one block against OpenSSL.
TEST(AesShamir, MatchesOpenSslOnOneBlock) {
  std::vector<std::array<std::uint8_t, kBlockBytes>> keys(1), blocks(1);
  for (int k = 0; k < kBlockBytes; ++k) {
    keys[0][k] = static_cast<std::uint8_t>(k);
    blocks[0][k] = static_cast<std::uint8_t>(0x11 * k);
  }
  const IntMatrix key_bits = sliced_to_bits(slice_blocks(keys), 1),
                  block_bits = sliced_to_bits(slice_blocks(blocks), 1);
  const ProtocolSetup setup{"shamir3", 3, Truncation::kAuto, Scheme::kShamir};
  run_protocol(setup, 11, [&](Protocol& proto) {
    const Shared key = proto.input(0, proto.self() == 0 ? &key_bits : nullptr, key_bits.rows(), 1);
    const Shared block =
        proto.input(2, proto.self() == 2 ? &block_bits : nullptr, block_bits.rows(), 1);
    const auto before = proto.network().traffic();
    const auto out = circuits::evaluate_bristol_arithmetic(proto, aes128(), {key, block});
    const auto cost = proto.network().traffic() - before;
    EXPECT_EQ(cost.rounds, circuits::bristol_field_cost(3, aes128(), 1).rounds);
    EXPECT_EQ(cost.bytes_sent, circuits::bristol_field_cost(3, aes128(), 1).bytes_sent);
    const RingMatrix cipher = bits_to_sliced(proto.open(out.at(0)));
    EXPECT_EQ(block_of(cipher, 0), openssl_aes(keys[0], blocks[0]));
    if (proto.self() == 0) {
      RecordProperty("rounds", std::to_string(cost.rounds));
      RecordProperty("bytes_sent", std::to_string(cost.bytes_sent));
    }
  });
}

TEST(Measure, DISABLED_Aes128Evaluation) {
  const circuits::BristolCircuit& circuit = aes128();  // generate and parse outside the timing
  for (int parties : {2, 3}) {
    for (std::size_t count : {std::size_t{1}, std::size_t{64}}) {
      std::vector<std::array<std::uint8_t, kBlockBytes>> blocks(count);
      const RingMatrix bits = slice_blocks(blocks);
      run_protocol(ProtocolSetup{"additive", parties}, 9, [&](Protocol& proto) {
        const auto in = circuits::input_bits(proto, 0, proto.self() == 0 ? &bits : nullptr,
                                             bits.rows(), bits.cols());
        const auto start = std::chrono::steady_clock::now();
        const auto before = proto.network().traffic();
        circuits::evaluate_bristol(proto, circuit, {in, in});
        const auto cost = proto.network().traffic() - before;
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (proto.self() == 0) {
          std::cout << "aes128 n=" << parties << " blocks=" << count << " rounds=" << cost.rounds
                    << " bytes_sent=" << cost.bytes_sent << " seconds=" << s << "\n";
        }
      });
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Additive, AesSuite, kAdditiveSetups,
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace jointly::testing
