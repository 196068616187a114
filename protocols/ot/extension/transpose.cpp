// 128x128 tiles, each as eight 16-row strips: a 16x16 byte transpose (four rounds of
// unpack interleaves) puts each byte column in one register, then _mm_movemask_epi8 pulls
// out 16 bits of one output row per instruction (the SSE2 technique of Mischasan's
// "sse_trans", as used by libOTe and EMP). About 20 instructions per extended OT.
#include "protocols/ot/extension/transpose.h"

#include <immintrin.h>

#include <cassert>

namespace jointly::ot {
namespace {

constexpr int kBitReverse4[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};

// Four rounds of "interleave rows 2i and 2i+1" move element (r, c) to
// (bitrev(c), bitrev(r)); feeding the rows in bit-reversed order and reading the results in
// bit-reversed order makes that a plain transpose.
[[maybe_unused]] inline void transpose_bytes_16x16(__m128i x[16]) {
  __m128i y[16];
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 8; ++i) {
      y[i] = _mm_unpacklo_epi8(x[2 * i], x[2 * i + 1]);
      y[i + 8] = _mm_unpackhi_epi8(x[2 * i], x[2 * i + 1]);
    }
    for (int i = 0; i < 16; ++i) x[i] = y[i];
  }
}

}  // namespace

#ifdef __AVX2__
// Two 16-row strips side by side in the two 128-bit lanes of a 256-bit register: the byte
// transpose works lane by lane, and one movemask yields 32 bits (rows 32s .. 32s+31).
void transpose_128xn(const std::uint8_t* in, std::size_t n, Block* out) {
  assert(n % kBaseOts == 0);
  const std::size_t stride = n / 8;
  for (std::size_t tile = 0; tile < n / kBaseOts; ++tile) {
    Block* out_tile = out + tile * kBaseOts;
    for (int pair = 0; pair < 4; ++pair) {
      __m256i x[16], y[16];
      for (int i = 0; i < 16; ++i) {
        const std::uint8_t* lo = in + (pair * 32 + kBitReverse4[i]) * stride + tile * 16;
        const std::uint8_t* hi = lo + 16 * stride;
        x[i] = _mm256_loadu2_m128i(reinterpret_cast<const __m128i*>(hi),
                                   reinterpret_cast<const __m128i*>(lo));
      }
      for (int round = 0; round < 4; ++round) {
        for (int i = 0; i < 8; ++i) {
          y[i] = _mm256_unpacklo_epi8(x[2 * i], x[2 * i + 1]);
          y[i + 8] = _mm256_unpackhi_epi8(x[2 * i], x[2 * i + 1]);
        }
        for (int i = 0; i < 16; ++i) x[i] = y[i];
      }
      for (int byte_col = 0; byte_col < 16; ++byte_col) {
        __m256i v = x[kBitReverse4[byte_col]];
        for (int bit = 7; bit >= 0; --bit) {
          const auto mask = static_cast<std::uint32_t>(_mm256_movemask_epi8(v));
          auto* dst = reinterpret_cast<std::uint8_t*>(&out_tile[byte_col * 8 + bit]);
          std::memcpy(dst + pair * 4, &mask, sizeof mask);
          v = _mm256_slli_epi64(v, 1);
        }
      }
    }
  }
}
#else
void transpose_128xn(const std::uint8_t* in, std::size_t n, Block* out) {
  assert(n % kBaseOts == 0);
  const std::size_t stride = n / 8;
  for (std::size_t tile = 0; tile < n / kBaseOts; ++tile) {
    Block* out_tile = out + tile * kBaseOts;
    for (int strip = 0; strip < 8; ++strip) {
      __m128i x[16];
      for (int i = 0; i < 16; ++i) {
        const std::uint8_t* row = in + (strip * 16 + kBitReverse4[i]) * stride + tile * 16;
        x[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row));
      }
      transpose_bytes_16x16(x);
      for (int byte_col = 0; byte_col < 16; ++byte_col) {
        // Lane i holds byte `byte_col` of row strip*16 + i.
        __m128i v = x[kBitReverse4[byte_col]];
        for (int bit = 7; bit >= 0; --bit) {
          const auto mask = static_cast<std::uint16_t>(_mm_movemask_epi8(v));
          auto* dst = reinterpret_cast<std::uint8_t*>(&out_tile[byte_col * 8 + bit]);
          std::memcpy(dst + strip * 2, &mask, sizeof mask);
          v = _mm_slli_epi64(v, 1);
        }
      }
    }
  }
}
#endif

}  // namespace jointly::ot
