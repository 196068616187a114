// End to end, issue 16: split = "columns" with align = "psi". Two jointly-party processes hold
// breast cancer split by columns, each with 10% of the rows removed at random and hospital-b's
// rows shuffled; they run PSI on their ids, train on the common rows, and reach the accuracy of
// the plaintext reference trained on the true intersection (within one test row). Without
// common ids both stop with exit code 1 saying the intersection is empty.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "consortium_fixture.h"
#include "ml/data/csv.h"
#include "ml/data/partition.h"

namespace jointly::e2e {
namespace {

class PsiAlignTest : public ConsortiumTest {
 protected:
  // Two parties, breast cancer split by columns, align = "psi".
  ConsortiumSpec make_psi_consortium(int epochs) {
    ConsortiumSpec spec;
    spec.parties = 2;
    spec.split = "columns";
    spec.epochs = epochs;
    spec.timeout_s = 5;
    make_consortium(spec);
    if (!HasFatalFailure()) align_by_psi();
    return spec;
  }
  // Prepends align = "psi" to the consortium file (top-level keys come before [[party]]).
  void align_by_psi() {
    std::ofstream(dir_ / "consortium.toml") << "align = \"psi\"\n" << config_text();
  }
  // Keeps 90% of party p's rows at random (header kept), shuffled if `shuffle`.
  void drop_rows(int p, std::uint64_t seed, bool shuffle) {
    std::istringstream in(read_file(csv_of(p)));
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    const std::string header = lines.front();
    lines.erase(lines.begin());
    std::mt19937_64 rng(seed);
    std::shuffle(lines.begin(), lines.end(), rng);
    lines.resize(lines.size() - lines.size() / 10);
    if (!shuffle) {
      auto id = [](const std::string& l) { return std::stol(l.substr(0, l.find(','))); };
      std::sort(lines.begin(), lines.end(),
                [&](const auto& a, const auto& b) { return id(a) < id(b); });
    }
    std::ofstream out(csv_of(p));
    out << header << "\n";
    for (const auto& l : lines) out << l << "\n";
  }
};

ml::Table rows_of(const ml::Table& t, const std::vector<Index>& rows) {
  ml::Table r = t;
  r.features.resize(static_cast<Index>(rows.size()), t.features.cols());
  if (t.labels.size() > 0) r.labels.resize(static_cast<Index>(rows.size()));
  r.ids.clear();
  r.lines.clear();
  for (std::size_t k = 0; k < rows.size(); ++k) {
    r.features.row(static_cast<Index>(k)) = t.features.row(rows[k]);
    if (t.labels.size() > 0) r.labels(static_cast<Index>(k)) = t.labels(rows[k]);
    r.ids.push_back(t.ids[static_cast<std::size_t>(rows[k])]);
  }
  return r;
}

TEST_F(PsiAlignTest, TrainsOnTheCommonRowsToTheReferenceOnTheTrueIntersection) {
  const ConsortiumSpec spec = make_psi_consortium(10);
  ASSERT_FALSE(HasFatalFailure());
  drop_rows(0, 1, false);
  drop_rows(1, 2, true);
  start_all();
  const std::vector<int> codes = wait_all(std::chrono::seconds(60));
  ASSERT_EQ(codes, std::vector<int>({0, 0})) << logs();

  // The true intersection, pooled in hospital-a's order.
  ml::CsvOptions options;
  options.id = ml::kIdColumn;
  options.require_label = false;
  const ml::Table a = ml::load_csv(csv_of(0), options), b = ml::load_csv(csv_of(1), options);
  std::map<std::string, Index> in_b;
  for (Index r = 0; r < b.rows(); ++r) in_b[b.ids[static_cast<std::size_t>(r)]] = r;
  std::vector<Index> ra, rb;
  for (Index r = 0; r < a.rows(); ++r) {
    const auto it = in_b.find(a.ids[static_cast<std::size_t>(r)]);
    if (it == in_b.end()) continue;
    ra.push_back(r);
    rb.push_back(it->second);
  }
  ASSERT_GT(ra.size(), 300u);
  ASSERT_LT(ra.size(), static_cast<std::size_t>(a.rows()));
  const ml::Table pooled = ml::join_columns({rows_of(a, ra), rows_of(b, rb)});
  const PlaintextReference reference = plaintext_reference(pooled, spec);

  const nlohmann::json r = result_of(0);
  EXPECT_EQ(r["rows"].get<std::size_t>(), ra.size()) << r.dump();
  for (int p = 0; p < 2; ++p) {
    EXPECT_EQ(result_of(p)["rows_contributed"].get<std::size_t>(), ra.size()) << name(p);
    EXPECT_NE(stderr_of(p).find("PSI: " + std::to_string(ra.size()) + " of"), std::string::npos)
        << stderr_of(p);
  }
  // Another row order than the reference's batches, so the weights differ a little; the
  // accuracy is within one test row (the issue: within 1 point).
  EXPECT_NEAR(r["accuracy"].get<double>(), reference.accuracy, kOneTestRow + 1e-9) << r.dump();
  EXPECT_GE(reference.accuracy, kDocumentedAccuracy - 2 * kOneTestRow);
}

TEST_F(PsiAlignTest, NoCommonIdStopsBothWithCode1) {
  make_psi_consortium(3);
  ASSERT_FALSE(HasFatalFailure());
  // hospital-b's ids all moved out of hospital-a's range.
  std::istringstream in(read_file(csv_of(1)));
  std::string text, line;
  std::getline(in, line);
  text = line + "\n";
  while (std::getline(in, line)) text += "other-" + line + "\n";
  std::ofstream(csv_of(1)) << text;
  start_all();
  const std::vector<int> codes = wait_all(std::chrono::seconds(30));
  for (int p = 0; p < 2; ++p) {
    EXPECT_EQ(codes[static_cast<std::size_t>(p)], 1) << logs();
    EXPECT_NE(stderr_of(p).find("intersection is empty"), std::string::npos) << stderr_of(p);
  }
}

}  // namespace
}  // namespace jointly::e2e
