// libFuzzer target: /proc/iomem text -> ParseIomem, then what the loader does with the
// map (RAM, crash-region subtraction, allocation, e820). Seeds (seeds.sh): this host's
// /proc/iomem and saved QEMU / firmware layouts.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "arch/x86/x86-loader.h"
#include "loader/memory-map.h"

using namespace kexkit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto map = load::ParseIomem(text, "fuzz-iomem");
  if (!map) return 0;
  for (const auto& r : map->ranges) {
    if (r.end <= r.start) __builtin_trap();  // [start, end) with end exclusive, never empty
  }
  auto usable = load::Subtract(map->Ram(), map->crash);
  load::AddressSpace space(usable);
  for (uint64_t sz : {uint64_t{0x1000}, uint64_t{0x200000}, uint64_t{0x10000000}}) {
    (void)space.Allocate(sz, 0x1000, 0x1000, ~uint64_t{0}, false);
    (void)space.Allocate(sz, 0x200000, 0, 1ull << 32, true);
  }
  (void)space.Claim(0x100000, 0x100000);
  (void)x86::E820FromMap(map->ranges);
  return 0;
}
