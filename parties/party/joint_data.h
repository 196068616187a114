// How one party's CSV becomes its part of the joint, secret-shared training set, for each
// consortium `split`:
//   rows:    parties hold different rows with the same columns. They exchange row counts,
//            standardise jointly, share their rows and stack them in party order.
//   columns: parties hold different columns of the same rows (aligned by the `id` column,
//            ml/data/partition.h). They exchange row counts, id digests, who holds the label
//            and their column names, check them, standardise jointly, share their columns and
//            put them side by side in party order; the label owner shares the labels.
// Either way the result is the same joint matrix a pooled table would give, so training,
// the plaintext reference and the model file do not depend on the split.
#pragma once

#include <string>
#include <vector>

#include "ml/data/csv.h"
#include "ml/data/standardize.h"
#include "parties/common/audit.h"
#include "parties/common/config.h"
#include "protocols/fixed_point.h"
#include "protocols/protocol.h"

namespace jointly::parties {

// How a party's training CSV is read for the consortium's split (columns: the id column is
// required and not a feature, the label column is optional).
ml::CsvOptions training_csv_options(const Consortium& c);

// Every cell of this party's training table must be encodable in `fp` and every label 0 or 1
// (logistic regression, classes = 0) or an integer in [0, classes) (the MLP), before anything
// is shared: else ml::DataError or FixedPointRangeError naming the file, the line (header =
// line 1) and the column.
void check_training_data(const ml::Table& t, const FixedPoint& fp, const std::string& label,
                         int classes = 0);

// How the joint tensors are laid out for the model.
struct SharingOptions {
  // 0: the label column as it is (logistic regression); K: one-hot rows x K (the MLP).
  int classes = 0;
  // false: the features enter as they are (IDX pixels, already in [0, 1]); nothing is opened.
  bool standardise = true;
  bool bias = true;  // append the public column of ones (the MLP adds its own)
};

struct JointData {
  Shared x;  // rows x features: standardised features in the joint order (then the bias)
  Shared y;  // rows x 1 labels, or rows x classes one-hot
  ml::Standardizer standardizer;           // one entry per joint feature
  std::vector<std::string> feature_names;  // the joint feature order (the model's)
  Index rows = 0;
};

// Runs this party's side of the consortium's split. Opens (and records in `audit`) the row
// counts, for columns also the id digests, label holder and column names, and the global
// column statistics. Throws ml::DataError, on every party alike, if the parties' ids or label
// columns do not fit together; net::PeerError if a peer sends something malformed.
JointData share_training_data(Protocol& protocol, const Consortium& c, const ml::Table& data,
                              const FixedPoint& fp, AuditLog& audit,
                              const SharingOptions& options = {});

// model = "mlp" without a `classes` key: every party tells the others its largest label (none
// for a party without labels) and all take 1 + the largest. One round, recorded in `audit`.
// ml::DataError on every party alike if that is below 2.
int agree_on_classes(Protocol& protocol, const Consortium& c, const ml::Table& data,
                     AuditLog& audit);

}  // namespace jointly::parties
