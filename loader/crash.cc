#include "loader/crash.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "base/bytes.h"
#include "base/elf.h"
#include "loader/file.h"
#include "loader/text.h"

namespace kexkit::load {
namespace {

using ull = unsigned long long;

constexpr uint64_t k4G = uint64_t{1} << 32;
constexpr uint64_t kLowMemTop = 0xa0000;  // 640K: where the x86 backup window ends
// kexec-tools' note size for kernels without crash_notes_size (MAX_NOTE_BYTES).
constexpr uint64_t kDefaultNoteBytes = 1024;
// Room left in the core header segment for program headers added later (memory and CPU
// hotplug: the kernel's crash hotplug support rewrites the header in place, kdump
// tools that reload rebuild it); the zero fill costs nothing in the image.
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

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

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

std::string Line(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string Line(const char* fmt, ...) {
  char buf[320];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  return buf;
}

// Reads exactly `len` bytes at `off`, or fails naming the file.
Result<void> PreadAll(int fd, const std::string& path, uint64_t off, uint8_t* buf, size_t len) {
  size_t done = 0;
  while (done < len) {
    const ssize_t n = ::pread(fd, buf + done, len - done, static_cast<off_t>(off + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Fail("%s: read at 0x%llx: %s", path.c_str(), (ull)(off + done), std::strerror(errno));
    }
    if (n == 0) {
      return Fail("%s: ends before 0x%llx (truncated ELF headers)", path.c_str(), (ull)(off + len));
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

// Per-architecture facts the core header needs. A switch over every CrashArch without a
// default, so -Wswitch flags a new one here rather than letting it fall through.
struct CrashArchInfo {
  uint16_t machine;
  Endian endian;
};

Result<CrashArchInfo> ArchInfo(CrashArch arch, bool bits64) {
  switch (arch) {
    case CrashArch::kX86:
      return CrashArchInfo{bits64 ? elf::kEmX86_64 : elf::kEm386, Endian::kLittle};
    case CrashArch::kPpc64:
      return Fail(
          "kdump: the ppc64 capture kernel setup (64K backup, device tree "
          "usable-memory) is not implemented yet");
  }
  return Fail("kdump: unknown architecture");
}

}  // namespace

Result<uint64_t> CrashHotplugHeaderSize(const std::string& sysfs) {
  const std::string path = sysfs + "/kernel/crash_elfcorehdr_size";
  if (!Exists(path)) {
    return Fail("--hotplug: %s: not there, so this kernel cannot update a loaded capture "
                "kernel on CPU or memory hotplug (needs Linux 6.6+ on x86, 6.10+ on ppc64, "
                "with CONFIG_CRASH_HOTPLUG); load without --hotplug and reload after hotplug",
                path.c_str());
  }
  auto text = ReadTextFile(path);
  if (!text) return std::unexpected(text.error());
  uint64_t size = 0;
  // "%u\n" [kernel/ksysfs.c crash_elfcorehdr_size_show]; a header can't exceed 1 GiB.
  if (!ParseUnsigned(TrimSpace(*text), 10, &size) || size < 64 || size > (1ull << 30)) {
    return Fail("%s: not a core header size in bytes", path.c_str());
  }
  return size;
}

Result<std::vector<uint32_t>> ParseCpuList(std::string_view text, std::string_view name) {
  // A bitmap over the 65536 CPU numbers accepted: repeated or overlapping ranges cost
  // nothing, however long the input.
  std::vector<bool> seen(65536, false);
  const std::string n(name);
  text = TrimSpace(text);
  if (text.empty()) return Fail("%s: empty CPU list", n.c_str());
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = TrimSpace(text.substr(0, comma));
    text.remove_prefix(comma == std::string_view::npos ? text.size() : comma + 1);
    const size_t dash = item.find('-');
    uint64_t lo, hi;
    if (!ParseUnsigned(item.substr(0, dash), 10, &lo) ||
        !ParseUnsigned(dash == std::string_view::npos ? item : item.substr(dash + 1), 10, &hi) ||
        hi < lo || hi >= 65536) {
      return Fail("%s: malformed CPU list item '%.*s'", n.c_str(), static_cast<int>(item.size()),
                  item.data());
    }
    for (uint64_t c = lo; c <= hi; ++c) seen[c] = true;
  }
  std::vector<uint32_t> cpus;
  for (uint32_t c = 0; c < seen.size(); ++c) {
    if (seen[c]) cpus.push_back(c);
  }
  return cpus;
}

Result<std::vector<CoreNote>> ReadCpuCrashNotes(const std::string& sysfs,
                                                std::vector<uint32_t>* skipped) {
  const std::string cpu_dir = sysfs + "/devices/system/cpu";
  std::vector<uint32_t> cpus;
  if (auto possible = ReadTextFile(cpu_dir + "/possible"); possible) {
    auto list = ParseCpuList(*possible, cpu_dir + "/possible");
    if (!list) return std::unexpected(list.error());
    cpus = std::move(*list);
  } else {
    // No 'possible' file (very old kernels): every cpuN directory there is.
    DIR* d = ::opendir(cpu_dir.c_str());
    if (d == nullptr) return Fail("%s: cannot open directory", cpu_dir.c_str());
    while (const dirent* e = ::readdir(d)) {
      uint64_t n;
      if (std::strncmp(e->d_name, "cpu", 3) == 0 && ParseUnsigned(e->d_name + 3, 10, &n) &&
          n < 65536) {
        cpus.push_back(static_cast<uint32_t>(n));
      }
    }
    ::closedir(d);
    std::sort(cpus.begin(), cpus.end());
  }
  std::vector<CoreNote> notes;
  for (uint32_t cpu : cpus) {
    const std::string base = cpu_dir + "/cpu" + std::to_string(cpu) + "/crash_notes";
    if (!Exists(base)) {
      // A possible CPU that is not present has no sysfs directory, so its buffer's
      // address is unknown [kexec-tools skips it too].
      if (skipped != nullptr) skipped->push_back(cpu);
      continue;
    }
    auto addr_text = ReadTextFile(base);
    if (!addr_text) return std::unexpected(addr_text.error());
    CoreNote note{0, kDefaultNoteBytes, cpu};
    if (!ParseUnsigned(TrimSpace(*addr_text), 16, &note.addr) || note.addr == 0) {
      return Fail("%s: not a hex physical address", base.c_str());
    }
    if (Exists(base + "_size")) {
      auto size_text = ReadTextFile(base + "_size");
      if (!size_text) return std::unexpected(size_text.error());
      // Decimal: the kernel prints sizeof(note_buf_t) with %zu.
      if (!ParseUnsigned(TrimSpace(*size_text), 10, &note.size) || note.size == 0) {
        return Fail("%s_size: not a decimal size", base.c_str());
      }
    }
    notes.push_back(note);
  }
  if (notes.empty()) {
    return Fail("%s: no CPU has crash_notes (kernel without CONFIG_CRASH_DUMP?)", cpu_dir.c_str());
  }
  return notes;
}

Result<std::optional<CoreNote>> ReadVmcoreinfo(const std::string& sysfs) {
  const std::string path = sysfs + "/kernel/vmcoreinfo";
  if (!Exists(path)) return std::optional<CoreNote>{};
  auto text = ReadTextFile(path);
  if (!text) return std::unexpected(text.error());
  // "%pa %x": the address 0x-prefixed, the size bare hex [kernel/ksysfs.c].
  const std::string_view t = TrimSpace(*text);
  const size_t sp = t.find(' ');
  CoreNote n;
  if (sp == std::string_view::npos || !ParseUnsigned(t.substr(0, sp), 16, &n.addr) ||
      !ParseUnsigned(TrimSpace(t.substr(sp + 1)), 16, &n.size) || n.addr == 0 || n.size == 0) {
    return Fail("%s: want '<hex address> <hex size>'", path.c_str());
  }
  return std::optional<CoreNote>{n};
}

Result<std::vector<KcoreLoad>> ReadKcoreLoads(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail("%s: %s", path.c_str(), std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};

  uint8_t eh[64];
  if (auto r = PreadAll(fd, path, 0, eh, 52); !r) return std::unexpected(r.error());
  if (std::memcmp(eh, elf::kMagic, 4) != 0) return Fail("%s: not an ELF file", path.c_str());
  const bool is64 = eh[4] == elf::kClass64;
  if (!is64 && eh[4] != elf::kClass32) return Fail("%s: bad ELF class %u", path.c_str(), eh[4]);
  if (eh[5] != elf::kData2Lsb && eh[5] != elf::kData2Msb) {
    return Fail("%s: bad ELF data encoding %u", path.c_str(), eh[5]);
  }
  const Endian e = eh[5] == elf::kData2Lsb ? Endian::kLittle : Endian::kBig;
  if (is64) {
    if (auto r = PreadAll(fd, path, 52, eh + 52, 12); !r) return std::unexpected(r.error());
  }
  const std::span<const uint8_t> h(eh, is64 ? 64 : 52);
  uint16_t type = 0, phentsize = 0, phnum = 0;
  uint64_t phoff = 0, shoff = 0;
  Load<uint16_t>(h, 16, e, &type);
  if (is64) {
    Load<uint64_t>(h, 32, e, &phoff);
    Load<uint64_t>(h, 40, e, &shoff);
    Load<uint16_t>(h, 54, e, &phentsize);
    Load<uint16_t>(h, 56, e, &phnum);
  } else {
    uint32_t off32 = 0;
    Load<uint32_t>(h, 28, e, &off32);
    phoff = off32;
    Load<uint32_t>(h, 32, e, &off32);
    shoff = off32;
    Load<uint16_t>(h, 42, e, &phentsize);
    Load<uint16_t>(h, 44, e, &phnum);
  }
  if (type != elf::kEtCore) return Fail("%s: not an ELF core file (e_type %u)", path.c_str(), type);
  const uint16_t want_phentsize = is64 ? 56 : 32;
  if (phentsize != want_phentsize) {
    return Fail("%s: e_phentsize %u, expected %u", path.c_str(), phentsize, want_phentsize);
  }
  uint64_t count = phnum;
  if (phnum == 0xffff) {
    // PN_XNUM: the real count is section header 0's sh_info [gABI 4, "Sections"].
    uint8_t sh[4];
    if (auto r = PreadAll(fd, path, shoff + (is64 ? 44 : 28), sh, 4); !r) {
      return std::unexpected(r.error());
    }
    count = LoadUnchecked<uint32_t>(sh, e);
  }
  if (count * phentsize > (64u << 20)) {
    return Fail("%s: %llu program headers is implausible", path.c_str(), (ull)count);
  }
  std::vector<uint8_t> ph(count * phentsize);
  if (auto r = PreadAll(fd, path, phoff, ph.data(), ph.size()); !r) {
    return std::unexpected(r.error());
  }
  std::vector<KcoreLoad> loads;
  for (uint64_t i = 0; i < count; ++i) {
    const uint8_t* p = ph.data() + i * phentsize;
    if (LoadUnchecked<uint32_t>(p, e) != elf::kPtLoad) continue;
    KcoreLoad l;
    if (is64) {
      l.vaddr = LoadUnchecked<uint64_t>(p + 16, e);
      l.paddr = LoadUnchecked<uint64_t>(p + 24, e);
      l.size = LoadUnchecked<uint64_t>(p + 40, e);
    } else {
      l.vaddr = LoadUnchecked<uint32_t>(p + 8, e);
      const uint32_t pa = LoadUnchecked<uint32_t>(p + 12, e);
      l.paddr = pa == 0xffffffffu ? ~uint64_t{0} : pa;
      l.size = LoadUnchecked<uint32_t>(p + 20, e);
    }
    loads.push_back(l);
  }
  return loads;
}

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

Result<CrashSetup> AddCrashSegments(LoadContext& ctx, CrashArch arch, bool bits64) {
  const Options& opt = ctx.opt;
  auto info = ArchInfo(arch, bits64);
  if (!info) return std::unexpected(info.error());
  std::vector<std::string>& notes = ctx.plan.notes;

  // The old kernel's RAM as the kernel sees it (/proc/iomem, not the firmware map: the
  // kernel may have trimmed or reserved ranges), less the crash regions.
  auto iomem_text = ReadTextFile(opt.iomem);
  if (!iomem_text) return std::unexpected(iomem_text.error());
  auto iomem = ParseIomem(*iomem_text, opt.iomem);
  if (!iomem) return std::unexpected(iomem.error());
  const std::vector<MemRange>& crash = ctx.map.crash;
  // The segments were placed from the first read; a crash region that moved since
  // (a resize through /sys/kernel/kexec_crash_size, a hotplug) would make this plan
  // describe memory the kernel no longer reserves.
  auto same = [](const std::vector<MemRange>& a, const std::vector<MemRange>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const MemRange& x, const MemRange& y) {
      return x.start == y.start && x.end == y.end;
    });
  };
  if ((arch == CrashArch::kX86 || !iomem->crash.empty()) && !same(iomem->crash, crash)) {
    return Fail("%s: the crash region changed between two reads; nothing was loaded, try again",
                opt.iomem.c_str());
  }
  const std::vector<MemRange> dump = Subtract(iomem->Ram(), crash);
  if (dump.empty()) return Fail("%s: no System RAM outside the crash region", opt.iomem.c_str());
  for (const MemRange& c : crash) {
    notes.push_back(Line("kdump: crash region 0x%llx-0x%llx (%llu MiB)", (ull)c.start,
                         (ull)c.end - 1, (ull)(c.size() >> 20)));
  }

  // Notes: one per CPU, and vmcoreinfo.
  std::vector<uint32_t> skipped;
  auto cpu_notes = ReadCpuCrashNotes(opt.sysfs, &skipped);
  if (!cpu_notes) return std::unexpected(cpu_notes.error());
  auto vmcoreinfo = ReadVmcoreinfo(opt.sysfs);
  if (!vmcoreinfo) return std::unexpected(vmcoreinfo.error());
  if (!skipped.empty()) {
    notes.push_back(
        Line("kdump: %zu possible CPU(s) without crash_notes (not present), "
             "first cpu%u: left out",
             skipped.size(), skipped.front()));
  }
  if (!*vmcoreinfo) {
    notes.push_back(Line("kdump: no %s/kernel/vmcoreinfo: makedumpfile will need a vmlinux",
                         opt.sysfs.c_str()));
  }

  // Class [kexec-tools get_core_type]: ELF64 for x86_64; for i386 ELF32 unless memory
  // reaches past 4 GiB. --elf32/--elf64-core-headers override.
  bool elf64 = bits64 || dump.back().end > k4G;
  if (opt.core_elf_class != 0) elf64 = opt.core_elf_class == 64;

  CoreHeaderSpec spec;
  spec.elf64 = elf64;
  spec.endian = info->endian;
  spec.machine = info->machine;
  spec.cpu_notes = std::move(*cpu_notes);
  spec.vmcoreinfo = *vmcoreinfo;
  spec.memory = dump;

  // Virtual addresses: the kernel text mapping and the direct map's base, from kcore.
  std::optional<X86KernelLayout> layout;
  if (auto loads = ReadKcoreLoads(opt.kcore); loads) {
    layout = X86LayoutFromKcore(*loads);
  } else {
    notes.push_back("kdump: " + loads.error().message);
  }
  if (bits64) {
    if (!elf64) {
      // Every x86_64 kernel virtual address is above 4 GiB: an ELF32 header can carry
      // physical addresses only.
      notes.push_back(
          "kdump: ELF32 core header: no virtual addresses (x86_64 kernel "
          "addresses do not fit); makedumpfile assumes the default direct map");
    } else {
      if (layout && layout->text) {
        spec.kernel_text = layout->text;
      } else {
        // Without kcore the text's virtual address is unknown: KASLR moves virtual and
        // physical placement independently, so "Kernel code" alone cannot give it.
        // makedumpfile takes phys_base from vmcoreinfo (NUMBER(phys_base)) instead.
        notes.push_back(
            "kdump: kernel text mapping unknown (no kcore): no kernel text "
            "PT_LOAD; tools use vmcoreinfo's phys_base");
      }
      if (layout && layout->page_offset) {
        spec.page_offset = layout->page_offset;
      } else {
        spec.page_offset = kX86_64PageOffset;
        notes.push_back(
            Line("kdump: direct map base unknown (no kcore): assuming 0x%llx "
                 "(wrong if KASLR randomized it)",
                 (ull)kX86_64PageOffset));
      }
    }
  } else {
    spec.page_offset = layout && layout->page_offset ? *layout->page_offset : kI386PageOffset;
    if (*spec.page_offset < k4G) {
      spec.linear_limit = k4G - *spec.page_offset - kI386VmallocReserve;
    }
  }

  // The backup: source below 640K, copy inside the crash region (top-down, as
  // kexec-tools; below 4 GiB on i386, whose purgatory runs with paging off).
  const uint64_t seg_max = bits64 ? ~uint64_t{0} : k4G;
  const MemRange backup_src = FindBackupSource(dump);
  const uint64_t backup_memsz = PageAlign(backup_src.size());
  auto backup_dst = ctx.space.Allocate(backup_memsz, kPageSize, 0, seg_max, /*top_down=*/true);
  if (!backup_dst) return Wrap("kdump backup", backup_dst.error());
  spec.backup = CoreBackup{backup_src.start, backup_src.size(), *backup_dst};
  // bufsz 0: kexec_load zero-fills it; the purgatory fills it after its check.
  ctx.plan.segments.push_back({{}, *backup_dst, backup_memsz, "backup"});
  ctx.params.backup_src = backup_src.start;
  ctx.params.backup_dst = *backup_dst;
  ctx.params.backup_size = backup_src.size();

  auto plan = PlanCoreHeader(spec);
  if (!plan) return std::unexpected(plan.error());
  const uint64_t spare = kSparePhdrs + skipped.size();
  const uint64_t hdr_used = CoreHeaderBytes(elf64, plan->phdrs.size());
  uint64_t hdr_memsz = PageAlign(CoreHeaderBytes(elf64, plan->phdrs.size() + spare));
  if (opt.hotplug) {
    // The kernel writes its own header here on the first CPU or memory event: every
    // possible CPU's note and the memory as it is then [arch/x86/kernel/crash.c
    // arch_crash_handle_hotplug_event]; its size check is against this memsz.
    auto want = CrashHotplugHeaderSize(opt.sysfs);
    if (!want) return std::unexpected(want.error());
    hdr_memsz = std::max(hdr_memsz, PageAlign(*want));
    ctx.plan.flags |= kKexecUpdateElfcorehdr;
  }
  auto hdr_addr = ctx.space.Allocate(hdr_memsz, kPageSize, 0, seg_max, /*top_down=*/true);
  if (!hdr_addr) return Wrap("kdump core header", hdr_addr.error());
  ctx.plan.segments.push_back({ctx.plan.Own(EncodeCoreHeader(*plan)), *hdr_addr, hdr_memsz,
                               "elfcorehdr", /*digested=*/!opt.hotplug});

  CrashSetup out;
  out.elfcorehdr_addr = *hdr_addr;
  out.elfcorehdr_size = hdr_memsz;
  out.backup_src = backup_src.start;
  out.backup_dst = *backup_dst;
  out.backup_size = backup_src.size();
  out.capture_map = CaptureMemoryMap(ctx.map.ranges, crash, backup_src,
                                     {{*backup_dst, *backup_dst + backup_memsz, RangeType::kRam},
                                      {*hdr_addr, *hdr_addr + hdr_memsz, RangeType::kRam}});

  // elfcorehdr=<KiB>K [kexec-tools cmdline_add_elfcorehdr]. On EFI machines the capture
  // kernel gets no EFI system table (no SETUP_EFI), so it is told where ACPI's RSDP is
  // [kexec-tools cmdline_add_efi].
  out.cmdline_extra = Line(" elfcorehdr=%lluK", (ull)(*hdr_addr >> 10));
  if (const auto rsdp = ReadEfiAcpiRsdp(opt.sysfs);
      rsdp && ctx.cmdline.find("acpi_rsdp=") == std::string::npos) {
    out.cmdline_extra += Line(" acpi_rsdp=0x%llx", (ull)*rsdp);
  }

  notes.push_back(Line(
      "kdump: backup 0x%llx-0x%llx (0x%llx bytes) -> 0x%llx, copied by the "
      "purgatory after its check",
      (ull)backup_src.start, (ull)backup_src.end - 1, (ull)backup_src.size(), (ull)*backup_dst));
  notes.push_back(
      Line("kdump: ELF%d core header at 0x%llx: e_machine %u, %zu program headers "
           "in 0x%llx bytes, segment 0x%llx (room for %llu more)",
           elf64 ? 64 : 32, (ull)*hdr_addr, spec.machine, plan->phdrs.size(), (ull)hdr_used,
           (ull)hdr_memsz, (ull)((hdr_memsz - hdr_used) / (elf64 ? 56 : 32))));
  for (std::string& l : DescribeCoreHeader(*plan)) notes.push_back(std::move(l));
  notes.push_back("kdump: capture kernel memory map:");
  for (const MemRange& r : out.capture_map) {
    notes.push_back(
        Line("  0x%016llx-0x%016llx %s", (ull)r.start, (ull)r.end - 1, TypeName(r.type)));
  }
  notes.push_back("kdump: command line +=" + out.cmdline_extra);
  if (opt.hotplug) {
    notes.push_back(
        "kdump: --hotplug: the kernel rewrites the core header on CPU or memory hotplug "
        "(KEXEC_UPDATE_ELFCOREHDR); the purgatory leaves it unverified");
  }
  return out;
}

}  // namespace kexkit::load
