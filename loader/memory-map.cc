#include "loader/memory-map.h"

#include <dirent.h>

#include <algorithm>
#include <cstdlib>

#include "loader/file.h"
#include "loader/text.h"

namespace kexkit::load {
namespace {

void SortRanges(std::vector<MemRange>& v) {
  std::sort(v.begin(), v.end(),
            [](const MemRange& a, const MemRange& b) { return a.start < b.start; });
}

}  // namespace

RangeType RangeTypeFromName(std::string_view name) {
  if (name == "System RAM") return RangeType::kRam;
  if (name == "Reserved" || name == "reserved") return RangeType::kReserved;
  if (name == "ACPI Tables") return RangeType::kAcpi;
  if (name == "ACPI Non-volatile Storage") return RangeType::kNvs;
  if (name == "Unusable memory") return RangeType::kUnusable;
  if (name == "Persistent Memory" || name == "Persistent Memory (legacy)") {
    return RangeType::kPmem;
  }
  return RangeType::kOther;
}

std::vector<MemRange> MemoryMap::Ram() const {
  std::vector<MemRange> out;
  for (const MemRange& r : ranges) {
    if (r.type == RangeType::kRam) out.push_back(r);
  }
  return out;
}

Result<MemoryMap> ParseIomem(std::string_view text, std::string_view name) {
  MemoryMap map;
  const std::string n(name);
  size_t line_no = 0;
  bool any_nonzero = false;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (TrimSpace(line).empty()) continue;
    size_t indent = 0;
    while (indent < line.size() && line[indent] == ' ') ++indent;
    const size_t dash = line.find('-', indent);
    const size_t colon = line.find(" : ", indent);
    uint64_t start, last;
    if (dash == std::string_view::npos || colon == std::string_view::npos || dash > colon ||
        !ParseUnsigned(TrimSpace(line.substr(indent, dash - indent)), 16, &start) ||
        !ParseUnsigned(TrimSpace(line.substr(dash + 1, colon - dash - 1)), 16, &last)) {
      return Fail(n, ":", line_no, ": malformed line (want 'start-end : name')");
    }
    if (last < start) return Fail(n, ":", line_no, ": range ends before it starts");
    if (start != 0 || last != 0) any_nonzero = true;
    if (last == ~uint64_t{0})
      return Fail(n, ":", line_no, ": range reaches the top of the address space");
    const std::string_view label = TrimSpace(line.substr(colon + 3));
    const MemRange r{start, last + 1, RangeTypeFromName(label)};
    if (label == "Crash kernel") {
      map.crash.push_back(r);
    } else if (label == "Kernel code" || label == "Kernel data" || label == "Kernel bss" ||
               label == "Kernel rodata") {
      map.kernel.push_back(r);
    }
    if (indent == 0) {
      map.ranges.push_back(r);
    } else if (r.type == RangeType::kReserved) {
      map.reserved.push_back(r);
    }
    if (map.ranges.size() > kMaxMapRanges || map.crash.size() > kMaxCrashRanges ||
        map.kernel.size() > kMaxKernelRanges || map.reserved.size() > kMaxMapRanges) {
      return Fail(n, ":", line_no, ": more ranges than any memory map has (", kMaxMapRanges, ", ",
                  kMaxCrashRanges, " crash, ", kMaxKernelRanges, " kernel)");
    }
  }
  if (map.ranges.empty()) return FailIn(n, "no memory ranges");
  if (!any_nonzero) {
    return FailIn(n, "every address reads as zero (not root?); run as root or pass a saved copy");
  }
  SortRanges(map.ranges);
  SortRanges(map.crash);
  SortRanges(map.kernel);
  SortRanges(map.reserved);
  return map;
}

Result<MemoryMap> ReadFirmwareMemmap(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return FailIn(dir, "cannot open directory");
  std::vector<std::string> entries;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') entries.emplace_back(e->d_name);
    if (entries.size() > kMaxMapRanges) {
      ::closedir(d);
      return FailIn(dir, "more than ", kMaxMapRanges, " entries");
    }
  }
  ::closedir(d);
  MemoryMap map;
  for (const std::string& e : entries) {
    const std::string base = dir + "/" + e + "/";
    auto s = ReadTextFile(base + "start");
    auto t = ReadTextFile(base + "end");
    auto ty = ReadTextFile(base + "type");
    if (!s || !t || !ty) return FailIn((dir + "/" + e), "incomplete entry (start, end, type)");
    auto r = ParseFirmwareMemmapEntry(*s, *t, *ty, dir + "/" + e);
    if (!r) return std::unexpected(r.error());
    map.ranges.push_back(*r);
  }
  if (map.ranges.empty()) return FailIn(dir, "no entries");
  SortRanges(map.ranges);
  return map;
}

