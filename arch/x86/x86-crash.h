// x86 kdump (x86_64 and i386): the facts the generic kdump builder
// (load::AddCrashSegments) needs from x86, and what x86 makes of its result.
//
// AddX86CrashSegments, from the x86 loader's AddSegments once the kernel and initrd are
// placed in the crash region: the RAM the dump describes (/proc/iomem again), the
// core header's class (ELF32 for i386 below 4 GiB), the kernel's virtual layout from
// kcore, the backup window (the first RAM below 640K), then the generic segments; and
// the capture kernel's e820 map and command line (elfcorehdr=, acpi_rsdp= on EFI).
// The pieces below it are exposed for tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/diag.h"
#include "loader/crash.h"

namespace kexkit::x86 {

struct X86Crash {
  std::vector<load::MemRange> capture_map;  // what the capture kernel may use / must know
  std::string cmdline_extra;                // " elfcorehdr=<addr>K ..." for the cmdline
};

// What can go wrong: unreadable iomem or sysfs files (named); the crash region moved
// since the first read; no CPU with crash_notes; no room left in the crash region.
Result<X86Crash> AddX86CrashSegments(load::LoadContext& ctx, bool bits64);

// --- pieces (tests) ------------------------------------------------------------------

// What x86_64 needs from kcore: the kernel text mapping (vaddr >= __START_KERNEL_map)
// and the direct map's base (page_offset_base moves with KASLR memory randomization).
struct X86KernelLayout {
  std::optional<load::CoreKernelText> text;
  std::optional<uint64_t> page_offset;
};
X86KernelLayout X86LayoutFromKcore(const std::vector<load::KcoreLoad>& loads);

// The low range the purgatory saves: the first RAM range that starts below 640K, cut
// at 640K [kexec-tools get_backup_area]; [0, 0xa0000) when there is none.
load::MemRange FindBackupSource(const std::vector<load::MemRange>& ram);

// The capture kernel's memory map: the backup source and the crash regions as RAM,
// less `holes` (core header, backup copy), plus the firmware's ACPI, NVS, reserved and
// persistent-memory ranges from `firmware` (clipped so nothing overlaps the RAM).
// Sorted by address.
std::vector<load::MemRange> CaptureMemoryMap(const std::vector<load::MemRange>& firmware,
                                             const std::vector<load::MemRange>& crash,
                                             const load::MemRange& backup_src,
                                             const std::vector<load::MemRange>& holes);

// <sysfs>/firmware/efi/systab's ACPI20= (else ACPI=) value, or nullopt (BIOS boot).
std::optional<uint64_t> ReadEfiAcpiRsdp(const std::string& sysfs);

}  // namespace kexkit::x86
