// bzImage parsing [Documentation/arch/x86/boot.rst]. Every field is read after a bounds
// check against the file and a protocol-version gate for the field's introduction.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/diag.h"

namespace kexkit::x86 {

// Upper bound kexkit puts on cmdline_size (the kernel's own is 2047 on x86).
inline constexpr uint32_t kMaxCmdlineSize = 64 * 1024;

struct BzImage {
  uint16_t version = 0;      // boot protocol, e.g. 0x020f
  uint32_t setup_sects = 0;  // 0 in the header means 4
  uint8_t loadflags = 0;
  uint16_t xloadflags = 0;                // 2.12+
  uint32_t kernel_alignment = 0;          // 2.05+ (relocatable kernels)
  uint8_t relocatable = 0;                // 2.05+
  uint8_t min_alignment = 0;              // 2.10+: log2 of the alignment the kernel needs to boot
  uint32_t cmdline_size = 255;            // 2.06+, else 255; at most kMaxCmdlineSize
  uint32_t initrd_addr_max = 0x37ffffff;  // 2.03+
  uint64_t pref_address = 0x100000;       // 2.10+
  uint32_t init_size = 0;                 // 2.10+; 0 before
  uint32_t handover_offset = 0;           // 2.11+: EFI handover entry (kexkit never uses it)
  std::span<const uint8_t> setup_header;  // 0x1f1 .. 0x202 + byte at 0x201
  std::span<const uint8_t> kernel;        // the protected-mode part: what gets loaded

  bool Has64BitEntry() const { return version >= 0x020c && (xloadflags & 1); }
};

// What can go wrong (each an error naming `name`): too small for a setup header, no
// 0xAA55 boot flag or "HdrS" magic (not a bzImage), protocol older than 2.02, setup
// sectors past the end of the file, no protected-mode part.
Result<BzImage> ParseBzImage(std::span<const uint8_t> file, const std::string& name);

}  // namespace kexkit::x86
