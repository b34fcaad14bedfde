// SHA-256 compression with the x86 SHA extensions [Intel SHA Extensions white paper,
// 2013; Intel SDM 2, SHA256RNDS2/SHA256MSG1/SHA256MSG2]. Two rounds per SHA256RNDS2, the
// message schedule four words at a time. Built with -msse4.1 -msha and compiled into
// the purgatory (where the caller enables SSE around it) and the host tests/benchmarks.
#include "kexkit/sha256.h"

// xmmintrin.h pulls in mm_malloc.h, which needs a hosted <stdlib.h>; the purgatory
// has none, and nothing here allocates.
#define _MM_MALLOC_H_INCLUDED
#include <immintrin.h>

namespace kexkit::sha256 {

void BlocksShaNi(uint32_t state[8], const uint8_t* data, size_t blocks) {
  // Big-endian word loads: byte shuffle within each 32-bit lane.
  const __m128i kBswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  // The instructions want the state as {A,B,E,F} and {C,D,G,H}.
  __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[0]));
  __m128i cdgh = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[4]));
  tmp = _mm_shuffle_epi32(tmp, 0xb1);
  cdgh = _mm_shuffle_epi32(cdgh, 0x1b);
  __m128i abef = _mm_alignr_epi8(tmp, cdgh, 8);
  cdgh = _mm_blend_epi16(cdgh, tmp, 0xf0);

  while (blocks--) {
    const __m128i abef_in = abef, cdgh_in = cdgh;
    __m128i w[4];
    for (int i = 0; i < 4; ++i) {
      w[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * i)),
                              kBswap);
    }
#pragma GCC unroll 16
    for (int g = 0; g < 16; ++g) {
      if (g >= 4) {
        // W[g] = msg2(msg1(W[g-4], W[g-3]) + W[g-1..g-2] shifted one word, W[g-1]).
        const __m128i prev = w[(g + 3) & 3];
        __m128i m = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
        m = _mm_add_epi32(m, _mm_alignr_epi8(prev, w[(g + 2) & 3], 4));
        w[g & 3] = _mm_sha256msg2_epu32(m, prev);
      }
      const __m128i wk = _mm_add_epi32(
          w[g & 3], _mm_loadu_si128(reinterpret_cast<const __m128i*>(&kRoundConstants[4 * g])));
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
      abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0e));
    }
    abef = _mm_add_epi32(abef, abef_in);
    cdgh = _mm_add_epi32(cdgh, cdgh_in);
    data += kBlockSize;
  }

  tmp = _mm_shuffle_epi32(abef, 0x1b);
  cdgh = _mm_shuffle_epi32(cdgh, 0xb1);
  abef = _mm_blend_epi16(tmp, cdgh, 0xf0);
  cdgh = _mm_alignr_epi8(cdgh, tmp, 8);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[0]), abef);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[4]), cdgh);
}

}  // namespace kexkit::sha256
