// The ELF core header a kdump capture kernel turns into /proc/vmcore ("elfcorehdr").
//
// Arch-neutral: the caller says which notes, which memory, where the kernel text is
// mapped, which low memory the purgatory backed up, and the class, byte order and
// e_machine; this builds the ET_CORE header and its program headers. Nothing here
// reads the running system (crash.cc does that).
//
// Layout [System V gABI ch. 4 "ELF Header", ch. 5 "Program Header"; what
// fs/proc/vmcore.c parses]: the ELF header, then, in this order,
//   PT_NOTE  one per CPU    (p_offset = p_paddr = the CPU's crash_notes buffer)
//   PT_NOTE  vmcoreinfo     (optional)
//   PT_LOAD  kernel text    (optional; its virtual mapping, e.g. x86_64's
//                            __START_KERNEL_map, so tools can find phys_base)
//   PT_LOAD  one per memory range (p_paddr = old physical address, p_offset = where
//                            the capture kernel reads it: the same address, except for
//                            the backed-up range, which reads from the backup copy)
// No section headers. p_offset values are *physical addresses in old memory*, not
// file offsets: the capture kernel rewrites them when it builds /proc/vmcore.
//
// Call order: fill a CoreHeaderSpec -> PlanCoreHeader (checks, one pass to size and
// place every header) -> CoreHeaderBytes(phnum + spare) to size the segment ->
// EncodeCoreHeader. BuildCoreHeader does the plan and the encoding in one call.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/diag.h"
#include "loader/memory-map.h"

namespace kexkit::load {

// A buffer in old memory holding ELF notes (a CPU's crash_notes, or vmcoreinfo).
struct CoreNote {
  uint64_t addr = 0;
  uint64_t size = 0;
  uint32_t cpu = 0;  // cpu_notes only: the CPU's number (messages, --dry-run)
};

// The kernel image's own virtual mapping of its physical load range.
struct CoreKernelText {
  uint64_t vaddr = 0;
  uint64_t paddr = 0;
  uint64_t size = 0;
};

// Old memory [src, src + size) was copied to [dst, dst + size) before the capture
// kernel started (the purgatory's backup); its PT_LOAD reads from dst.
struct CoreBackup {
  uint64_t src = 0;
  uint64_t size = 0;
  uint64_t dst = 0;
};

struct CoreHeaderSpec {
  bool elf64 = true;
  Endian endian = Endian::kLittle;
  uint16_t machine = 0;  // e_machine: the crashed kernel's architecture
  std::vector<CoreNote> cpu_notes;
  std::optional<CoreNote> vmcoreinfo;
  std::optional<CoreKernelText> kernel_text;
  // Old RAM to dump, [start, end), sorted and disjoint (type ignored).
  std::vector<MemRange> memory;
  // The linear map: p_vaddr = paddr + page_offset for memory below linear_limit (a range
  // that crosses it is split there). Above it, or with no page_offset, p_vaddr is
  // "unknown": all ones above the limit (kexec-tools' highmem convention) and 0 when no
  // page_offset is given (makedumpfile's NOT_KV_ADDR).
  std::optional<uint64_t> page_offset;
  uint64_t linear_limit = ~uint64_t{0};
  std::optional<CoreBackup> backup;
};

struct CorePhdr {
  uint32_t type = 0;  // elf::kPtNote / kPtLoad
  uint32_t flags = 0;
  uint64_t offset = 0, vaddr = 0, paddr = 0, filesz = 0, memsz = 0;
  std::string what;  // "cpu0 crash_notes", "vmcoreinfo", "kernel text", "memory", "backup"
};

struct CoreHeaderPlan {
  bool elf64 = true;
  Endian endian = Endian::kLittle;
  uint16_t machine = 0;
  std::vector<CorePhdr> phdrs;
};

// Bytes of an ELF header plus `phnum` program headers.
uint64_t CoreHeaderBytes(bool elf64, uint64_t phnum);

// What can go wrong: a note or memory range of size 0 or wrapping past the top of the
// address space; memory ranges unsorted or overlapping; a backup that is empty or not
// inside the dumped memory; for ELF32, any value that does not fit in 32 bits (named,
// with the fix: --elf64-core-headers); more program headers than e_phnum can count.
Result<CoreHeaderPlan> PlanCoreHeader(const CoreHeaderSpec& spec);

// The header bytes for a checked plan (exactly CoreHeaderBytes(phdrs.size())).
std::vector<uint8_t> EncodeCoreHeader(const CoreHeaderPlan& plan);

// PlanCoreHeader + EncodeCoreHeader.
Result<std::vector<uint8_t>> BuildCoreHeader(const CoreHeaderSpec& spec);

// One line per program header, for --dry-run: type, offset, vaddr, paddr, size, what.
std::vector<std::string> DescribeCoreHeader(const CoreHeaderPlan& plan);

}  // namespace kexkit::load
