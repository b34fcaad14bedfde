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

sha256::BlocksFn Sha256Blocks(const char** name) {
  *name = "scalar";
  return sha256::BlocksScalar;
}

[[noreturn]] void Halt() {
  for (;;) asm volatile("cli; hlt");
}

}  // namespace kexkit::arch
