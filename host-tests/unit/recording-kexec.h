// A KexecSys that records every call with its arguments instead of making it, and can be
// told to fail kexec_file_load with an errno: the distro replay tests run the real
// command-line entry (RunKexkit) through it. No system call ever reaches the kernel.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "base/diag.h"
#include "loader/kexec.h"
#include "loader/run.h"

namespace kktest {

struct RecordedCall {
  std::string what;  // "load", "file_load", "unload", "is_loaded", "exec"
  bool crash = false;
  bool file_syscall = false;               // unload
  unsigned long flags = 0;                 // load: kexec_load flags; file_load: extra flags
  std::string kernel, initrd, cmdline;     // file_load
  size_t segments = 0;                     // load
  std::vector<std::string> holds;          // load: what each segment holds
  std::vector<std::vector<uint8_t>> bufs;  // load: the segment bytes
  bool sync = false, ifdown = false;       // exec
};

class RecordingKexec final : public kexkit::load::KexecSys {
 public:
  std::vector<RecordedCall> calls;
  int file_load_errno = 0;  // nonzero: FileLoad and file unloads fail with it
  bool loaded = true;

  kexkit::Result<void> Load(const kexkit::load::LoadPlan& plan) override {
    RecordedCall c = Call("load", (plan.flags & 1) != 0);
    c.flags = plan.flags;
    c.segments = plan.segments.size();
    for (const auto& s : plan.segments) {
      c.holds.push_back(s.what);
      c.bufs.emplace_back(s.buf.begin(), s.buf.end());
    }
    calls.push_back(std::move(c));
    return {};
  }
  kexkit::Result<void> FileLoad(const std::string& kernel, const std::string& initrd,
                                const std::string& cmdline, bool crash,
                                unsigned long flags) override {
    RecordedCall c = Call("file_load", crash);
    c.flags = flags, c.kernel = kernel, c.initrd = initrd, c.cmdline = cmdline;
    calls.push_back(std::move(c));
    return Errno("kexec_file_load");
  }
  kexkit::Result<void> Unload(bool crash, bool file_syscall) override {
    RecordedCall c = Call("unload", crash);
    c.file_syscall = file_syscall;
    calls.push_back(std::move(c));
    return file_syscall ? Errno("unload (kexec_file_load)") : kexkit::Result<void>{};
  }
  kexkit::Result<bool> IsLoaded(bool crash) override {
    calls.push_back(Call("is_loaded", crash));
    return loaded;
  }
  kexkit::Result<void> Exec(bool sync, bool ifdown) override {
    RecordedCall c = Call("exec", false);
    c.sync = sync, c.ifdown = ifdown;
    calls.push_back(std::move(c));
    return kexkit::Fail("reboot(LINUX_REBOOT_CMD_KEXEC): recorded, not made");
  }

  std::string Trace() const {
    std::string t;
    for (const auto& c : calls) t += c.what + (c.file_syscall ? "(file) " : " ");
    return t;
  }

 private:
  static RecordedCall Call(const char* what, bool crash) {
    RecordedCall c;
    c.what = what;
    c.crash = crash;
    return c;
  }
  kexkit::Result<void> Errno(const char* what) {
    if (file_load_errno == 0) return {};
    auto e = kexkit::FailIn(what, "errno ", file_load_errno);
    e.error().errnum = file_load_errno;
    return e;
  }
};

struct CliRun {
  int code = -1;
  std::string out, err;
};

// Runs `kexkit ARGS...` in-process through `sys` and `arch`.
inline CliRun RunKexkitWith(const std::vector<std::string>& args, kexkit::load::KexecSys& sys,
                            kexkit::load::ArchLoader& arch) {
  auto slurp = [](std::FILE* f) {
    std::string s;
    std::rewind(f);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) s.append(buf, n);
    std::fclose(f);
    return s;
  };
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  std::vector<std::string> a{"kexec"};
  a.insert(a.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : a) argv.push_back(s.data());
  argv.push_back(nullptr);
  CliRun r;
  r.code = kexkit::load::RunKexkit(static_cast<int>(a.size()), argv.data(), sys, arch, out, err);
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

}  // namespace kktest
