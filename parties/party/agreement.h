// What the parties must agree on before any share moves, and what a party says when a peer
// does not: the consortium file byte for byte, and the data schema (the label column and, with
// split = "rows", the feature names in order). With split = "columns" every party has other
// columns: their names are exchanged and checked later (joint_data.h).
//
// The mesh compares the digest in its hello (net/tcp/mesh.h). On a mismatch the two parties
// also exchange their agreement detail — the consortium file's SHA-256, the label column and
// the feature names (as many as fit kMaxAgreementDetailBytes) — so that each can say what
// differs: the consortium file, or its data file's header and the first column that differs.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ml/data/csv.h"
#include "net/tcp/mesh.h"
#include "parties/common/config.h"

namespace jointly::parties {

// What one party's digest covers, as its agreement detail describes it to a peer.
struct SchemaDescription {
  std::string consortium_sha256;  // hex
  std::string label;
  std::string split;
  std::vector<std::string> features;  // split = "rows" only; a prefix if they did not all fit
  std::size_t feature_count = 0;      // all of them, even those left out of `features`
  // This party's own, for its messages; not sent.
  std::string config_file, data_file;
  std::vector<std::size_t> feature_columns;  // each feature's column in data_file (1-based)
};

SchemaDescription describe_schema(const Consortium& c, const ml::Table& data);
// JSON of at most net::kMaxAgreementDetailBytes: feature names that do not fit are left out.
std::string encode_schema(const SchemaDescription& schema);
// Throws std::runtime_error (nlohmann's exceptions) on anything that is not encode_schema's.
SchemaDescription decode_schema(const std::string& text);

// The message for a peer whose digest differs: "C: the consortium file differs from
// hospital-b's (...)" and/or "F's header differs from hospital-b's at column 3: 'age' here,
// 'Age' there" (column numbers are this party's, in its own file).
std::string explain_disagreement(const SchemaDescription& ours, const SchemaDescription& theirs,
                                 const std::string& peer);

// Sets options.agreement (the digest), options.agreement_detail and
// options.explain_disagreement for this party's consortium file and training data.
void set_agreement(net::MeshOptions& options, const Consortium& c, const ml::Table& data);

}  // namespace jointly::parties
