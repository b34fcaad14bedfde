// The command lines distribution scripts hand to /sbin/kexec, replayed word for word
// through kexkit's real entry point (RunKexkit) with a recording stand-in for the system
// calls (recording-kexec.h), on the x86_64 and i386 loaders (ppc64le: ppc64_loader_test).
// Each case checks the calls kexkit would make: which system call, crash or not, the
// files and command line handed over, and -e/-f's sync and ifdown. The inputs kexkit
// reads from the running system are pointed at saved copies with kexkit's own options,
// appended after the script's words. The built binary then runs each load with
// --dry-run as a subprocess, as a packager would try it.
//
// The scripts (each builds the argv shown in its test):
//   Debian kdump-tools kdump-config: $KEXEC $KEXEC_ARGS -p --command-line="$KDUMP_CMDLINE"
//     --initrd=$KDUMP_INITRD $KDUMP_KERNEL; KEXEC_ARGS gets -s under Secure Boot and
//     --args-linux for an ELF kernel (ppc64el); unload: $KEXEC -p -u.
//   Debian kexec-tools' init scripts: kexec -l "$KERNEL_IMAGE" --initrd="$INITRD"
//     --append="$REAL_APPEND"; on reboot: kexec -e.
//   Fedora kdump-utils kdumpctl (rhkdump/kdump-utils v1.0.61, load_kdump): one word each,
//     KEXEC_ARGS from /etc/sysconfig/kdump ("-s" on x86_64, ppc64le and aarch64, "" on
//     i386, "--dt-no-old-root" on ppc64; ppc64le had "--dt-no-old-root -s" until
//     2024), then prepare_kexec_args' additions (i386: --elf64-core-headers or
//     --elf32-core-headers; -s again under Secure Boot, so "-s -s" happens), then -p
//     --command-line=$cmdline --initrd=$initrd $KDUMP_KERNEL. Before mid-2024:
//     $KEXEC $KEXEC_ARGS $standard_kexec_args ("-d -p" from 2020, "-p" again since)
//     and the same tail. Unload: $KEXEC -p -u, or -s -p -u under Secure Boot.
//   openSUSE kdump load.sh: $KEXEC -p $kdump_kernel --append="$kdump_commandline"
//     --initrd=$kdump_initrd $KEXEC_OPTIONS -a (older ones: ... -s); unload.sh:
//     $KEXEC -a -p -u.
//   systemd (systemctl kexec, no kernel loaded yet; load_kexec_kernel): kexec --load
//     KERNEL --append OPTIONS [--initrd INITRD] as separate words, OPTIONS possibly empty;
//     systemd-shutdown then runs kexec -e (reboot(LINUX_REBOOT_CMD_KEXEC) if that exec
//     fails).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "arch/x86/x86-loader.h"
#include "fuzz/bzimage-writer.h"
#include "loader/options.h"
#include "unit/crash-test-data.h"
#include "unit/recording-kexec.h"
#include "unit/test-files.h"

