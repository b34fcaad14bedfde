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

sha256::BlocksFn Sha256Blocks(const char** name) {
  *name = "scalar";
  return sha256::BlocksScalar;
}

[[noreturn]] void Halt() {
  for (;;) asm volatile("or 1,1,1" ::: "memory");  // lowest SMT priority, spin
}

}  // namespace kexkit::arch
