// kdump: the segments a capture kernel needs beyond a plain kexec (ELF core header,
// backup region) and the memory map it must be told about.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "linker/diag.h"
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
// additions. `bits64` picks the default core header class.
Result<CrashSetup> AddCrashSegments(LoadContext& ctx, CrashArch arch, bool bits64);

}  // namespace kexkit::load