namespace {

namespace fs = std::filesystem;
using kktest::RecordingKexec;

constexpr const char* kKdumpCmdline =
    "root=UUID=0a1b2c3d ro quiet reset_devices systemd.unit=kdump-tools-dump.service "
    "nr_cpus=1 irqpoll nousb";
constexpr const char* kRebootCmdline = "BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro quiet";

struct Arch {
  const char* name;
  bool bits64;
  const char* purgatory;  // under the build directory
  unsigned long machine;
};

class DistroCli : public ::testing::TestWithParam<Arch> {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/kk-distro-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const auto bz = kktest::MakeBzImage(kktest::BzSpec{});
    ASSERT_TRUE(kktest::WriteFile(dir_ + "/vmlinuz-6.1.0-amd64", bz.data(), bz.size()));
    const std::string initrd(8192, 'i');
    ASSERT_TRUE(kktest::WriteFile(dir_ + "/initrd.img", initrd.data(), initrd.size()));
    const auto kcore = kktest::KcoreBytes(kktest::QemuGuestKcore());
    ASSERT_TRUE(kktest::WriteFile(dir_ + "/kcore", kcore.data(), kcore.size()));
    const std::string cmdline = std::string(kRebootCmdline) + " crashkernel=256M\n";
    ASSERT_TRUE(kktest::WriteFile(dir_ + "/cmdline", cmdline.data(), cmdline.size()));
    // A writable copy of the saved sysfs, so that tests can add a lockdown file.
    fs::copy(kktest::DataPath("sysfs-qemu-x86_64"), dir_ + "/sys", fs::copy_options::recursive);
    fs::create_directories(dir_ + "/sys/kernel/security");
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void SetUp() override {
    auto p = kktest::ReadFile(std::string(KK_BINARY_DIR) + "/" + GetParam().purgatory);
    ASSERT_TRUE(p) << GetParam().purgatory << " not built";
    purgatory_ = std::move(*p);
    SetLockdown("[none] integrity confidentiality\n");
  }

  static std::string Kernel() { return dir_ + "/vmlinuz-6.1.0-amd64"; }
  static std::string Initrd() { return dir_ + "/initrd.img"; }
  static void SetLockdown(const std::string& text) {
    std::ofstream(dir_ + "/sys/kernel/security/lockdown") << text;
  }
  // The saved inputs, after the script's own words.
  // The saved inputs, after the script's own words. The kcore is an x86_64 kernel's
  // (virtual addresses above 4 GiB); the i386 loader does without one.
  std::vector<std::string> Inputs() const {
    return {"--iomem=" + kktest::DataPath("iomem-qemu-pc-crashkernel.txt"),
            "--sysfs=" + dir_ + "/sys",
            "--kcore=" + dir_ + (GetParam().bits64 ? "/kcore" : "/no-kcore"),
            "--proc-cmdline=" + dir_ + "/cmdline", "--boot-params=" + dir_ + "/no-boot-params"};
  }

  kktest::CliRun Run(std::vector<std::string> script_words, RecordingKexec& sys) {
    for (auto& w : Inputs()) script_words.push_back(w);
    auto arch = kexkit::x86::MakeX86Loader(
        GetParam().bits64 ? kexkit::x86::X86Width::k64 : kexkit::x86::X86Width::k32, purgatory_);
    return kktest::RunKexkitWith(script_words, sys, *arch);
  }

  // A kexec_load of the capture (crash) or kexec kernel whose boot_params carry `cmdline`.
  void ExpectLoad(const RecordingKexec& sys, bool crash, const std::string& cmdline) {
    ASSERT_EQ(sys.calls.size(), 1u) << sys.Trace();
    const auto& c = sys.calls[0];
    EXPECT_EQ(c.what, "load");
    EXPECT_EQ(c.flags, (GetParam().machine << 16) | (crash ? 1 : 0));
    bool found = false;
    for (size_t i = 0; i < c.holds.size(); ++i) {
      if (c.holds[i] != "boot_params") continue;
      const std::string bytes(c.bufs[i].begin(), c.bufs[i].end());
      EXPECT_NE(bytes.find(cmdline), std::string::npos) << "boot_params lack: " << cmdline;
      found = true;
    }
    EXPECT_TRUE(found) << "no boot_params segment";
  }

  void ExpectFileLoad(const RecordingKexec& sys, size_t at, bool crash,
                      const std::string& cmdline) {
    ASSERT_GT(sys.calls.size(), at) << sys.Trace();
    const auto& c = sys.calls[at];
    EXPECT_EQ(c.what, "file_load");
    EXPECT_EQ(c.crash, crash);
    EXPECT_EQ(c.kernel, Kernel());
    EXPECT_EQ(c.initrd, Initrd());
    EXPECT_EQ(c.cmdline, cmdline);
    EXPECT_EQ(c.flags, 0u);
  }

