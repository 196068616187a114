// ml/data/csv: loading training data (with an id column for the columns split) and reporting
// every defect with file, line and column.
#include "ml/data/csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "temp_dir.h"

namespace jointly::ml {
namespace {

using jointly::testing::TempDir;
using ::testing::HasSubstr;

// Loads `text` as a CSV and returns the DataError message (fails the test if none is thrown).
std::string load_error(const TempDir& dir, const std::string& text, const CsvOptions& options) {
  const auto path = dir.write("bad.csv", text);
  try {
    load_csv(path, options);
  } catch (const DataError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no DataError for:\n" << text;
  return "";
}
std::string load_error(const TempDir& dir, const std::string& text,
                       const std::string& label = "label") {
  CsvOptions options;
  options.label = label;
  return load_error(dir, text, options);
}

// How a party's CSV is read when the consortium splits by columns.
CsvOptions column_options() {
  CsvOptions options;
  options.id = "id";
  options.require_label = false;
  return options;
}

TEST(CsvTest, LoadsShapesNamesAndLabels) {
  TempDir dir;
  const auto path = dir.write("good.csv",
                              "age, label ,weight\n"
                              "30,1,70.5\n"
                              "\n"
                              "-41.25,0,1e2\n"
                              "52,1,0\n");
  const Table t = load_csv(path, "label");
  EXPECT_EQ(t.source, path.string());
  EXPECT_EQ(t.rows(), 3);
  ASSERT_EQ(t.features.cols(), 2);
  EXPECT_EQ(t.feature_names, (std::vector<std::string>{"age", "weight"}));
  ASSERT_EQ(t.labels.size(), 3);
  EXPECT_EQ(t.labels(0), 1);
  EXPECT_EQ(t.labels(1), 0);
  EXPECT_EQ(t.labels(2), 1);
  EXPECT_EQ(t.features(0, 0), 30);
  EXPECT_EQ(t.features(0, 1), 70.5);
  EXPECT_EQ(t.features(1, 0), -41.25);
  EXPECT_EQ(t.features(1, 1), 100);
  EXPECT_EQ(t.features(2, 1), 0);
}

// Checks made after loading (jointly-party: fixed-point range, binary label) report these.
TEST(CsvTest, RowsKeepTheirLineNumbers) {
  TempDir dir;
  const Table t = load_csv(dir.write("gaps.csv", "a,label\n1,0\n\n\n2,1\n3,0\n"), "label");
  EXPECT_EQ(t.lines, (std::vector<std::size_t>{2, 5, 6}));
  EXPECT_EQ(t.line(1), 5u);
  EXPECT_EQ(slice_rows(t, 1, 2).line(0), 5u);
  Table built = t;
  built.lines.clear();  // built in memory: one line per row after the header
  EXPECT_EQ(built.line(1), 3u);
}

TEST(CsvTest, AcceptsWindowsLineEndings) {
  TempDir dir;
  const Table t = load_csv(dir.write("crlf.csv", "a,label\r\n1,0\r\n2,1\r\n"), "label");
  EXPECT_EQ(t.feature_names, (std::vector<std::string>{"a"}));
  EXPECT_EQ(t.rows(), 2);
  EXPECT_EQ(t.labels(1), 1);
}

TEST(CsvTest, LoadsTheBundledDataSet) {
  const Table t = load_csv(JOINTLY_SOURCE_DIR "/data/breast_cancer_train.csv", "label");
  EXPECT_EQ(t.rows(), 455);
  EXPECT_EQ(t.features.cols(), 30);
  EXPECT_EQ(t.feature_names.front(), "mean_radius");
  EXPECT_EQ(t.labels.size(), 455);
}

TEST(CsvTest, SaveAndSliceRoundTrip) {
  TempDir dir;
  const Table t = load_csv(dir.write("in.csv", "a,b,label\n1,2.5,0\n3,4,1\n5,6.125,1\n"), "label");
  const Table part = slice_rows(t, 1, 2);
  EXPECT_EQ(part.rows(), 2);
  EXPECT_EQ(part.features(0, 0), 3);
  EXPECT_EQ(part.labels(1), 1);
  save_csv(dir.path() / "out.csv", part, "label");
  const Table back = load_csv(dir.path() / "out.csv", "label");
  EXPECT_EQ(back.feature_names, t.feature_names);
  EXPECT_EQ(back.features, part.features);
  EXPECT_EQ(back.labels, part.labels);
}

// Found by fuzz/csv_fuzz (fuzz/regressions/csv/slice_without_features): slicing a table that
// has no feature column took an Eigen block of a matrix whose data pointer is null, which
// UBSan reports as pointer arithmetic on null (the asan preset halts on it).
TEST(CsvTest, SliceOfATableWithoutFeatureColumns) {
  CsvOptions options;
  options.id = "id";
  const Table t = parse_csv("id,label\np1,1\np2,0\np3,1\n", "ids.csv", options);
  ASSERT_EQ(t.rows(), 3);
  EXPECT_EQ(t.features.cols(), 0);
  const Table s = slice_rows(t, 1, 2);
  EXPECT_EQ(s.rows(), 2);
  EXPECT_EQ(s.features.cols(), 0);
  EXPECT_EQ(s.ids, (std::vector<std::string>{"p2", "p3"}));
  ASSERT_EQ(s.labels.size(), 2);
  EXPECT_DOUBLE_EQ(s.labels(0), 0);
  EXPECT_DOUBLE_EQ(s.labels(1), 1);
}

TEST(CsvTest, NonNumericCellNamesFileLineAndColumn) {
  TempDir dir;
  const std::string msg = load_error(dir, "age,weight,label\n30,70,1\n41,heavy,0\n");
  EXPECT_THAT(msg, HasSubstr((dir.path() / "bad.csv").string()));
  EXPECT_THAT(msg, HasSubstr("line 3"));
  EXPECT_THAT(msg, HasSubstr("'weight'"));
  EXPECT_THAT(msg, HasSubstr("heavy"));
}

// parse_csv is the reader behind load_csv, for text in memory (the fuzz target uses it).
TEST(CsvTest, ParsesTextInMemoryNamingTheGivenSource) {
  const Table t = parse_csv("age,label\n30,1\n41,0\n", "upload.csv");
  EXPECT_EQ(t.source, "upload.csv");
  EXPECT_EQ(t.rows(), 2);
  EXPECT_DOUBLE_EQ(t.features(1, 0), 41);
  try {
    parse_csv("age,label\n30,1\n41,heavy\n", "upload.csv");
    ADD_FAILURE() << "no DataError";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("upload.csv line 3: column 'label' holds 'heavy'"));
  }
}

TEST(CsvTest, EmptyCellNamesFileLineAndColumn) {
  TempDir dir;
  const std::string msg = load_error(dir, "age,weight,label\n30,70,1\n41,,0\n");
  EXPECT_THAT(msg, HasSubstr((dir.path() / "bad.csv").string()));
  EXPECT_THAT(msg, HasSubstr("line 3"));
  EXPECT_THAT(msg, HasSubstr("'weight'"));
  EXPECT_THAT(msg, HasSubstr("empty"));
}

TEST(CsvTest, EmptyLastCellIsReportedNotDropped) {
  TempDir dir;
  const std::string msg = load_error(dir, "age,weight,label\n30,70,\n");
  EXPECT_THAT(msg, HasSubstr("line 2"));
  EXPECT_THAT(msg, HasSubstr("'label'"));
}

TEST(CsvTest, RaggedRowNamesFileAndLine) {
  TempDir dir;
  for (const std::string row : {"41,0", "41,70,0,9"}) {
    const std::string msg = load_error(dir, "age,weight,label\n30,70,1\n\n" + row + "\n");
    EXPECT_THAT(msg, HasSubstr((dir.path() / "bad.csv").string()));
    EXPECT_THAT(msg, HasSubstr("line 4"));  // blank lines still count
    EXPECT_THAT(msg, HasSubstr("cells"));
  }
}

TEST(CsvTest, NanAndInfinitiesAreRefused) {
  TempDir dir;
  for (const std::string cell : {"nan", "NaN", "inf", "-Infinity"}) {
    const std::string msg = load_error(dir, "age,weight,label\n30,70,1\n41," + cell + ",0\n");
    EXPECT_THAT(msg, HasSubstr((dir.path() / "bad.csv").string())) << cell;
    EXPECT_THAT(msg, HasSubstr("line 3")) << cell;
    EXPECT_THAT(msg, HasSubstr("'weight'")) << cell;
  }
}

TEST(CsvTest, NanLabelIsRefused) {
  TempDir dir;
  const std::string msg = load_error(dir, "age,label\n30,nan\n");
  EXPECT_THAT(msg, HasSubstr("line 2"));
  EXPECT_THAT(msg, HasSubstr("'label'"));
}

TEST(CsvTest, EmptyFileNamesTheFile) {
  TempDir dir;
  for (const std::string text : {"", "\n", "  \n"}) {
    const std::string msg = load_error(dir, text);
    EXPECT_THAT(msg, HasSubstr((dir.path() / "bad.csv").string()));
    EXPECT_THAT(msg, HasSubstr("empty"));
  }
}

TEST(CsvTest, HeaderOnlyNamesTheFile) {
  TempDir dir;
  for (const std::string text : {"age,label", "age,label\n", "age,label\n\n\n"}) {
    const std::string msg = load_error(dir, text);
    EXPECT_THAT(msg, HasSubstr((dir.path() / "bad.csv").string()));
    EXPECT_THAT(msg, HasSubstr("no data rows"));
  }
}

TEST(CsvTest, MissingLabelColumnNamesFileLineAndColumn) {
  TempDir dir;
  const std::string msg = load_error(dir, "age,outcome\n30,1\n", "diagnosis");
  EXPECT_THAT(msg, HasSubstr((dir.path() / "bad.csv").string()));
  EXPECT_THAT(msg, HasSubstr("line 1"));
  EXPECT_THAT(msg, HasSubstr("'diagnosis'"));
}

TEST(CsvTest, DuplicateColumnNameNamesFileLineAndColumn) {
  TempDir dir;
  const std::string msg = load_error(dir, "age,weight, age,label\n30,70,31,1\n");
  EXPECT_THAT(msg, HasSubstr((dir.path() / "bad.csv").string()));
  EXPECT_THAT(msg, HasSubstr("line 1"));
  EXPECT_THAT(msg, HasSubstr("'age'"));
  EXPECT_THAT(msg, HasSubstr("twice"));
}

TEST(CsvTest, EmptyColumnNameIsRefused) {
  TempDir dir;
  const std::string msg = load_error(dir, "age,,label\n30,70,1\n");
  EXPECT_THAT(msg, HasSubstr("line 1"));
}

TEST(CsvTest, MissingFileNamesTheFile) {
  TempDir dir;
  const auto path = dir.path() / "no-such.csv";
  try {
    load_csv(path, "label");
    FAIL() << "no DataError";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path.string()));
    EXPECT_THAT(e.what(), HasSubstr("cannot open"));
  }
}

