// libFuzzer target: the arm64 Image header parser (arch/arm64/image.h) on an untrusted
// kernel file, PE/COFF truncation check included. Seeds (seeds.sh): heads of Debian's
// arm64 vmlinuz at several lengths.
#include <cstddef>
#include <cstdint>
#include <span>

#include "arch/arm64/image.h"

using namespace kexkit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto img = arm64::ParseImage(std::span<const uint8_t>(data, size), "fuzz-arm64-image");
  if (!img) return 0;
  // What the loader relies on: a little-endian, sized Image no larger than 1 GiB.
  if (img->image_size == 0 || img->big_endian || img->image_size > (1ull << 30) ||
      img->text_offset % 4096 != 0 || img->bytes.size() != size) {
    __builtin_trap();
  }
  return 0;
}
