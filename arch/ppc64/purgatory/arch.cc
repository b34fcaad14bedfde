// ppc64 purgatory hooks (ppc64le and big-endian ppc64): the pseries hypervisor console
// and halt. Everything runs in real mode with interrupts off.
#include "kexkit/arch.h"

namespace kexkit::arch {
namespace {

constexpr uint64_t kHPutTermChar = 0x58;  // [PAPR 14.5.4.6.2 H_PUT_TERM_CHAR]
constexpr int64_t kHSuccess = 0, kHBusy = 1;
constexpr int kMaxBusyRetries = 100000;

bool g_hvc = false;
uint64_t g_vtermno = 0;

// One hypervisor call with up to 16 characters in r6/r7 (first character in the most
// significant byte, whatever the CPU's byte order). Returns the hcall status.
int64_t HPutTermChar(uint64_t vtermno, uint64_t len, uint64_t hi, uint64_t lo) {
  register uint64_t r3 asm("r3") = kHPutTermChar;
  register uint64_t r4 asm("r4") = vtermno;
  register uint64_t r5 asm("r5") = len;
  register uint64_t r6 asm("r6") = hi;
  register uint64_t r7 asm("r7") = lo;
  asm volatile("sc 1"
               : "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7)
               :
               : "r0", "r8", "r9", "r10", "r11", "r12", "cr0", "ctr", "xer", "memory");
  return static_cast<int64_t>(r3);
}

}  // namespace

void ConsoleInit(const abi::PurgatoryParams& params) {
  g_hvc = (params.flags & abi::kFlagConsoleHvc) != 0;
  g_vtermno = params.hvc_vtermno;
}

void ConsolePutc(char c) {
  if (!g_hvc) return;
  const uint64_t hi = static_cast<uint64_t>(static_cast<uint8_t>(c)) << 56;
  // H_BUSY: the vterm buffer is full; retry a bounded number of times, then drop the
  // character rather than hang the hand-off.
  for (int i = 0; i < kMaxBusyRetries; ++i) {
    const int64_t rc = HPutTermChar(g_vtermno, 1, hi, 0);
    if (rc != kHBusy) {
      if (rc != kHSuccess) g_hvc = false;  // no such vterm: stop trying
      return;
    }
  }
}

namespace {

// The vector crypto path (sha256-ppc64.cc) needs ISA 2.07: vshasigmaw plus VMX/VSX.
// There is no AT_HWCAP2 here, nor a parsed device tree, so the real processor version
// (PVR, SPR 287, upper 16 bits) decides, with the values Linux uses
// [arch/powerpc/include/asm/reg.h PVR_*]: POWER8E 0x004b, POWER8NVL 0x004c, POWER8
// 0x004d, POWER9 0x004e, POWER10 0x0080. Each implements ISA 2.07 or later. mfpvr
// gives the real processor even when the partition runs in a compatibility mode (the
// logical PVR is only in the device tree), and that is the right answer: the PCR
// that enforces a compatibility mode restricts problem state only, and the purgatory
// runs privileged. Anything else (POWER7 and older, 970, e6500, processors newer than
// this list) takes the scalar path: only a version known to have the instructions
// may run them; a new one is one more case below.
bool HasVcrypto() {
  uint64_t pvr;
  asm volatile("mfpvr %0" : "=r"(pvr));
  switch ((pvr >> 16) & 0xffff) {
    case 0x004b:  // POWER8E
    case 0x004c:  // POWER8NVL
    case 0x004d:  // POWER8
    case 0x004e:  // POWER9
    case 0x0080:  // POWER10
      return true;
    default:
      return false;
  }
}

// The old kernel may hand over with the FP, VMX and VSX units off (MSR[FP], MSR[VEC],
// MSR[VSX] clear): the first vector instruction would then take an unavailable
// interrupt, with no handler left to take it. Turn them on for the hash alone and put
// the MSR back afterwards, as x86 does with CR4.OSFXSR [Power ISA 3.0B Book III 4.2.1;
// Linux msr_check_and_set()]. MSR[FP] too: VSX registers 0-31 are the FPRs, and the
// compiler may move data through them (mfvsrd/mtvsrd check MSR[FP] for those).
constexpr uint64_t kMsrFp = 1ull << 13, kMsrVsx = 1ull << 23, kMsrVec = 1ull << 25;

void BlocksVcryptoWithVector(uint32_t state[8], const uint8_t* data, size_t blocks) {
  uint64_t msr;
  asm volatile("mfmsr %0" : "=r"(msr));
  asm volatile("mtmsrd %0; isync" : : "r"(msr | kMsrFp | kMsrVec | kMsrVsx) : "memory");
  sha256::BlocksVcrypto(state, data, blocks);
  asm volatile("mtmsrd %0; isync" : : "r"(msr) : "memory");
}

}  // namespace

sha256::BlocksFn Sha256Blocks(const char** name) {
  if (HasVcrypto()) {
    *name = "vcrypto";
    return BlocksVcryptoWithVector;
  }
  *name = "scalar";
  return sha256::BlocksScalar;
}

[[noreturn]] void Halt() {
  for (;;) asm volatile("or 1,1,1" ::: "memory");  // lowest SMT priority, spin
}

}  // namespace kexkit::arch
