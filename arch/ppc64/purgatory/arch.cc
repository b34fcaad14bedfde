// ppc64 purgatory hooks (ppc64le and big-endian ppc64): the console (the pseries
// hypervisor's, or OPAL's on powernv) and halt. Everything runs in real mode with
// interrupts off.
#include "kexkit/arch.h"

namespace kexkit::arch {
namespace {

constexpr uint64_t kHPutTermChar = 0x58;  // [PAPR 14.5.4.6.2 H_PUT_TERM_CHAR]
constexpr int64_t kHSuccess = 0, kHBusy = 1;
constexpr int kMaxBusyRetries = 100000;

// OPAL tokens and return codes [skiboot include/opal-api.h].
constexpr uint64_t kOpalConsoleWrite = 1, kOpalPollEvents = 10, kOpalConsoleFlush = 117;
constexpr int64_t kOpalSuccess = 0, kOpalBusy = -2, kOpalPartial = -3, kOpalBusyEvent = -12;
constexpr int kMaxOpalTries = 1000;

enum class Console { kNone, kHvc, kOpal };
Console g_console = Console::kNone;
uint64_t g_vtermno = 0;
uint64_t g_opal_base = 0, g_opal_entry = 0;
// OPAL takes a buffer per call: a line at a time, not a call per character.
char g_line[80];
size_t g_line_len = 0;

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

// One OPAL call on powernv, where there is no hypervisor to take `sc 1` (on bare metal
// it lands on the old kernel's 0xc00 vector, which the old kernel has just switched to
// big-endian interrupts: a little-endian purgatory never comes back from it). As the
// kernel's __opal_call [arch/powerpc/platforms/powernv/opal-wrappers.S] and skiboot's
// opal_entry [skiboot asm/head.S]: token in r0, arguments from r3, r2 = the OPAL base
// (skiboot finds its TOC from it), entered with hrfid at opal-entry-address with
// MSR[IR, DR, LE] clear; OPAL runs big-endian and returns with blr to LR, still
// big-endian, with r2 = its own TOC (r1 and the non-volatile registers are kept).
// The return path therefore starts with the kernel's FIXUP_ENDIAN sequence
// [arch/powerpc/include/asm/ppc_asm.h]: in the purgatory's own byte order `tdi` does
// nothing and `b 191f` skips the rest; read big-endian by a little-endian purgatory,
// `tdi 0,0,0x48` is `b .+8`, into ten instructions spelled as big-endian bytes that
// flip MSR[LE] back with rfid. A big-endian purgatory never runs them.
int64_t OpalCall(uint64_t token, uint64_t a0, uint64_t a1, uint64_t a2) {
  register uint64_t r0 asm("r0") = token;
  register uint64_t r3 asm("r3") = a0;
  register uint64_t r4 asm("r4") = a1;
  register uint64_t r5 asm("r5") = a2;
  register uint64_t r6 asm("r6") = g_opal_base;
  register uint64_t r7 asm("r7") = g_opal_entry;
  asm volatile(
      "mr     31, 2\n\t"  // the TOC: OPAL hands back its own r2
      "mfmsr  12\n\t"
      "li     11, 0x31\n\t"  // MSR_IR | MSR_DR | MSR_LE
      "andc   12, 12, 11\n\t"
      "mtspr  314, 7\n\t"   // HSRR0 = opal entry
      "mtspr  315, 12\n\t"  // HSRR1 = this MSR, big-endian, real mode
      "mr     2, 6\n\t"
      "bcl    20, 31, 1f\n"
      "1:\tmflr 11\n\t"
      "addi   11, 11, 2f - 1b\n\t"
      "mtlr   11\n\t"
      "hrfid\n"
      "2:\ttdi 0, 0, 0x48\n\t"  // FIXUP_ENDIAN, see above
      "b      191f\n\t"
      ".byte  0x7d, 0x60, 0x00, 0xa6\n\t"  // mfmsr  r11
      ".byte  0x69, 0x6b, 0x00, 0x01\n\t"  // xori   r11, r11, MSR_LE
      ".byte  0x39, 0x40, 0x00, 0x00\n\t"  // li     r10, 0
      ".byte  0x7d, 0x41, 0x01, 0x64\n\t"  // mtmsrd r10, 1 (EE and RI off)
      ".byte  0x42, 0x9f, 0x00, 0x05\n\t"  // bcl    20, 31, $+4
      ".byte  0x7d, 0x48, 0x02, 0xa6\n\t"  // mflr   r10
      ".byte  0x39, 0x4a, 0x00, 0x14\n\t"  // addi   r10, r10, 20 (to 191:)
      ".byte  0x7d, 0x5a, 0x03, 0xa6\n\t"  // mtsrr0 r10
      ".byte  0x7d, 0x7b, 0x03, 0xa6\n\t"  // mtsrr1 r11
      ".byte  0x4c, 0x00, 0x00, 0x24\n"    // rfid
      "191:\tmr 2, 31"
      : "+r"(r0), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7)
      :
      : "r8", "r9", "r10", "r11", "r12", "r31", "cr0", "cr1", "cr5", "cr6", "cr7", "ctr", "lr",
        "xer", "memory");
  return static_cast<int64_t>(r3);
}

// OPAL's console arguments are big-endian whatever the caller's byte order.
uint64_t ToBe64(uint64_t v) {
#ifdef __LITTLE_ENDIAN__
  return __builtin_bswap64(v);
#else
  return v;
#endif
}

// OPAL_CONSOLE_WRITE(term, __be64* length, buffer) takes what fits and says how much in
// *length; the rest goes after an OPAL_CONSOLE_FLUSH (or OPAL_POLL_EVENTS on
// OPAL_BUSY_EVENT), a bounded number of times, as the kernel's hvc_opal does. Any other
// error (no such terminal, hardware) turns the console off for good.
void OpalWrite(const char* p, size_t n) {
  for (int tries = 0; n > 0 && tries < kMaxOpalTries; ++tries) {
    uint64_t len = ToBe64(n);  // in real mode a pointer is the physical address
    const int64_t rc = OpalCall(kOpalConsoleWrite, g_vtermno, reinterpret_cast<uintptr_t>(&len),
                                reinterpret_cast<uintptr_t>(p));
    if (rc == kOpalSuccess || rc == kOpalPartial) {
      const uint64_t done = ToBe64(len);
      const size_t k = done < n ? static_cast<size_t>(done) : n;
      p += k;
      n -= k;
    } else if (rc == kOpalBusyEvent) {
      OpalCall(kOpalPollEvents, 0, 0, 0);
    } else if (rc != kOpalBusy) {
      g_console = Console::kNone;
      return;
    }
    if (n > 0) OpalCall(kOpalConsoleFlush, g_vtermno, 0, 0);
  }
}

}  // namespace

