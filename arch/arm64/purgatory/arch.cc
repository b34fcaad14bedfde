// arm64 purgatory hooks: the PL011 console, the SHA-256 path and halt. Everything runs
// with the MMU off, so every access is to Device-nGnRnE memory: the flags in
// purgatory.cmake keep the compiler to aligned accesses (-mstrict-align) and to the
// general registers (-mgeneral-regs-only); the Crypto Extensions path is its own file.
#include "kexkit/arch.h"

namespace kexkit::arch {
namespace {

// PL011 registers [ARM PrimeCell UART (PL011) TRM, 3.2]: data, flags; FR.TXFF = 1
// while the transmit FIFO is full.
constexpr uintptr_t kPl011Dr = 0x00, kPl011Fr = 0x18;
constexpr uint32_t kPl011FrTxff = 1u << 5;
constexpr int kMaxTxWait = 1000000;

volatile uint32_t* g_uart = nullptr;

void PutRaw(char c) {
  // A full FIFO that never drains (a UART the firmware left off) must not hang the
  // hand-off: wait a bounded time, then drop the character.
  for (int i = 0; i < kMaxTxWait; ++i) {
    if ((g_uart[kPl011Fr / 4] & kPl011FrTxff) == 0) {
      g_uart[kPl011Dr / 4] = static_cast<uint8_t>(c);
      return;
    }
  }
}

}  // namespace

void ConsoleInit(const abi::PurgatoryParams& params) {
  // The loader found the UART through /chosen stdout-path; the old kernel left it
  // enabled and programmed (baud rate, 8n1), so nothing is configured here.
  if ((params.flags & abi::kFlagConsoleSerial) != 0 && params.serial_port != 0 &&
      params.serial_port % 4 == 0) {
    g_uart = reinterpret_cast<volatile uint32_t*>(static_cast<uintptr_t>(params.serial_port));
  }
}

void ConsolePutc(char c) {
  if (g_uart == nullptr) return;
  if (c == '\n') PutRaw('\r');
  PutRaw(c);
}

const char kHotplugUnverified[] = "crash hotplug: elfcorehdr not verified (the kernel rewrites it)";

sha256::BlocksFn Sha256Blocks(const char** name) {
  *name = "scalar";
  return sha256::BlocksScalar;
}

[[noreturn]] void Halt() {
  asm volatile("msr daifset, #0xf" ::: "memory");
  for (;;) asm volatile("wfi" ::: "memory");
}

}  // namespace kexkit::arch
