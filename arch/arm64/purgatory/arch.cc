// arm64 purgatory hooks: the PL011 console, the SHA-256 path (Crypto Extensions when
// the CPU has them) and halt. Everything runs
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

namespace {

// ID_AA64ISAR0_EL1.SHA2, bits 15:12: 1 = SHA256H/H2/SU0/SU1, 2 = also SHA-512 [Arm ARM
// D19.2.61]. Readable at EL1 and EL2.
bool HasSha2() {
  uint64_t isar0;
  asm volatile("mrs %0, id_aa64isar0_el1" : "=r"(isar0));
  return ((isar0 >> 12) & 0xf) != 0;
}

// The old kernel may leave FP/SIMD trapped (it turns access on per task): turn it on for
// the hash alone and put the control register back afterwards, as x86 does with
// CR4.OSFXSR. At EL1, and at EL2 with HCR_EL2.E2H = 1 (a VHE kernel, where the CPACR_EL1
// encoding reaches CPTR_EL2), CPACR_EL1.FPEN = 0b11; at EL2 with E2H = 0 (the hyp stub's
// soft restart), CPTR_EL2.TFP = 0 [Arm ARM D19.2.30, D19.2.31].
constexpr uint64_t kCpacrFpen = 3ull << 20, kCptrTfp = 1ull << 10, kHcrE2h = 1ull << 34;

void BlocksArmCeWithSimd(uint32_t state[8], const uint8_t* data, size_t blocks) {
  uint64_t el;
  asm volatile("mrs %0, CurrentEL" : "=r"(el));
  bool vhe = false;
  if (((el >> 2) & 3) == 2) {
    uint64_t hcr;
    asm volatile("mrs %0, hcr_el2" : "=r"(hcr));
    vhe = (hcr & kHcrE2h) != 0;
  }
  if (((el >> 2) & 3) == 2 && !vhe) {
    uint64_t cptr;
    asm volatile("mrs %0, cptr_el2" : "=r"(cptr));
    asm volatile("msr cptr_el2, %0\n\tisb" : : "r"(cptr & ~kCptrTfp) : "memory");
    sha256::BlocksArmCe(state, data, blocks);
    asm volatile("msr cptr_el2, %0\n\tisb" : : "r"(cptr) : "memory");
    return;
  }
  uint64_t cpacr;
  asm volatile("mrs %0, cpacr_el1" : "=r"(cpacr));
  asm volatile("msr cpacr_el1, %0\n\tisb" : : "r"(cpacr | kCpacrFpen) : "memory");
  sha256::BlocksArmCe(state, data, blocks);
  asm volatile("msr cpacr_el1, %0\n\tisb" : : "r"(cpacr) : "memory");
}

}  // namespace

sha256::BlocksFn Sha256Blocks(const char** name) {
  if (HasSha2()) {
    *name = "armv8-ce";
    return BlocksArmCeWithSimd;
  }
  *name = "scalar";
  return sha256::BlocksScalar;
}

[[noreturn]] void Halt() {
  asm volatile("msr daifset, #0xf" ::: "memory");
  for (;;) asm volatile("wfi" ::: "memory");
}

}  // namespace kexkit::arch
