#include "protocols/fixed_point.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace jointly {
namespace {

TEST(FixedPoint, RoundTripsWithinHalfAnUlp) {
  FixedPoint fp;
  for (double v : {0.0, 1.0, -1.0, 3.14159, -2.5e-5, 32767.99, -32767.99}) {
    EXPECT_NEAR(fp.decode(fp.encode(v)), v, 0.5 / fp.scale()) << v;
  }
  EXPECT_EQ(fp.encode(1.0), 65536);
  EXPECT_EQ(fp.encode(-0.5), -32768);
}

TEST(FixedPoint, OutOfRangeNamesValueAndRange) {
  FixedPoint fp;
  try {
    fp.encode(40000.0, "data/a.csv row 3 column 'area'");
    FAIL() << "40000 must not encode with 15 integer bits";
  } catch (const FixedPointRangeError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("40000"), std::string::npos) << msg;
    EXPECT_NE(msg.find("32768"), std::string::npos) << msg;
    EXPECT_NE(msg.find("data/a.csv row 3 column 'area'"), std::string::npos) << msg;
  }
  EXPECT_THROW(fp.encode(-32768.0), FixedPointRangeError);
  EXPECT_THROW(fp.encode(std::numeric_limits<double>::quiet_NaN()), FixedPointRangeError);
  EXPECT_THROW(fp.encode(std::numeric_limits<double>::infinity()), FixedPointRangeError);
}

TEST(FixedPoint, MatrixErrorNamesRowAndColumn) {
  FixedPoint fp;
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(3, 4);
  m(2, 1) = 1e9;
  try {
    fp.encode(m, "weights");
    FAIL();
  } catch (const FixedPointRangeError& e) {
    EXPECT_NE(std::string(e.what()).find("weights row 2 column 1"), std::string::npos) << e.what();
  }
  m(2, 1) = -7.25;
  EXPECT_TRUE(fp.decode(fp.encode(m)).isApprox(m));
}

TEST(FixedPoint, OtherPrecisions) {
  FixedPoint fp{.frac_bits = 20, .int_bits = 10};
  EXPECT_EQ(fp.encode(1.0), 1 << 20);
  EXPECT_THROW(fp.encode(1024.0), FixedPointRangeError);
  EXPECT_NO_THROW(fp.encode(1023.5));
}

}  // namespace
}  // namespace jointly
