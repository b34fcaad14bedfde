// x86_64 trampoline hooks: long mode reaches the whole 64-bit space; the kernel's
// 64-bit entry gets rsi = boot_params and every other register zero, on the
// trampoline's own stack [x86 boot protocol, 64-bit boot], exactly as from the purgatory
// (the same EntryX86_64 block, loaded by boot64.asm).
#include "kexkit/purgatory-abi.h"
#include "trampoline-arch.h"

extern "C" {
extern kexkit::abi::EntryX86_64 kexkit_tramp_entry_x86_64;
extern char kexkit_tramp_stack_top[];
}

namespace kexkit::trampoline {

uint64_t ArchAddressLimit() { return ~uint64_t{0}; }

uint32_t ArchExtraFootprint(kexkit_range*, const char**, uint32_t) { return 0; }

void ArchPrepareHandoff(const kexkit_handoff& h) {
  abi::EntryX86_64& e = kexkit_tramp_entry_x86_64;
  e = {};
  e.rsi = h.arg;
  e.rsp = reinterpret_cast<uintptr_t>(kexkit_tramp_stack_top);
  e.rip = h.entry;
}

}  // namespace kexkit::trampoline
