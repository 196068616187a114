#include "parties/party/agreement.h"

#include <sodium.h>

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace jointly::parties {
namespace {

using Digest = std::array<std::uint8_t, net::kAgreementBytes>;
static_assert(net::kAgreementBytes == crypto_hash_sha256_BYTES);

// The digest every party's hello carries: the consortium file's bytes, a zero byte, then the
// schema text. Its layout must not change between releases that share checkpoints (they
// record it, parties/common/checkpoint.h).
Digest agreement_digest(const Consortium& c, const ml::Table& t) {
  std::string schema = "label=" + c.label + "\n";
  if (c.split == "rows") {
    for (const auto& name : t.feature_names) schema += name + "\n";
  }
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(c.text.data()),
                            c.text.size());
  const unsigned char separator = 0;
  crypto_hash_sha256_update(&state, &separator, 1);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(schema.data()),
                            schema.size());
  Digest digest{};
  crypto_hash_sha256_final(&state, digest.data());
  return digest;
}

std::string sha256_hex(const std::string& text) {
  Digest digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(text.data()),
                     text.size());
  std::string hex;
  for (const std::uint8_t byte : digest) hex += fmt::format("{:02x}", byte);
  return hex;
}

// Enough of a SHA-256 to tell two files apart in a message.
constexpr std::size_t kShownDigestChars = 12;

std::string short_digest(const std::string& hex) {
  return hex.substr(0, kShownDigestChars) + (hex.size() > kShownDigestChars ? "..." : "");
}

// "F's header differs from P's ..." or "" when the feature names agree as far as they are
// known. Columns are counted in our own file.
std::string compare_headers(const SchemaDescription& ours, const SchemaDescription& theirs,
                            const std::string& peer) {
  const std::string intro = ours.data_file + "'s header differs from " + peer + "'s";
  const auto column = [&](std::size_t f) {
    return f < ours.feature_columns.size() ? ours.feature_columns[f] : f + 1;
  };
  const std::size_t known = std::min(ours.features.size(), theirs.features.size());
  for (std::size_t f = 0; f < known; ++f) {
    if (ours.features[f] != theirs.features[f]) {
      return fmt::format("{} at column {}: '{}' here, '{}' there", intro, column(f),
                         ours.features[f], theirs.features[f]);
    }
  }
  const std::size_t here = ours.feature_count, there = theirs.feature_count;
  const std::string counts =
      fmt::format("{} feature columns here, {} there (label aside)", here, there);
  if (here > there && known == there) {
    return fmt::format("{}: {}; column {} '{}' is not in {}'s", intro, counts, column(there),
                       ours.features[there], peer);
  }
  if (here < there && known == here) {
    const std::string next =
        here < theirs.features.size() ? "'" + theirs.features[here] + "'" : "more columns";
    return fmt::format("{}: {}; {}'s has {} where ours ends", intro, counts, peer, next);
  }
  if (here != there) return intro + ": " + counts;
  if (known < here) {
    return fmt::format(
        "{} beyond its first {} feature columns, which agree (only those fit in "
        "the comparison)",
        intro, known);
  }
  return "";
}

}  // namespace

SchemaDescription describe_schema(const Consortium& c, const ml::Table& data) {
  SchemaDescription s;
  s.consortium_sha256 = sha256_hex(c.text);
  s.label = c.label;
  s.split = c.split;
  if (c.split == "rows") {
    s.features = data.feature_names;
    s.feature_count = data.feature_names.size();
    for (std::size_t f = 0; f < s.features.size(); ++f) s.feature_columns.push_back(data.column(f));
  }
  s.config_file = c.path.string();
  s.data_file = data.source;
  return s;
}

std::string encode_schema(const SchemaDescription& schema) {
  nlohmann::json j = {{"consortium_sha256", schema.consortium_sha256},
                      {"label", schema.label},
                      {"split", schema.split},
                      {"feature_count", schema.feature_count},
                      {"features", nlohmann::json::array()}};
  // Names in order while they fit: a wide table's tail is left out, and the message then says
  // how far the comparison went.
  std::size_t size = j.dump().size();
  for (const std::string& name : schema.features) {
    const std::size_t more = nlohmann::json(name).dump().size() + 1;  // and a comma
    if (size + more > net::kMaxAgreementDetailBytes) break;
    j["features"].push_back(name);
    size += more;
  }
  return j.dump();
}

SchemaDescription decode_schema(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text);
  SchemaDescription s;
  s.consortium_sha256 = j.at("consortium_sha256").get<std::string>();
  s.label = j.at("label").get<std::string>();
  s.split = j.at("split").get<std::string>();
  s.feature_count = j.at("feature_count").get<std::size_t>();
  s.features = j.at("features").get<std::vector<std::string>>();
  if (s.features.size() > s.feature_count) {
    throw std::runtime_error("agreement detail lists more features than it counts");
  }
  return s;
}

std::string explain_disagreement(const SchemaDescription& ours, const SchemaDescription& theirs,
                                 const std::string& peer) {
  std::vector<std::string> reasons;
  if (ours.consortium_sha256 != theirs.consortium_sha256) {
    std::string r = fmt::format(
        "{}: the consortium file differs from {}'s (SHA-256 {} here, {} there; every party "
        "needs a byte-identical copy)",
        ours.config_file, peer, short_digest(ours.consortium_sha256),
        short_digest(theirs.consortium_sha256));
    if (ours.label != theirs.label) {
      r += fmt::format("; its label column is '{}' here, '{}' there", ours.label, theirs.label);
    }
    reasons.push_back(std::move(r));
  }
  if (ours.split == "rows" && theirs.split == "rows") {
    if (std::string r = compare_headers(ours, theirs, peer); !r.empty()) {
      reasons.push_back(std::move(r));
    }
  }
  if (reasons.empty()) {
    return "config or data schema differs from " + peer +
           "'s although the consortium file and the header agree (is every party running the "
           "same jointly release?)";
  }
  std::string text = reasons[0];
  for (std::size_t i = 1; i < reasons.size(); ++i) text += "; and " + reasons[i];
  return text;
}

void set_agreement(net::MeshOptions& options, const Consortium& c, const ml::Table& data) {
  options.agreement = agreement_digest(c, data);
  SchemaDescription ours = describe_schema(c, data);
  options.agreement_detail = encode_schema(ours);
  options.explain_disagreement = [ours = std::move(ours)](const std::string& theirs,
                                                          const std::string& peer) {
    return explain_disagreement(ours, decode_schema(theirs), peer);
  };
}

}  // namespace jointly::parties
