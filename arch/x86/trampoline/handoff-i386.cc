// i386 trampoline hooks: paging off, so 32-bit physical addresses only; the kernel's
// 32-bit entry gets esi = boot_params, ebx = ebp = edi = 0 [x86 boot protocol, 32-bit
// boot], from the same EntryI386 block the purgatory uses (loaded by boot32.asm).
#include "kexkit/purgatory-abi.h"
#include "trampoline-arch.h"

extern "C" {
extern kexkit::abi::EntryI386 kexkit_tramp_entry_i386;
extern char kexkit_tramp_stack_top[];
}

namespace kexkit::trampoline {

uint64_t ArchAddressLimit() { return uint64_t{1} << 32; }

uint32_t ArchExtraFootprint(kexkit_range*, const char**, uint32_t) { return 0; }

void ArchPrepareHandoff(const kexkit_handoff& h) {
  abi::EntryI386& e = kexkit_tramp_entry_i386;
  e = {};
  e.esi = static_cast<uint32_t>(h.arg);
  e.esp = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(kexkit_tramp_stack_top));
  e.eip = static_cast<uint32_t>(h.entry);
}

}  // namespace kexkit::trampoline
