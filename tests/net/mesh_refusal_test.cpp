// Authentication and agreement: who may join the mesh, and what both sides say when refused.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/net/mesh_harness.h"

namespace jointly::net {
namespace {

using namespace std::chrono_literals;
using testing::make_consortium;
using testing::run_parties;

// Refusals end start-up early for the refused side; the other side waits out this deadline.
constexpr auto kShortDeadline = 1500ms;

void shorten_deadlines(testing::Consortium& c) {
  for (auto& o : c.options) o.connect_deadline = kShortDeadline;
}

// A body that must never run: its party must not get a transport.
const testing::PartyBody kMustNotConnect = [](MeshTransport&) {
  ADD_FAILURE() << "a refused party got a transport";
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(MeshRefusal, ImpostorDialerWithUnpinnedKeyIsRefused) {
  auto c = make_consortium(2);
  shorten_deadlines(c);
  // Party 1 runs with a key and certificate that party 0's config does not pin.
  const KeyPair impostor = generate_identity("hospital-b");
  c.options[1].key_pem = impostor.key_pem;
  c.options[1].parties[1].cert_pem = impostor.cert_pem;
  const auto start = std::chrono::steady_clock::now();
  const auto out = run_parties(c.options, {kMustNotConnect, kMustNotConnect});
  EXPECT_FALSE(out[0].connected);
  EXPECT_FALSE(out[1].connected);
  // The impostor learns at once that hospital-a refused it.
  EXPECT_TRUE(contains(out[1].error, "hospital-a")) << out[1].error;
  EXPECT_TRUE(contains(out[1].error, "refused our TLS session")) << out[1].error;
  // The honest party names who never arrived and why the stranger was refused.
  EXPECT_TRUE(contains(out[0].error, "hospital-b (party 1) never connected")) << out[0].error;
  EXPECT_TRUE(contains(out[0].error, "certificate verify failed")) << out[0].error;
  EXPECT_LT(std::chrono::steady_clock::now() - start, kShortDeadline + 2s);
}

TEST(MeshRefusal, ImpostorListenerWithUnpinnedKeyIsRefused) {
  auto c = make_consortium(2);
  shorten_deadlines(c);
  const KeyPair impostor = generate_identity("hospital-a");
  c.options[0].key_pem = impostor.key_pem;
  c.options[0].parties[0].cert_pem = impostor.cert_pem;
  const auto out = run_parties(c.options, {kMustNotConnect, kMustNotConnect});
  EXPECT_FALSE(out[1].connected);
  EXPECT_TRUE(contains(out[1].error, "refusing hospital-a")) << out[1].error;
  EXPECT_TRUE(contains(out[1].error, "failed verification")) << out[1].error;
  EXPECT_FALSE(out[0].connected);
}

TEST(MeshRefusal, PinnedCertificateOfTheWrongPartyIsRefused) {
  auto c = make_consortium(3);
  shorten_deadlines(c);
  // Party 2's config sends it to party 1's address when it dials party 0: party 1 answers
  // with a perfectly valid consortium certificate, but not hospital-a's.
  c.options[2].parties[0].port = c.options[2].parties[1].port;
  // Party 0 is not started, so party 1 keeps listening for the whole start-up (were it to
  // finish its own connections first, it would close its listener and party 2 would only see
  // "connection refused": a race that lost under load in CI).
  const auto out = run_parties({c.options[1], c.options[2]}, {kMustNotConnect, kMustNotConnect});
  EXPECT_FALSE(out[1].connected);
  EXPECT_TRUE(contains(out[1].error, "refusing hospital-a")) << out[1].error;
  EXPECT_TRUE(contains(out[1].error, "certificate of 'hospital-b'")) << out[1].error;
}

TEST(MeshRefusal, ExpiredCertificateIsRefused) {
  auto c = make_consortium(2);
  shorten_deadlines(c);
  // Both configs pin party 1's certificate, which expired yesterday.
  const KeyPair expired = generate_identity("hospital-b", -1);
  c.options[1].key_pem = expired.key_pem;
  for (auto& o : c.options) o.parties[1].cert_pem = expired.cert_pem;
  const auto out = run_parties(c.options, {kMustNotConnect, kMustNotConnect});
  EXPECT_TRUE(contains(out[1].error, "expired")) << out[1].error;
  EXPECT_TRUE(contains(out[0].error, "expired")) << out[0].error;
  EXPECT_FALSE(out[0].connected);
  EXPECT_FALSE(out[1].connected);
}

TEST(MeshRefusal, AgreementMismatchIsReportedByBothSides) {
  auto c = make_consortium(2);
  c.options[1].agreement[0] ^= 1;
  const auto start = std::chrono::steady_clock::now();
  const auto out = run_parties(c.options, {kMustNotConnect, kMustNotConnect});
  EXPECT_TRUE(contains(out[0].error, "config or data schema differs from hospital-b's"))
      << out[0].error;
  EXPECT_TRUE(contains(out[1].error, "config or data schema differs from hospital-a's"))
      << out[1].error;
  // Detected in the hello, not at the deadline.
  EXPECT_LT(std::chrono::steady_clock::now() - start, testing::kTestDeadline);
}

TEST(MeshRefusal, AgreementMismatchIsDetectedWithoutTlsToo) {
  auto c = make_consortium(2, /*tls=*/false);
  c.options[0].agreement[31] ^= 1;
  const auto out = run_parties(c.options, {kMustNotConnect, kMustNotConnect});
  EXPECT_TRUE(contains(out[0].error, "differs from hospital-b's")) << out[0].error;
  EXPECT_TRUE(contains(out[1].error, "differs from hospital-a's")) << out[1].error;
}

// On a mismatch both sides hand each other their agreement detail, and each reports what its
// own explain_disagreement makes of the other's: the caller, not the mesh, knows what differs.
TEST(MeshRefusal, AgreementMismatchExchangesDetailsForEverySideToExplain) {
  for (const bool tls : {true, false}) {
    auto c = make_consortium(3, tls);
    c.options[1].agreement[5] ^= 1;
    for (int p = 0; p < 3; ++p) {
      const std::string mine = "detail of " + c.options[p].parties[p].name;
      c.options[p].agreement_detail = mine;
      c.options[p].explain_disagreement = [mine](const std::string& theirs,
                                                 const std::string& peer) {
        return "mine: " + mine + "; " + peer + "'s: " + theirs;
      };
    }
    // The odd party's detail at the bound: a long detail travels whole.
    c.options[1].agreement_detail = std::string(kMaxAgreementDetailBytes, 'b');
    const auto start = std::chrono::steady_clock::now();
    const auto out = run_parties(c.options, {kMustNotConnect, kMustNotConnect, kMustNotConnect});
    const std::string b_detail = "hospital-b's: " + std::string(kMaxAgreementDetailBytes, 'b');
    EXPECT_EQ(out[0].error, "mine: detail of hospital-a; " + b_detail) << "tls " << tls;
    EXPECT_EQ(out[2].error, "mine: detail of hospital-c; " + b_detail) << "tls " << tls;
    // hospital-b disagrees with both and reports one of them, with that one's detail.
    EXPECT_TRUE(out[1].error == "mine: detail of hospital-b; hospital-a's: detail of hospital-a" ||
                out[1].error == "mine: detail of hospital-b; hospital-c's: detail of hospital-c")
        << out[1].error.substr(0, 200);
    EXPECT_LT(std::chrono::steady_clock::now() - start, testing::kTestDeadline);
  }
}

// An explanation that fails (a peer's detail it cannot read) leaves the generic message.
TEST(MeshRefusal, AnExplanationThatThrowsFallsBackToTheGenericMessage) {
  auto c = make_consortium(2);
  c.options[0].agreement[0] ^= 1;
  c.options[0].agreement_detail = "not what hospital-b expects";
  c.options[1].explain_disagreement = [](const std::string&, const std::string&) -> std::string {
    throw std::runtime_error("unreadable");
  };
  const auto out = run_parties(c.options, {kMustNotConnect, kMustNotConnect});
  EXPECT_TRUE(contains(out[1].error, "config or data schema differs from hospital-a's"))
      << out[1].error;
  // hospital-a has no explanation of its own: the generic message too.
  EXPECT_TRUE(contains(out[0].error, "config or data schema differs from hospital-b's"))
      << out[0].error;
}

TEST(MeshRefusal, AnOversizedAgreementDetailIsAnOptionsError) {
  auto c = make_consortium(2);
  c.options[0].agreement_detail = std::string(kMaxAgreementDetailBytes + 1, 'x');
  EXPECT_THROW(connect_mesh(c.options[0]), std::invalid_argument);
}

TEST(MeshRefusal, OwnKeyNotMatchingOwnCertificateIsAnOptionsError) {
  auto c = make_consortium(2);
  c.options[0].key_pem = c.identities[1].key_pem;
  try {
    connect_mesh(c.options[0]);
    FAIL() << "mismatched key accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(contains(e.what(), "does not belong to hospital-a's certificate")) << e.what();
  }
}

TEST(MeshRefusal, DuplicateOrMissingCertificatesAreOptionsErrors) {
  auto c = make_consortium(3);
  auto duplicate = c.options[0];
  duplicate.parties[2].cert_pem = duplicate.parties[1].cert_pem;
  EXPECT_THROW(connect_mesh(duplicate), std::invalid_argument);
  auto missing = c.options[0];
  missing.parties[2].cert_pem.clear();
  EXPECT_THROW(connect_mesh(missing), std::invalid_argument);
  auto out_of_range = c.options[0];
  out_of_range.self = 3;
  EXPECT_THROW(connect_mesh(out_of_range), std::invalid_argument);
}

}  // namespace
}  // namespace jointly::net
