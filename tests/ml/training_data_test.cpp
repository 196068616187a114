// parties/party/joint_data: what jointly-party checks in its training table before anything is
// shared (every value encodable, labels 0 or 1), each error naming file, line and column.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "ml/data/csv.h"
#include "parties/party/joint_data.h"
#include "temp_dir.h"

namespace jointly::parties {
namespace {

using jointly::testing::TempDir;
using ::testing::HasSubstr;

const FixedPoint kFp{.frac_bits = 16, .int_bits = kDefaultIntBits};

// The message of the exception `check_training_data` throws for `text` (as a CSV), or "".
template <class Error>
std::string check_error(const TempDir& dir, const std::string& text,
                        const ml::CsvOptions& options = {}) {
  const ml::Table t = ml::load_csv(dir.write("train.csv", text), options);
  try {
    check_training_data(t, kFp, options.label);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return "";
}

TEST(TrainingDataTest, AcceptsEncodableValuesAndBinaryLabels) {
  TempDir dir;
  const ml::Table t =
      ml::load_csv(dir.write("ok.csv", "age,weight,label\n30,-32767.5,1\n41,32767.9,0\n"));
  EXPECT_NO_THROW(check_training_data(t, kFp, "label"));
}

TEST(TrainingDataTest, ValueTooLargeForTheEncodingNamesFileLineAndColumn) {
  TempDir dir;
  // Blank lines count: the bad row is on line 5 of the file, the table's row 2.
  for (const std::string value : {"32768", "-1e9", "4.5e15"}) {
    const std::string msg = check_error<FixedPointRangeError>(
        dir, "age,weight,label\n30,70,1\n41,80,0\n\n52," + value + ",1\n");
    EXPECT_THAT(msg, HasSubstr((dir.path() / "train.csv").string() + " line 5 column 'weight'"))
        << value;
    EXPECT_THAT(msg, HasSubstr("outside the fixed-point range")) << value;
  }
}

TEST(TrainingDataTest, NonBinaryLabelNamesFileLineAndColumn) {
  TempDir dir;
  for (const std::string label : {"2", "-1", "0.5"}) {
    ml::CsvOptions options;
    options.label = "diagnosis";
    const std::string msg =
        check_error<ml::DataError>(dir, "age,diagnosis\n30,1\n\n41," + label + "\n52,0\n", options);
    EXPECT_THAT(msg, HasSubstr((dir.path() / "train.csv").string() + " line 4 column 'diagnosis'"))
        << label;
    EXPECT_THAT(msg, HasSubstr("label " + label + " is not 0 or 1")) << label;
  }
}

// Columns split: only one party holds the label; the others have none to check.
TEST(TrainingDataTest, ATableWithoutLabelsPasses) {
  TempDir dir;
  ml::CsvOptions options;
  options.id = "id";
  options.require_label = false;
  const ml::Table t = ml::load_csv(dir.write("b.csv", "id,age\nx,30\ny,41\n"), options);
  ASSERT_EQ(t.labels.size(), 0);
  EXPECT_NO_THROW(check_training_data(t, kFp, "label"));
}

}  // namespace
}  // namespace jointly::parties
