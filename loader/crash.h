// kdump, the generic part: the segments a capture kernel needs beyond a plain kexec
// (ELF core header, backup region), built from the running system's sysfs (crash_notes,
// vmcoreinfo, crash_elfcorehdr_size) and the facts an architecture supplies.
//
// Call order (from the arch loader's AddSegments, after the kernel and initrd are
// placed in the crash region, before its boot data): the arch gathers its CrashFacts
// (ReadDumpRanges and ReadKcoreLoads help), AddCrashSegments places the backup and the
// core header, and the arch hands the capture kernel its memory map (x86: e820; ppc64:
// the device tree) and the command line with cmdline_extra. The readers below are
// exposed for the arches and for tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diag.h"
#include "loader/core-header.h"
#include "loader/load.h"
#include "loader/memory-map.h"

namespace kexkit::load {

// What an architecture tells the generic kdump builder: the core header's form, the
// memory it describes, the low memory the capture kernel reuses (the backup's
// source), where the two segments may go, and the kernel's virtual layout.
struct CrashFacts {
  uint16_t machine = 0;  // e_machine of the core header
  Endian endian = Endian::kLittle;
  bool elf64 = true;
  std::vector<MemRange> dump;  // the old kernel's RAM less the crash regions, sorted
  MemRange backup_src;         // copied by the purgatory after its check
  uint64_t segment_align = kPageSize;
  uint64_t segment_max = ~uint64_t{0};  // the backup and the header end below this
  uint64_t spare_phdrs = 0;             // room for program headers a reload adds
  std::optional<CoreKernelText> kernel_text;
  std::optional<uint64_t> page_offset;
  std::optional<uint64_t> linear_limit;
  unsigned long hotplug_flag = 0;  // the kexec_load flag --hotplug sets (below)
};

// What AddCrashSegments placed, for the arch's boot information.
struct CrashSegments {
  uint64_t backup_dst = 0, backup_memsz = 0;
  uint64_t elfcorehdr_addr = 0, elfcorehdr_memsz = 0;
  std::string cmdline_extra;  // " elfcorehdr=<KiB>K"
};

// Adds the backup and ELF core header segments to ctx.plan, top-down below
// facts.segment_max (inside the crash region: ctx.space), fills ctx.params.backup_*, and
// adds the --dry-run notes. --hotplug: the header sized as the kernel asks, left
// unverified, and facts.hotplug_flag added to the kexec_load flags. What can go wrong:
// unreadable sysfs files (named); no CPU with crash_notes; a header that does not fit
// its class; no room left; --hotplug on a kernel without it.
Result<CrashSegments> AddCrashSegments(LoadContext& ctx, const CrashFacts& facts);

// The RAM a dump describes: /proc/iomem read again (the kernel's view, not the
// firmware map), less ctx.map.crash, with a note per crash region. The plan was placed
// from the first read: a crash region that moved since (a resize through
// /sys/kernel/kexec_crash_size) fails, "nothing was loaded". `require_iomem_crash`: the
// second read must show the crash regions too (x86); otherwise only when it has any.
Result<std::vector<MemRange>> ReadDumpRanges(LoadContext& ctx, bool require_iomem_crash);

// kexec_load flags asking the kernel to update a crash image on CPU or memory hotplug
// [include/uapi/linux/kexec.h]: x86 reads the first (Linux 6.5+), ppc64 the second
// (6.10+); x86 kernels before 6.10 refuse the second with EINVAL.
inline constexpr unsigned long kKexecUpdateElfcorehdr = 0x4;
inline constexpr unsigned long kKexecCrashHotplugSupport = 0x8;

// --hotplug: the size the running kernel wants for the core header segment, from
// <sysfs>/kernel/crash_elfcorehdr_size (decimal bytes: room for every possible CPU and
// CONFIG_CRASH_MAX_MEMORY_RANGES memory ranges), which the kernel checks before each
// rewrite [kernel/crash_core.c]. What can go wrong: no such file, the kernel cannot do
// it (no CONFIG_CRASH_HOTPLUG, or too old): one line naming the file.
Result<uint64_t> CrashHotplugHeaderSize(const std::string& sysfs);

// --- pieces (tests) ------------------------------------------------------------------

// A sysfs CPU list ("0-3,8,10-11") [Documentation/ABI/stable/sysfs-devices-system-cpu].
Result<std::vector<uint32_t>> ParseCpuList(std::string_view text, std::string_view name);

// One note per possible CPU that has <sysfs>/devices/system/cpu/cpuN/crash_notes (hex
// physical address; crash_notes_size is decimal, 1024 when absent, as kexec-tools).
// `skipped` gets the possible CPUs without a crash_notes file (not present: no address).
Result<std::vector<CoreNote>> ReadCpuCrashNotes(const std::string& sysfs,
                                                std::vector<uint32_t>* skipped);

// <sysfs>/kernel/vmcoreinfo: "<addr> <size>", both hex. nullopt when the file is absent.
Result<std::optional<CoreNote>> ReadVmcoreinfo(const std::string& sysfs);

// The PT_LOAD headers of /proc/kcore (or a saved copy of its first pages): read with
// pread, so the real file's huge size never matters. ELF32/ELF64, either byte order.
struct KcoreLoad {
  uint64_t vaddr = 0, paddr = 0, size = 0;  // paddr all ones: not linearly mapped
};
Result<std::vector<KcoreLoad>> ReadKcoreLoads(const std::string& path);

}  // namespace kexkit::load
