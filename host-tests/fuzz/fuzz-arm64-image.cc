// libFuzzer target: an untrusted arm64 kernel file as the loader reads it
// (arch/arm64/image.h): Unpack (gzip, EFI zboot with a gzip or zstd payload), then the
// Image header parser on what it gives, PE/COFF truncation check included. Seeds
// (seeds.sh): heads of Debian's arm64 vmlinuz at several lengths, and one head gzipped
// and in zboot containers.
#include <cstddef>
#include <cstdint>
#include <span>

#include "arch/arm64/image.h"

using namespace kexkit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> file(data, size);
  auto unpacked = arm64::Unpack(file, "fuzz-arm64-image");
  if (!unpacked) return 0;
  if (*unpacked) {
    // Unpack bounds what it makes: an Image is at most 1 GiB.
    if ((*unpacked)->size() > (1ull << 30)) __builtin_trap();
    file = **unpacked;
  }
  auto img = arm64::ParseImage(file, "fuzz-arm64-image");
  if (!img) return 0;
  // What the loader relies on: a little-endian, sized Image no larger than 1 GiB.
  if (img->image_size == 0 || img->big_endian || img->image_size > (1ull << 30) ||
      img->text_offset % 4096 != 0 || img->bytes.size() != file.size()) {
    __builtin_trap();
  }
  return 0;
}
