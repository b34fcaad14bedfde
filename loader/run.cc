#include "loader/run.h"

#include <unistd.h>

#include <cerrno>
#include <new>
#include <stdexcept>
#include <string>

#include "loader/options.h"

#ifndef KEXKIT_VERSION
#define KEXKIT_VERSION "0.1.0"
#endif

namespace kexkit::load {
namespace {

void PrintPlan(std::FILE* out, const LoadPlan& plan, const char* arch) {
  std::fprintf(out, "kexkit: %s plan, entry 0x%llx, flags 0x%lx%s\n", arch,
               static_cast<unsigned long long>(plan.entry), plan.flags,
               (plan.flags & kKexecOnCrash) ? " (on crash)" : "");
  std::fprintf(out, "%-3s %-18s %-12s %-12s %-64s %s\n", "idx", "destination", "memsz", "bufsz",
               "sha256", "holds");
  for (size_t i = 0; i < plan.segments.size(); ++i) {
    const Segment& s = plan.segments[i];
    std::fprintf(out, "%-3zu 0x%016llx 0x%010llx 0x%010zx %s %s\n", i,
                 static_cast<unsigned long long>(s.mem), static_cast<unsigned long long>(s.memsz),
                 s.buf.size(),
                 // Verified segments: the digest the purgatory checks, hashed once at
                 // planning. The others (its own segment, a pure zero fill): here.
                 HexBytes(s.verified() && i < plan.segment_digests.size() ? plan.segment_digests[i]
                                                                          : DigestSegment(s))
                     .c_str(),
                 s.what.c_str());
  }
  for (const std::string& note : plan.notes) std::fprintf(out, "%s\n", note.c_str());
}

// kexec_file_load (-s) reads the files itself, but only after the kernel has dropped a
// loaded capture kernel [kernel/kexec_file.c]: refuse what it would refuse (missing,
// a directory, empty) before the call.
Result<void> CheckFileLoadInputs(const Options& opt) {
  if (auto k = MappedFile::Open(opt.kernel); !k) return std::unexpected(k.error());
  if (!opt.initrd.empty()) {
    if (auto i = MappedFile::Open(opt.initrd); !i) return std::unexpected(i.error());
  }
  return {};
}

// The errors on which -a falls back from kexec_file_load to kexec_load, as kexec-tools
// 2.0.27+ does: the kernel has no kexec_file_load, or cannot parse this image
// [kexec/kexec.c do_kexec_file_load]. A signature or permission failure (EKEYREJECTED,
// EPERM, EACCES, ...) never falls back: kexec_load would bypass the signature policy.
bool FileLoadFallsBack(int err) {
  return err == ENOSYS || err == EINVAL || err == ENOEXEC || err == EOPNOTSUPP;
}

// The kernel is locked down when /sys/kernel/security/lockdown selects integrity or
// confidentiality ("none [integrity] confidentiality"); kexec_load is then refused
// [security/lockdown, kernel/kexec.c kexec_load_permitted]. Returns the mode or "".
std::string LockdownMode(const Options& opt) {
  auto text = ReadTextFile(opt.lockdown);
  if (!text) return "";
  for (const char* mode : {"integrity", "confidentiality"}) {
    if (text->find(std::string("[") + mode + "]") != std::string::npos) return mode;
  }
  return "";
}

}  // namespace

// An allocation that fails (ENOMEM: a limit, a full machine) throws from the standard
// containers; it ends the command with one line like any other error. Everything
// before the system call allocates, the call itself does not, so none reaches it.
int RunKexkit(int argc, char** argv, KexecSys& sys, ArchLoader& arch, std::FILE* out,
              std::FILE* err) try {
  auto parsed = ParseCommandLine(argc, argv);
  if (!parsed) {
    std::fprintf(err, "kexkit: %s\n", parsed.error().Line().c_str());
    return kExitUsage;
  }
  const Options& opt = *parsed;
  if (opt.action == Action::kHelp) {
    std::fputs(UsageText().c_str(), out);
    return 0;
  }
  if (opt.action == Action::kVersion) {
    std::fprintf(out, "kexkit %s\n", KEXKIT_VERSION);
    return 0;
  }
  auto fail = [err](const Error& e) {
    std::fprintf(err, "kexkit: %s\n", e.Line().c_str());
    return kExitFailed;
  };
  if (auto r = arch.CheckOptions(opt); !r) {
    std::fprintf(err, "kexkit: %s\n", r.error().Line().c_str());
    return kExitUsage;
  }
  if (opt.action == Action::kPrintCkrSize) {
    // kexec-tools prints the size of the crash region it would load into (the highest
    // "Crash kernel" range), 0 without one [kexec/kexec.c print_crashkernel_region_size].
    auto map = ReadSystemMemoryMap(opt.memmap, opt.iomem);
    if (!map) return fail(map.error());
    if (auto r = arch.CompleteMemoryMap(opt, *map); !r) return fail(r.error());
    const uint64_t size = map->crash.empty() ? 0 : map->crash.back().end - map->crash.back().start;
    std::fprintf(out, "%llu\n", static_cast<unsigned long long>(size));
    return 0;
  }
  if (!opt.dry_run && ::geteuid() != 0 && opt.action != Action::kStatus) {
    return fail(Fail("must be root to load, unload or boot a kernel (or use --dry-run)").error());
  }
  // The system call: -s, -a, else kexkit's own purgatory through kexec_load (-c), unless
  // the kernel is locked down and -c was not asked for by name.
  bool file_syscall = opt.file_syscall, auto_syscall = opt.auto_syscall;
  if (!opt.dry_run && !file_syscall && !auto_syscall && !opt.kexec_syscall &&
      (opt.action == Action::kLoad || opt.action == Action::kUnload)) {
    if (const std::string mode = LockdownMode(opt); !mode.empty()) {
      std::fprintf(err,
                   "kexkit: kernel locked down (%s), kexec_load is refused: using "
                   "kexec_file_load, as -a\n",
                   mode.c_str());
      auto_syscall = true;
    }
  }
  const bool sync = !opt.no_sync, ifdown = !opt.no_ifdown;
  switch (opt.action) {
    case Action::kStatus: {
      auto loaded = sys.IsLoaded(opt.crash);
      if (!loaded) {
        fail(loaded.error());
        return kExitStatusUnknown;
      }
      std::fprintf(out, "%s kernel: %s\n", opt.crash ? "crash" : "kexec",
                   *loaded ? "loaded" : "not loaded");
      return *loaded ? 1 : 0;  // kexec-tools' -S convention
    }
    case Action::kUnload: {
      // kexec_file_load's unload frees whatever image is loaded, whichever call loaded
      // it; -a falls back to kexec_load only where the kernel lacks kexec_file_load.
      if (file_syscall || auto_syscall) {
        auto r = sys.Unload(opt.crash, true);
        if (r) return 0;
        if (!auto_syscall || r.error().errnum != ENOSYS) return fail(r.error());
        if (opt.debug)
          std::fprintf(err, "kexkit: %s; unloading with kexec_load\n", r.error().Line().c_str());
      }
      if (auto r = sys.Unload(opt.crash, false); !r) return fail(r.error());
      return 0;
    }
    case Action::kExec: {
      auto r = sys.Exec(sync, ifdown);
      return fail(r.error());
    }
    case Action::kLoad: {
      // Both system calls free a loaded capture kernel before they look at the new one
      // [kernel/kexec.c do_kexec_load; kernel/kexec_file.c]: everything is checked first.
      auto cmdline = ComposeCmdline(opt);
      if (!cmdline) return fail(cmdline.error());
      auto print_file_load = [&](std::FILE* f) {
        std::fprintf(f,
                     "kexkit: kexec_file_load kernel %s, initrd %s, flags 0x%lx%s, command "
                     "line \"%s\"\n",
                     opt.kernel.c_str(), opt.initrd.empty() ? "(none)" : opt.initrd.c_str(),
                     opt.file_flags, opt.crash ? " (on crash)" : "", cmdline->c_str());
      };
      if (file_syscall) {
        if (auto r = CheckFileLoadInputs(opt); !r) return fail(r.error());
        if (opt.dry_run) {
          print_file_load(out);
          return 0;
        }
        if (auto r = sys.FileLoad(opt.kernel, opt.initrd, *cmdline, opt.crash, opt.file_flags);
            !r) {
          fail(r.error());
          // kexec-tools' EFALLBACK: the kernel cannot kexec_file_load this image.
          return FileLoadFallsBack(r.error().errnum) ? kExitNoFileLoad : kExitFailed;
        }
        if (opt.force) return fail(sys.Exec(sync, ifdown).error());
        return 0;
      }
      // -a: the fallback plan is built (and so every input checked) before trying
      // kexec_file_load, so a bad input never reaches either call.
      auto plan = BuildLoadPlan(opt, arch);
      if (!plan) return fail(plan.error());
      if (auto_syscall && opt.dry_run) {
        print_file_load(out);
        std::fprintf(out,
                     "kexkit: then, on ENOSYS, EINVAL, ENOEXEC or EOPNOTSUPP, "
                     "kexec_load with:\n");
      } else if (auto_syscall) {
        auto r = sys.FileLoad(opt.kernel, opt.initrd, *cmdline, opt.crash, opt.file_flags);
        if (r) {
          if (opt.force) return fail(sys.Exec(sync, ifdown).error());
          return 0;
        }
        if (!FileLoadFallsBack(r.error().errnum)) return fail(r.error());
        if (opt.debug)
          std::fprintf(err, "kexkit: %s; falling back to kexec_load\n", r.error().Line().c_str());
      }
      // --dry-run's table is the result (stdout); -d's is a diagnostic (stderr), as
      // kexec-tools' debug output is.
      if (opt.dry_run)
        PrintPlan(out, *plan, arch.name());
      else if (opt.debug)
        PrintPlan(err, *plan, arch.name());
      if (opt.dry_run) return 0;
      // Last look before the call: a kernel or initrd truncated since the digest would
      // make kexec_load fail with EFAULT after it dropped the loaded capture kernel.
      for (const MappedFile* f : {&plan->kernel_file, &plan->initrd_file}) {
        if (auto r = f->CheckUnchanged(); !r) return fail(r.error());
      }
      if (auto r = sys.Load(*plan); !r) return fail(r.error());
      if (opt.force) return fail(sys.Exec(sync, ifdown).error());
      return 0;
    }
    default:
      return fail(Fail("internal error: no action").error());
  }
} catch (const std::bad_alloc&) {
  std::fprintf(err, "kexkit: out of memory; nothing was loaded\n");
  return 1;
} catch (const std::length_error&) {
  std::fprintf(err,
               "kexkit: out of memory (a size past what a container holds); nothing was "
               "loaded\n");
  return 1;
}

}  // namespace kexkit::load
