#include "net/frame.h"

#include <gtest/gtest.h>

#include <random>

namespace jointly::net {
namespace {

TEST(Frame, HeaderRoundTrips) {
  for (const std::size_t length :
       {std::size_t{0}, std::size_t{1}, std::size_t{123456}, kMaxFrameBytes}) {
    const HeaderBytes bytes = encode_header(FrameKind::kData, length);
    const FrameHeader header = decode_header(bytes);
    EXPECT_EQ(header.kind, FrameKind::kData);
    EXPECT_EQ(header.length, length);
  }
  EXPECT_EQ(decode_header(encode_header(FrameKind::kBye, 0)).kind, FrameKind::kBye);
  EXPECT_EQ(decode_header(encode_header(FrameKind::kHello, kHelloBytes)).kind, FrameKind::kHello);
}

TEST(Frame, DataFramesCarryTheirChannel) {
  for (int channel = 0; channel < kChannels; ++channel) {
    const HeaderBytes bytes = encode_header(FrameKind::kData, 9, channel);
    EXPECT_EQ(bytes[2], channel);
    EXPECT_EQ(decode_header(bytes).channel, channel);
  }
  EXPECT_THROW(encode_header(FrameKind::kData, 9, kChannels), std::invalid_argument);
  EXPECT_THROW(encode_header(FrameKind::kAbort, 9, 1), std::invalid_argument);
}

TEST(Frame, DisagreementDetailIsBounded) {
  EXPECT_EQ(decode_header(encode_header(FrameKind::kDisagreement, kMaxAgreementDetailBytes)).length,
            kMaxAgreementDetailBytes);
  EXPECT_THROW(decode_header(encode_header(FrameKind::kDisagreement, kMaxAgreementDetailBytes + 1)),
               FrameError);
}

TEST(Frame, LengthIsLittleEndianAfterMagicKindAndReserved) {
  const HeaderBytes bytes = encode_header(FrameKind::kData, 0x01020304);
  EXPECT_EQ(bytes, (HeaderBytes{kFrameMagic, 2, 0, 0, 0x04, 0x03, 0x02, 0x01}));
}

TEST(Frame, EncodingAnOversizedFrameIsACallerBug) {
  EXPECT_THROW(encode_header(FrameKind::kData, kMaxFrameBytes + 1), std::length_error);
}

TEST(Frame, RejectsOversizedAndMalformedHeaders) {
  HeaderBytes huge = encode_header(FrameKind::kData, 0);
  huge[4] = huge[5] = huge[6] = huge[7] = 0xFF;  // 4 GiB - 1
  EXPECT_THROW(decode_header(huge), FrameError);

  HeaderBytes bad_magic = encode_header(FrameKind::kData, 1);
  bad_magic[0] = 'G';  // "GET / HTTP/1.1" from a stray browser
  EXPECT_THROW(decode_header(bad_magic), FrameError);

  HeaderBytes bad_kind = encode_header(FrameKind::kData, 1);
  bad_kind[1] = 0x77;
  EXPECT_THROW(decode_header(bad_kind), FrameError);

  HeaderBytes reserved = encode_header(FrameKind::kData, 1);
  reserved[3] = 1;
  EXPECT_THROW(decode_header(reserved), FrameError);

  HeaderBytes bad_channel = encode_header(FrameKind::kData, 1);
  bad_channel[2] = kChannels;
  EXPECT_THROW(decode_header(bad_channel), FrameError);
  HeaderBytes channel_on_bye = encode_header(FrameKind::kBye, 0);
  channel_on_bye[2] = 1;  // only data frames belong to a channel
  EXPECT_THROW(decode_header(channel_on_bye), FrameError);

  EXPECT_THROW(decode_header(encode_header(FrameKind::kHello, kHelloBytes + 1)), FrameError);
  EXPECT_THROW(decode_header(encode_header(FrameKind::kBye, 1)), FrameError);
}

TEST(Frame, RandomGarbageNeverDecodesToAnOversizedFrame) {
  std::mt19937_64 rng(2024);  // fixed seed: reproducible
  constexpr int kTrials = 100000;
  int accepted = 0;
  for (int i = 0; i < kTrials; ++i) {
    HeaderBytes bytes{};
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    try {
      const FrameHeader h = decode_header(bytes);
      EXPECT_LE(h.length, kMaxFrameBytes);
      ++accepted;
    } catch (const FrameError&) {
    }
  }
  // Random bytes pass only with the right magic, kind and zero reserved bytes: ~2^-32.
  EXPECT_LT(accepted, 3);
}

TEST(Frame, HelloRoundTripsAndChecksVersionAndSize) {
  Hello hello;
  hello.party = 2;
  for (std::size_t i = 0; i < hello.agreement.size(); ++i) {
    hello.agreement[i] = static_cast<std::uint8_t>(i);
  }
  HelloBytes bytes = encode_hello(hello);
  const Hello back = decode_hello(bytes);
  EXPECT_EQ(back.party, 2);
  EXPECT_EQ(back.agreement, hello.agreement);

  EXPECT_THROW(decode_hello(std::span(bytes).first(kHelloBytes - 1)), FrameError);
  bytes[0] = kWireVersion + 1;
  EXPECT_THROW(decode_hello(bytes), FrameError);
}

}  // namespace
}  // namespace jointly::net
