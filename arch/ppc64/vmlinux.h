// The ppc64 kernel image: a vmlinux ELF64 executable, either byte order. kexec on ppc64
// takes only this format [kexec-tools kexec-elf-ppc64.c].
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/diag.h"

namespace kexkit::ppc64 {

inline constexpr uint64_t kRunAtLoadOffset = 0x5c;       // head_64.S __run_at_load
inline constexpr uint32_t kRunAtZeroMagic = 0x72756e30;  // "run0": relocate to 0 at boot
inline constexpr uint64_t kHeadSize = 0x100;             // copied to real address 0

struct Vmlinux {
  Endian endian = Endian::kBig;
  uint32_t abi = 0;                // e_flags & 3: 1 ELFv1, 2 ELFv2, 0 unspecified
  uint64_t entry_offset = 0;       // e_entry - the first PT_LOAD's p_vaddr (inside the image)
  uint64_t memsz = 0;              // from the first PT_LOAD's p_paddr to the end of the last
  std::span<const uint8_t> bytes;  // file bytes of the load image (<= memsz)
  std::vector<uint8_t> joined;     // backing store when several PT_LOADs had to be joined
  bool relocatable = false;        // __run_at_load holds "run0" (CONFIG_RELOCATABLE)
};

// What can go wrong (each an error naming `name`): not ELF64, not EV_CURRENT, not
// ET_EXEC/ET_DYN, not EM_PPC64, an e_flags ABI of 3, a program header table or segment
// outside the file, no PT_LOAD, PT_LOADs out of order, overlapping or wrapping,
// p_filesz > p_memsz, an entry point outside the image or not 4-byte aligned, an image
// smaller than its 0x100-byte head, an implausibly large one (> 1 GiB), or a kernel
// that is not relocatable but linked to run somewhere other than 0.
Result<Vmlinux> ParseVmlinux(std::span<const uint8_t> file, const std::string& name);

}  // namespace kexkit::ppc64
