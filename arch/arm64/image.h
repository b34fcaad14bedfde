// The arm64 kernel Image header [Documentation/arch/arm64/booting.rst, "Call the kernel
// image"; arch/arm64/kernel/head.S, image.h]: 64 bytes at the start of the Image, all
// fields little-endian (since Linux 3.17), magic "ARM\x64" at 0x38.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/diag.h"

namespace kexkit::arm64 {

inline constexpr uint32_t kImageMagic = 0x644d5241;  // "ARM\x64", little-endian
inline constexpr uint64_t kImageAlign = 2ull << 20;  // the Image's base: 2 MiB-aligned

struct Image {
  std::span<const uint8_t> bytes;  // the whole file: what the kernel segment holds
  uint64_t text_offset = 0;        // from the 2 MiB-aligned base to the Image's start
  uint64_t image_size = 0;         // bytes from the Image's start the kernel needs (with BSS)
  bool big_endian = false;         // flags bit 0
  unsigned page_kib = 0;           // flags bits 1-2: 4, 16 or 64; 0 = not said
  bool place_anywhere = false;     // flags bit 3: any 2 MiB base below 2^48, not only low
};

// Parses and checks an Image. A pre-3.17 header (image_size 0) is refused: its
// text_offset's byte order and its memory needs are unknown. So is a big-endian kernel
// on this little-endian loader, and any size that does not fit 1 GiB.
Result<Image> ParseImage(std::span<const uint8_t> file, const std::string& name);

}  // namespace kexkit::arm64
