#include "net/frame.h"

#include <algorithm>
#include <limits>

namespace jointly::net {
namespace {

constexpr int kBitsPerByte = 8;
constexpr std::size_t kLengthOffset = 4;
constexpr std::size_t kU32Bytes = 4;

void put_u32(std::uint8_t* out, std::uint32_t value) {
  for (std::size_t i = 0; i < kU32Bytes; ++i) {
    out[i] = static_cast<std::uint8_t>(value >> (kBitsPerByte * i));
  }
}

std::uint32_t get_u32(const std::uint8_t* in) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < kU32Bytes; ++i) {
    value |= static_cast<std::uint32_t>(in[i]) << (kBitsPerByte * i);
  }
  return value;
}

}  // namespace

HeaderBytes encode_header(FrameKind kind, std::size_t length, int channel) {
  if (channel < 0 || channel >= kChannels || (channel != 0 && kind != FrameKind::kData)) {
    throw std::invalid_argument("frame channel " + std::to_string(channel) + " not allowed");
  }
  if (length > kMaxFrameBytes) {
    throw std::length_error("frame of " + std::to_string(length) + " bytes exceeds the " +
                            std::to_string(kMaxFrameBytes) + "-byte limit; split the batch");
  }
  HeaderBytes out{};
  out[0] = kFrameMagic;
  out[1] = static_cast<std::uint8_t>(kind);
  out[2] = static_cast<std::uint8_t>(channel);
  put_u32(out.data() + kLengthOffset, static_cast<std::uint32_t>(length));
  return out;
}

FrameHeader decode_header(std::span<const std::uint8_t, kFrameHeaderBytes> bytes) {
  if (bytes[0] != kFrameMagic) throw FrameError("not a jointly frame (bad magic byte)");
  if (bytes[3] != 0) throw FrameError("malformed frame header (reserved byte)");
  const int channel = bytes[2];
  if (channel >= kChannels || (channel != 0 && bytes[1] != static_cast<int>(FrameKind::kData))) {
    throw FrameError("malformed frame header (channel " + std::to_string(channel) + ")");
  }
  const std::uint32_t length = get_u32(bytes.data() + kLengthOffset);
  if (length > kMaxFrameBytes) {
    throw FrameError("frame of " + std::to_string(length) + " bytes exceeds the " +
                     std::to_string(kMaxFrameBytes) + "-byte limit");
  }
  const auto kind = static_cast<FrameKind>(bytes[1]);
  switch (kind) {
    case FrameKind::kHello:
      if (length != kHelloBytes) throw FrameError("hello frame of the wrong size");
      break;
    case FrameKind::kBye:
      if (length != 0) throw FrameError("bye frame with a payload");
      break;
    case FrameKind::kKeepAlive:
      if (length != 0) throw FrameError("keep-alive frame with a payload");
      break;
    case FrameKind::kData:
      break;
    case FrameKind::kAbort:
      if (length > kMaxAbortReasonBytes) throw FrameError("abort frame with an oversized reason");
      break;
    case FrameKind::kDisagreement:
      if (length > kMaxAgreementDetailBytes) {
        throw FrameError("disagreement frame with an oversized detail");
      }
      break;
    default:
      throw FrameError("unknown frame kind " + std::to_string(bytes[1]));
  }
  return FrameHeader{kind, length, channel};
}

HelloBytes encode_hello(const Hello& hello) {
  HelloBytes out{};
  put_u32(out.data(), kWireVersion);
  put_u32(out.data() + kU32Bytes, static_cast<std::uint32_t>(hello.party));
  std::copy(hello.agreement.begin(), hello.agreement.end(), out.begin() + 2 * kU32Bytes);
  return out;
}

Hello decode_hello(std::span<const std::uint8_t> payload) {
  if (payload.size() != kHelloBytes) throw FrameError("hello of the wrong size");
  const std::uint32_t version = get_u32(payload.data());
  if (version != kWireVersion) {
    throw FrameError("peer speaks wire version " + std::to_string(version) + ", we speak " +
                     std::to_string(kWireVersion) + " (upgrade every party to one release)");
  }
  const std::uint32_t party = get_u32(payload.data() + kU32Bytes);
  if (party > static_cast<std::uint32_t>(std::numeric_limits<PartyId>::max())) {
    throw FrameError("hello with an impossible party id");
  }
  Hello hello;
  hello.party = static_cast<PartyId>(party);
  std::copy(payload.begin() + 2 * kU32Bytes, payload.end(), hello.agreement.begin());
  return hello;
}

}  // namespace jointly::net