Result<MemRange> ParseFirmwareMemmapEntry(std::string_view start_text, std::string_view end_text,
                                          std::string_view type_text, std::string_view name) {
  uint64_t start, last;
  if (!ParseUnsigned(TrimSpace(start_text), 16, &start) ||
      !ParseUnsigned(TrimSpace(end_text), 16, &last) || last < start || last == ~uint64_t{0}) {
    return FailIn(std::string_view(name.data(), name.size()), "malformed start/end");
  }
  return MemRange{start, last + 1, RangeTypeFromName(TrimSpace(type_text))};
}

Result<MemoryMap> ReadSystemMemoryMap(const std::string& memmap_dir,
                                      const std::string& iomem_path) {
  auto iomem_text = ReadTextFile(iomem_path);
  if (!iomem_text) return std::unexpected(iomem_text.error());
  auto iomem = ParseIomem(*iomem_text, iomem_path);
  if (!iomem) return iomem;
  if (DIR* d = ::opendir(memmap_dir.c_str()); d != nullptr) {
    ::closedir(d);
    auto fw = ReadFirmwareMemmap(memmap_dir);
    if (!fw) return fw;
    fw->crash = iomem->crash;
    fw->kernel = iomem->kernel;
    fw->reserved = iomem->reserved;
    return fw;
  }
  return iomem;
}

std::vector<MemRange> Subtract(const std::vector<MemRange>& from,
                               const std::vector<MemRange>& cut) {
  std::vector<MemRange> out;
  for (MemRange r : from) {
    std::vector<MemRange> pieces{r};
    for (const MemRange& c : cut) {
      std::vector<MemRange> next;
      for (const MemRange& p : pieces) {
        if (c.end <= p.start || c.start >= p.end) {
          next.push_back(p);
          continue;
        }
        if (c.start > p.start) next.push_back({p.start, c.start, p.type});
        if (c.end < p.end) next.push_back({c.end, p.end, p.type});
      }
      pieces = std::move(next);
    }
    out.insert(out.end(), pieces.begin(), pieces.end());
  }
  SortRanges(out);
  return out;
}

AddressSpace::AddressSpace(std::vector<MemRange> usable) : free_(std::move(usable)) {
  SortRanges(free_);
}

Result<uint64_t> AddressSpace::Allocate(uint64_t size, uint64_t align, uint64_t min, uint64_t max,
                                        bool top_down) {
  if (size == 0) return Fail("zero-sized allocation");
  if (align == 0 || (align & (align - 1)) != 0)
    return Fail("alignment ", align, " is not a power of two");
  auto try_range = [&](const MemRange& r, uint64_t* out) {
    const uint64_t lo = std::max(r.start, min);
    const uint64_t hi = std::min(r.end, max);
    if (lo >= hi || hi - lo < size) return false;
    uint64_t addr;
    if (top_down) {
      addr = (hi - size) & ~(align - 1);
      if (addr < lo) return false;
    } else {
      addr = (lo + align - 1) & ~(align - 1);
      if (addr < lo || addr > hi || hi - addr < size) return false;
    }
    *out = addr;
    return true;
  };
  uint64_t addr = 0;
  bool found = false;
  if (top_down) {
    for (auto it = free_.rbegin(); it != free_.rend() && !found; ++it)
      found = try_range(*it, &addr);
  } else {
    for (auto it = free_.begin(); it != free_.end() && !found; ++it) found = try_range(*it, &addr);
  }
  if (!found) {
    return Fail("no free memory for ", Hex(size), " bytes (alignment ", Hex(align), ") in [",
                Hex(min), ", ", Hex(max), ")");
  }
  Claim(addr, size);
  return addr;
}

bool AddressSpace::Claim(uint64_t start, uint64_t size) {
  const uint64_t end = start + size;
  if (end < start) return false;
  for (const MemRange& r : free_) {
    if (r.start <= start && end <= r.end) {
      free_ = Subtract(free_, {{start, end, r.type}});
      return true;
    }
  }
  return false;
}

}  // namespace kexkit::load
