// What the user asked for, parsed once (cli.cc) and read everywhere else.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "linker/diag.h"

namespace kexkit::load {

enum class Action { kNone, kLoad, kUnload, kExec, kStatus, kHelp, kVersion };

struct Options {
  Action action = Action::kNone;
  bool crash = false;          // -p: the panic (capture) kernel
  bool force = false;          // -f: load, then exec at once
  bool file_syscall = false;   // -s: kexec_file_load passthrough
  bool auto_syscall = false;   // -a: kexec_file_load, falling back to kexkit's purgatory
  bool no_checks = false;      // -i: skip the purgatory's SHA-256 check
  bool debug = false;          // -d
  bool dry_run = false;        // everything but the system call

  std::string kernel;
  std::string initrd;
  std::string append;
  bool reuse_cmdline = false;
  std::string dtb;
  std::optional<uint64_t> mem_min, mem_max;

  std::optional<uint64_t> serial_port;  // --serial=ttyS1 | 0x2f8
  std::optional<uint32_t> serial_baud;
  bool console_serial = false;
  bool console_vga = false;
  bool entry_32bit = false;
  int core_elf_class = 0;  // 0: per arch default; 32 or 64

  // Inputs read from the running system; options so tests and --dry-run on another
  // machine can point them at saved copies.
  std::string iomem = "/proc/iomem";
  std::string memmap = "/sys/firmware/memmap";
  std::string boot_params = "/sys/kernel/boot_params/data";
  std::string proc_cmdline = "/proc/cmdline";
  std::string sysfs = "/sys";          // crash_notes, vmcoreinfo
  std::string kcore = "/proc/kcore";   // kdump: kernel text and direct-map base
  std::string device_tree = "/proc/device-tree";

  // Test only: flip one bit of one segment's digest; the purgatory must name that
  // segment and refuse to boot. --test-corrupt-digest=N picks segment N (the --dry-run
  // idx); without =N, the first verified segment.
  bool test_corrupt_digest = false;
  std::optional<uint32_t> test_corrupt_segment;
};

// Parses argv with kexec-tools' spellings. What can go wrong: an unknown option, a
// missing or malformed value, conflicting actions, a load without a kernel, an option
// that only makes sense with another (e.g. -s with --dry-run). One line each.
Result<Options> ParseCommandLine(int argc, char** argv);

std::string UsageText();

}  // namespace kexkit::load
