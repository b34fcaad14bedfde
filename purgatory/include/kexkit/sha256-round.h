// The SHA-256 round [FIPS 180-4 6.2.2 step 3] for the compression paths that keep the
// working variables in general registers: BlocksScalar (purgatory/sha256.cc) and
// BlocksVcrypto (arch/ppc64/purgatory/sha256-ppc64.cc, whose message schedule is in
// vector registers). Internal to those two; freestanding like them.
#pragma once

#include <stdint.h>

namespace kexkit::sha256::round {

[[gnu::always_inline]] inline uint32_t Rotr(uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

// The Sigma functions as one rotate chain (3 rotates, 2 xors, no copies of x):
// ROTR(x ^ ROTR(x ^ ROTR(x, 9), 11), 2) = ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22).
[[gnu::always_inline]] inline uint32_t BigSigma0(uint32_t x) {
  return Rotr(x ^ Rotr(x ^ Rotr(x, 9), 11), 2);
}
[[gnu::always_inline]] inline uint32_t BigSigma1(uint32_t x) {
  return Rotr(x ^ Rotr(x ^ Rotr(x, 14), 5), 6);
}

// One round, with kw = K[t] + W[t]. c is not read: Maj(a, b, c) = ((a ^ b) & (b ^ c)) ^ b,
// and this round's b ^ c is the previous round's a ^ b, carried in bc (one xor instead
// of two) [the OpenSSL scalar trick]. Of the eight, only d and h change.
[[gnu::always_inline]] inline void Round(uint32_t a, uint32_t b, uint32_t& d, uint32_t e,
                                         uint32_t f, uint32_t g, uint32_t& h, uint32_t& bc,
                                         uint32_t kw) {
  const uint32_t t1 = h + BigSigma1(e) + ((e & (f ^ g)) ^ g) + kw;
  const uint32_t ab = a ^ b;
  const uint32_t t2 = BigSigma0(a) + ((ab & bc) ^ b);
  bc = ab;
  d += t1;
  h = t1 + t2;
}

// Rounds t..t+3, kw(i) giving K[i] + W[i] (called once per round, in order). The working
// variables rotate through the argument order, which costs no moves; the next four
// rounds take (e, f, g, h, a, b, c, d). Before round 0, bc = b ^ c.
template <typename KW>
[[gnu::always_inline]] inline void FourRounds(uint32_t& a, uint32_t& b, uint32_t& c, uint32_t& d,
                                              uint32_t& e, uint32_t& f, uint32_t& g, uint32_t& h,
                                              uint32_t& bc, int t, KW&& kw) {
  Round(a, b, d, e, f, g, h, bc, kw(t));
  Round(h, a, c, d, e, f, g, bc, kw(t + 1));
  Round(g, h, b, c, d, e, f, bc, kw(t + 2));
  Round(f, g, a, b, c, d, e, bc, kw(t + 3));
}

}  // namespace kexkit::sha256::round
