#include <getopt.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "loader/options.h"
#include "loader/segments.h"

namespace kexkit::load {
namespace {

enum LongOnly {
  kOptInitrd = 256,
  kOptAppend,
  kOptReuseCmdline,
  kOptDtb,
  kOptMemMin,
  kOptMemMax,
  kOptSerial,
  kOptSerialBaud,
  kOptConsoleSerial,
  kOptConsoleVga,
  kOptEntry32,
  kOptElf32,
  kOptElf64,
  kOptDryRun,
  kOptIomem,
  kOptMemmap,
  kOptBootParams,
  kOptProcCmdline,
  kOptSysfs,
  kOptDeviceTree,
  kOptCorruptDigest,
  kOptKcore,
  kOptPagingLevels,
  // kexec-tools 2.0.32 options (kexec.h, arch/*/include/arch/options.h, the loaders).
  kOptArgsLinux,
  kOptArgsElf,
  kOptArgsNone,
  kOptDtNoOldRoot,
  kOptReuseInitrd,
  kOptPrintCkrSize,
  kOptEntry,
  kOptNoEfi,
  kOptResetVga,
  kOptPassMemmap,
  kOptReuseVideo,
  kOptPreserveContext,
  kOptJumpBackHelper,
  kOptLiveUpdate,
  kOptExecLiveUpdate,
  kOptHotplug,
  kOptNoCma,
  kOptForceDtb,
  kOptModule,
  kOptRealMode,
};

// kexec_file_load flags [include/uapi/linux/kexec.h]: KEXEC_FILE_NO_CMA (6.14),
// KEXEC_FILE_FORCE_DTB (6.15).
constexpr unsigned long kFileNoCma = 0x10, kFileForceDtb = 0x20;

// The kexec-tools options kexkit refuses, each with the reason, as one line.
const char* RefusalReason(int opt) {
  switch (opt) {
    case kOptArgsElf:
    case kOptArgsNone:
      return "ELF boot notes are for kexec-tools' x86 ELF loader; kexkit boots bzImage "
             "(x86) and vmlinux with the Linux convention (ppc64)";
    case kOptReuseInitrd:
      return "kexkit does not reuse the initrd kept by retain_initrd; pass --initrd=FILE";
    case kOptResetVga:
      return "kexkit's purgatory does not touch the VGA hardware";
    case kOptPassMemmap:
      return "kexkit passes the capture kernel's memory map in its e820 table, not as "
             "memmap= on the command line";
    case kOptPreserveContext:
    case kOptJumpBackHelper:
      return "kexkit's purgatory does not return to the old kernel (no kexec jump)";
    case kOptLiveUpdate:
    case kOptExecLiveUpdate:
      return "Xen live update is not supported";
    case kOptModule:
      return "kexkit does not load multiboot images";
    case kOptRealMode:
      return "kexkit enters the kernel through its 64- or 32-bit entry, never real mode";
    default:
      return nullptr;
  }
}

const option kLongOptions[] = {
    {"help", no_argument, nullptr, 'h'},
    {"version", no_argument, nullptr, 'v'},
    {"force", no_argument, nullptr, 'f'},
    {"exec", no_argument, nullptr, 'e'},
    {"load", no_argument, nullptr, 'l'},
    {"load-panic", no_argument, nullptr, 'p'},
    {"unload", no_argument, nullptr, 'u'},
    {"status", no_argument, nullptr, 'S'},
    {"kexec-file-syscall", no_argument, nullptr, 's'},
    {"kexec-syscall", no_argument, nullptr, 'c'},
    {"kexec-syscall-auto", no_argument, nullptr, 'a'},
    {"no-checks", no_argument, nullptr, 'i'},
    {"debug", no_argument, nullptr, 'd'},
    {"initrd", required_argument, nullptr, kOptInitrd},
    {"ramdisk", required_argument, nullptr, kOptInitrd},
    {"append", required_argument, nullptr, kOptAppend},
    {"command-line", required_argument, nullptr, kOptAppend},
    {"reuse-cmdline", no_argument, nullptr, kOptReuseCmdline},
    {"dtb", required_argument, nullptr, kOptDtb},
    {"mem-min", required_argument, nullptr, kOptMemMin},
    {"mem-max", required_argument, nullptr, kOptMemMax},
    {"serial", required_argument, nullptr, kOptSerial},
    {"serial-baud", required_argument, nullptr, kOptSerialBaud},
    {"console-serial", no_argument, nullptr, kOptConsoleSerial},
    {"console-vga", no_argument, nullptr, kOptConsoleVga},
    {"entry-32bit", no_argument, nullptr, kOptEntry32},
    {"elf32-core-headers", no_argument, nullptr, kOptElf32},
    {"elf64-core-headers", no_argument, nullptr, kOptElf64},
    {"dry-run", no_argument, nullptr, kOptDryRun},
    {"iomem", required_argument, nullptr, kOptIomem},
    {"memmap", required_argument, nullptr, kOptMemmap},
    {"boot-params", required_argument, nullptr, kOptBootParams},
    {"proc-cmdline", required_argument, nullptr, kOptProcCmdline},
    {"sysfs", required_argument, nullptr, kOptSysfs},
    {"kcore", required_argument, nullptr, kOptKcore},
    {"paging-levels", required_argument, nullptr, kOptPagingLevels},
    {"device-tree", required_argument, nullptr, kOptDeviceTree},
    {"test-corrupt-digest", optional_argument, nullptr, kOptCorruptDigest},
    {"no-ifdown", no_argument, nullptr, 'x'},
    {"no-sync", no_argument, nullptr, 'y'},
    {"type", required_argument, nullptr, 't'},
    {"devicetreeblob", required_argument, nullptr, kOptDtb},
    {"args-linux", no_argument, nullptr, kOptArgsLinux},
    {"args-elf", no_argument, nullptr, kOptArgsElf},
    {"args-none", no_argument, nullptr, kOptArgsNone},
    {"dt-no-old-root", no_argument, nullptr, kOptDtNoOldRoot},
    {"reuseinitrd", no_argument, nullptr, kOptReuseInitrd},
    {"print-ckr-size", no_argument, nullptr, kOptPrintCkrSize},
    {"entry", required_argument, nullptr, kOptEntry},
    {"noefi", no_argument, nullptr, kOptNoEfi},
    {"reset-vga", no_argument, nullptr, kOptResetVga},
    {"pass-memmap-cmdline", no_argument, nullptr, kOptPassMemmap},
    {"reuse-video-type", no_argument, nullptr, kOptReuseVideo},
    {"load-preserve-context", no_argument, nullptr, kOptPreserveContext},
    {"load-jump-back-helper", no_argument, nullptr, kOptJumpBackHelper},
    {"load-live-update", no_argument, nullptr, kOptLiveUpdate},
    {"exec-live-update", no_argument, nullptr, kOptExecLiveUpdate},
    {"hotplug", no_argument, nullptr, kOptHotplug},
    {"no-cma", no_argument, nullptr, kOptNoCma},
    {"force-dtb", no_argument, nullptr, kOptForceDtb},
    {"module", required_argument, nullptr, kOptModule},
    {"real-mode", no_argument, nullptr, kOptRealMode},
    {nullptr, 0, nullptr, 0},
};

bool ParseU64(const char* s, uint64_t* out) {
  if (s == nullptr || *s == '\0' || *s == '-') return false;
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s, &end, 0);
  if (errno != 0 || end == s) return false;
  uint64_t mult = 1;
  if (*end == 'K' || *end == 'k')
    mult = 1ull << 10, ++end;
  else if (*end == 'M' || *end == 'm')
    mult = 1ull << 20, ++end;
  else if (*end == 'G' || *end == 'g')
    mult = 1ull << 30, ++end;
  if (*end != '\0') return false;
  if (v > ~0ull / mult) return false;
  *out = v * mult;
  return true;
}

}  // namespace

