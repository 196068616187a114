// ml/data/partition: the columns split (loading with ids: csv_test.cpp). The id digest and the
// cross-party checks (ids that differ in set, order or count are refused without revealing them),
// and the joint matrix assembled on secret shares — and its joint standardisation — against the
// pooled plaintext data, over every protocol.
#include "ml/data/partition.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "ml/data/standardize.h"
#include "protocols/fixed_point.h"
#include "temp_dir.h"
#include "tests/protocols/harness.h"

namespace jointly::ml {
namespace {

using jointly::testing::ProtocolSetup;
using jointly::testing::run_protocol;
using jointly::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kTrainCsv = JOINTLY_SOURCE_DIR "/data/breast_cancer_train.csv";

CsvOptions column_options() {
  CsvOptions options;
  options.id = kIdColumn;
  options.require_label = false;
  return options;
}

TEST(IdDigestTest, EqualExactlyForTheSameOrderedList) {
  const std::vector<std::string> ids = {"101", "102", "103"};
  EXPECT_EQ(id_digest(ids), id_digest({"101", "102", "103"}));
  EXPECT_NE(id_digest(ids), id_digest({"101", "103", "102"}));         // order
  EXPECT_NE(id_digest(ids), id_digest({"101", "102", "104"}));         // set
  EXPECT_NE(id_digest(ids), id_digest({"101", "102"}));                // count
  EXPECT_NE(id_digest(ids), id_digest({"101", "102", "103", "103"}));  // duplicate
  EXPECT_NE(id_digest({"1", "23"}), id_digest({"12", "3"}));           // boundaries
  EXPECT_NE(id_digest({}), id_digest({""}));
}

ColumnsPart part(const std::string& party, const std::vector<std::string>& ids, bool label,
                 std::vector<std::string> features) {
  ColumnsPart p;
  p.party = party;
  p.rows = static_cast<Eigen::Index>(ids.size());
  p.ids = id_digest(ids);
  p.has_label = label;
  p.feature_names = std::move(features);
  return p;
}

const std::vector<std::string> kIds = {"alice-1961", "bob-1975", "carol-1990"};

TEST(ColumnLayoutTest, JointOrderIsPartyOrder) {
  const ColumnLayout layout =
      check_column_layout({part("a", kIds, false, {"x1", "x2"}), part("b", kIds, true, {}),
                           part("c", kIds, false, {"x3"})},
                          "label");
  EXPECT_EQ(layout.rows, 3);
  EXPECT_EQ(layout.cols, (std::vector<Eigen::Index>{2, 0, 1}));
  EXPECT_EQ(layout.feature_names, (std::vector<std::string>{"x1", "x2", "x3"}));
  EXPECT_EQ(layout.label_owner, 1);
}

std::string layout_error(const std::vector<ColumnsPart>& parts) {
  try {
    check_column_layout(parts, "label");
  } catch (const DataError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no DataError";
  return "";
}

TEST(ColumnLayoutTest, IdsThatDifferAreRefusedWithoutRevealingThem) {
  const std::vector<std::vector<std::string>> others = {
      {"alice-1961", "carol-1990", "bob-1975"},  // order
      {"alice-1961", "bob-1975", "dave-1988"},   // set
      {"alice-1961", "bob-1975"},                // count
  };
  for (const auto& ids : others) {
    const std::string msg = layout_error(
        {part("hospital-a", kIds, true, {"x1"}), part("hospital-b", ids, false, {"x2"})});
    EXPECT_THAT(msg, HasSubstr("ids differ"));
    EXPECT_THAT(msg, HasSubstr("hospital-a"));
    EXPECT_THAT(msg, HasSubstr("hospital-b"));
    for (const auto& id : kIds) EXPECT_THAT(msg, Not(HasSubstr(id)));
  }
}

TEST(ColumnLayoutTest, ExactlyOnePartyHoldsTheLabel) {
  EXPECT_THAT(layout_error({part("a", kIds, false, {"x1"}), part("b", kIds, false, {"x2"})}),
              HasSubstr("no party holds the label column 'label'"));
  const std::string two =
      layout_error({part("a", kIds, true, {"x1"}), part("b", kIds, true, {"x2"})});
  EXPECT_THAT(two, HasSubstr("both a and b"));
  EXPECT_THAT(two, HasSubstr("'label'"));
}

TEST(ColumnLayoutTest, FeatureNamesAreUniqueAcrossParties) {
  const std::string msg =
      layout_error({part("a", kIds, true, {"x1", "age"}), part("b", kIds, false, {"age"})});
  EXPECT_THAT(msg, HasSubstr("'age'"));
  EXPECT_THAT(msg, HasSubstr("both a and b"));
  EXPECT_THAT(layout_error({part("a", kIds, true, {}), part("b", kIds, false, {})}),
              HasSubstr("no party holds any feature"));
}

TEST(SplitColumnsTest, JoiningTheSplitGivesThePooledTableBack) {
  const Table all = load_csv(kTrainCsv, "label");
  for (int n : {2, 3}) {
    const std::vector<Table> parts = split_columns(all, n);
    ASSERT_EQ(parts.size(), static_cast<std::size_t>(n));
    Eigen::Index cols = 0;
    for (int p = 0; p < n; ++p) {
      EXPECT_EQ(parts[p].rows(), all.rows());
      EXPECT_EQ(parts[p].labels.size() > 0, p == 0) << "only party 0 holds the label";
      EXPECT_EQ(parts[p].ids.front(), "1");
      EXPECT_EQ(parts[p].ids.back(), std::to_string(all.rows()));
      cols += parts[p].features.cols();
    }
    EXPECT_EQ(cols, all.features.cols());
    const Table joined = join_columns(parts);
    EXPECT_EQ(joined.feature_names, all.feature_names) << n << " parties";
    EXPECT_EQ(joined.features, all.features) << n << " parties";
    EXPECT_EQ(joined.labels, all.labels) << n << " parties";
  }
}

TEST(SplitColumnsTest, SplitFilesLoadBackToThePooledTable) {
  TempDir dir;
  const Table all = load_csv(kTrainCsv, "label");
  std::vector<Table> loaded;
  for (const Table& t : split_columns(all, 3)) {
    const auto path = dir.path() / (std::to_string(loaded.size()) + ".csv");
    save_csv(path, t, "label");
    loaded.push_back(load_csv(path, column_options()));
  }
  const Table joined = join_columns(loaded);
  EXPECT_EQ(joined.feature_names, all.feature_names);
  EXPECT_EQ(joined.features, all.features);  // 17 significant digits: exact round trip
  EXPECT_EQ(joined.labels, all.labels);
}

TEST(SplitColumnsTest, JoinRefusesDifferentIdsAndTwoLabels) {
  const Table all = load_csv(kTrainCsv, "label");
  std::vector<Table> parts = split_columns(all, 2);
  std::swap(parts[1].ids[3], parts[1].ids[4]);
  EXPECT_THROW(
      {
        try {
          join_columns(parts);
        } catch (const DataError& e) {
          EXPECT_THAT(e.what(), HasSubstr("ids differ"));
          throw;
        }
      },
      DataError);
  parts = split_columns(all, 2);
  parts[1].labels = parts[0].labels;
  EXPECT_THROW(join_columns(parts), DataError);
  EXPECT_THROW(split_columns(all, 31), DataError);  // 30 features
}

// The joint standardisation from the parties' column statistics is the pooled one, and the
// joint matrix from every party's shared columns, opened, is exactly their blocks side by side
// (the pooled data, standardised). Over every protocol and triple source.
class ShareColumnsTest : public ::testing::TestWithParam<ProtocolSetup> {};

TEST_P(ShareColumnsTest, JointMatrixAndStandardisationEqualThePooledData) {
  const ProtocolSetup& setup = GetParam();
  const Table all = load_csv(kTrainCsv, "label");
  const std::vector<Table> parts = split_columns(all, setup.parties);
  std::vector<Eigen::Index> cols;
  for (const auto& t : parts) cols.push_back(t.features.cols());
  const FixedPoint fp{};
  const Standardizer expected = Standardizer::fit(all.features);

  std::mutex mutex;
  const auto n = static_cast<std::size_t>(setup.parties);
  std::vector<IntMatrix> opened(n), blocks(n);
  std::vector<Standardizer> got(n);
  run_protocol(setup, 11, [&](Protocol& protocol) {
    const auto self = static_cast<std::size_t>(protocol.self());
    const Table& mine = parts[self];
    const Standardizer s = joint_standardizer_columns(protocol, mine.features, cols, all.rows());
    // This party's slice of the joint statistics standardises its own columns.
    const Standardizer own = party_columns(s, cols, protocol.self());
    const IntMatrix x_mine = fp.encode(own.apply(mine.features));
    const IntMatrix x = protocol.open(share_columns(protocol, x_mine, cols, all.rows()));
    const std::lock_guard lock(mutex);
    got[self] = s;
    blocks[self] = x_mine;
    opened[self] = x;
  });
  IntMatrix expected_x(all.rows(), all.features.cols());
  Eigen::Index at = 0;
  for (const auto& b : blocks) {
    expected_x.middleCols(at, b.cols()) = b;
    at += b.cols();
  }
  for (std::size_t p = 0; p < n; ++p) {
    const Standardizer& s = got[p];
    ASSERT_EQ(s.mean.size(), all.features.cols());
    for (Eigen::Index c = 0; c < s.mean.size(); ++c) {
      EXPECT_NEAR(s.mean(c), expected.mean(c), 1e-3) << "party " << p << " column " << c;
      EXPECT_NEAR(s.stddev(c), expected.stddev(c), 1e-3) << "party " << p << " column " << c;
    }
    EXPECT_EQ(opened[p], expected_x) << "party " << p;
    // ... which is the pooled data standardised (up to the statistics' fixed-point rounding).
    EXPECT_LT((fp.decode(opened[p]) - expected.apply(all.features)).cwiseAbs().maxCoeff(), 0.02)
        << "party " << p;
  }
}

INSTANTIATE_TEST_SUITE_P(Protocols, ShareColumnsTest,
                         ::testing::Values(jointly::testing::additive_setup(2),
                                           jointly::testing::additive_setup(3),
                                           jointly::testing::additive_ot_setup(),
                                           jointly::testing::shamir_setup(3),
                                           jointly::testing::replicated_setup()),
                         [](const auto& info) { return info.param.name; });

// Exactly the shares of the parties' encoded blocks, side by side: no rounding involved.
TEST(ShareColumnsExactTest, BlocksSideBySideInPartyOrder) {
  IntMatrix a(2, 2), c(2, 1);
  a << 1, 2, 3, 4;
  c << -5, 6;
  const std::vector<IntMatrix> blocks = {a, IntMatrix(2, 0), c};
  IntMatrix expected(2, 3);
  expected << 1, 2, -5, 3, 4, 6;
  std::vector<IntMatrix> opened(3);
  std::mutex mutex;
  run_protocol(jointly::testing::additive_setup(3), 3, [&](Protocol& protocol) {
    const IntMatrix x = protocol.open(
        share_columns(protocol, blocks[static_cast<std::size_t>(protocol.self())], {2, 0, 1}, 2));
    const std::lock_guard lock(mutex);
    opened[static_cast<std::size_t>(protocol.self())] = x;
  });
  for (const auto& x : opened) EXPECT_EQ(x, expected);
}

}  // namespace
}  // namespace jointly::ml
