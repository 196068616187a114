// The sender's view does not depend on the receiver's ids outside the intersection.
//
// Two worlds differ only in the receiver's (party 0's) non-matching ids; party 1's ids and the
// common ids are the same. Over many runs we compare what party 1 receives in the two worlds:
// message sizes must be identical, the byte distributions must agree (two-sample chi-square),
// and a distinguisher that knows world A's candidate ids and everything party 1 knows (the
// salt, hence the code and the bins) must find no trace of them. The distinguisher is shown to
// fire on a leaky view (the OT matrix without its masks), so the test can fail.
#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <bit>
#include <cstring>

#include "psi/common.h"
#include "psi/cuckoo.h"
#include "psi/kkrt.h"
#include "tests/psi/harness.h"

namespace jointly::psi {
namespace {

constexpr int kRuns = 12;
constexpr std::size_t kCommon = 100, kOwn = 300, kSenderOwn = 400;

std::vector<std::string> ids(const std::string& prefix, std::size_t n) {
  std::vector<std::string> v;
  for (std::size_t i = 0; i < n; ++i) v.push_back(prefix + std::to_string(i));
  return v;
}

std::vector<std::string> receiver_ids(const std::string& world) {
  std::vector<std::string> v = ids("common-", kCommon);
  for (auto& s : ids(world + "-only-", kOwn)) v.push_back(s);
  return v;
}

std::vector<std::string> sender_ids() {
  std::vector<std::string> v = ids("sender-only-", kSenderOwn);
  for (auto& s : ids("common-", kCommon)) v.push_back(s);
  return v;
}

// Two-sample chi-square statistic of two byte histograms (255 degrees of freedom).
double chi_square(const std::array<double, 256>& a, const std::array<double, 256>& b) {
  double sa = 0, sb = 0, chi = 0;
  for (int k = 0; k < 256; ++k) sa += a[k], sb += b[k];
  const double ka = std::sqrt(sb / sa), kb = std::sqrt(sa / sb);
  for (int k = 0; k < 256; ++k)
    if (a[k] + b[k] > 0) chi += std::pow(ka * a[k] - kb * b[k], 2) / (a[k] + b[k]);
  return chi;
}
// Mean 255, standard deviation 22.6: a 6-sigma bound.
constexpr double kChiBound = 255 + 6 * 22.6;

detail::Salt session_salt(const testing::Run& run) {
  detail::Salt salt;
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, salt.size());
  crypto_generichash_update(&st, run.view_received[0].data() + 10, 16);  // party 0's share
  crypto_generichash_update(&st, run.view_sent[0].data() + 10, 16);      // party 1's own
  crypto_generichash_final(&st, salt.data(), salt.size());
  return salt;
}

// The OPRF sender's U rows, bin by bin, from its received messages (set-up, base OT, U chunks).
std::vector<Row> u_rows(const testing::Run& run, std::size_t bins) {
  std::vector<Row> rows;
  for (std::size_t c = 0; c * kChunkItems < bins; ++c) {
    const net::Bytes& m = run.view_received[2 + c];
    const std::size_t count = std::min(kChunkItems, bins - c * kChunkItems);
    const auto* r = reinterpret_cast<const Row*>(m.data());
    rows.insert(rows.end(), r, r + count);
  }
  return rows;
}

// How many (candidate id, hash function) pairs whose bin's U row lies within Hamming distance
// 192 of the candidate's codeword (a masked row is at 256 ± 11).
int oprf_traces(const std::vector<Row>& u, const detail::Salt& salt,
                const std::vector<std::string>& candidates) {
  const Code code(salt);
  int hits = 0;
  for (const std::string& id : candidates) {
    std::array<std::uint8_t, 40> h;
    detail::hash_id(salt, "oprf", id, h);
    for (std::size_t j = 0; j < 3; ++j) {
      ot::Block x;
      std::memcpy(&x, h.data(), 16);
      x.hi ^= j;  // the code input of an id placed by function j (psi/oprf.cpp)
      std::uint64_t word;
      std::memcpy(&word, h.data() + 16 + 8 * j, 8);
      Row c;
      code.encode(&x, 1, &c);
      const Row d = u[cuckoo_bin(word, u.size())] ^ c;
      int weight = 0;
      for (const auto& b : d.b) weight += std::popcount(b.lo) + std::popcount(b.hi);
      hits += weight < 192;
    }
  }
  return hits;
}

void add_bytes(std::array<double, 256>& hist, const net::Bytes& m) {
  for (std::uint8_t b : m) hist[b] += 1;
}

TEST(SenderView, OprfDoesNotDependOnTheReceiversOtherIds) {
  std::array<double, 256> hist_a{}, hist_b{};
  const auto s = sender_ids();
  const auto a = receiver_ids("a"), b = receiver_ids("b");
  std::vector<std::size_t> sizes_a, sizes_b;
  for (int run_i = 0; run_i < kRuns; ++run_i) {
    const auto ra = testing::run_psi(a, s, Protocol::kOprf);
    const auto rb = testing::run_psi(b, s, Protocol::kOprf);
    ASSERT_EQ(ra.view_received.size(), rb.view_received.size());
    for (std::size_t k = 0; k < ra.view_received.size(); ++k)
      ASSERT_EQ(ra.view_received[k].size(), rb.view_received[k].size()) << "message " << k;
    // The U rows (messages 2 ..; not the set-up header or the final match list).
    for (std::size_t k = 2; k + 1 < ra.view_received.size(); ++k) {
      add_bytes(hist_a, ra.view_received[k]);
      add_bytes(hist_b, rb.view_received[k]);
    }
    const std::size_t bins = cuckoo_bins(a.size());
    // No trace of world A's own ids in either world's view.
    EXPECT_EQ(oprf_traces(u_rows(ra, bins), session_salt(ra), ids("a-only-", kOwn)), 0);
    EXPECT_EQ(oprf_traces(u_rows(rb, bins), session_salt(rb), ids("a-only-", kOwn)), 0);
    if (run_i == 0) {
      // The same distinguisher on a leaky view: U rows without their masks, U_i = C(r_i).
      std::vector<Row> leaky = u_rows(ra, bins);
      const detail::Salt salt = session_salt(ra);
      const Code code(salt);
      for (const std::string& id : ids("a-only-", kOwn)) {
        std::array<std::uint8_t, 40> h;
        detail::hash_id(salt, "oprf", id, h);
        ot::Block x;
        std::memcpy(&x, h.data(), 16);
        std::uint64_t word;
        std::memcpy(&word, h.data() + 16, 8);
        code.encode(&x, 1, &leaky[cuckoo_bin(word, bins)]);
      }
      EXPECT_GT(oprf_traces(leaky, salt, ids("a-only-", kOwn)), static_cast<int>(kOwn) / 2);
    }
  }
  EXPECT_LT(chi_square(hist_a, hist_b), kChiBound);
  // And each world's U bytes are uniform.
  std::array<double, 256> flat;
  double total = 0;
  for (double v : hist_a) total += v;
  flat.fill(total / 256);
  EXPECT_LT(chi_square(hist_a, flat), kChiBound);
}

TEST(SenderView, EcdhDoesNotDependOnTheOtherPartysOtherIds) {
  std::array<double, 256> hist_a{}, hist_b{};
  const auto s = sender_ids();
  const auto a = receiver_ids("a"), b = receiver_ids("b");
  for (int run_i = 0; run_i < kRuns; ++run_i) {
    const auto ra = testing::run_psi(a, s, Protocol::kEcdh);
    const auto rb = testing::run_psi(b, s, Protocol::kEcdh);
    ASSERT_EQ(ra.view_received.size(), rb.view_received.size());
    for (std::size_t k = 1; k < ra.view_received.size(); ++k) {
      ASSERT_EQ(ra.view_received[k].size(), rb.view_received[k].size());
      // Bytes 1..30 of each point (byte 0's low bit and byte 31's top bit are fixed by the
      // encoding) and every byte of the doubly masked values.
      const net::Bytes& ma = ra.view_received[k];
      const net::Bytes& mb = rb.view_received[k];
      const std::size_t points = k == 1 ? a.size() : 0;
      for (std::size_t i = 0; i < ma.size(); ++i) {
        if (i < points * 32 && (i % 32 == 0 || i % 32 == 31)) continue;
        hist_a[ma[i]] += 1;
        hist_b[mb[i]] += 1;
      }
    }
  }
  EXPECT_LT(chi_square(hist_a, hist_b), kChiBound);
}

}  // namespace
}  // namespace jointly::psi
