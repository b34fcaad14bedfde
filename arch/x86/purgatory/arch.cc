// x86 purgatory hooks, shared by the 64-bit and 32-bit builds: polled 8250 console,
// halt. Only port I/O and cli/hlt are used, which mean the same in both modes.
#include "kexkit/arch.h"

namespace kexkit::arch {
namespace {

uint16_t g_port = 0;  // 0: console off

// 8250 register offsets and bits [PC16550D datasheet].
constexpr uint16_t kThr = 0, kDll = 0, kIer = 1, kDlm = 1, kFcr = 2, kLcr = 3, kMcr = 4, kLsr = 5;
constexpr uint8_t kLcrDlab = 0x80, kLcr8n1 = 0x03, kLsrThre = 0x20;

inline void Outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
inline uint8_t Inb(uint16_t port) {
  uint8_t v;
  asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}

}  // namespace

void ConsoleInit(const abi::PurgatoryParams& params) {
  if (!(params.flags & abi::kFlagConsoleSerial) || params.serial_port == 0 ||
      params.serial_port > 0xffff) {
    return;
  }
  g_port = static_cast<uint16_t>(params.serial_port);
  if (params.flags & abi::kFlagSerialInit) {
    const uint32_t div = params.serial_divisor ? params.serial_divisor : 1;
    Outb(g_port + kIer, 0);  // polled: no interrupts
    Outb(g_port + kLcr, kLcrDlab);
    Outb(g_port + kDll, static_cast<uint8_t>(div));
    Outb(g_port + kDlm, static_cast<uint8_t>(div >> 8));
    Outb(g_port + kLcr, kLcr8n1);
    Outb(g_port + kFcr, 0x07);  // FIFO on, both cleared
    Outb(g_port + kMcr, 0x03);  // DTR, RTS
  }
}

void ConsolePutc(char c) {
  if (g_port == 0) return;
  // Bounded wait: a missing UART reads 0xff (THRE set) and a stuck one must not hang
  // the hand-off; ~100k polls is well over one character time at 9600 baud.
  for (int i = 0; i < 100000 && !(Inb(g_port + kLsr) & kLsrThre); ++i) {
  }
  Outb(g_port + kThr, static_cast<uint8_t>(c));
}

namespace {

void Cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
  asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

// SHA256RNDS2/MSG1/MSG2 (CPUID.7.0:EBX.SHA[29]) plus PSHUFB (SSSE3), PBLENDW (SSE4.1).
bool HasShaNi() {
  uint32_t r[4];
  Cpuid(0, 0, r);
  if (r[0] < 7) return false;
  Cpuid(1, 0, r);
  const bool sse =
      (r[3] & (1u << 25)) && (r[3] & (1u << 26)) && (r[2] & (1u << 9)) && (r[2] & (1u << 19));
  Cpuid(7, 0, r);
  return sse && (r[1] & (1u << 29));
}

// The old kernel hands over with CR4.OSFXSR clear, so any SSE instruction would fault
// [arch/x86/kernel/relocate_kernel_64.S: the CR4 it leaves holds PAE, LA57 and MCE only].
// Turn SSE on for the hash alone and put CR0/CR4 back afterwards.
constexpr unsigned long kCr0Mp = 1ul << 1, kCr0Em = 1ul << 2, kCr0Ts = 1ul << 3;
constexpr unsigned long kCr4Osfxsr = 1ul << 9;

void BlocksShaNiWithSse(uint32_t state[8], const uint8_t* data, size_t blocks) {
  unsigned long cr0, cr4;
  asm volatile("mov %%cr0, %0" : "=r"(cr0));
  asm volatile("mov %%cr4, %0" : "=r"(cr4));
  asm volatile("mov %0, %%cr0" : : "r"((cr0 & ~(kCr0Em | kCr0Ts)) | kCr0Mp) : "memory");
  asm volatile("mov %0, %%cr4" : : "r"(cr4 | kCr4Osfxsr) : "memory");
  sha256::BlocksShaNi(state, data, blocks);
  asm volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
  asm volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
}

}  // namespace

const char kHotplugUnverified[] = "crash hotplug: elfcorehdr not verified (the kernel rewrites it)";

sha256::BlocksFn Sha256Blocks(const char** name) {
  if (HasShaNi()) {
    *name = "sha-ni";
    return BlocksShaNiWithSse;
  }
  *name = "scalar";
  return sha256::BlocksScalar;
}

[[noreturn]] void Halt() {
  for (;;) asm volatile("cli; hlt");
}

}  // namespace kexkit::arch
