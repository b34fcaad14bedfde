// SHA-256 [FIPS 180-4 6.2], scalar path. See include/kexkit/sha256.h.
#include "kexkit/sha256.h"

#include "kexkit/sha256-round.h"

namespace kexkit::sha256 {

// [FIPS 180-4 4.2.2]; shared with the SHA-NI path (sha256-x86.cc).
extern const uint32_t kRoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

namespace {

constexpr const uint32_t* kK = kRoundConstants;

constexpr uint32_t kInit[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

using round::Rotr;

// Big-endian load by bytes: correct on either host byte order, and compilers fold it
// into one load + bswap (x86) or a plain load (ppc64 big-endian).
inline uint32_t LoadBe32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

inline void StoreBe32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

inline void CopyBytes(uint8_t* dst, const uint8_t* src, size_t n) {
  for (size_t i = 0; i < n; ++i) dst[i] = src[i];
}

}  // namespace

// The message schedule is kept as a 16-word ring: 64 bytes of state instead of 256,
// and the rounds are unrolled four at a time so the a..h rotation costs no moves.
void BlocksScalar(uint32_t state[8], const uint8_t* data, size_t blocks) {
  using round::FourRounds;
  while (blocks--) {
    uint32_t w[16];
    for (int i = 0; i < 16; ++i) w[i] = LoadBe32(data + 4 * i);
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    uint32_t bc = b ^ c;
    auto message = [&](int i) { return kK[i] + w[i]; };
    for (int i = 0; i < 16; i += 8) {
      FourRounds(a, b, c, d, e, f, g, h, bc, i, message);
      FourRounds(e, f, g, h, a, b, c, d, bc, i + 4, message);
    }
    // W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], in place of W[t-16].
    auto schedule = [&](int i) {
      const uint32_t w2 = w[(i - 2) & 15], w15 = w[(i - 15) & 15];
      w[i & 15] += (Rotr(w2, 17) ^ Rotr(w2, 19) ^ (w2 >> 10)) + w[(i - 7) & 15] +
                   (Rotr(w15, 7) ^ Rotr(w15, 18) ^ (w15 >> 3));
      return kK[i] + w[i & 15];
    };
    for (int i = 16; i < 64; i += 8) {
      FourRounds(a, b, c, d, e, f, g, h, bc, i, schedule);
      FourRounds(e, f, g, h, a, b, c, d, bc, i + 4, schedule);
    }
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

void Init(Context& ctx, BlocksFn blocks) {
  for (int i = 0; i < 8; ++i) ctx.state[i] = kInit[i];
  ctx.total = 0;
  ctx.buf_len = 0;
  ctx.blocks = blocks;
}

void Update(Context& ctx, const void* data, size_t len) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  ctx.total += len;
  if (ctx.buf_len != 0) {
    size_t take = kBlockSize - ctx.buf_len;
    if (take > len) take = len;
    CopyBytes(ctx.buf + ctx.buf_len, p, take);
    ctx.buf_len += static_cast<uint32_t>(take);
    p += take;
    len -= take;
    if (ctx.buf_len < kBlockSize) return;
    ctx.blocks(ctx.state, ctx.buf, 1);
    ctx.buf_len = 0;
  }
  if (size_t n = len / kBlockSize; n != 0) {
    ctx.blocks(ctx.state, p, n);
    p += n * kBlockSize;
    len -= n * kBlockSize;
  }
  CopyBytes(ctx.buf, p, len);
  ctx.buf_len = static_cast<uint32_t>(len);
}

void UpdateZeros(Context& ctx, uint64_t len) {
  static constexpr uint8_t kZeros[kBlockSize] = {};  // small: it lives in the purgatory
  while (len != 0) {
    size_t take = len < sizeof(kZeros) ? static_cast<size_t>(len) : sizeof(kZeros);
    Update(ctx, kZeros, take);
    len -= take;
  }
}

void Final(Context& ctx, uint8_t out[kDigestSize]) {
  const uint64_t bits = ctx.total * 8;
  uint8_t pad[kBlockSize * 2] = {0x80};
  size_t pad_len = (ctx.buf_len < 56 ? 56 : 120) - ctx.buf_len;
  for (int i = 0; i < 8; ++i) pad[pad_len + i] = static_cast<uint8_t>(bits >> (56 - 8 * i));
  Update(ctx, pad, pad_len + 8);
  for (int i = 0; i < 8; ++i) StoreBe32(out + 4 * i, ctx.state[i]);
}

}  // namespace kexkit::sha256
