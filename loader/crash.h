// kdump: the segments a capture kernel needs beyond a plain kexec (ELF core header,
// backup region) and the memory map it must be told about.
//
// Call order (from the arch loader's AddSegments, after the kernel and initrd are
// placed in the crash region, before its boot data): AddCrashSegments reads the
// running system (iomem, sysfs crash_notes and vmcoreinfo, kcore, EFI systab), places
// the backup and the core header top-down in the crash region, sets
// ctx.params.backup_* (the purgatory copies after its digest check), adds --dry-run
// notes, and returns the capture kernel's memory map and command-line additions.
// The pieces below it are exposed for tests.
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

enum class CrashArch { kX86, kPpc64 };

struct CrashSetup {
  std::vector<MemRange> capture_map;  // what the capture kernel may use / must know about
  std::string cmdline_extra;          // " elfcorehdr=<addr>K ..." appended to the cmdline
  uint64_t elfcorehdr_addr = 0;
  uint64_t elfcorehdr_size = 0;
  uint64_t backup_src = 0, backup_dst = 0, backup_size = 0;
};

// Adds the backup and ELF core header segments to ctx.plan (inside the crash region),
// fills ctx.params.backup_*, and returns the capture kernel's map and command-line
// additions. `bits64` picks the default core header class (and, on x86, x86_64 vs i386).
// What can go wrong: unreadable iomem or sysfs files (named); no CPU with crash_notes;
// --elf32-core-headers with memory past 4 GiB; no room left in the crash region.
Result<CrashSetup> AddCrashSegments(LoadContext& ctx, CrashArch arch, bool bits64);

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

// What x86_64 needs from kcore: the kernel text mapping (vaddr >= __START_KERNEL_map)
// and the direct map's base (page_offset_base moves with KASLR memory randomization).
struct X86KernelLayout {
  std::optional<CoreKernelText> text;
  std::optional<uint64_t> page_offset;
};
X86KernelLayout X86LayoutFromKcore(const std::vector<KcoreLoad>& loads);

// The low range the purgatory saves: the first RAM range that starts below 640K, cut
// at 640K [kexec-tools get_backup_area]; [0, 0xa0000) when there is none.
MemRange FindBackupSource(const std::vector<MemRange>& ram);

// The capture kernel's memory map: the backup source and the crash regions as RAM,
// less `holes` (core header, backup copy), plus the firmware's ACPI, NVS, reserved and
// persistent-memory ranges from `firmware` (clipped so nothing overlaps the RAM).
// Sorted by address.
std::vector<MemRange> CaptureMemoryMap(const std::vector<MemRange>& firmware,
                                       const std::vector<MemRange>& crash,
                                       const MemRange& backup_src,
                                       const std::vector<MemRange>& holes);

// <sysfs>/firmware/efi/systab's ACPI20= (else ACPI=) value, or nullopt (BIOS boot).
std::optional<uint64_t> ReadEfiAcpiRsdp(const std::string& sysfs);

}  // namespace kexkit::load
