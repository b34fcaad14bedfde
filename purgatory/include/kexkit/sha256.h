// SHA-256 [FIPS 180-4], freestanding: no libc, no allocation, any byte order.
// The same source is compiled into every purgatory and into the host tests and
// benchmarks, so what the tests check is exactly what runs between the kernels.
//
// Call order: Init, Update any number of times, Final. Blocks() is the compression
// function alone, for callers that feed whole 64-byte blocks.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kexkit::sha256 {

inline constexpr size_t kDigestSize = 32;
inline constexpr size_t kBlockSize = 64;

// One compression implementation: takes the state and n whole blocks.
using BlocksFn = void (*)(uint32_t state[8], const uint8_t* data, size_t blocks);

struct Context {
  uint32_t state[8];
  uint64_t total;  // bytes fed so far
  uint8_t buf[kBlockSize];
  uint32_t buf_len;
  BlocksFn blocks;  // the compression path this context uses
};

// The 64 round constants [FIPS 180-4 4.2.2], shared by every compression path.
extern const uint32_t kRoundConstants[64];

// Portable scalar compression (fully unrolled rounds, byte-order independent loads).
void BlocksScalar(uint32_t state[8], const uint8_t* data, size_t blocks);

// x86 SHA extensions (SHA-NI) compression: sha256-x86.cc. Callers must have checked
// CPUID (SHA, SSSE3, SSE4.1) and, in the purgatory, enabled SSE (CR4.OSFXSR).
void BlocksShaNi(uint32_t state[8], const uint8_t* data, size_t blocks);

// POWER8 vector crypto (ISA 2.07 vshasigmaw + VMX) compression: sha256-ppc64.cc. Callers
// must have checked the CPU (the purgatory: PVR) and, in the purgatory, enabled
// MSR[FP], MSR[VEC] and MSR[VSX].
void BlocksVcrypto(uint32_t state[8], const uint8_t* data, size_t blocks);

// ARMv8 Cryptographic Extension (SHA256H/H2/SU0/SU1) compression: sha256-arm64.cc.
// Callers must have checked ID_AA64ISAR0_EL1.SHA2 and, in the purgatory, enabled FP/SIMD
// access (CPACR_EL1.FPEN, or CPTR_EL2 at EL2).
void BlocksArmCe(uint32_t state[8], const uint8_t* data, size_t blocks);

void Init(Context& ctx, BlocksFn blocks = BlocksScalar);
void Update(Context& ctx, const void* data, size_t len);
void Final(Context& ctx, uint8_t out[kDigestSize]);

// Feeds len zero bytes without needing a zero buffer of that size (segment memsz tails).
void UpdateZeros(Context& ctx, uint64_t len);

}  // namespace kexkit::sha256
