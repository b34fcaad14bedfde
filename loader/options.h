// What the user asked for, parsed once (cli.cc) and read everywhere else.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/diag.h"

namespace kexkit::load {

enum class Action { kNone, kLoad, kUnload, kExec, kStatus, kHelp, kVersion, kPrintCkrSize };

struct Options {
  Action action = Action::kNone;
  bool crash = false;            // -p: the panic (capture) kernel
  bool force = false;            // -f: load, then exec at once
  bool file_syscall = false;     // -s: kexec_file_load passthrough
  bool auto_syscall = false;     // -a: kexec_file_load, falling back to kexkit's purgatory
  bool kexec_syscall = false;    // -c given explicitly (the default otherwise)
  bool no_sync = false;          // -y: -e and -f skip sync(2)
  bool no_ifdown = false;        // -x: -e and -f leave the network interfaces up
  unsigned long file_flags = 0;  // --no-cma, --force-dtb: extra kexec_file_load flags
  std::string type;              // -t/--type: the image type asked for (checked per arch)
  bool no_checks = false;        // -i: skip the purgatory's SHA-256 check
  bool debug = false;            // -d
  bool dry_run = false;          // everything but the system call

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
  // -p --hotplug: the kernel rewrites the core header (ppc64: and the device tree's cpu
  // nodes) on CPU and memory hotplug, so they are sized for it and left unverified.
  bool hotplug = false;

  // Options that belong to one architecture in kexec-tools; RunKexkit refuses them on
  // the others (ArchLoader::CheckOptions), as kexec-tools' own option tables do.
  bool args_linux = false;        // ppc64: accepted, ignored (kexec-tools: OPT_ARGS_IGNORE)
  bool dt_no_old_root = false;    // ppc64: never copy the old root= into bootargs
  bool noefi = false;             // x86: no EFI runtime data for the new kernel
  bool reuse_video_type = false;  // x86: video type from the running boot_params

  // Inputs read from the running system; options so tests and --dry-run on another
  // machine can point them at saved copies.
  std::string iomem = "/proc/iomem";
  std::string memmap = "/sys/firmware/memmap";
  std::string boot_params = "/sys/kernel/boot_params/data";
  std::string proc_cmdline = "/proc/cmdline";
  std::string sysfs = "/sys";         // crash_notes, vmcoreinfo
  std::string kcore = "/proc/kcore";  // kdump: kernel text and direct-map base
  // x86_64: the running kernel's paging levels (4 or 5); 0 = probe it (--paging-levels
  // for tests and dry runs of another machine's setup).
  int paging_levels = 0;
  std::string device_tree = "/proc/device-tree";
  std::string lockdown = "/sys/kernel/security/lockdown";  // moves with --sysfs

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
