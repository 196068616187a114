// Fuzz target: the frame decoder (net/frame.h) on bytes as a hostile peer would send them.
//
// The input is read the way the handshake and Link::read_loop read a connection: a header,
// the payload it announces, the next header, and so on; a hello's payload goes through
// decode_hello. FrameError is the documented failure. Every header and hello that decodes
// must re-encode to the very same bytes, else the decoder accepted something it should not.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz/fuzz_check.h"
#include "net/frame.h"

namespace {

using namespace jointly::net;

void read_stream(std::span<const std::uint8_t> rest) {
  while (rest.size() >= kFrameHeaderBytes) {
    const std::span<const std::uint8_t, kFrameHeaderBytes> raw = rest.first<kFrameHeaderBytes>();
    const FrameHeader header = decode_header(raw);
    const HeaderBytes again = encode_header(header.kind, header.length);
    JOINTLY_FUZZ_CHECK(std::equal(again.begin(), again.end(), raw.begin()));
    rest = rest.subspan(kFrameHeaderBytes);
    if (rest.size() < header.length) return;  // the transport would wait for more bytes
    const std::span<const std::uint8_t> payload = rest.first(header.length);
    rest = rest.subspan(header.length);
    if (header.kind == FrameKind::kHello) {
      const HelloBytes hello = encode_hello(decode_hello(payload));
      JOINTLY_FUZZ_CHECK(std::equal(hello.begin(), hello.end(), payload.begin()));
    }
    if (header.kind == FrameKind::kBye) return;  // nothing is read after a bye
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  try {
    read_stream(bytes);
  } catch (const FrameError&) {
  }
  try {
    decode_hello(bytes);  // the whole input as one hello payload: every size but one is refused
  } catch (const FrameError&) {
  }
  return 0;
}
