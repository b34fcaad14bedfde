// SHA-256 compression with the ARMv8 Cryptographic Extension [Arm ARM, SHA256H,
// SHA256H2, SHA256SU0, SHA256SU1; the structure of Linux arch/arm64/crypto/sha2-ce-core.S]
// through GCC's ACLE intrinsics. Built apart from the general-registers-only purgatory
// (purgatory.cmake: KK_ARCH_SIMD_FLAGS, +crypto); arch.cc calls it only when
// ID_AA64ISAR0_EL1.SHA2 says the instructions exist, and only with FP/SIMD access on for
// the call.
//
// With the MMU off every load is to Device memory, where an access must be aligned to
// its element size: the message is loaded as 16 bytes (element size 1), the state and
// the constants, which are 4-byte aligned, as words.
#include <arm_neon.h>

#include "kexkit/sha256.h"

namespace kexkit::sha256 {

void BlocksArmCe(uint32_t state[8], const uint8_t* data, size_t blocks) {
  uint32x4_t abcd = vld1q_u32(state);
  uint32x4_t efgh = vld1q_u32(state + 4);
  for (; blocks != 0; --blocks, data += kBlockSize) {
    // Message words are big-endian: byte-reverse each 32-bit lane.
    uint32x4_t m0 = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(data)));
    uint32x4_t m1 = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(data + 16)));
    uint32x4_t m2 = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(data + 32)));
    uint32x4_t m3 = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(data + 48)));
    const uint32x4_t abcd0 = abcd, efgh0 = efgh;
    // 16 steps of 4 rounds; the first 12 also extend the schedule by 4 words.
    for (int i = 0; i < 16; ++i) {
      const uint32x4_t wk = vaddq_u32(m0, vld1q_u32(&kRoundConstants[4 * i]));
      const uint32x4_t prev = abcd;
      abcd = vsha256hq_u32(abcd, efgh, wk);
      efgh = vsha256h2q_u32(efgh, prev, wk);
      if (i < 12) {
        const uint32x4_t next = vsha256su1q_u32(vsha256su0q_u32(m0, m1), m2, m3);
        m0 = m1;
        m1 = m2;
        m2 = m3;
        m3 = next;
      } else {
        m0 = m1;
        m1 = m2;
        m2 = m3;
      }
    }
    abcd = vaddq_u32(abcd, abcd0);
    efgh = vaddq_u32(efgh, efgh0);
  }
  vst1q_u32(state, abcd);
  vst1q_u32(state + 4, efgh);
}

}  // namespace kexkit::sha256