  // The built binary (x86_64 loader, or the i386 static one under qemu-i386: x86_64
  // kernels may lack IA32 emulation) with --dry-run: exit 0.
  void ExpectDryRunAccepted(const std::vector<std::string>& script_words) {
#if defined(__SANITIZE_ADDRESS__)
    // The ASan tree (preset asan) builds the unit tests and the host kexkit only, not the
    // cross-built static loaders: the default tree makes this check for i386.
    if (!GetParam().bits64) return;
#endif
    const std::string bin = std::string(KK_BINARY_DIR) + "/bin/" +
                            (GetParam().bits64 ? "kexkit" : "kexkit-i386-static");
    if (::access(bin.c_str(), X_OK) != 0) {
      ADD_FAILURE() << bin << " not built";
      return;
    }
    std::vector<std::string> words;
    if (!GetParam().bits64) words.push_back("/usr/bin/qemu-i386");
    words.push_back(bin);
    words.insert(words.end(), script_words.begin(), script_words.end());
    for (auto& w : Inputs()) words.push_back(w);
    words.push_back("--dry-run");
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::execv(words[0].c_str(), argv.data());
      ::_exit(127);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    std::string joined;
    for (auto& w : script_words) joined += " " + w;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << bin << joined << " --dry-run: status " << status;
  }

