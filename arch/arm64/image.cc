#include "arch/arm64/image.h"

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
  return img;
}

}  // namespace kexkit::arm64