std::string UsageText() {
  return R"(usage: kexkit [options] [kernel]
Load a kernel to boot with kexec, or a capture kernel for kdump, through kexkit's purgatory.
The options are kexec-tools 2.0.32's; kexkit(8) says which ones kexkit refuses.

Actions:
  -l, --load KERNEL        load KERNEL for a later --exec
  -p, --load-panic KERNEL  load KERNEL as the capture kernel, booted on panic
  -u, --unload             unload (with -p: the capture kernel)
  -e, --exec               boot the loaded kernel now
  -f, --force              load, then boot at once (no shutdown)
  -S, --status             print whether the capture kernel (with -l: the kexec kernel)
                           is loaded; as kexec-tools, exit 1 if loaded, 0 if not
      --print-ckr-size     print the crash kernel region's size in bytes
  -h, --help               this text;  -v, --version  the version

Options:
  -x, --no-ifdown          -e and -f: leave the network interfaces up
  -y, --no-sync            -e and -f: do not sync the filesystems first
  -t, --type=TYPE          the kernel's type: bzImage64 (x86_64), bzImage (i386),
                           elf-ppc64 (ppc64)
      --initrd=FILE, --ramdisk=FILE      initial ramdisk
      --append=STRING, --command-line=STRING  new kernel's command line
      --reuse-cmdline      start from this kernel's command line (less crashkernel=, BOOT_IMAGE=)
      --dtb=FILE, --devicetreeblob=FILE  ppc64: device tree blob instead of /proc/device-tree
      --dt-no-old-root     ppc64: do not add the running kernel's root= to a command
                           line without one
      --args-linux         ppc64: accepted and ignored, as kexec-tools does
      --mem-min=ADDR, --mem-max=ADDR  keep every segment inside [ADDR, ADDR]
  -i, --no-checks          do not verify the SHA-256 in the purgatory
  -c, --kexec-syscall      use kexec_load with kexkit's purgatory (default)
  -s, --kexec-file-syscall use kexec_file_load (the kernel's own loader and purgatory)
  -a, --kexec-syscall-auto kexec_file_load, falling back to kexec_load when the kernel
                           lacks it or cannot parse the image (never on a signature or
                           permission error)
      --no-cma, --force-dtb  kexec_file_load flags (ignored by kexec_load)
      --entry=0            accepted (0: no jump back); any other address is refused
      --console-serial     purgatory prints on the serial port; on by default when the
                           new command line has console=ttyS<n>
      --serial=PORT        ttyS<n> or an I/O port (0x3f8);  --serial-baud=BAUD
      --console-vga        accepted for compatibility (no VGA output)
      --noefi              x86: no EFI runtime data for the new kernel (kexkit never
                           passes any)
      --reuse-video-type   x86: the video type from this boot's boot_params (kexkit
                           always takes it from there)
      --entry-32bit        x86_64: enter the kernel through its 32-bit entry
      --elf32-core-headers, --elf64-core-headers  class of the kdump ELF core header
      --hotplug            -p: the kernel updates the core header (and the ppc64 device
                           tree) on CPU or memory hotplug; they are left out of the
                           purgatory's check (Linux 6.6+ x86, 6.10+ ppc64)
      --dry-run            do everything but the system call; print the segments
  -d, --debug              print the plan (on stderr) as well
Refused with one line: --reuseinitrd --reset-vga --pass-memmap-cmdline
  --load-preserve-context --load-jump-back-helper --load-live-update --exec-live-update
  --args-elf --args-none --module --real-mode
Inputs (for --dry-run on saved copies, and tests):
      --iomem=FILE --memmap=DIR --boot-params=FILE --proc-cmdline=FILE --sysfs=DIR
      --device-tree=DIR --kcore=FILE --paging-levels=4|5 (x86_64: instead of probing)
      (--sysfs=DIR also sets DIR/firmware/memmap, DIR/kernel/boot_params/data and
      DIR/kernel/security/lockdown, and --iomem=FILE the kcore in FILE's directory,
      unless those are given themselves)
)";
}