  static inline std::string dir_;
  std::vector<uint8_t> purgatory_;
};

// --- Debian -------------------------------------------------------------------------------

TEST_P(DistroCli, DebianKdumpConfigLoad) {
  const std::vector<std::string> words = {"-p", std::string("--command-line=") + kKdumpCmdline,
                                          "--initrd=" + Initrd(), Kernel()};
  RecordingKexec sys;
  auto r = Run(words, sys);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  ExpectLoad(sys, true, kKdumpCmdline);
  ExpectDryRunAccepted(words);
}

TEST_P(DistroCli, DebianKdumpConfigSecureBootUsesKexecFileLoad) {
  const std::vector<std::string> words = {
      "-s", "-p", std::string("--command-line=") + kKdumpCmdline, "--initrd=" + Initrd(), Kernel()};
  RecordingKexec sys;
  auto r = Run(words, sys);
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(sys.calls.size(), 1u) << sys.Trace();
  ExpectFileLoad(sys, 0, true, kKdumpCmdline);
  ExpectDryRunAccepted(words);
}

TEST_P(DistroCli, DebianAndFedoraUnload) {
  RecordingKexec sys;
  auto r = Run({"-p", "-u"}, sys);
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(sys.calls.size(), 1u) << sys.Trace();
  EXPECT_EQ(sys.calls[0].what, "unload");
  EXPECT_TRUE(sys.calls[0].crash);
  EXPECT_FALSE(sys.calls[0].file_syscall) << "default -c: kexec_load's unload";
}

TEST_P(DistroCli, DebianKexecLoadInitScriptAndReboot) {
  const std::vector<std::string> words = {"-l", Kernel(), "--initrd=" + Initrd(),
                                          std::string("--append=") + kRebootCmdline};
  RecordingKexec sys;
  auto r = Run(words, sys);
  EXPECT_EQ(r.code, 0) << r.err;
  ExpectLoad(sys, false, kRebootCmdline);
  ExpectDryRunAccepted(words);

  RecordingKexec exec;
  Run({"-e"}, exec);
  ASSERT_EQ(exec.calls.size(), 1u) << exec.Trace();
  EXPECT_EQ(exec.calls[0].what, "exec");
  EXPECT_TRUE(exec.calls[0].sync) << "-e syncs unless -y";
  EXPECT_TRUE(exec.calls[0].ifdown) << "-e takes the interfaces down unless -x";
}

// --- Fedora -------------------------------------------------------------------------------

TEST_P(DistroCli, FedoraKdumpctlPerArchKexecArgs) {
  // x86_64: KEXEC_ARGS="-s" (-s -s under Secure Boot); i386: "" and --elf32-core-headers
  // or --elf64-core-headers; -d -p in kdumpctl from 2020 to mid-2024.
  std::vector<std::vector<std::string>> prefixes;
  if (GetParam().bits64) {
    prefixes = {{"-s", "-p"}, {"-s", "-d", "-p"}, {"-s", "-s", "-p"}};
  } else {
    prefixes = {
        {"-p"}, {"-d", "-p"}, {"--elf32-core-headers", "-p"}, {"--elf64-core-headers", "-p"}};
  }
  for (auto words : prefixes) {
    std::string joined;
    for (auto& w : words) joined += w + " ";
    SCOPED_TRACE(joined);
    words.push_back(std::string("--command-line=") + kKdumpCmdline);
    words.push_back("--initrd=" + Initrd());
    words.push_back(Kernel());
    RecordingKexec sys;
    auto r = Run(words, sys);
    EXPECT_EQ(r.code, 0) << r.err;
    if (GetParam().bits64) {
      ASSERT_EQ(sys.calls.size(), 1u) << sys.Trace();
      ExpectFileLoad(sys, 0, true, kKdumpCmdline);
    } else {
      ExpectLoad(sys, true, kKdumpCmdline);
    }
    ExpectDryRunAccepted(words);
  }
}

// --- openSUSE -----------------------------------------------------------------------------

TEST_P(DistroCli, OpenSuseLoadWithAuto) {
  const std::vector<std::string> words = {"-p", Kernel(), std::string("--append=") + kKdumpCmdline,
                                          "--initrd=" + Initrd(), "-a"};
  RecordingKexec sys;
  auto r = Run(words, sys);
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(sys.calls.size(), 1u) << "kexec_file_load worked: no fallback. " << sys.Trace();
  ExpectFileLoad(sys, 0, true, kKdumpCmdline);
  ExpectDryRunAccepted(words);

  // i386 and ppc64el kernels have no kexec_file_load: ENOSYS falls back to kexkit's own.
  RecordingKexec old;
  old.file_load_errno = ENOSYS;
  r = Run(words, old);
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(old.calls.size(), 2u) << old.Trace();
  ExpectFileLoad(old, 0, true, kKdumpCmdline);
  EXPECT_EQ(old.calls[1].what, "load");
  EXPECT_EQ(old.calls[1].flags, (GetParam().machine << 16) | 1);
}

TEST_P(DistroCli, OpenSuseOlderLoadWithFileSyscall) {
  const std::vector<std::string> words = {"-p", Kernel(), std::string("--append=") + kKdumpCmdline,
                                          "--initrd=" + Initrd(), "-s"};
  RecordingKexec sys;
  EXPECT_EQ(Run(words, sys).code, 0);
  ExpectFileLoad(sys, 0, true, kKdumpCmdline);
  ExpectDryRunAccepted(words);
}

TEST_P(DistroCli, OpenSuseUnloadWithAuto) {
  RecordingKexec sys;
  auto r = Run({"-a", "-p", "-u"}, sys);
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(sys.calls.size(), 1u) << sys.Trace();
  EXPECT_EQ(sys.calls[0].what, "unload");
  EXPECT_TRUE(sys.calls[0].file_syscall && sys.calls[0].crash);

  RecordingKexec old;  // no kexec_file_load: kexec_load's unload
  old.file_load_errno = ENOSYS;
  r = Run({"-a", "-p", "-u"}, old);
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(old.calls.size(), 2u) << old.Trace();
  EXPECT_TRUE(old.calls[0].file_syscall);
  EXPECT_FALSE(old.calls[1].file_syscall);
  EXPECT_TRUE(old.calls[1].crash);

  RecordingKexec denied;  // a permission error is final
  denied.file_load_errno = EPERM;
  r = Run({"-a", "-p", "-u"}, denied);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(denied.calls.size(), 1u) << denied.Trace();
}

// --- systemd ------------------------------------------------------------------------------

TEST_P(DistroCli, SystemctlKexecLoad) {
  const std::vector<std::string> words = {"--load",       Kernel(),   "--append",
                                          kRebootCmdline, "--initrd", Initrd()};
  RecordingKexec sys;
  auto r = Run(words, sys);
  EXPECT_EQ(r.code, 0) << r.err;
  ExpectLoad(sys, false, kRebootCmdline);
  ExpectDryRunAccepted(words);
}

TEST_P(DistroCli, SystemctlKexecEntryWithoutOptionsOrInitrd) {
  // load_kexec_kernel: "--append" gets the entry's options joined by spaces, an empty
  // word when it has none, and "--initrd INITRD" is left out when it has no initrd.
  const std::vector<std::string> words = {"--load", Kernel(), "--append", ""};
  RecordingKexec sys;
  auto r = Run(words, sys);
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(sys.calls.size(), 1u) << sys.Trace();
  EXPECT_EQ(sys.calls[0].what, "load");
  EXPECT_EQ(sys.calls[0].flags, GetParam().machine << 16);
  for (const auto& what : sys.calls[0].holds) EXPECT_NE(what, "initrd");
  ExpectDryRunAccepted(words);
}

// --- kexec-tools 2.0.27+ syscall modes ----------------------------------------------------

TEST_P(DistroCli, AutoFallsBackOnlyWhereTheKernelCannotTakeTheImage) {
  const std::vector<std::string> words = {"-a", "-p", Kernel(), "--initrd=" + Initrd(),
                                          "--append=x"};
  for (int e : {ENOSYS, EINVAL, ENOEXEC, EOPNOTSUPP}) {
    RecordingKexec sys;
    sys.file_load_errno = e;
    auto r = Run(words, sys);
    EXPECT_EQ(r.code, 0) << "errno " << e << ": " << r.err;
    EXPECT_EQ(sys.Trace(), "file_load load ") << "errno " << e;
  }
  for (int e : {EKEYREJECTED, EPERM, EACCES, EBADMSG, ENOKEY}) {
    RecordingKexec sys;
    sys.file_load_errno = e;
    auto r = Run(words, sys);
    EXPECT_EQ(r.code, 1) << "errno " << e;
    EXPECT_EQ(sys.Trace(), "file_load ") << "errno " << e << ": kexec_load would bypass the "
                                         << "signature policy";
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST_P(DistroCli, FileSyscallExitStatusesAsKexecTools) {
  const std::vector<std::string> words = {"-s", "-p", Kernel(), "--append=x"};
  RecordingKexec nosys;
  nosys.file_load_errno = ENOSYS;
  EXPECT_EQ(Run(words, nosys).code, 2) << "kexec-tools' EFALLBACK";
  RecordingKexec rejected;
  rejected.file_load_errno = EKEYREJECTED;
  EXPECT_EQ(Run(words, rejected).code, 1);
  RecordingKexec flags;
  EXPECT_EQ(Run({"-s", "-p", Kernel(), "--no-cma", "--force-dtb"}, flags).code, 0);
  ASSERT_EQ(flags.calls.size(), 1u);
  EXPECT_EQ(flags.calls[0].flags, 0x30u) << "KEXEC_FILE_NO_CMA | KEXEC_FILE_FORCE_DTB";
}

TEST_P(DistroCli, LockdownSwitchesTheDefaultToKexecFileLoad) {
  const std::vector<std::string> words = {"-p", Kernel(), "--append=x"};
  for (const char* mode : {"integrity", "confidentiality"}) {
    SetLockdown(std::string("none ") +
                (mode[0] == 'i' ? "[integrity] confidentiality" : "integrity [confidentiality]") +
                "\n");
    RecordingKexec sys;
    auto r = Run(words, sys);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(sys.Trace(), "file_load ");
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(std::string("locked down (") + mode + ")"), std::string::npos) << r.err;

    RecordingKexec u;
    EXPECT_EQ(Run({"-p", "-u"}, u).code, 0);
    EXPECT_EQ(u.Trace(), "unload(file) ");

    RecordingKexec c;  // -c by name is obeyed
    EXPECT_EQ(Run({"-c", "-p", Kernel(), "--append=x"}, c).code, 0);
    EXPECT_EQ(c.Trace(), "load ");
  }
  SetLockdown("[none] integrity confidentiality\n");
  RecordingKexec sys;
  auto r = Run(words, sys);
  EXPECT_EQ(sys.Trace(), "load ");
  EXPECT_EQ(r.err, "");
}

TEST_P(DistroCli, ExecAndForceSyncAndIfdownUnlessXY) {
  struct Case {
    std::vector<std::string> words;
    bool sync, ifdown;
  } cases[] = {{{"-e"}, true, true},
               {{"-y", "-e"}, false, true},
               {{"-x", "-e"}, true, false},
               {{"--no-sync", "--no-ifdown", "-e"}, false, false},
               {{"-xye"}, false, false}};
  for (auto& c : cases) {
    RecordingKexec sys;
    Run(c.words, sys);
    ASSERT_EQ(sys.calls.size(), 1u) << sys.Trace();
    EXPECT_EQ(sys.calls[0].sync, c.sync) << c.words[0];
    EXPECT_EQ(sys.calls[0].ifdown, c.ifdown) << c.words[0];
  }
  RecordingKexec f;
  Run({"-f", "-y", Kernel()}, f);
  ASSERT_EQ(f.Trace(), "load exec ");
  EXPECT_FALSE(f.calls[1].sync);
  EXPECT_TRUE(f.calls[1].ifdown);
}

TEST_P(DistroCli, StatusExitCodes) {
  RecordingKexec loaded;
  EXPECT_EQ(Run({"-S"}, loaded).code, 1);
  EXPECT_TRUE(loaded.calls.at(0).crash);
  RecordingKexec none;
  none.loaded = false;
  EXPECT_EQ(Run({"-S", "-l"}, none).code, 0);
  EXPECT_FALSE(none.calls.at(0).crash);
}

TEST_P(DistroCli, PrintCkrSize) {
  RecordingKexec sys;
  auto r = Run({"--print-ckr-size"}, sys);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, std::to_string(0x3e000000 - 0x2e000000) + "\n");
  EXPECT_TRUE(sys.calls.empty());
}

TEST_P(DistroCli, ArchOptionsAndTypes) {
  const std::string type = GetParam().bits64 ? "bzImage64" : "bzImage";
  RecordingKexec ok;
  EXPECT_EQ(Run({"-t", type, "--noefi", "--reuse-video-type", "-l", Kernel()}, ok).code, 0);
  EXPECT_EQ(ok.Trace(), "load ");
  for (std::vector<std::string> bad :
       {std::vector<std::string>{"--type=multiboot-x86", "-l", Kernel()},
        {"-t", GetParam().bits64 ? "bzImage" : "bzImage64", "-l", Kernel()},
        {"--args-linux", "-p", Kernel()},
        {"--dt-no-old-root", "-p", Kernel()},
        {"--dtb=/x.dtb", "-l", Kernel()}}) {
    RecordingKexec sys;
    auto r = Run(bad, sys);
    EXPECT_EQ(r.code, 1) << bad[0];
    EXPECT_TRUE(sys.calls.empty()) << bad[0];
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST_P(DistroCli, DebugGoesToStderr) {
  RecordingKexec sys;
  auto r = Run({"-d", "-l", Kernel()}, sys);
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("purgatory"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Arches, DistroCli,
                         ::testing::Values(Arch{"x86_64", true, "purgatory/x86_64/purgatory.ro",
                                                62},
                                           Arch{"i386", false, "purgatory/i386/purgatory.ro", 3}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