TEST(ColumnsCsvTest, IdsAreLoadedInOrderAndAreNotFeatures) {
  TempDir dir;
  const Table t = load_csv(dir.write("a.csv", "age,id,weight\n30, p-7 ,70\n41,p-2,80\n52,p-9,90\n"),
                           column_options());
  EXPECT_EQ(t.ids, (std::vector<std::string>{"p-7", "p-2", "p-9"}));
  EXPECT_EQ(t.feature_names, (std::vector<std::string>{"age", "weight"}));
  EXPECT_EQ(t.features(1, 1), 80);
  EXPECT_EQ(t.labels.size(), 0);  // the label is optional in a columns split
}

TEST(ColumnsCsvTest, MissingIdColumnNamesTheFile) {
  TempDir dir;
  const std::string msg = load_error(dir, "age,weight\n30,70\n", column_options());
  EXPECT_THAT(msg, HasSubstr((dir.path() / "bad.csv").string()));
  EXPECT_THAT(msg, HasSubstr("'id'"));
}

TEST(ColumnsCsvTest, DuplicateIdNamesFileLineAndColumn) {
  TempDir dir;
  const std::string msg = load_error(dir, "id,age\n1,30\n2,41\n\n1,52\n", column_options());
  EXPECT_THAT(msg, HasSubstr((dir.path() / "bad.csv").string()));
  EXPECT_THAT(msg, HasSubstr("line 5"));
  EXPECT_THAT(msg, HasSubstr("'id'"));
  EXPECT_THAT(msg, HasSubstr("line 2"));  // where it first occurred
  EXPECT_THAT(msg, HasSubstr("unique"));
}

