// The arm64 kernel Image header [Documentation/arch/arm64/booting.rst, "Call the kernel
// image"; arch/arm64/kernel/head.S, image.h]: 64 bytes at the start of the Image, all
// fields little-endian (since Linux 3.17), magic "ARM\x64" at 0x38.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

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

// The kernel file as distributions ship it, made an Image:
//   - a plain Image: nullopt (use the file itself);
//   - gzip (1f 8b: Ubuntu's vmlinuz): inflated with zlib;
//   - an EFI zboot image (Linux 6.1+ CONFIG_EFI_ZBOOT: "MZ" then "zimg" at 4, payload
//     offset and size at 8 and 12, the compression's name at 0x18 [drivers/firmware/efi/
//     libstub/zboot-header.S]; kexec-tools 2.0.27+ loads them): its gzip or zstd payload.
// The result is checked by ParseImage like any Image. What can go wrong: a corrupt or
// truncated stream, a payload outside the file, an unknown compression, more than
// 1 GiB of output; one line naming the file.
Result<std::optional<std::vector<uint8_t>>> Unpack(std::span<const uint8_t> file,
                                                   const std::string& name);

// Whether this build reads gzip (zlib) and zstd (libzstd) kernels.
extern const bool kHaveZlib;
extern const bool kHaveZstd;

}  // namespace kexkit::arm64