Result<Options> ParseCommandLine(int argc, char** argv) {
  Options o;
  bool load = false, panic = false, unload = false, exec = false, status = false;
  bool print_ckr = false;
  bool iomem_set = false, memmap_set = false, boot_params_set = false, sysfs_set = false,
       kcore_set = false;
  opterr = 0;
  // 0, not 1: glibc and musl then reset their whole scan state. With 1, a previous call
  // that stopped inside an option cluster ("-y" of "-y-32") leaves getopt pointing
  // into that (possibly freed) argv, and this call parses stale text.
  optind = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":hvfelpuSscaidxyt:", kLongOptions, nullptr)) != -1) {
    uint64_t v = 0;
    switch (c) {
      case 'h':
        o.action = Action::kHelp;
        return o;
      case 'v':
        o.action = Action::kVersion;
        return o;
      case 'f':
        o.force = true;
        break;
      case 'e':
        exec = true;
        break;
      case 'l':
        load = true;
        break;
      case 'p':
        panic = true;
        break;
      case 'u':
        unload = true;
        break;
      case 'S':
        status = true;
        break;
      // -s, -c and -a choose the system call; as in kexec-tools the last one wins, so
      // a script may append one to KEXEC_ARGS that already hold another.
      case 's':
        o.file_syscall = true, o.kexec_syscall = o.auto_syscall = false;
        break;
      case 'c':
        o.kexec_syscall = true, o.file_syscall = o.auto_syscall = false;
        break;
      case 'a':
        o.auto_syscall = true, o.file_syscall = o.kexec_syscall = false;
        break;
      case 'i':
        o.no_checks = true;
        break;
      case 'd':
        o.debug = true;
        break;
      case 'x':
        o.no_ifdown = true;
        break;
      case 'y':
        o.no_sync = true;
        break;
      case 't':
        o.type = optarg;
        break;
      case kOptArgsLinux:
        o.args_linux = true;
        break;
      case kOptDtNoOldRoot:
        o.dt_no_old_root = true;
        break;
      case kOptNoEfi:
        o.noefi = true;
        break;
      case kOptReuseVideo:
        o.reuse_video_type = true;
        break;
      case kOptNoCma:
        o.file_flags |= kFileNoCma;
        break;
      case kOptForceDtb:
        o.file_flags |= kFileForceDtb;
        break;
      case kOptPrintCkrSize:
        print_ckr = true;
        break;
      case kOptEntry:
        // kexec-tools: the jump-back address; 0 means "no jump back", its default.
        if (!ParseU64(optarg, &v)) return Fail("--entry=", optarg, ": not an address");
        if (v != 0) {
          return Fail("--entry=", optarg,
                      ": not supported by kexkit: ", RefusalReason(kOptPreserveContext));
        }
        break;
      case kOptArgsElf:
      case kOptArgsNone:
      case kOptReuseInitrd:
      case kOptResetVga:
      case kOptPassMemmap:
      case kOptPreserveContext:
      case kOptJumpBackHelper:
      case kOptLiveUpdate:
      case kOptExecLiveUpdate:
      case kOptModule:
      case kOptRealMode:
        return FailIn(argv[optind - 1], "not supported by kexkit: ", RefusalReason(c));
      case kOptInitrd:
        o.initrd = optarg;
        break;
      case kOptAppend:
        if (!o.append.empty()) o.append += ' ';
        o.append += optarg;
        break;
      case kOptReuseCmdline:
        o.reuse_cmdline = true;
        break;
      case kOptDtb:
        o.dtb = optarg;
        break;
      case kOptMemMin:
        if (!ParseU64(optarg, &v)) return Fail("--mem-min=", optarg, ": not an address");
        o.mem_min = v;
        break;
      case kOptMemMax:
        if (!ParseU64(optarg, &v)) return Fail("--mem-max=", optarg, ": not an address");
        o.mem_max = v;
        break;
      case kOptSerial:
        if (std::strncmp(optarg, "ttyS", 4) == 0) {
          static constexpr uint64_t kPorts[] = {0x3f8, 0x2f8, 0x3e8, 0x2e8};
          if (!ParseU64(optarg + 4, &v) || v > 3) {
            return Fail("--serial=", optarg,
                        ": kexkit knows ttyS0..ttyS3; give the I/O port instead");
          }
          o.serial_port = kPorts[v];
        } else {
          if (!ParseU64(optarg, &v) || v == 0 || v > 0xffff) {
            return Fail("--serial=", optarg, ": not ttyS<n> or an I/O port (0x1-0xffff)");
          }
          o.serial_port = v;
        }
        break;
      case kOptSerialBaud:
        if (!ParseU64(optarg, &v) || v == 0 || v > 115200 || 115200 % v != 0) {
          return Fail("--serial-baud=", optarg, ": not a baud rate that divides 115200");
        }
        o.serial_baud = static_cast<uint32_t>(v);
        break;
      case kOptConsoleSerial:
        o.console_serial = true;
        break;
      case kOptConsoleVga:
        o.console_vga = true;
        break;
      case kOptEntry32:
        o.entry_32bit = true;
        break;
      case kOptHotplug:
        o.hotplug = true;
        break;
      case kOptElf32:
      case kOptElf64: {
        const int cls = c == kOptElf32 ? 32 : 64;
        if (o.core_elf_class != 0 && o.core_elf_class != cls) {
          return Fail("--elf32-core-headers and --elf64-core-headers conflict");
        }
        o.core_elf_class = cls;
        break;
      }
      case kOptDryRun:
        o.dry_run = true;
        break;
      case kOptIomem:
        o.iomem = optarg;
        iomem_set = true;
        break;
      case kOptMemmap:
        o.memmap = optarg;
        memmap_set = true;
        break;
      case kOptBootParams:
        o.boot_params = optarg;
        boot_params_set = true;
        break;
      case kOptProcCmdline:
        o.proc_cmdline = optarg;
        break;
      case kOptSysfs:
        o.sysfs = optarg;
        sysfs_set = true;
        break;
      case kOptKcore:
        o.kcore = optarg;
        kcore_set = true;
        break;
      case kOptPagingLevels:
        if (std::string_view(optarg) != "4" && std::string_view(optarg) != "5") {
          return Fail("--paging-levels=", optarg, ": want 4 or 5");
        }
        o.paging_levels = optarg[0] - '0';
        break;
      case kOptDeviceTree:
        o.device_tree = optarg;
        break;
      case kOptCorruptDigest:
        o.test_corrupt_digest = true;
        if (optarg != nullptr) {
          uint64_t v = 0;
          if (!ParseU64(optarg, &v) || v >= kMaxSegments) {
            return Fail("--test-corrupt-digest=", optarg, ": not a segment index");
          }
          o.test_corrupt_segment = static_cast<uint32_t>(v);
        }
        break;
      case ':':
        return Fail("option ", argv[optind - 1], " needs a value");
      default:
        if (optopt != 0)
          return Fail("unknown option -", static_cast<char>(optopt), " (see --help)");
        return Fail("unknown option ", argv[optind - 1], " (see --help)");
    }
  }
  // Saved inputs stay together: --sysfs=DIR also moves the sysfs files not named on their
  // own (firmware memmap, boot_params), and --iomem=FILE the kcore beside it (as
  // /proc/kcore is beside /proc/iomem), so a dry run on saved copies never mixes in the
  // running machine's own map.
  if (sysfs_set && !memmap_set) o.memmap = o.sysfs + "/firmware/memmap";
  if (sysfs_set && !boot_params_set) o.boot_params = o.sysfs + "/kernel/boot_params/data";
  if (sysfs_set) o.lockdown = o.sysfs + "/kernel/security/lockdown";
  if (iomem_set && !kcore_set) {
    const size_t slash = o.iomem.rfind('/');
    o.kcore = slash == std::string::npos ? "kcore" : o.iomem.substr(0, slash) + "/kcore";
  }

  if (optind < argc) o.kernel = argv[optind++];
  if (optind < argc) return Fail("unexpected argument '", argv[optind], "' (one kernel only)");

  // kexec-tools acts on --print-ckr-size as soon as it sees it, whatever else is given.
  if (print_ckr) {
    o.action = Action::kPrintCkrSize;
    return o;
  }
  o.crash = panic || (status && !load);  // -S alone asks about the crash kernel [kexec-tools]
  const int actions =
      ((load && !status) || (panic && !unload && !status)) + unload + status + (exec && !o.force);
  if (load && panic && !status)
    return Fail("-l and -p conflict: load either a kexec or a capture kernel");
  if (actions > 1) return Fail("conflicting actions: give one of -l, -p, -u, -e, -S");
  if (o.force && (unload || status || (exec && load))) {
    return Fail("-f loads and boots; it does not combine with -u, -S or -e");
  }
  if (unload)
    o.action = Action::kUnload;
  else if (status)
    o.action = Action::kStatus;
  else if (load || panic || o.force)
    o.action = Action::kLoad;
  else if (exec)
    o.action = Action::kExec;
  else if (!o.kernel.empty())
    o.action = Action::kLoad;  // `kexkit KERNEL`, as kexec does

  if (o.action == Action::kNone)
    return Fail("nothing to do: give -l, -p, -u, -e or -S (see --help)");
  if (o.action == Action::kLoad && o.kernel.empty()) return Fail("no kernel given to load");
  if (o.action != Action::kLoad && !o.kernel.empty()) {
    return Fail("a kernel (", o.kernel, ") is only taken with -l, -p or -f");
  }
  if (o.force && o.crash) return Fail("-f boots at once; it does not combine with -p");
  // With -u or -S it changes nothing (kexec-tools takes it there too); with -l it is a
  // mistake: only a capture kernel's core header is updated on hotplug.
  if (o.hotplug && o.action == Action::kLoad && !o.crash) {
    return Fail("--hotplug goes with -p (a capture kernel), not -l");
  }
  if (o.dry_run && o.action != Action::kLoad) return Fail("--dry-run goes with -l or -p");
  if (o.test_corrupt_digest && o.no_checks) {
    return Fail("--test-corrupt-digest needs the check that --no-checks turns off");
  }
  if (o.mem_min && o.mem_max && *o.mem_min >= *o.mem_max) {
    return Fail("--mem-min is not below --mem-max");
  }
  return o;
}

}  // namespace kexkit::load
