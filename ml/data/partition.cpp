#include "ml/data/partition.h"

#include <sodium.h>

#include <map>
#include <stdexcept>

namespace jointly::ml {
namespace {

constexpr char kDigestDomain[] = "jointly id column v1";

}  // namespace

IdDigest id_digest(const std::vector<std::string>& ids) {
  static_assert(kIdDigestBytes >= crypto_generichash_BYTES_MIN &&
                kIdDigestBytes <= crypto_generichash_BYTES_MAX);
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, kIdDigestBytes);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(kDigestDomain),
                            sizeof kDigestDomain);
  // Length prefixes keep ("1", "23") and ("12", "3") apart.
  const auto put_u64 = [&](std::uint64_t v) {
    unsigned char le[8];
    for (int i = 0; i < 8; ++i) le[i] = static_cast<unsigned char>(v >> (8 * i));
    crypto_generichash_update(&state, le, sizeof le);
  };
  put_u64(ids.size());
  for (const auto& id : ids) {
    put_u64(id.size());
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(id.data()), id.size());
  }
  IdDigest digest{};
  crypto_generichash_final(&state, digest.data(), digest.size());
  return digest;
}

ColumnLayout check_column_layout(const std::vector<ColumnsPart>& parts, const std::string& label) {
  if (parts.empty()) throw std::invalid_argument("check_column_layout: no parties");
  const ColumnsPart& first = parts.front();
  for (const auto& p : parts) {
    if (p.rows != first.rows) {
      throw DataError("the ids differ: " + p.party + " has " + std::to_string(p.rows) + " rows, " +
                      first.party + " has " + std::to_string(first.rows) +
                      " (with split = \"columns\" every party holds the same rows, by '" +
                      kIdColumn + "', in the same order)");
    }
    if (p.ids != first.ids) {
      throw DataError("the ids differ: " + p.party + "'s '" + kIdColumn +
                      "' column is not the same list as " + first.party +
                      "'s (with split = \"columns\" every party holds the same ids in the same "
                      "order; only digests were compared, no id was sent)");
    }
  }

  ColumnLayout layout;
  layout.rows = first.rows;
  std::map<std::string, std::string> owner_of;  // feature name -> party
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const ColumnsPart& p = parts[i];
    if (p.has_label) {
      if (layout.label_owner >= 0) {
        throw DataError("both " + parts[static_cast<std::size_t>(layout.label_owner)].party +
                        " and " + p.party + " hold the label column '" + label +
                        "'; with split = \"columns\" exactly one party may");
      }
      layout.label_owner = static_cast<int>(i);
    }
    for (const auto& name : p.feature_names) {
      const auto [at, fresh] = owner_of.emplace(name, p.party);
      if (!fresh) {
        throw DataError("feature '" + name + "' is held by both " + at->second + " and " + p.party +
                        "; with split = \"columns\" column names must be unique");
      }
      layout.feature_names.push_back(name);
    }
    layout.cols.push_back(static_cast<Eigen::Index>(p.feature_names.size()));
  }
  if (layout.label_owner < 0) {
    throw DataError("no party holds the label column '" + label +
                    "'; with split = \"columns\" exactly one party must");
  }
  if (layout.feature_names.empty()) throw DataError("no party holds any feature column");
  return layout;
}

Shared share_columns(Protocol& protocol, const IntMatrix& mine,
                     const std::vector<Eigen::Index>& cols, Eigen::Index rows) {
  if (static_cast<int>(cols.size()) != protocol.parties() ||
      mine.cols() != cols[static_cast<std::size_t>(protocol.self())] || mine.rows() != rows) {
    throw std::invalid_argument("share_columns: this party's block does not match the layout");
  }
  std::vector<Shared> blocks;
  for (net::PartyId p = 0; p < protocol.parties(); ++p) {
    const Eigen::Index c = cols[static_cast<std::size_t>(p)];
    if (c == 0) continue;  // a party holding only ids (and perhaps the label)
    blocks.push_back(protocol.input(p, p == protocol.self() ? &mine : nullptr, rows, c));
  }
  return Shared::hstack(blocks);
}

Standardizer party_columns(const Standardizer& joint, const std::vector<Eigen::Index>& cols,
                           int party) {
  Eigen::Index first = 0;
  for (int p = 0; p < party; ++p) first += cols[static_cast<std::size_t>(p)];
  const Eigen::Index count = cols[static_cast<std::size_t>(party)];
  Standardizer own;
  own.mean = joint.mean.segment(first, count);
  own.stddev = joint.stddev.segment(first, count);
  return own;
}

Table join_columns(const std::vector<Table>& parts) {
  if (parts.empty()) throw std::invalid_argument("join_columns: no tables");
  Table out;
  Eigen::Index cols = 0;
  const Table* labelled = nullptr;
  for (const auto& t : parts) {
    if (t.rows() != parts.front().rows()) {
      throw DataError("the ids differ: " + t.source + " has " + std::to_string(t.rows()) +
                      " rows, " + parts.front().source + " has " +
                      std::to_string(parts.front().rows()));
    }
    if (t.ids != parts.front().ids) {
      throw DataError("the ids differ: " + t.source + " does not hold the same '" + kIdColumn +
                      "' list as " + parts.front().source);
    }
    if (t.labels.size() > 0) {
      if (labelled != nullptr)
        throw DataError("both " + labelled->source + " and " + t.source + " hold the label");
      labelled = &t;
    }
    out.source += (out.source.empty() ? "" : "+") + t.source;
    out.feature_names.insert(out.feature_names.end(), t.feature_names.begin(),
                             t.feature_names.end());
    cols += t.features.cols();
  }
  if (labelled == nullptr) throw DataError("none of " + out.source + " holds the label");
  out.features.resize(parts.front().rows(), cols);
  Eigen::Index at = 0;
  for (const auto& t : parts) {
    out.features.middleCols(at, t.features.cols()) = t.features;
    at += t.features.cols();
  }
  out.labels = labelled->labels;
  out.ids = parts.front().ids;
  return out;
}

std::vector<Table> split_columns(const Table& all, int parties) {
  const Eigen::Index d = all.features.cols();
  if (parties < 1 || d < parties) {
    throw DataError(all.source + ": " + std::to_string(d) +
                    " feature columns cannot be split among " + std::to_string(parties) +
                    " parties");
  }
  std::vector<std::string> ids;
  for (Eigen::Index r = 0; r < all.rows(); ++r) ids.push_back(std::to_string(r + 1));
  std::vector<Table> parts;
  for (int p = 0; p < parties; ++p) {
    const Eigen::Index first = d * p / parties, last = d * (p + 1) / parties;
    Table t;
    t.source = all.source;
    t.feature_names.assign(all.feature_names.begin() + first, all.feature_names.begin() + last);
    t.features = all.features.middleCols(first, last - first);
    if (p == 0) t.labels = all.labels;
    t.ids = ids;
    parts.push_back(std::move(t));
  }
  return parts;
}

}  // namespace jointly::ml
