// Physical memory maps: parsing /proc/iomem and /sys/firmware/memmap, and a simple
// address-space allocator for placing segments.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/diag.h"

namespace kexkit::load {

enum class RangeType { kRam, kReserved, kAcpi, kNvs, kUnusable, kPmem, kOther };

// [start, end): end is exclusive everywhere in kexkit; the text formats' inclusive ends
// are converted at parse time.
struct MemRange {
  uint64_t start = 0;
  uint64_t end = 0;
  RangeType type = RangeType::kOther;
  uint64_t size() const { return end - start; }
};

struct MemoryMap {
  std::vector<MemRange> ranges;       // firmware view, sorted by start
  std::vector<MemRange> crash;        // "Crash kernel" reservations, sorted
  std::vector<MemRange> kernel;       // "Kernel code"/"Kernel data"/"Kernel bss" (iomem only)
  std::vector<MemRange> reserved;     // "reserved" nested in another range (iomem only; on
                                      // arm64 the memblock reservations inside System RAM)
  std::vector<MemRange> Ram() const;  // the kRam ranges
};

RangeType RangeTypeFromName(std::string_view name);

// Bounds on a memory map, far above any real one (the kernel's e820 table holds at most
// 3200 entries; crashkernel= makes one or two regions), so that every later pass over
// the ranges (Subtract is ranges x cuts) stays short whatever the input.
inline constexpr size_t kMaxMapRanges = 4096;
inline constexpr size_t kMaxCrashRanges = 16;
inline constexpr size_t kMaxKernelRanges = 64;

// /proc/iomem text. `name` is used in messages. Nested lines ("  00100000-... : Kernel
// code") are read for the crash, kernel and nested reserved ranges; the top level gives
// `ranges`.
// What can go wrong: a malformed line, start > end, or an all-zero map (what non-root
// readers see), each reported with the file name and line number; more ranges than the
// bounds above.
Result<MemoryMap> ParseIomem(std::string_view text, std::string_view name);

// /sys/firmware/memmap/<n>/{start,end,type}: the firmware (e820) map as the boot loader
// handed it over, before the kernel's own changes. Crash and kernel ranges stay empty.
// More than kMaxMapRanges entries is an error.
Result<MemoryMap> ReadFirmwareMemmap(const std::string& dir);

// One entry of that directory from the text of its three files (inclusive hex end, as
// sysfs writes it). `name` (the entry's path) is used in messages. What can go wrong: a
// value that is not hex, an end before the start, an end at the top of the address space.
Result<MemRange> ParseFirmwareMemmapEntry(std::string_view start, std::string_view end,
                                          std::string_view type, std::string_view name);

// The machine's map: /sys/firmware/memmap when present (firmware types are exact),
// with the crash reservation taken from /proc/iomem; else /proc/iomem alone.
Result<MemoryMap> ReadSystemMemoryMap(const std::string& memmap_dir, const std::string& iomem_path);

// Free space for placing segments.
class AddressSpace {
 public:
  explicit AddressSpace(std::vector<MemRange> usable);
  // Finds [addr, addr + size) inside one free range, addr aligned to `align`, within
  // [min, max); lowest or highest candidate first. Marks it used. 0 size is refused.
  Result<uint64_t> Allocate(uint64_t size, uint64_t align, uint64_t min, uint64_t max,
                            bool top_down);
  // Claims a fixed range; false if any byte of it is not free.
  bool Claim(uint64_t start, uint64_t size);
  const std::vector<MemRange>& free_ranges() const { return free_; }

 private:
  std::vector<MemRange> free_;
};

// Subtracts `cut` from every range of `from` (ranges sorted, result sorted).
std::vector<MemRange> Subtract(const std::vector<MemRange>& from, const std::vector<MemRange>& cut);

}  // namespace kexkit::load
