// Wire format of the socket transports (docs/net.md has the picture).
//
// Every message travels as one frame: an 8-byte header followed by `length` payload bytes.
//
//   byte 0     kFrameMagic, so a stray client or a non-jointly peer is spotted at once
//   byte 1     FrameKind
//   byte 2     channel (net::kChannels; data frames only, else zero)
//   byte 3     reserved, must be zero (room for flags without a new magic)
//   bytes 4-7  payload length, unsigned 32-bit little-endian, at most kMaxFrameBytes
//
// Decoding never trusts the peer: any header that is not exactly one of the shapes above is a
// FrameError, which the transport turns into a PeerError naming the peer, never a crash or an
// allocation of an attacker-chosen size before the peer is authenticated.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

#include "net/transport.h"

namespace jointly::net {

inline constexpr std::size_t kFrameHeaderBytes = 8;
inline constexpr std::uint8_t kFrameMagic = 0xA7;
// Bumped whenever the frame or hello layout changes; peers on different versions refuse.
// Version 2: peers whose agreement digests differ exchange a kDisagreement frame.
// Version 3: a party waiting for a message sends kKeepAlive frames to its other peers; data
// frames carry a channel number in byte 2.
inline constexpr std::uint32_t kWireVersion = 3;
inline constexpr std::size_t kAgreementBytes = 32;
// What a party tells a peer that disagrees with it, so that each can say what differs (see
// MeshOptions::agreement_detail). Small enough that both sides can send theirs before reading
// the other's without filling the sockets' buffers.
inline constexpr std::size_t kMaxAgreementDetailBytes = 16 * 1024;

enum class FrameKind : std::uint8_t {
  kHello = 1,  // first frame on a connection: wire version, party id, agreement digest
  kData = 2,   // one Transport message
  kBye = 3,    // orderly close: the sender will send nothing more
  kAbort = 4,  // the sender stops because of a failure; payload: why (text), for the error
  // Right after hellos whose agreement digests differ, both sides send one: the caller's
  // agreement detail (at most kMaxAgreementDetailBytes); then they hang up.
  kDisagreement = 5,
  // Empty. "I am alive and waiting for a message myself": sent by a party blocked in a receive
  // (during the first timeout of its wait) every kKeepAliveFraction of the timeout, so that a
  // peer waiting on it does not blame it for the silence of a third party (see Link::recv).
  kKeepAlive = 6,
};

// An abort's reason is for a human reading an error message: short text, bounded.
inline constexpr std::size_t kMaxAbortReasonBytes = 1024;
// How long a timed-out receive still waits for the silent peer's abort frame, which names
// the party that really failed: a timeout is reported after timeout + this grace.
inline constexpr std::chrono::milliseconds kAbortGrace{1000};
// A waiting party sends a keep-alive every timeout / kKeepAliveFraction.
inline constexpr int kKeepAliveFraction = 4;

struct FrameHeader {
  FrameKind kind = FrameKind::kData;
  std::uint32_t length = 0;
  int channel = 0;  // 0 .. kChannels - 1; non-zero only for data frames
};

// A header or hello that does not parse. The message says what was wrong, not who sent it:
// the transport adds the peer's name.
class FrameError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using HeaderBytes = std::array<std::uint8_t, kFrameHeaderBytes>;

// Throws std::length_error if `length` exceeds kMaxFrameBytes (a caller bug: split the batch).
// `channel` is for data frames only (std::invalid_argument otherwise or out of range).
HeaderBytes encode_header(FrameKind kind, std::size_t length, int channel = 0);
// Throws FrameError on a wrong magic, unknown kind, non-zero reserved byte, a channel out of
// range or on a frame other than data, a length above
// kMaxFrameBytes, or a length that the kind does not allow (hello is fixed-size, bye empty,
// abort and disagreement bounded).
FrameHeader decode_header(std::span<const std::uint8_t, kFrameHeaderBytes> bytes);

struct Hello {
  PartyId party = 0;
  std::array<std::uint8_t, kAgreementBytes> agreement{};
};

// Hello payload: wire version (u32 LE), party id (u32 LE), agreement digest (32 bytes).
inline constexpr std::size_t kHelloBytes = 4 + 4 + kAgreementBytes;
using HelloBytes = std::array<std::uint8_t, kHelloBytes>;

HelloBytes encode_hello(const Hello& hello);
// Throws FrameError on a wrong size or wire version. Does not check the party id's range:
// only the transport knows how many parties there are.
Hello decode_hello(std::span<const std::uint8_t> payload);

}  // namespace jointly::net
