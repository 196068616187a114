#include "protocols/ring.h"

#include <string>

namespace jointly {

net::Bytes pack(std::initializer_list<const RingMatrix*> parts) {
  std::size_t total = 0;
  for (const RingMatrix* m : parts) total += static_cast<std::size_t>(m->size()) * sizeof(Ring);
  net::Bytes out(total);
  std::size_t at = 0;
  for (const RingMatrix* m : parts) {
    const std::size_t n = static_cast<std::size_t>(m->size()) * sizeof(Ring);
    if (n != 0) std::memcpy(out.data() + at, m->data(), n);
    at += n;
  }
  return out;
}

void unpack(const net::Bytes& bytes, net::PartyId from,
            std::initializer_list<RingMatrix*> parts_with_shape) {
  std::size_t expected = 0;
  for (const RingMatrix* m : parts_with_shape) {
    expected += static_cast<std::size_t>(m->size()) * sizeof(Ring);
  }
  if (bytes.size() != expected) {
    throw net::PeerError(from, "party " + std::to_string(from) + " sent " +
                                   std::to_string(bytes.size()) +
                                   " bytes where the protocol expects " + std::to_string(expected));
  }
  std::size_t at = 0;
  for (RingMatrix* m : parts_with_shape) {
    const std::size_t n = static_cast<std::size_t>(m->size()) * sizeof(Ring);
    if (n != 0) std::memcpy(m->data(), bytes.data() + at, n);
    at += n;
  }
}

}  // namespace jointly
