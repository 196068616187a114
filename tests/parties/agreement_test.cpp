// What a party says when a peer's agreement digest differs (parties/party/agreement.h): which
// of the consortium file and the data file's header differs, and the first differing column.
#include "parties/party/agreement.h"

#include <gtest/gtest.h>

namespace jointly::parties {
namespace {

Consortium consortium(const std::string& text, const std::string& label = "label",
                      const std::string& split = "rows") {
  Consortium c;
  c.path = "site/consortium.toml";
  c.text = text;
  c.label = label;
  c.split = split;
  return c;
}

// A table as load_csv reads `header` (names separated by commas, the label column skipped).
ml::Table table(const std::string& header, const std::string& label = "label") {
  ml::Table t;
  t.source = "site/data.csv";
  std::size_t column = 0, start = 0;
  for (;;) {
    const std::size_t end = header.find(',', start);
    const std::string name = header.substr(start, end - start);
    ++column;
    if (name != label) {
      t.feature_names.push_back(name);
      t.feature_columns.push_back(column);
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return t;
}

// What `here` says of `there` (named hospital-b), through the encoded detail as on the wire.
std::string explain(const Consortium& c_here, const ml::Table& here, const Consortium& c_there,
                    const ml::Table& there) {
  const std::string wire = encode_schema(describe_schema(c_there, there));
  EXPECT_LE(wire.size(), net::kMaxAgreementDetailBytes);
  return explain_disagreement(describe_schema(c_here, here), decode_schema(wire), "hospital-b");
}

TEST(Agreement, DigestCoversTheFileAndTheFeatureNamesInOrder) {
  const auto digest = [](const Consortium& c, const ml::Table& t) {
    net::MeshOptions o;
    set_agreement(o, c, t);
    return o.agreement;
  };
  const Consortium c = consortium("epochs = 3\n");
  const auto base = digest(c, table("age,dose,label"));
  EXPECT_EQ(base, digest(c, table("age,label,dose")));  // the label's place is not agreed on
  EXPECT_NE(base, digest(c, table("age,Dose,label")));
  EXPECT_NE(base, digest(c, table("dose,age,label")));
  EXPECT_NE(base, digest(consortium("epochs = 4\n"), table("age,dose,label")));
  // With split = "columns" every party has its own columns: only the file and label count.
  const Consortium cols = consortium("split = \"columns\"\n", "label", "columns");
  EXPECT_EQ(digest(cols, table("age,label")), digest(cols, table("dose")));
}

TEST(Agreement, NamesTheFirstDifferingColumnInOurOwnFile) {
  const Consortium c = consortium("epochs = 3\n");
  EXPECT_EQ(explain(c, table("id_x,age,dose,label"), c, table("id_x,Age,dose,label")),
            "site/data.csv's header differs from hospital-b's at column 2: 'age' here, 'Age' "
            "there");
  // Features are compared in order; the label's column does not count, ours is numbered.
  EXPECT_EQ(explain(c, table("label,a,b,c"), c, table("a,c,b,label")),
            "site/data.csv's header differs from hospital-b's at column 3: 'b' here, 'c' there");
}

TEST(Agreement, ReportsAColumnCountThatDiffers) {
  const Consortium c = consortium("epochs = 3\n");
  EXPECT_EQ(explain(c, table("a,b,c,label"), c, table("a,b,label")),
            "site/data.csv's header differs from hospital-b's: 3 feature columns here, 2 there "
            "(label aside); column 3 'c' is not in hospital-b's");
  EXPECT_EQ(explain(c, table("a,b,label"), c, table("a,b,c,label")),
            "site/data.csv's header differs from hospital-b's: 2 feature columns here, 3 there "
            "(label aside); hospital-b's has 'c' where ours ends");
}

TEST(Agreement, ReportsAConsortiumFileThatDiffersAndItsLabel) {
  const ml::Table t = table("a,b,label");
  const std::string text =
      explain(consortium("learning_rate = 0.1\n"), t, consortium("learning_rate = 0.2\n"), t);
  EXPECT_EQ(text.rfind("site/consortium.toml: the consortium file differs from hospital-b's "
                       "(SHA-256 ",
                       0),
            0u)
      << text;
  EXPECT_EQ(text.find("header"), std::string::npos) << text;
  const std::string label = explain(consortium("label = \"y\"\n", "y"), table("a,b,y", "y"),
                                    consortium("label = \"z\"\n", "z"), table("a,b,z", "z"));
  EXPECT_NE(label.find("its label column is 'y' here, 'z' there"), std::string::npos) << label;
  // Both differ: both are said.
  const std::string both =
      explain(consortium("x = 1\n"), table("a,b,label"), consortium("x = 2\n"), table("a,B,label"));
  EXPECT_NE(both.find("the consortium file differs"), std::string::npos) << both;
  EXPECT_NE(both.find("; and site/data.csv's header differs from hospital-b's at column 2"),
            std::string::npos)
      << both;
}

// A header too wide for the bounded detail is compared as far as its names travelled.
TEST(Agreement, AWideHeaderIsComparedAsFarAsItFits) {
  std::string wide, renamed;
  for (int i = 0; i < 3000; ++i) {
    const std::string name = "feature_number_" + std::to_string(i);
    wide += name + ",";
    renamed += (i == 2999 ? "renamed" : name) + ",";
  }
  const Consortium c = consortium("epochs = 3\n");
  const ml::Table here = table(wide + "label"), there = table(renamed + "label");
  const SchemaDescription sent = decode_schema(encode_schema(describe_schema(c, there)));
  ASSERT_LT(sent.features.size(), 3000u);
  EXPECT_EQ(sent.feature_count, 3000u);
  const std::string text = explain(c, here, c, there);
  EXPECT_EQ(text, "site/data.csv's header differs from hospital-b's beyond its first " +
                      std::to_string(sent.features.size()) +
                      " feature columns, which agree (only those fit in the comparison)");
}

TEST(Agreement, AMalformedDetailIsAnError) {
  EXPECT_ANY_THROW(decode_schema("not json"));
  EXPECT_ANY_THROW(decode_schema("{\"label\": 1}"));
  EXPECT_ANY_THROW(decode_schema(R"({"consortium_sha256":"00","label":"l","split":"rows",)"
                                 R"("feature_count":0,"features":["a"]})"));
}

}  // namespace
}  // namespace jointly::parties