TEST(ColumnsCsvTest, EmptyIdNamesFileLineAndColumn) {
  TempDir dir;
  const std::string msg = load_error(dir, "id,age\n1,30\n ,41\n", column_options());
  EXPECT_THAT(msg, HasSubstr("line 3"));
  EXPECT_THAT(msg, HasSubstr("'id'"));
}

TEST(ColumnsCsvTest, SavedIdsLoadBack) {
  TempDir dir;
  const Table t = load_csv(dir.write("a.csv", "id,a,label\nx,1.5,0\ny,2,1\n"), column_options());
  save_csv(dir.path() / "b.csv", t, "label");
  const Table back = load_csv(dir.path() / "b.csv", column_options());
  EXPECT_EQ(back.ids, t.ids);
  EXPECT_EQ(back.feature_names, t.feature_names);
  EXPECT_EQ(back.features, t.features);
  EXPECT_EQ(back.labels, t.labels);
}

// ---- RFC 4180 and what exporters write (docs/reliability.md lists each variant) ----

std::string parse_error(const std::string& text, const CsvOptions& options = {}) {
  try {
    parse_csv(text, "x.csv", options);
  } catch (const DataError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no DataError for:\n" << text;
  return "";
}

void expect_table(const Table& t, const std::vector<std::string>& names,
                  const Eigen::MatrixXd& features, const Eigen::VectorXd& labels) {
  EXPECT_EQ(t.feature_names, names);
  ASSERT_EQ(t.features.rows(), features.rows());
  ASSERT_EQ(t.features.cols(), features.cols());
  EXPECT_EQ(t.features, features);
  EXPECT_EQ(t.labels, labels);
}

// Python's csv.writer(f, quoting=csv.QUOTE_ALL): every field quoted, the header too, CRLF.
TEST(CsvFormatsTest, PythonQuoteAll) {
  const Table t = parse_csv(
      "\"age\",\"price\",\"label\"\r\n\"30\",\"17.99\",\"1\"\r\n"
      "\"41\",\"-2.5e3\",\"0\"\r\n",
      "x.csv");
  expect_table(t, {"age", "price"}, (Eigen::MatrixXd(2, 2) << 30, 17.99, 41, -2500).finished(),
               Eigen::Vector2d(1, 0));
}

// R's write.csv(df, row.names = FALSE): quoted header, unquoted numbers, LF, 1e-04 exponents.
TEST(CsvFormatsTest, RWriteCsv) {
  const Table t = parse_csv("\"age\",\"dose\",\"label\"\n30,1e-04,1\n41,0.5,0\n", "x.csv");
  expect_table(t, {"age", "dose"}, (Eigen::MatrixXd(2, 2) << 30, 1e-4, 41, 0.5).finished(),
               Eigen::Vector2d(1, 0));
  // With its default row.names = TRUE the first header name is empty: refused with the fix.
  const std::string msg = parse_error("\"\",\"age\",\"label\"\n\"1\",30,1\n");
  EXPECT_THAT(msg, HasSubstr("x.csv line 1"));
  EXPECT_THAT(msg, HasSubstr("row.names = FALSE"));
}

// A spreadsheet's "CSV UTF-8": a byte-order mark before the first header name, CRLF.
TEST(CsvFormatsTest, ByteOrderMarkAndCrlf) {
  const Table t = parse_csv("\xEF\xBB\xBFlabel,age\r\n1,30\r\n0,41\r\n", "x.csv");
  expect_table(t, {"age"}, (Eigen::MatrixXd(2, 1) << 30, 41).finished(), Eigen::Vector2d(1, 0));
  // Only at the very start: elsewhere it is text, and not a number.
  EXPECT_THAT(parse_error("age,label\n\xEF\xBB\xBF"
                          "30,1\n"),
              HasSubstr("not a number"));
}

TEST(CsvFormatsTest, NumbersAcceptedAsStrtodReadsThem) {
  const Table t = parse_csv(
      "a,b,c,d,e,label\n+17.99,-0.5,.25,3.,1E+2,+1\n\" 7 \",  8  ,\"+9e-1\",-1e0,0,0\n", "x.csv");
  expect_table(t, {"a", "b", "c", "d", "e"},
               (Eigen::MatrixXd(2, 5) << 17.99, -0.5, 0.25, 3, 100, 7, 8, 0.9, -1, 0).finished(),
               Eigen::Vector2d(1, 0));
}

TEST(CsvFormatsTest, NumbersRefusedNameLineAndColumn) {
  for (const char* bad : {"0x1p3", "17,99", "1 000", "++1", "+-1", "1e", "nan", "+inf", "1.2.3"}) {
    const std::string text = std::string("a,label\n1,1\n\"") + bad + "\",0\n";
    const std::string msg = parse_error(text);
    EXPECT_THAT(msg, HasSubstr("x.csv line 3")) << bad;
    EXPECT_THAT(msg, HasSubstr("column 'a'")) << bad;
  }
  EXPECT_THAT(parse_error("a,label\n\"17,99\",0\n"), HasSubstr("decimal separator"));
  EXPECT_THAT(parse_error("a,label\n1e999,0\n"), HasSubstr("out of the range"));
}

// Quoted fields may hold the separator, doubled quotes and line breaks (header names too).
TEST(CsvFormatsTest, QuotedCommaQuoteAndLineBreakInsideAField) {
  const Table t = parse_csv(
      "\"weight, kg\",\"say \"\"hi\"\"\",\"two\nlines\",label\n70,1,2,1\n\"80\",3,4,0\n", "x.csv");
  EXPECT_EQ(t.feature_names, (std::vector<std::string>{"weight, kg", "say \"hi\"", "two\nlines"}));
  EXPECT_EQ(t.rows(), 2);
  EXPECT_EQ(t.lines, (std::vector<std::size_t>{3, 4}));  // the header spans lines 1 and 2
  // Ids may be quoted too.
  const Table ids = parse_csv("id,x\n\"p,1\",1\n\"p,2\",2\n", "x.csv", column_options());
  EXPECT_EQ(ids.ids, (std::vector<std::string>{"p,1", "p,2"}));
}

TEST(CsvFormatsTest, BlanksAroundQuotesAreAllowed) {
  const Table t = parse_csv("\"a\" , \"label\"\n \"1\" ,\"0\"\n", "x.csv");
  EXPECT_EQ(t.feature_names, (std::vector<std::string>{"a"}));
  EXPECT_DOUBLE_EQ(t.features(0, 0), 1);
}

TEST(CsvFormatsTest, UnterminatedQuoteNamesLineAndColumn) {
  const std::string msg = parse_error("a,label\n1,0\n2,\"0\n3,1\n");
  EXPECT_THAT(msg, HasSubstr("x.csv line 3"));
  EXPECT_THAT(msg, HasSubstr("column 3"));
  EXPECT_THAT(msg, HasSubstr("never closed"));
}

TEST(CsvFormatsTest, QuoteInsideAnUnquotedFieldNamesLineAndColumn) {
  const std::string msg = parse_error("a,label\n1,0\n12\"3,1\n");
  EXPECT_THAT(msg, HasSubstr("x.csv line 3: column 3"));
  EXPECT_THAT(msg, HasSubstr("quote inside an unquoted field"));
}

TEST(CsvFormatsTest, TextAfterAClosingQuoteNamesLineAndColumn) {
  const std::string msg = parse_error("a,label\n\"1\"2,0\n");
  EXPECT_THAT(msg, HasSubstr("x.csv line 2: column 4"));
  EXPECT_THAT(msg, HasSubstr("after a closing quote"));
}

TEST(CsvFormatsTest, QuotedEmptyLineIsARaggedRowNotABlankLine) {
  EXPECT_THAT(parse_error("a,label\n1,0\n\"\"\n"), HasSubstr("line 3: has 1 cells"));
}

// save_csv quotes names that need it, so jointly-sim's split files load back the same.
TEST(CsvFormatsTest, SaveQuotesNamesThatNeedIt) {
  TempDir dir;
  Table t = parse_csv("\"weight, kg\",\"say \"\"hi\"\"\",label\n70,1,1\n", "x.csv");
  const auto path = dir.path() / "out.csv";
  save_csv(path, t, "label");
  EXPECT_EQ(load_csv(path, "label").feature_names, t.feature_names);
}

TEST(CsvFormatsTest, DevZeroIsRefusedAtOnce) {
  try {
    load_csv("/dev/zero", "label");
    FAIL() << "no DataError";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("/dev/zero"));
    EXPECT_THAT(e.what(), HasSubstr("not a regular file"));
  }
}

}  // namespace
}  // namespace jointly::ml
