// ppc64 trampoline hooks (both byte orders): real mode reaches all of memory; the
// kernel gets r3 = FDT, r4 = entry, r5 = 0, r8/r9 = OPAL (the purgatory's EntryPpc64
// block, loaded by boot.S). Beyond its two sections the trampoline depends on the TOC
// (.toc / .got entries the firmware's link merged with its own) and, on ELFv1, on the
// function descriptor of the SHA-256 compression it calls indirectly: both go into
// the footprint.
#include "kexkit/purgatory-abi.h"
#include "kexkit/sha256.h"
#include "trampoline-arch.h"

extern "C" {
extern kexkit::abi::EntryPpc64 kexkit_tramp_entry_ppc64;
}

namespace kexkit::trampoline {

uint64_t ArchAddressLimit() { return ~uint64_t{0}; }

uint32_t ArchExtraFootprint(kexkit_range* ranges, const char** names, uint32_t max) {
  uint32_t n = 0;
  uint64_t toc;
  asm("mr %0, 2" : "=r"(toc));
  // r2 points 0x8000 into the TOC, and 16-bit offsets reach +-32 KiB from it
  // [ELFv2 ABI 3.3; ELFv1 ABI 3.2.3].
  if (n < max) {
    ranges[n] = {toc - 0x8000, toc + 0x8000};
    names[n++] = "TOC";
  }
#if defined(_CALL_ELF) && _CALL_ELF == 1
  // An ELFv1 function pointer is the address of its 24-byte descriptor (.opd).
  if (n < max) {
    const uint64_t d = reinterpret_cast<uintptr_t>(&sha256::BlocksScalar);
    ranges[n] = {d, d + 24};
    names[n++] = "sha256 descriptor";
  }
#endif
  return n;
}

void ArchPrepareHandoff(const kexkit_handoff& h) {
  abi::EntryPpc64& e = kexkit_tramp_entry_ppc64;
  e = {};
  e.kernel = h.entry;
  e.fdt = h.arg;
  e.opal_base = h.opal_base;
  e.opal_entry = h.opal_entry;
}

}  // namespace kexkit::trampoline
