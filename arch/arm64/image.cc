#include "arch/arm64/image.h"

#include <algorithm>
#include <cstring>

#include "base/bytes.h"

namespace kexkit::arm64 {
namespace {

constexpr uint64_t kHeaderSize = 64;
constexpr uint64_t kMaxImage = 1ull << 30;

}  // namespace

Result<Image> ParseImage(std::span<const uint8_t> file, const std::string& name) {
  if (file.size() < kHeaderSize) {
    return FailIn(name, file.size(), " bytes, too small to be an arm64 Image");
  }
  if (Le<uint32_t>(file, 0x38) != kImageMagic) {
    if (file[0] == 0x1f && file[1] == 0x8b) {
      return FailIn(name, "a gzip-compressed kernel; kexkit loads an uncompressed arm64 Image");
    }
    return FailIn(name, "not an arm64 Image (no \"ARM\\x64\" magic at 0x38)");
  }
  Image img;
  img.bytes = file;
  img.text_offset = Le<uint64_t>(file, 0x08);
  img.image_size = Le<uint64_t>(file, 0x10);
  const uint64_t flags = Le<uint64_t>(file, 0x18);
  img.big_endian = (flags & 1) != 0;
  static constexpr unsigned kPageKib[] = {0, 4, 16, 64};
  img.page_kib = kPageKib[(flags >> 1) & 3];
  img.place_anywhere = (flags & 8) != 0;

  if (img.image_size == 0) {
    return FailIn(name, "image_size is 0 (a kernel older than 3.17): its load size is unknown");
  }
  if (img.big_endian) return FailIn(name, "a big-endian kernel; kexkit loads little-endian arm64");
  if (img.image_size > kMaxImage || img.text_offset > kMaxImage) {
    return FailIn(name, "image_size ", Hex(img.image_size), " or text_offset ",
                  Hex(img.text_offset), " is larger than 1 GiB");
  }
  if (img.text_offset % 4096 != 0) {
    return FailIn(name, "text_offset ", Hex(img.text_offset), " is not page-aligned");
  }
  // A kernel with the EFI stub is also a PE/COFF file [arch/arm64/kernel/efi-header.S]:
  // its section table says where the file's data ends, so a truncated copy is caught
  // here, not by a capture kernel that never starts. (Without the stub nothing in the
  // header gives the file's length.)
  if (file[0] == 'M' && file[1] == 'Z') {
    const uint64_t pe = Le<uint32_t>(file, 0x3c);
    if (pe <= file.size() - 24 && std::memcmp(file.data() + pe, "PE\0\0", 4) == 0) {
      const uint64_t sections = Le<uint16_t>(file, pe + 6);
      const uint64_t table = pe + 24 + Le<uint16_t>(file, pe + 20);
      uint64_t data_end = table + 40 * sections;
      for (uint64_t i = 0; i < sections && table + 40 * (i + 1) <= file.size(); ++i) {
        const uint64_t sh = table + 40 * i;
        data_end =
            std::max(data_end, uint64_t{Le<uint32_t>(file, sh + 20)} + Le<uint32_t>(file, sh + 16));
      }
      if (data_end > file.size()) {
        return FailIn(name, "truncated: its PE header describes ", data_end,
                      " bytes, the file has ", file.size());
      }
    }
  }
  return img;
}

}  // namespace kexkit::arm64
