#include "arch/x86/x86-crash.h"

#include <algorithm>
#include <string>

#include "base/elf.h"
#include "loader/file.h"
#include "loader/text.h"

namespace kexkit::x86 {
namespace {

using load::CoreKernelText;
using load::KcoreLoad;
using load::LoadContext;
using load::MemRange;
using load::ParseUnsigned;
using load::RangeType;
using load::ReadTextFile;
using load::TrimSpace;

constexpr uint64_t k4G = uint64_t{1} << 32;
constexpr uint64_t kLowMemTop = 0xa0000;  // 640K: where the x86 backup window ends
// Room left in the core header for program headers added later (memory and CPU hotplug
// with a reload by the kdump tools).
constexpr uint64_t kSparePhdrs = 256;

// x86_64 [Documentation/arch/x86/x86_64/mm.rst]: the kernel image's mapping, and the
// direct map's base when KASLR does not move it (4-level paging, Linux >= 4.20).
constexpr uint64_t kX86_64StartKernelMap = 0xffffffff80000000ull;
constexpr uint64_t kX86_64PageOffset = 0xffff888000000000ull;
// i386 [arch/x86/include/asm/page_32_types.h]: PAGE_OFFSET for VMSPLIT_3G, and lowmem
// ends __VMALLOC_RESERVE (128 MiB) below the top of the address space [kexec-tools
// X86_MAXMEM].
constexpr uint64_t kI386PageOffset = 0xc0000000ull;
constexpr uint64_t kI386VmallocReserve = 128ull << 20;

const char* TypeName(RangeType t) {
  switch (t) {
    case RangeType::kRam:
      return "RAM";
    case RangeType::kReserved:
      return "reserved";
    case RangeType::kAcpi:
      return "ACPI";
    case RangeType::kNvs:
      return "NVS";
    case RangeType::kUnusable:
      return "unusable";
    case RangeType::kPmem:
      return "pmem";
    case RangeType::kOther:
      return "other";
  }
  return "other";
}

}  // namespace

X86KernelLayout X86LayoutFromKcore(const std::vector<KcoreLoad>& loads) {
  // kcore's PT_LOADs [fs/proc/kcore.c]: p_paddr = __pa() for the direct map (KCORE_RAM),
  // __pa_symbol() for the kernel text (KCORE_TEXT), all ones for vmalloc, vmemmap and
  // modules. So the text is the load at or above __START_KERNEL_map with a physical
  // address, and any direct-map load gives page_offset = vaddr - paddr.
  constexpr uint64_t kNoPaddr = ~uint64_t{0};
  X86KernelLayout out;
  uint64_t lowest = ~uint64_t{0};
  for (const KcoreLoad& l : loads) {
    lowest = std::min(lowest, l.vaddr);
    if (l.paddr == kNoPaddr || l.size == 0) continue;
    if (l.vaddr >= kX86_64StartKernelMap) {
      if (!out.text) out.text = CoreKernelText{l.vaddr, l.paddr, l.size};
    } else if (!out.page_offset && l.vaddr >= l.paddr) {
      out.page_offset = l.vaddr - l.paddr;
    }
  }
  // Kernels whose kcore has no p_paddr: the direct map is the lowest mapping, and KASLR
  // places it on a 1 GiB (PUD) boundary [kexec-tools get_kernel_vaddr_and_size].
  if (!out.page_offset && lowest < kX86_64StartKernelMap && lowest >= (uint64_t{1} << 63)) {
    out.page_offset = lowest & ~((uint64_t{1} << 30) - 1);
  }
  return out;
}

MemRange FindBackupSource(const std::vector<MemRange>& ram) {
  for (const MemRange& r : ram) {
    if (r.start >= kLowMemTop) break;
    if (r.type != RangeType::kRam || r.end <= r.start) continue;
    return {r.start, std::min(r.end, kLowMemTop), RangeType::kRam};
  }
  return {0, kLowMemTop, RangeType::kRam};
}

std::vector<MemRange> CaptureMemoryMap(const std::vector<MemRange>& firmware,
                                       const std::vector<MemRange>& crash,
                                       const MemRange& backup_src,
                                       const std::vector<MemRange>& holes) {
  std::vector<MemRange> ram{{backup_src.start, backup_src.end, RangeType::kRam}};
  for (const MemRange& c : crash) ram.push_back({c.start, c.end, RangeType::kRam});
  std::sort(ram.begin(), ram.end(),
            [](const MemRange& a, const MemRange& b) { return a.start < b.start; });
  // Firmware ranges the capture kernel must not take for RAM, and needs to map (ACPI
  // tables, NVS), keep out of its allocator (reserved: MMCONFIG, ROMs) or drive (pmem)
  // [kexec-tools load_crashdump_segments].
  std::vector<MemRange> fw;
  for (const MemRange& r : firmware) {
    if (r.type == RangeType::kAcpi || r.type == RangeType::kNvs || r.type == RangeType::kReserved ||
        r.type == RangeType::kPmem) {
      fw.push_back(r);
    }
  }
  std::vector<MemRange> out = Subtract(ram, holes);
  for (const MemRange& r : Subtract(fw, ram)) out.push_back(r);
  std::sort(out.begin(), out.end(),
            [](const MemRange& a, const MemRange& b) { return a.start < b.start; });
  return out;
}

std::optional<uint64_t> ReadEfiAcpiRsdp(const std::string& sysfs) {
  auto text = ReadTextFile(sysfs + "/firmware/efi/systab");
  if (!text) return std::nullopt;
  std::optional<uint64_t> acpi20, acpi;
  std::string_view t = *text;
  while (!t.empty()) {
    const size_t nl = t.find('\n');
    const std::string_view line = TrimSpace(t.substr(0, nl));
    t.remove_prefix(nl == std::string_view::npos ? t.size() : nl + 1);
    uint64_t v;
    if (line.starts_with("ACPI20=") && ParseUnsigned(line.substr(7), 16, &v)) {
      acpi20 = v;
    } else if (line.starts_with("ACPI=") && ParseUnsigned(line.substr(5), 16, &v)) {
      acpi = v;
    }
  }
  return acpi20 ? acpi20 : acpi;
}

Result<X86Crash> AddX86CrashSegments(LoadContext& ctx, bool bits64) {
  const load::Options& opt = ctx.opt;
  std::vector<std::string>& notes = ctx.plan.notes;
  // The old kernel's RAM as the kernel sees it (/proc/iomem), less the crash regions.
  auto dump = load::ReadDumpRanges(ctx, /*require_iomem_crash=*/true);
  if (!dump) return std::unexpected(dump.error());

  load::CrashFacts f;
  f.machine = bits64 ? elf::kEmX86_64 : elf::kEm386;
  f.endian = Endian::kLittle;
  // Class [kexec-tools get_core_type]: ELF64 for x86_64; for i386 ELF32 unless memory
  // reaches past 4 GiB. --elf32/--elf64-core-headers override.
  f.elf64 = bits64 || dump->back().end > k4G;
  if (opt.core_elf_class != 0) f.elf64 = opt.core_elf_class == 64;
  f.dump = *dump;
  // The backup: source below 640K, copy inside the crash region (below 4 GiB on i386,
  // whose purgatory runs with paging off).
  f.backup_src = FindBackupSource(*dump);
  f.segment_max = bits64 ? ~uint64_t{0} : k4G;
  f.spare_phdrs = kSparePhdrs;
  f.hotplug_flag = load::kKexecUpdateElfcorehdr;

  // Virtual addresses: the kernel text mapping and the direct map's base, from kcore.
  std::optional<X86KernelLayout> layout;
  if (auto loads = load::ReadKcoreLoads(opt.kcore); loads) {
    layout = X86LayoutFromKcore(*loads);
  } else {
    notes.push_back("kdump: " + loads.error().Line());
  }
  if (bits64) {
    if (!f.elf64) {
      // Every x86_64 kernel virtual address is above 4 GiB: an ELF32 header can carry
      // physical addresses only.
      notes.push_back(
          "kdump: ELF32 core header: no virtual addresses (x86_64 kernel "
          "addresses do not fit); makedumpfile assumes the default direct map");
    } else {
      if (layout && layout->text) {
        f.kernel_text = layout->text;
      } else {
        // Without kcore the text's virtual address is unknown: KASLR moves virtual and
        // physical placement independently, so "Kernel code" alone cannot give it.
        // makedumpfile takes phys_base from vmcoreinfo (NUMBER(phys_base)) instead.
        notes.push_back(
            "kdump: kernel text mapping unknown (no kcore): no kernel text "
            "PT_LOAD; tools use vmcoreinfo's phys_base");
      }
      if (layout && layout->page_offset) {
        f.page_offset = layout->page_offset;
      } else {
        f.page_offset = kX86_64PageOffset;
        notes.push_back(Cat("kdump: direct map base unknown (no kcore): assuming ",
                            Hex(kX86_64PageOffset), " (wrong if KASLR randomized it)"));
      }
    }
  } else {
    f.page_offset = layout && layout->page_offset ? *layout->page_offset : kI386PageOffset;
    if (*f.page_offset < k4G) f.linear_limit = k4G - *f.page_offset - kI386VmallocReserve;
  }

  auto seg = load::AddCrashSegments(ctx, f);
  if (!seg) return std::unexpected(seg.error());

  X86Crash out;
  out.capture_map = CaptureMemoryMap(
      ctx.map.ranges, ctx.map.crash, f.backup_src,
      {{seg->backup_dst, seg->backup_dst + seg->backup_memsz, RangeType::kRam},
       {seg->elfcorehdr_addr, seg->elfcorehdr_addr + seg->elfcorehdr_memsz, RangeType::kRam}});
  // On EFI machines the capture kernel gets no EFI system table (no SETUP_EFI), so it is
  // told where ACPI's RSDP is [kexec-tools cmdline_add_efi].
  out.cmdline_extra = seg->cmdline_extra;
  if (const auto rsdp = ReadEfiAcpiRsdp(opt.sysfs);
      rsdp && ctx.cmdline.find("acpi_rsdp=") == std::string::npos) {
    out.cmdline_extra += Cat(" acpi_rsdp=", Hex(*rsdp));
  }
  notes.push_back("kdump: capture kernel memory map:");
  for (const MemRange& r : out.capture_map) {
    notes.push_back(Cat("  ", Hex(r.start, 16), "-", Hex(r.end - 1, 16), " ", TypeName(r.type)));
  }
  notes.push_back("kdump: command line +=" + out.cmdline_extra);
  return out;
}

}  // namespace kexkit::x86
