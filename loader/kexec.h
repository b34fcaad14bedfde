// The kexec system calls behind one interface, so that everything above them runs the
// same in --dry-run and in tests (a recording implementation) as on a real machine.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/diag.h"
#include "loader/segments.h"

namespace kexkit::load {

inline constexpr unsigned long kKexecOnCrash = 1;
inline constexpr unsigned long kKexecArchShift = 16;

class KexecSys {
 public:
  virtual ~KexecSys() = default;
  // kexec_load(2). `crash` selects the panic image.
  virtual Result<void> Load(const LoadPlan& plan) = 0;
  // kexec_file_load(2) passthrough (-s): the running kernel parses the image itself.
  // `flags`: extra KEXEC_FILE_* bits (--no-cma, --force-dtb). A failure carries errno
  // in Error::errnum, which -a needs to decide whether to fall back.
  virtual Result<void> FileLoad(const std::string& kernel, const std::string& initrd,
                                const std::string& cmdline, bool crash, unsigned long flags) = 0;
  // kexec_file_load(KEXEC_FILE_UNLOAD) with `file_syscall`, else kexec_load with no
  // segments; errno in Error::errnum.
  virtual Result<void> Unload(bool crash, bool file_syscall) = 0;
  // /sys/kernel/kexec_loaded or kexec_crash_loaded.
  virtual Result<bool> IsLoaded(bool crash) = 0;
  // sync(2) when `sync` (-e and -f unless -y), every network interface but lo down when
  // `ifdown` (unless -x), as kexec-tools does, then reboot(LINUX_REBOOT_CMD_KEXEC).
  // Returns only on failure.
  virtual Result<void> Exec(bool sync, bool ifdown) = 0;
};

std::unique_ptr<KexecSys> MakeSystemKexec();

}  // namespace kexkit::load
