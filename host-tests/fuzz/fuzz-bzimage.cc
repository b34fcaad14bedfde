// libFuzzer target: the bzImage header parser and the boot_params builder on an
// untrusted kernel image. Seeds (seeds.sh): the first 512 KiB of Debian's vmlinuz (the
// header is in the first few KiB) and kk-fuzz-seedgen's synthetic headers.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "arch/x86/bzimage.h"
#include "arch/x86/x86-loader.h"

using namespace kexkit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> file(data, size);
  auto bz = x86::ParseBzImage(file, "fuzz-bzImage");
  if (!bz) return 0;
  size_t sum = bz->kernel.size();
  for (uint8_t b : bz->setup_header) sum += b;
  (void)bz->Has64BitEntry();
  // The boot_params page for this header, with a command line of its full allowed
  // length and more e820 entries than the zero page holds (the setup_data path).
  std::vector<x86::E820Entry> e820;
  for (uint64_t i = 0; i < 130; ++i) e820.push_back({i << 20, 1 << 20, 1});
  const std::string cmdline(bz->cmdline_size, 'x');
  std::vector<uint8_t> base(4096, 0x11);
  const uint8_t seed[32] = {};
  auto params =
      x86::BuildBootParams(*bz, 0x90000, cmdline, 0x1000000, 0x7000000, 12345, e820, base, seed);
  if (params.size() != x86::BootParamsSize(*bz, e820.size())) __builtin_trap();
  return static_cast<int>(sum & 0);
}
