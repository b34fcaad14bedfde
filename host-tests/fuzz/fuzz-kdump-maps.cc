// libFuzzer target: the kdump text inputs and map arithmetic. Input: a sysfs CPU list
// ("0-3,8"), a NUL, then /proc/iomem text. ParseCpuList on the first; ParseIomem on the
// second, then what the x86 kdump setup (AddX86CrashSegments) derives from it: the backup source,
// and the capture kernel's memory map around a core header and backup hole inside the crash region.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "arch/x86/x86-crash.h"
#include "loader/crash.h"
#include "loader/memory-map.h"

using namespace kexkit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t z = in.find('\0');
  auto cpus = load::ParseCpuList(in.substr(0, z), "fuzz-possible");
  if (cpus && cpus->size() > 65536) __builtin_trap();  // bounded, whatever the ranges say
  if (z == std::string_view::npos) return 0;
  auto map = load::ParseIomem(in.substr(z + 1), "fuzz-iomem");
  if (!map) return 0;
  const auto ram = map->Ram();
  const load::MemRange backup = x86::FindBackupSource(ram);
  std::vector<load::MemRange> holes;
  if (!map->crash.empty()) {
    const load::MemRange& c = map->crash.back();
    holes.push_back({c.end - (c.size() / 2), c.end, load::RangeType::kRam});
  }
  for (const auto& r : x86::CaptureMemoryMap(map->ranges, map->crash, backup, holes)) {
    if (r.end < r.start) __builtin_trap();
  }
  return 0;
}
