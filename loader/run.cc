#include "loader/run.h"

#include <unistd.h>

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
                 Hex(s.verified() && i < plan.segment_digests.size() ? plan.segment_digests[i]
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

}  // namespace

int RunKexkit(int argc, char** argv, KexecSys& sys, ArchLoader& arch, std::FILE* out,
              std::FILE* err) {
  auto parsed = ParseCommandLine(argc, argv);
  if (!parsed) {
    std::fprintf(err, "kexkit: %s\n", parsed.error().message.c_str());
    return 2;
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
    std::fprintf(err, "kexkit: %s\n", e.message.c_str());
    return 1;
  };
  if (!opt.dry_run && ::geteuid() != 0 && opt.action != Action::kStatus) {
    return fail({"must be root to load, unload or boot a kernel (or use --dry-run)"});
  }
  switch (opt.action) {
    case Action::kStatus: {
      auto loaded = sys.IsLoaded(opt.crash);
      if (!loaded) return fail(loaded.error());
      std::fprintf(out, "%s kernel: %s\n", opt.crash ? "crash" : "kexec",
                   *loaded ? "loaded" : "not loaded");
      return *loaded ? 1 : 0;  // kexec-tools' -S convention
    }
    case Action::kUnload: {
      if (auto r = sys.Unload(opt.crash, opt.file_syscall); !r) return fail(r.error());
      return 0;
    }
    case Action::kExec: {
      auto r = sys.Exec();
      return fail(r.error());
    }
    case Action::kLoad: {
      // Both system calls free a loaded capture kernel before they look at the new one
      // [kernel/kexec.c do_kexec_load; kernel/kexec_file.c]: everything is checked first.
      if (opt.file_syscall) {
        if (auto r = CheckFileLoadInputs(opt); !r) return fail(r.error());
        auto cmdline = ComposeCmdline(opt);
        if (!cmdline) return fail(cmdline.error());
        if (auto r = sys.FileLoad(opt.kernel, opt.initrd, *cmdline, opt.crash); !r) {
          return fail(r.error());
        }
        if (opt.force) return fail(sys.Exec().error());
        return 0;
      }
      // -a: the fallback plan is built (and so every input checked) before trying
      // kexec_file_load, so a bad input never reaches either call.
      auto plan = BuildLoadPlan(opt, arch);
      if (!plan) return fail(plan.error());
      if (opt.auto_syscall) {
        auto cmdline = ComposeCmdline(opt);
        if (!cmdline) return fail(cmdline.error());
        auto r = sys.FileLoad(opt.kernel, opt.initrd, *cmdline, opt.crash);
        if (r) {
          if (opt.force) return fail(sys.Exec().error());
          return 0;
        }
        if (opt.debug) std::fprintf(err, "kexkit: %s; falling back to kexec_load\n",
                                    r.error().message.c_str());
      }
      if (opt.dry_run || opt.debug) PrintPlan(out, *plan, arch.name());
      if (opt.dry_run) return 0;
      if (auto r = sys.Load(*plan); !r) return fail(r.error());
      if (opt.force) return fail(sys.Exec().error());
      return 0;
    }
    default:
      return fail({"internal error: no action"});
  }
}

}  // namespace kexkit::load
