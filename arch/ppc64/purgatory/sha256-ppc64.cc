// SHA-256 compression with the POWER8 (ISA 2.07) vector crypto instructions
// [Power ISA 2.07B Book I, Vector Crypto: vshasigmaw; FIPS 180-4 6.2]. The message schedule runs
// four words at a time in vector registers, sigma0/sigma1 by vshasigmaw, W[t] + K[t] added there
// too, into a 256-byte table; the rounds run in GPRs from that table, a group of four rounds'
// schedule computed 16 rounds ahead of its use so that the two overlap. The rounds stay in GPRs:
// under QEMU 7.2's TCG, where the tests run it, a vector instruction costs 5-25 times an integer
// one, so one-lane vector rounds as in OpenSSL's sha256p8 would be slower there (on hardware they
// might win; not measured). Per 64-byte block this executes ~1830 instructions against
// BlocksScalar's ~2860.
//
// Built with -mcpu=power8 -maltivec -mvsx -mcrypto for both ELFv2 little-endian and
// ELFv1 big-endian (KK_ARCH_SIMD_FLAGS, arch/ppc64/purgatory/purgatory.cmake), into the
// purgatory, where arch.cc checks the PVR and enables MSR[FP|VEC|VSX] around the call,
// and into the qemu-user check (host-tests/ppc64.cmake). Byte order: loads and stores
// are in element order (vec_xl / vec_xst), the message words are byte-swapped (one
// vperm per 16 bytes) on little-endian only, and the word shifts pick their xxsldwi
// operands per byte order. The loop is not unrolled: unrolling saves ~8% of the
// instructions and costs 5.7 KiB of purgatory.
#include <altivec.h>

#include "kexkit/sha256-round.h"
#include "kexkit/sha256.h"

namespace kexkit::sha256 {
namespace {

using V = __vector unsigned int;
using VB = __vector unsigned char;

// Elements k..k+3 of the eight-word concatenation a:b, in element order (k = 1..3).
// xxsldwi numbers words in big-endian register order; on little-endian element 0 is
// the rightmost word, so the operands swap and the shift counts from the other end.
// (xxsldwi, not vsldoi/vec_sld: the same result, and QEMU's TCG inlines it where
// vsldoi is a helper call ten times as slow.)
template <int k>
inline V Words(V a, V b) {
#ifdef __LITTLE_ENDIAN__
  return vec_sldw(b, a, 4 - k);
#else
  return vec_sldw(a, b, k);
#endif
}

// vshasigmaw: st=0 gives the schedule functions sigma0 (six=0) and sigma1 (six=0xf).
inline V SmallSigma0(V x) { return __builtin_crypto_vshasigmaw(x, 0, 0); }
inline V SmallSigma1(V x) { return __builtin_crypto_vshasigmaw(x, 0, 0xf); }

// Four big-endian message words as native words.
inline V LoadWords(const uint8_t* p) {
  VB v = vec_xl(0, p);
#ifdef __LITTLE_ENDIAN__
  const VB kBswap = {3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12};
  v = vec_perm(v, v, kBswap);
#endif
  return reinterpret_cast<V>(v);
}

inline V LoadK(int i) { return vec_xl(0, &kRoundConstants[i]); }

}  // namespace

void BlocksVcrypto(uint32_t state[8], const uint8_t* data, size_t blocks) {
  const V zero = vec_splats(0u);
  while (blocks--) {
    alignas(16) uint32_t wk[64];  // W[t] + K[t]
    V x0 = LoadWords(data), x1 = LoadWords(data + 16);
    V x2 = LoadWords(data + 32), x3 = LoadWords(data + 48);
    vec_xst(vec_add(x0, LoadK(0)), 0, &wk[0]);
    vec_xst(vec_add(x1, LoadK(4)), 0, &wk[4]);
    vec_xst(vec_add(x2, LoadK(8)), 0, &wk[8]);
    vec_xst(vec_add(x3, LoadK(12)), 0, &wk[12]);
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    // x0..x3 = W[t-16..t-1]; W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16]. The s1
    // terms of W[t+2], W[t+3] are W[t], W[t+1] themselves, so two halves. Each group of
    // four is computed 16 rounds ahead of its use, between the rounds, so the vector
    // dependency chain overlaps integer work.
#define KK_SCHEDULE(t)                                                           \
  do {                                                                           \
    V w = vec_add(vec_add(x0, SmallSigma0(Words<1>(x0, x1))), Words<1>(x2, x3)); \
    w = vec_add(w, Words<2>(SmallSigma1(x3), zero)); /* lanes 0, 1 */            \
    w = vec_add(w, Words<2>(zero, SmallSigma1(w)));  /* lanes 2, 3 */            \
    vec_xst(vec_add(w, LoadK(t)), 0, &wk[t]);                                    \
    x0 = x1;                                                                     \
    x1 = x2;                                                                     \
    x2 = x3;                                                                     \
    x3 = w;                                                                      \
  } while (0)
    // The rounds as in sha256.cc (BlocksScalar), with W[t] + K[t] from the table.
    uint32_t bc = b ^ c;
    auto table = [&](int i) { return wk[i]; };
#pragma GCC unroll 1
    for (int i = 0; i < 64; i += 8) {
      if (i + 16 < 64) KK_SCHEDULE(i + 16);
      round::FourRounds(a, b, c, d, e, f, g, h, bc, i, table);
      if (i + 20 < 64) KK_SCHEDULE(i + 20);
      round::FourRounds(e, f, g, h, a, b, c, d, bc, i + 4, table);
    }
#undef KK_SCHEDULE
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
    data += kBlockSize;
  }
}

}  // namespace kexkit::sha256
