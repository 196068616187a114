#include "circuits/gmw/gmw.h"

#include <cstring>
#if defined(__BMI2__) && !defined(__znver1__) && !defined(__znver2__)
#include <immintrin.h>
#endif
#include <stdexcept>
#include <string>

#include "protocols/additive/additive.h"

namespace jointly::circuits {
namespace {

Additive& require_additive(Protocol& protocol, std::string_view op) {
  if (auto* additive = dynamic_cast<Additive*>(&protocol)) return *additive;
  throw std::invalid_argument(std::string(op) + " is implemented for the additive protocol over " +
                              "Z_2^64 only, not for " + protocol.name());
}

net::Bytes to_bytes(const Words& a, const Words& b) {
  net::Bytes out((a.size() + b.size()) * sizeof(Ring));
  if (!a.empty()) std::memcpy(out.data(), a.data(), a.size() * sizeof(Ring));
  if (!b.empty()) {
    std::memcpy(out.data() + a.size() * sizeof(Ring), b.data(), b.size() * sizeof(Ring));
  }
  return out;
}

}  // namespace

Gmw::Gmw(Protocol& protocol, std::string_view op)
    : protocol_(protocol), additive_(require_additive(protocol, op)) {}

TripleSource& Gmw::triples() const { return additive_.triples(); }

void Gmw::open(Words& xor_words, Words& sum_elements) {
  const std::size_t nx = xor_words.size(), ns = sum_elements.size();
  const std::vector<net::Bytes> in =
      protocol_.network().broadcast(to_bytes(xor_words, sum_elements));
  const std::size_t expected = (nx + ns) * sizeof(Ring);
  for (net::PartyId p = 0; p < parties(); ++p) {
    if (p == self()) continue;
    if (in[p].size() != expected) {
      throw net::PeerError(p, protocol_.network().peer_name(p) + " sent " +
                                  std::to_string(in[p].size()) + " bytes where GMW expects " +
                                  std::to_string(expected));
    }
    const std::uint8_t* at = in[p].data();
    for (std::size_t i = 0; i < nx; ++i, at += sizeof(Ring)) {
      Ring w;
      std::memcpy(&w, at, sizeof(Ring));
      xor_words[i] ^= w;
    }
    for (std::size_t i = 0; i < ns; ++i, at += sizeof(Ring)) {
      Ring w;
      std::memcpy(&w, at, sizeof(Ring));
      sum_elements[i] += w;
    }
  }
}

Words Gmw::and_words(std::span<const Ring> x, std::span<const Ring> y) {
  if (x.size() != y.size()) throw std::logic_error("and_words: operand sizes differ");
  const Index len = static_cast<Index>(x.size());
  if (len == 0) return {};
  BeaverTriple t = triples().and_triples(1, len);
  // Beaver for AND: with d = x ^ a and e = y ^ b public,
  // x & y = c ^ (d & b) ^ (e & a) ^ (d & e), the last term added by one party only.
  Words de(2 * x.size());
  for (Index i = 0; i < len; ++i) {
    de[i] = x[i] ^ t.a.data()[i];
    de[len + i] = y[i] ^ t.b.data()[i];
  }
  Words none;
  open(de, none);
  Words z(x.size());
  const Ring lead = leader() ? ~Ring{0} : 0;
  for (Index i = 0; i < len; ++i) {
    const Ring d = de[i], e = de[len + i];
    z[i] = t.c.data()[i] ^ (d & t.b.data()[i]) ^ (e & t.a.data()[i]) ^ (d & e & lead);
  }
  return z;
}

Words pack_chunks(std::span<const Ring> values, int width) {
  Words out(chunk_words(values.size(), width), 0);
  if (width == kRingBits) {
    std::copy(values.begin(), values.end(), out.begin());
    return out;
  }
  const Ring mask = (Ring{1} << width) - 1;
  const std::size_t per_word = kRingBits / width;
  for (std::size_t i = 0; i < values.size(); ++i) {
    out[i / per_word] |= (values[i] & mask) << ((i % per_word) * width);
  }
  return out;
}

void unpack_chunks(std::span<const Ring> words, int width, std::span<Ring> values) {
  if (width == kRingBits) {
    std::copy(words.begin(), words.begin() + values.size(), values.begin());
    return;
  }
  const Ring mask = (Ring{1} << width) - 1;
  const std::size_t per_word = kRingBits / width;
  for (std::size_t i = 0; i < values.size(); ++i) {
    values[i] = (words[i / per_word] >> ((i % per_word) * width)) & mask;
  }
}

Ring even_bits(Ring x) {
#if defined(__BMI2__) && !defined(__znver1__) && !defined(__znver2__)
  // One instruction where the target has a fast one (Intel since Haswell, AMD since Zen 3).
  // AMD Zen 1 and 2 implement PEXT in microcode, at up to ~300 cycles for this mask: there
  // the shifts below are much faster (W3 ReLU on 1M elements, 2 parties in-process, on a
  // Zen 2 EPYC: 1.35 s with PEXT, 0.49 s without).
  return _pext_u64(x, 0x5555555555555555ULL);
#else
  x &= 0x5555555555555555ULL;
  x = (x | (x >> 1)) & 0x3333333333333333ULL;
  x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
  return x;
#endif
}

BoolShared input_bits(Protocol& protocol, net::PartyId owner, const RingMatrix* value, Index rows,
                      Index cols) {
  if (owner < 0 || owner >= protocol.parties()) {
    throw std::invalid_argument("input_bits: no party " + std::to_string(owner));
  }
  if (protocol.self() != owner) return BoolShared{RingMatrix::Zero(rows, cols)};
  if (value == nullptr || value->rows() != rows || value->cols() != cols) {
    throw std::invalid_argument("input_bits: the owner must pass a value of shape " +
                                std::to_string(rows) + "x" + std::to_string(cols));
  }
  return BoolShared{*value};
}

RingMatrix open_bits(Protocol& protocol, const BoolShared& x) {
  Gmw gmw(protocol, "open_bits");
  Words words(x.words.data(), x.words.data() + x.words.size()), none;
  gmw.open(words, none);
  RingMatrix out(x.rows(), x.cols());
  std::copy(words.begin(), words.end(), out.data());
  return out;
}

}  // namespace jointly::circuits
