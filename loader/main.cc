// kexkit: the command-line front end. Parses the options, runs one action, and turns
// any error into one line on stderr and a non-zero exit code.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "loader/kexec.h"
#include "loader/load.h"
#include "loader/options.h"

#ifndef KEXKIT_VERSION
#define KEXKIT_VERSION "0.1.0"
#endif

namespace kexkit::load {
namespace {

void PrintPlan(const LoadPlan& plan, const char* arch) {
  std::printf("kexkit: %s plan, entry 0x%llx, flags 0x%lx%s\n", arch,
              static_cast<unsigned long long>(plan.entry), plan.flags,
              (plan.flags & kKexecOnCrash) ? " (on crash)" : "");
  std::printf("%-3s %-18s %-12s %-12s %-64s %s\n", "idx", "destination", "memsz", "bufsz",
              "sha256", "holds");
  for (size_t i = 0; i < plan.segments.size(); ++i) {
    const Segment& s = plan.segments[i];
    std::printf("%-3zu 0x%016llx 0x%010llx 0x%010zx %s %s\n", i,
                static_cast<unsigned long long>(s.mem), static_cast<unsigned long long>(s.memsz),
                s.buf.size(),
                Hex(i < plan.segment_digests.size() ? plan.segment_digests[i] : DigestSegment(s))
                    .c_str(),
                s.what.c_str());
  }
  for (const std::string& note : plan.notes) std::printf("%s\n", note.c_str());
}

int Run(int argc, char** argv) {
  auto parsed = ParseCommandLine(argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "kexkit: %s\n", parsed.error().message.c_str());
    return 2;
  }
  const Options& opt = *parsed;
  if (opt.action == Action::kHelp) {
    std::fputs(UsageText().c_str(), stdout);
    return 0;
  }
  if (opt.action == Action::kVersion) {
    std::printf("kexkit %s\n", KEXKIT_VERSION);
    return 0;
  }
  auto fail = [](const Error& e) {
    std::fprintf(stderr, "kexkit: %s\n", e.message.c_str());
    return 1;
  };
  if (!opt.dry_run && ::geteuid() != 0 && opt.action != Action::kStatus) {
    return fail({"must be root to load, unload or boot a kernel (or use --dry-run)"});
  }
  auto sys = MakeSystemKexec();
  switch (opt.action) {
    case Action::kStatus: {
      auto loaded = sys->IsLoaded(opt.crash);
      if (!loaded) return fail(loaded.error());
      std::printf("%s kernel: %s\n", opt.crash ? "crash" : "kexec",
                  *loaded ? "loaded" : "not loaded");
      return *loaded ? 1 : 0;  // kexec-tools' -S convention
    }
    case Action::kUnload: {
      if (auto r = sys->Unload(opt.crash, opt.file_syscall); !r) return fail(r.error());
      return 0;
    }
    case Action::kExec: {
      auto r = sys->Exec();
      return fail(r.error());
    }
    case Action::kLoad: {
      if (opt.file_syscall || opt.auto_syscall) {
        auto cmdline = ComposeCmdline(opt);
        if (!cmdline) return fail(cmdline.error());
        auto r = sys->FileLoad(opt.kernel, opt.initrd, *cmdline, opt.crash);
        if (r || opt.file_syscall) {
          if (!r) return fail(r.error());
          if (opt.force) return fail(sys->Exec().error());
          return 0;
        }
        if (opt.debug) std::fprintf(stderr, "kexkit: %s; falling back to kexec_load\n",
                                    r.error().message.c_str());
      }
      auto arch = MakeArchLoader();
      auto plan = BuildLoadPlan(opt, *arch);
      if (!plan) return fail(plan.error());
      if (opt.dry_run || opt.debug) PrintPlan(*plan, arch->name());
      if (opt.dry_run) return 0;
      if (auto r = sys->Load(*plan); !r) return fail(r.error());
      if (opt.force) return fail(sys->Exec().error());
      return 0;
    }
    default:
      return fail({"internal error: no action"});
  }
}

}  // namespace
}  // namespace kexkit::load

int main(int argc, char** argv) { return kexkit::load::Run(argc, argv); }