void ConsoleInit(const abi::PurgatoryParams& params) {
  g_console = Console::kNone;
  g_vtermno = params.hvc_vtermno;
  g_opal_base = params.opal_base;
  g_opal_entry = params.opal_entry;
  g_line_len = 0;
  if ((params.flags & abi::kFlagConsoleOpal) != 0 && g_opal_entry != 0) {
    g_console = Console::kOpal;
  } else if ((params.flags & abi::kFlagConsoleHvc) != 0) {
    g_console = Console::kHvc;
  }
}

void ConsolePutc(char c) {
  if (g_console == Console::kOpal) {
    // Every purgatory line ends in "\r\n" (a halt comes after one), so nothing stays
    // in the buffer for good.
    g_line[g_line_len++] = c;
    if (c == '\n' || g_line_len == sizeof(g_line)) {
      const size_t n = g_line_len;
      g_line_len = 0;
      OpalWrite(g_line, n);
    }
    return;
  }
  if (g_console != Console::kHvc) return;
  const uint64_t hi = static_cast<uint64_t>(static_cast<uint8_t>(c)) << 56;
  // H_BUSY: the vterm buffer is full; retry a bounded number of times, then drop the
  // character rather than hang the hand-off.
  for (int i = 0; i < kMaxBusyRetries; ++i) {
    const int64_t rc = HPutTermChar(g_vtermno, 1, hi, 0);
    if (rc != kHBusy) {
      if (rc != kHSuccess) g_console = Console::kNone;  // no such vterm: stop trying
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

const char kHotplugUnverified[] =
    "crash hotplug: elfcorehdr and device tree not verified (the kernel rewrites them)";

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
