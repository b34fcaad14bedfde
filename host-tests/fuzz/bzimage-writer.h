// Synthetic bzImages: a setup header with chosen fields [Documentation/arch/x86/boot.rst,
// "The real-mode kernel header"] and a zero-filled protected-mode part. Used by the fuzz
// seed generator and the bad-input tests to make precise wrong kernels (an i386-only
// image without a 64-bit entry, a protocol that is too old, a non-relocatable kernel,
// a short cmdline_size) without a checked-in binary. Header-only.
#pragma once

#include <cstdint>
#include <vector>

#include "base/bytes.h"

namespace kktest {

struct BzSpec {
  uint16_t version = 0x020f;
  uint8_t setup_sects = 4;
  uint8_t loadflags = 0x01;  // LOADED_HIGH
  uint32_t initrd_addr_max = 0x7fffffff;
  uint32_t kernel_alignment = 0x200000;
  uint8_t relocatable = 1;
  uint8_t min_alignment = 21;  // 2 MiB
  // XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G | XLF_5LEVEL, as Debian's kernels (built
  // with 5-level paging support) have it: a load test passes on hosts with either paging.
  uint16_t xloadflags = 0x23;
  uint32_t cmdline_size = 2047;
  uint64_t pref_address = 0x1000000;
  uint32_t init_size = 0x400000;
  uint32_t kernel_bytes = 0x10000;  // protected-mode part (zeros)
};

inline std::vector<uint8_t> MakeBzImage(const BzSpec& s) {
  using kexkit::Endian;
  using kexkit::StoreUnchecked;
  const size_t setup = (size_t{s.setup_sects == 0 ? 4u : s.setup_sects} + 1) * 512;
  std::vector<uint8_t> b(setup + s.kernel_bytes, 0);
  auto put16 = [&](size_t o, uint16_t v) { StoreUnchecked<uint16_t>(&b[o], v, Endian::kLittle); };
  auto put32 = [&](size_t o, uint32_t v) { StoreUnchecked<uint32_t>(&b[o], v, Endian::kLittle); };
  auto put64 = [&](size_t o, uint64_t v) { StoreUnchecked<uint64_t>(&b[o], v, Endian::kLittle); };
  b[0x1f1] = s.setup_sects;
  put32(0x1f4, s.kernel_bytes / 16);  // syssize
  put16(0x1fe, 0xaa55);               // boot_flag
  b[0x200] = 0xeb;                    // jmp short past the header;
  b[0x201] = 0x66;                    // its offset ends the header at 0x268
  put32(0x202, 0x53726448);           // "HdrS"
  put16(0x206, s.version);
  b[0x211] = s.loadflags;
  put32(0x214, 0x100000);  // code32_start
  put32(0x22c, s.initrd_addr_max);
  put32(0x230, s.kernel_alignment);
  b[0x234] = s.relocatable;
  b[0x235] = s.min_alignment;
  put16(0x236, s.xloadflags);
  put32(0x238, s.cmdline_size);
  put64(0x258, s.pref_address);
  put32(0x260, s.init_size);
  return b;
}

}  // namespace kktest
