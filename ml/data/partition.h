// Vertical partitioning (consortium `split = "columns"`): every party holds different columns
// (features) of the same rows, aligned by an id column; exactly one party holds the label.
//
// The rows must be the same rows in the same order on every party. Ids are never sent: each
// party hashes its ordered id column (id_digest) and the parties compare the digests
// (check_column_layout), which tells them only whether the lists are equal (docs/security.md).
// The joint matrix is the parties' shared column blocks side by side in party order
// (share_columns); the plaintext reference pools the same tables the same way (join_columns).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ml/data/csv.h"
#include "ml/data/standardize.h"
#include "protocols/protocol.h"

namespace jointly::ml {

// The id column's name in every party's CSV when the split is by columns.
inline constexpr const char* kIdColumn = "id";

inline constexpr std::size_t kIdDigestBytes = 32;
using IdDigest = std::array<std::uint8_t, kIdDigestBytes>;

// BLAKE2b-256 (libsodium crypto_generichash) of the ordered id list, each id prefixed with
// its length: equal exactly when the lists are equal (same ids, same order, same count).
IdDigest id_digest(const std::vector<std::string>& ids);

// What one party tells the others before sharing anything in a columns split.
struct ColumnsPart {
  std::string party;  // its name, for messages
  Eigen::Index rows = 0;
  IdDigest ids{};
  bool has_label = false;
  std::vector<std::string> feature_names;
};

struct ColumnLayout {
  Eigen::Index rows = 0;
  std::vector<Eigen::Index> cols;          // features per party, in party order
  std::vector<std::string> feature_names;  // the joint feature order (party order)
  int label_owner = -1;                    // the one party holding the label
};

// Checks that every party has the same ids (same row count and digest), that exactly one
// holds the label column `label`, and that no feature name occurs twice; throws DataError
// saying which parties disagree otherwise (never the ids themselves).
ColumnLayout check_column_layout(const std::vector<ColumnsPart>& parts, const std::string& label);

// The joint N x sum(cols) matrix: every party secret-shares its own N x cols[self] block
// `mine` (already encoded) and the blocks are put side by side in party order. One input per
// party that holds columns.
Shared share_columns(Protocol& protocol, const IntMatrix& mine,
                     const std::vector<Eigen::Index>& cols, Eigen::Index rows);

// The entries of a joint (all-columns) standardiser for party `party`'s own columns.
Standardizer party_columns(const Standardizer& joint, const std::vector<Eigen::Index>& cols,
                           int party);

// Plaintext counterparts, for jointly-sim's reference and the tests.
//
// The parties' tables side by side in party order; the label comes from the one table that
// has it. Throws DataError if the ids differ or not exactly one table has labels.
Table join_columns(const std::vector<Table>& parts);
// The columns of `all` in `parties` contiguous blocks in order (so join_columns gives `all`
// back); every part gets ids "1", "2", ... (the row number) and party 0 gets the label.
std::vector<Table> split_columns(const Table& all, int parties);

}  // namespace jointly::ml
