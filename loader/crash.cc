#include "loader/crash.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/bytes.h"
#include "base/elf.h"
#include "loader/file.h"
#include "loader/text.h"

namespace kexkit::load {
namespace {

// kexec-tools' note size for kernels without crash_notes_size (MAX_NOTE_BYTES).
constexpr uint64_t kDefaultNoteBytes = 1024;
constexpr uint64_t AlignUp(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// Reads exactly `len` bytes at `off`, or fails naming the file.
Result<void> PreadAll(int fd, const std::string& path, uint64_t off, uint8_t* buf, size_t len) {
  size_t done = 0;
  while (done < len) {
    const ssize_t n = ::pread(fd, buf + done, len - done, static_cast<off_t>(off + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return FailAt(path, off + done, "read failed: ", std::strerror(errno));
    }
    if (n == 0) {
      return FailIn(path, "ends before ", Hex(off + len), " (truncated ELF headers)");
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

}  // namespace

Result<uint64_t> CrashHotplugHeaderSize(const std::string& sysfs) {
  const std::string path = sysfs + "/kernel/crash_elfcorehdr_size";
  if (!Exists(path)) {
    return Fail("--hotplug: ", path,
                ": not there, so this kernel cannot update a loaded capture kernel on CPU or "
                "memory hotplug (needs Linux 6.6+ on x86, 6.10+ on ppc64, with "
                "CONFIG_CRASH_HOTPLUG); load without --hotplug and reload after hotplug");
  }
  auto text = ReadTextFile(path);
  if (!text) return std::unexpected(text.error());
  uint64_t size = 0;
  // "%u\n" [kernel/ksysfs.c crash_elfcorehdr_size_show]; a header can't exceed 1 GiB.
  if (!ParseUnsigned(TrimSpace(*text), 10, &size) || size < 64 || size > (1ull << 30)) {
    return FailIn(path, "not a core header size in bytes");
  }
  return size;
}

Result<std::vector<uint32_t>> ParseCpuList(std::string_view text, std::string_view name) {
  // A bitmap over the 65536 CPU numbers accepted: repeated or overlapping ranges cost
  // nothing, however long the input.
  std::vector<bool> seen(65536, false);
  const std::string n(name);
  text = TrimSpace(text);
  if (text.empty()) return FailIn(n, "empty CPU list");
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = TrimSpace(text.substr(0, comma));
    text.remove_prefix(comma == std::string_view::npos ? text.size() : comma + 1);
    const size_t dash = item.find('-');
    uint64_t lo, hi;
    if (!ParseUnsigned(item.substr(0, dash), 10, &lo) ||
        !ParseUnsigned(dash == std::string_view::npos ? item : item.substr(dash + 1), 10, &hi) ||
        hi < lo || hi >= 65536) {
      return FailIn(n, "malformed CPU list item '", std::string_view(item.data(), item.size()),
                    "'");
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
    if (d == nullptr) return FailIn(cpu_dir, "cannot open directory");
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
      return FailIn(base, "not a hex physical address");
    }
    if (Exists(base + "_size")) {
      auto size_text = ReadTextFile(base + "_size");
      if (!size_text) return std::unexpected(size_text.error());
      // Decimal: the kernel prints sizeof(note_buf_t) with %zu.
      if (!ParseUnsigned(TrimSpace(*size_text), 10, &note.size) || note.size == 0) {
        return Fail(base, "_size: not a decimal size");
      }
    }
    notes.push_back(note);
  }
  if (notes.empty()) {
    return FailIn(cpu_dir, "no CPU has crash_notes (kernel without CONFIG_CRASH_DUMP?)");
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
    return FailIn(path, "want '<hex address> <hex size>'");
  }
  return std::optional<CoreNote>{n};
}

Result<std::vector<KcoreLoad>> ReadKcoreLoads(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return FailIn(path, std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};

  uint8_t eh[64];
  if (auto r = PreadAll(fd, path, 0, eh, 52); !r) return std::unexpected(r.error());
  if (std::memcmp(eh, elf::kMagic, 4) != 0) return FailIn(path, "not an ELF file");
  const bool is64 = eh[4] == elf::kClass64;
  if (!is64 && eh[4] != elf::kClass32) return FailIn(path, "bad ELF class ", eh[4]);
  if (eh[5] != elf::kData2Lsb && eh[5] != elf::kData2Msb) {
    return FailIn(path, "bad ELF data encoding ", eh[5]);
  }
  const Endian e = eh[5] == elf::kData2Lsb ? Endian::kLittle : Endian::kBig;
  if (is64) {
    if (auto r = PreadAll(fd, path, 52, eh + 52, 12); !r) return std::unexpected(r.error());
  }
  const elf::ClassLayout& l = elf::LayoutOf(is64);
  const uint64_t type = elf::Get(eh, l.ehdr.type, e);
  const uint64_t phoff = elf::Get(eh, l.ehdr.phoff, e);
  const uint64_t shoff = elf::Get(eh, l.ehdr.shoff, e);
  const uint64_t phentsize = elf::Get(eh, l.ehdr.phentsize, e);
  const uint64_t phnum = elf::Get(eh, l.ehdr.phnum, e);
  if (type != elf::kEtCore) return FailIn(path, "not an ELF core file (e_type ", type, ")");
  if (phentsize != l.phdr.size) {
    return FailIn(path, "e_phentsize ", phentsize, ", expected ", l.phdr.size);
  }
  uint64_t count = phnum;
  if (phnum == 0xffff) {
    // PN_XNUM: the real count is section header 0's sh_info [gABI 4, "Sections"].
    uint8_t sh[64];
    if (auto r = PreadAll(fd, path, shoff, sh, l.shdr.size); !r) {
      return std::unexpected(r.error());
    }
    count = elf::Get(sh, l.shdr.info, e);
  }
  if (count * phentsize > (64u << 20)) {
    return FailIn(path, count, " program headers is implausible");
  }
  std::vector<uint8_t> ph(count * phentsize);
  if (auto r = PreadAll(fd, path, phoff, ph.data(), ph.size()); !r) {
    return std::unexpected(r.error());
  }
  std::vector<KcoreLoad> loads;
  for (uint64_t i = 0; i < count; ++i) {
    const uint8_t* p = ph.data() + i * phentsize;
    if (elf::Get(p, l.phdr.type, e) != elf::kPtLoad) continue;
    KcoreLoad load;
    load.vaddr = elf::Get(p, l.phdr.vaddr, e);
    load.paddr = elf::Get(p, l.phdr.paddr, e);
    // An ELF32 kcore marks "no physical address" with all ones, as ELF64 does.
    if (!is64 && load.paddr == 0xffffffffu) load.paddr = ~uint64_t{0};
    load.size = elf::Get(p, l.phdr.memsz, e);
    loads.push_back(load);
  }
  return loads;
}

Result<std::vector<MemRange>> ReadDumpRanges(LoadContext& ctx, bool require_iomem_crash) {
  const Options& opt = ctx.opt;
  auto iomem_text = ReadTextFile(opt.iomem);
  if (!iomem_text) return std::unexpected(iomem_text.error());
  auto iomem = ParseIomem(*iomem_text, opt.iomem);
  if (!iomem) return std::unexpected(iomem.error());
  const std::vector<MemRange>& crash = ctx.map.crash;
  auto same = [](const std::vector<MemRange>& a, const std::vector<MemRange>& b) {
    return std::equal(
        a.begin(), a.end(), b.begin(), b.end(),
        [](const MemRange& x, const MemRange& y) { return x.start == y.start && x.end == y.end; });
  };
  if ((require_iomem_crash || !iomem->crash.empty()) && !same(iomem->crash, crash)) {
    return FailIn(opt.iomem,
                  "the crash region changed between two reads; nothing was loaded, try again");
  }
  std::vector<MemRange> dump = Subtract(iomem->Ram(), crash);
  if (dump.empty()) return FailIn(opt.iomem, "no System RAM outside the crash region");
  for (const MemRange& c : crash) {
    ctx.plan.notes.push_back(Cat("kdump: crash region ", Hex(c.start), "-", Hex(c.end - 1), " (",
                                 (c.size() >> 20), " MiB)"));
  }
  return dump;
}

Result<CrashSegments> AddCrashSegments(LoadContext& ctx, const CrashFacts& f) {
  const Options& opt = ctx.opt;
  std::vector<std::string>& notes = ctx.plan.notes;

  // Notes: one per CPU, and vmcoreinfo.
  std::vector<uint32_t> skipped;
  auto cpu_notes = ReadCpuCrashNotes(opt.sysfs, &skipped);
  if (!cpu_notes) return std::unexpected(cpu_notes.error());
  auto vmcoreinfo = ReadVmcoreinfo(opt.sysfs);
  if (!vmcoreinfo) return std::unexpected(vmcoreinfo.error());
  if (!skipped.empty()) {
    notes.push_back(Cat("kdump: ", skipped.size(),
                        " possible CPU(s) without crash_notes (not present), first cpu",
                        skipped.front(), ": left out"));
  }
  if (!*vmcoreinfo) {
    notes.push_back(
        Cat("kdump: no ", opt.sysfs, "/kernel/vmcoreinfo: makedumpfile will need a vmlinux"));
  }

  // The backup: the copy inside the crash region, top-down as kexec-tools. bufsz 0:
  // kexec_load zero-fills it (so the digest covers zeros); the purgatory fills it after
  // its check. None when the arch's capture kernel reuses no old memory (arm64).
  const uint64_t align = f.segment_align;
  const bool has_backup = f.backup_src.size() != 0;
  const uint64_t backup_memsz = AlignUp(f.backup_src.size(), align);
  uint64_t backup_dst = 0;
  if (has_backup) {
    auto dst = ctx.space.Allocate(backup_memsz, align, 0, f.segment_max, /*top_down=*/true);
    if (!dst) return Wrap("kdump backup", dst.error());
    backup_dst = *dst;
    ctx.plan.segments.push_back({{}, backup_dst, backup_memsz, "backup"});
    ctx.params.backup_src = f.backup_src.start;
    ctx.params.backup_dst = backup_dst;
    ctx.params.backup_size = f.backup_src.size();
  }

  CoreHeaderSpec spec;
  spec.elf64 = f.elf64;
  spec.endian = f.endian;
  spec.machine = f.machine;
  spec.cpu_notes = std::move(*cpu_notes);
  spec.vmcoreinfo = *vmcoreinfo;
  spec.memory = f.dump;
  spec.kernel_text = f.kernel_text;
  spec.page_offset = f.page_offset;
  spec.linear_limit = f.linear_limit.value_or(~uint64_t{0});
  if (has_backup) spec.backup = CoreBackup{f.backup_src.start, f.backup_src.size(), backup_dst};
  auto plan = PlanCoreHeader(spec);
  if (!plan) return std::unexpected(plan.error());
  // Room for program headers added later (memory and CPU hotplug: kdump tools that
  // reload rebuild it); the zero fill costs nothing in the image.
  const uint64_t spare = f.spare_phdrs + skipped.size();
  const uint64_t hdr_used = CoreHeaderBytes(f.elf64, plan->phdrs.size());
  uint64_t hdr_memsz = AlignUp(CoreHeaderBytes(f.elf64, plan->phdrs.size() + spare), align);
  if (opt.hotplug) {
    // The kernel writes its own header here on the first CPU or memory event: every
    // possible CPU's note and the memory as it is then [arch/x86/kernel/crash.c
    // arch_crash_handle_hotplug_event, arch/powerpc/kexec/crash.c
    // update_crash_elfcorehdr]; its size check is against this memsz.
    auto want = CrashHotplugHeaderSize(opt.sysfs);
    if (!want) return std::unexpected(want.error());
    hdr_memsz = std::max(hdr_memsz, AlignUp(*want, align));
    ctx.plan.flags |= f.hotplug_flag;
  }
  auto hdr_addr = ctx.space.Allocate(hdr_memsz, align, 0, f.segment_max, /*top_down=*/true);
  if (!hdr_addr) return Wrap("kdump core header", hdr_addr.error());
  ctx.plan.segments.push_back({ctx.plan.Own(EncodeCoreHeader(*plan)), *hdr_addr, hdr_memsz,
                               "elfcorehdr", /*digested=*/!opt.hotplug});

  CrashSegments out;
  out.backup_dst = backup_dst;
  out.backup_memsz = backup_memsz;
  out.elfcorehdr_addr = *hdr_addr;
  out.elfcorehdr_memsz = hdr_memsz;
  // elfcorehdr=<KiB>K [kexec-tools cmdline_add_elfcorehdr], on every architecture.
  out.cmdline_extra = Cat(" elfcorehdr=", (*hdr_addr >> 10), "K");

  if (has_backup) {
    notes.push_back(Cat("kdump: backup ", Hex(f.backup_src.start), "-", Hex(f.backup_src.end - 1),
                        " (", Hex(f.backup_src.size()), " bytes) -> ", Hex(backup_dst),
                        ", copied by the purgatory after its check"));
  } else {
    notes.push_back("kdump: no backup (the capture kernel reuses no memory outside its region)");
  }
  notes.push_back(Cat("kdump: ELF", f.elf64 ? 64 : 32, " core header at ", Hex(*hdr_addr),
                      ": e_machine ", f.machine, ", ", plan->phdrs.size(), " program headers in ",
                      Hex(hdr_used), " bytes, segment ", Hex(hdr_memsz), " (room for ",
                      ((hdr_memsz - hdr_used) / (f.elf64 ? 56 : 32)), " more)"));
  for (std::string& l : DescribeCoreHeader(*plan)) notes.push_back(std::move(l));
  if (opt.hotplug) {
    notes.push_back(
        Cat("kdump: --hotplug: the kernel rewrites the core header on CPU or memory hotplug "
            "(kexec_load flag ",
            Hex(f.hotplug_flag), "); the purgatory leaves it unverified"));
  }
  return out;
}

}  // namespace kexkit::load
