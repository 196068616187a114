#include "protocols/ring.h"

#include <gtest/gtest.h>

#include "protocols/prg.h"

namespace jointly {
namespace {

TEST(Ring, WrapsAroundLikeUnsigned64) {
  RingMatrix a(1, 2), b(1, 2);
  a << ~Ring{0}, Ring{1} << 63;
  b << 2, Ring{1} << 63;
  RingMatrix sum = a + b;
  EXPECT_EQ(sum(0, 0), 1u);
  EXPECT_EQ(sum(0, 1), 0u);
  EXPECT_EQ(to_int(a)(0, 0), -1);
}

TEST(Ring, ShiftSignedIsArithmetic) {
  EXPECT_EQ(shift_signed(static_cast<Ring>(-64), 3), static_cast<Ring>(-8));
  EXPECT_EQ(shift_signed(64, 3), 8u);
  EXPECT_EQ(shift_signed(static_cast<Ring>(-1), 16), static_cast<Ring>(-1));
}

TEST(Ring, PackUnpackRoundTripsSeveralMatrices) {
  Prg prg(seed_from_u64(1));
  RingMatrix a = prg.ring(3, 4), b = prg.ring(5, 1), empty(0, 7);
  net::Bytes bytes = pack({&a, &empty, &b});
  EXPECT_EQ(bytes.size(), (12 + 5) * sizeof(Ring));
  RingMatrix a2(3, 4), b2(5, 1), empty2(0, 7);
  unpack(bytes, 1, {&a2, &empty2, &b2});
  EXPECT_EQ(a, a2);
  EXPECT_EQ(b, b2);
}

TEST(Ring, UnpackRejectsWrongSizeNamingThePeer) {
  net::Bytes bytes(17);
  RingMatrix m(1, 2);
  try {
    unpack(bytes, 2, {&m});
    FAIL() << "a 17-byte message for a 16-byte tensor must be refused";
  } catch (const net::PeerError& e) {
    EXPECT_EQ(e.peer(), 2);
    EXPECT_NE(std::string(e.what()).find("party 2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace jointly
