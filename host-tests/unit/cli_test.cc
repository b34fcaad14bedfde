// ParseCommandLine: kexec-tools' spellings parse into the right Options, and every
// conflict or malformed value is one clear, one-line error.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loader/options.h"

namespace {

using kexkit::load::Action;
using kexkit::load::Options;

kexkit::Result<Options> Parse(std::vector<std::string> args) {
  std::vector<std::string> storage = {"kexkit"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  return kexkit::load::ParseCommandLine(static_cast<int>(storage.size()), argv.data());
}

Options Ok(std::vector<std::string> args) {
  std::string joined;
  for (const auto& a : args) joined += " " + a;
  auto o = Parse(args);
  EXPECT_TRUE(o) << "kexkit" << joined << ": " << (o ? "" : o.error().Line());
  return o ? *o : Options{};
}

void Err(std::vector<std::string> args, const std::string& what) {
  std::string joined;
  for (const auto& a : args) joined += " " + a;
  auto o = Parse(args);
  ASSERT_FALSE(o) << "kexkit" << joined << " must fail with: " << what;
  EXPECT_NE(o.error().Line().find(what), std::string::npos)
      << "kexkit" << joined << ": '" << what << "' missing from: " << o.error().Line();
  EXPECT_EQ(o.error().Line().find('\n'), std::string::npos) << "one line";
  EXPECT_FALSE(o.error().Line().empty());
}

// --- actions -------------------------------------------------------------------------------

TEST(Cli, Load) {
  for (auto args : std::vector<std::vector<std::string>>{
           {"-l", "vmlinuz"}, {"--load", "vmlinuz"}, {"vmlinuz", "-l"}, {"vmlinuz"}}) {
    Options o = Ok(args);
    EXPECT_EQ(o.action, Action::kLoad) << args[0];
    EXPECT_EQ(o.kernel, "vmlinuz") << args[0];
    EXPECT_FALSE(o.crash);
    EXPECT_FALSE(o.force);
  }
}

TEST(Cli, LoadPanic) {
  for (auto flag : {"-p", "--load-panic"}) {
    Options o = Ok({flag, "bzImage"});
    EXPECT_EQ(o.action, Action::kLoad);
    EXPECT_TRUE(o.crash);
    EXPECT_EQ(o.kernel, "bzImage");
  }
}

TEST(Cli, UnloadExecForce) {
  Options u = Ok({"-u"});
  EXPECT_EQ(u.action, Action::kUnload);
  EXPECT_FALSE(u.crash);
  Options up = Ok({"-p", "-u"});  // kexec-tools: unload the capture kernel
  EXPECT_EQ(up.action, Action::kUnload);
  EXPECT_TRUE(up.crash);
  EXPECT_EQ(Ok({"--unload"}).action, Action::kUnload);
  EXPECT_EQ(Ok({"-e"}).action, Action::kExec);
  EXPECT_EQ(Ok({"--exec"}).action, Action::kExec);
  Options f = Ok({"-f", "vmlinuz"});
  EXPECT_EQ(f.action, Action::kLoad);
  EXPECT_TRUE(f.force);
  EXPECT_TRUE(Ok({"--force", "vmlinuz"}).force);
  EXPECT_TRUE(Ok({"-f", "-l", "vmlinuz"}).force);
}

TEST(Cli, StatusAsksAboutTheCrashKernelUnlessLoad) {
  Options s = Ok({"-S"});
  EXPECT_EQ(s.action, Action::kStatus);
  EXPECT_TRUE(s.crash) << "-S alone: the capture kernel [kexec-tools]";
  Options sl = Ok({"-S", "-l"});
  EXPECT_EQ(sl.action, Action::kStatus);
  EXPECT_FALSE(sl.crash) << "-S -l: the kexec kernel";
  Options ls = Ok({"-l", "--status"});
  EXPECT_EQ(ls.action, Action::kStatus);
  EXPECT_FALSE(ls.crash);
  Options sp = Ok({"-S", "-p"});
  EXPECT_EQ(sp.action, Action::kStatus);
  EXPECT_TRUE(sp.crash);
}

TEST(Cli, HelpAndVersion) {
  EXPECT_EQ(Ok({"-h"}).action, Action::kHelp);
  EXPECT_EQ(Ok({"--help"}).action, Action::kHelp);
  EXPECT_EQ(Ok({"-l", "--help"}).action, Action::kHelp) << "help wins, like kexec";
  EXPECT_EQ(Ok({"-v"}).action, Action::kVersion);
  EXPECT_EQ(Ok({"--version"}).action, Action::kVersion);
  EXPECT_NE(kexkit::load::UsageText().find("--reuse-cmdline"), std::string::npos);
}

// --- system call choice and checks ---------------------------------------------------------

TEST(Cli, SyscallSelection) {
  Options s = Ok({"-s", "-l", "k"});
  EXPECT_TRUE(s.file_syscall);
  EXPECT_FALSE(s.auto_syscall);
  EXPECT_TRUE(Ok({"--kexec-file-syscall", "-l", "k"}).file_syscall);
  Options c = Ok({"-c", "-l", "k"});
  EXPECT_FALSE(c.file_syscall);
  EXPECT_FALSE(c.auto_syscall);
  EXPECT_FALSE(Ok({"--kexec-syscall", "-l", "k"}).file_syscall);
  Options a = Ok({"-a", "-l", "k"});
  EXPECT_TRUE(a.auto_syscall);
  EXPECT_FALSE(a.file_syscall);
  EXPECT_TRUE(Ok({"--kexec-syscall-auto", "-l", "k"}).auto_syscall);
  EXPECT_TRUE(Ok({"-i", "-l", "k"}).no_checks);
  EXPECT_TRUE(Ok({"--no-checks", "-l", "k"}).no_checks);
  EXPECT_TRUE(Ok({"-d", "-l", "k"}).debug);
  EXPECT_TRUE(Ok({"--debug", "-l", "k"}).debug);
  // Clustered short options, as getopt allows.
  Options cl = Ok({"-lid", "k"});
  EXPECT_EQ(cl.action, Action::kLoad);
  EXPECT_TRUE(cl.no_checks && cl.debug);
}

// --- load options --------------------------------------------------------------------------

TEST(Cli, InitrdSpellings) {
  EXPECT_EQ(Ok({"-l", "k", "--initrd=/boot/initrd.img"}).initrd, "/boot/initrd.img");
  EXPECT_EQ(Ok({"-l", "k", "--initrd", "/boot/i"}).initrd, "/boot/i");
  EXPECT_EQ(Ok({"-l", "k", "--ramdisk=/r"}).initrd, "/r");
  EXPECT_EQ(Ok({"--ramdisk", "/r2", "-l", "k"}).initrd, "/r2");
}

TEST(Cli, AppendAndCommandLineAreRepeatable) {
  EXPECT_EQ(Ok({"-l", "k", "--append=root=/dev/vda console=ttyS0"}).append,
            "root=/dev/vda console=ttyS0");
  EXPECT_EQ(Ok({"-l", "k", "--command-line", "quiet"}).append, "quiet");
  EXPECT_EQ(Ok({"-l", "k", "--append=a=1", "--command-line=b", "--append", "c d"}).append,
            "a=1 b c d");
  Options r = Ok({"-l", "k", "--reuse-cmdline", "--append=x"});
  EXPECT_TRUE(r.reuse_cmdline);
  EXPECT_EQ(r.append, "x");
}

TEST(Cli, SerialConsoleOptions) {
  EXPECT_EQ(Ok({"-l", "k", "--serial=ttyS0"}).serial_port, 0x3f8u);
  EXPECT_EQ(Ok({"-l", "k", "--serial=ttyS1"}).serial_port, 0x2f8u);
  EXPECT_EQ(Ok({"-l", "k", "--serial=ttyS2"}).serial_port, 0x3e8u);
  EXPECT_EQ(Ok({"-l", "k", "--serial=ttyS3"}).serial_port, 0x2e8u);
  EXPECT_EQ(Ok({"-l", "k", "--serial=0x2f8"}).serial_port, 0x2f8u);
  EXPECT_EQ(Ok({"-l", "k", "--serial", "1016"}).serial_port, 1016u);
  EXPECT_FALSE(Ok({"-l", "k"}).serial_port.has_value());
  EXPECT_EQ(Ok({"-l", "k", "--serial-baud=115200"}).serial_baud, 115200u);
  EXPECT_EQ(Ok({"-l", "k", "--serial-baud=9600"}).serial_baud, 9600u);
  EXPECT_TRUE(Ok({"-l", "k", "--console-serial"}).console_serial);
  EXPECT_TRUE(Ok({"-l", "k", "--console-vga"}).console_vga);
  EXPECT_TRUE(Ok({"-l", "k", "--entry-32bit"}).entry_32bit);
  EXPECT_FALSE(Ok({"-l", "k"}).entry_32bit);
}

TEST(Cli, MemMinMaxWithSuffixes) {
  Options o = Ok({"-l", "k", "--mem-min=16M", "--mem-max=1G"});
  EXPECT_EQ(o.mem_min, 16ull << 20);
  EXPECT_EQ(o.mem_max, 1ull << 30);
  EXPECT_EQ(Ok({"-l", "k", "--mem-min=512K"}).mem_min, 512ull << 10);
  EXPECT_EQ(Ok({"-l", "k", "--mem-min=4k"}).mem_min, 4096u);
  EXPECT_EQ(Ok({"-l", "k", "--mem-max=4g"}).mem_max, 4ull << 30);
  EXPECT_EQ(Ok({"-l", "k", "--mem-max=0x7fffffff"}).mem_max, 0x7fffffffu);
  EXPECT_EQ(Ok({"-l", "k", "--mem-max", "0x100000000"}).mem_max, 0x100000000u);
  EXPECT_EQ(Ok({"-l", "k", "--mem-min=0"}).mem_min, 0u);
  EXPECT_FALSE(Ok({"-l", "k"}).mem_min.has_value());
}

TEST(Cli, DryRunCoreHeadersAndInputs) {
  Options o = Ok({"--dry-run", "-p", "k", "--elf32-core-headers", "--iomem=/tmp/iomem",
                  "--memmap=/tmp/mm", "--boot-params=/tmp/bp", "--proc-cmdline=/tmp/c",
                  "--sysfs=/tmp/sys", "--device-tree=/tmp/dt"});
  EXPECT_TRUE(o.dry_run);
  EXPECT_TRUE(o.crash);
  EXPECT_EQ(o.core_elf_class, 32);
  EXPECT_EQ(o.iomem, "/tmp/iomem");
  EXPECT_EQ(o.memmap, "/tmp/mm");
  EXPECT_EQ(o.boot_params, "/tmp/bp");
  EXPECT_EQ(o.proc_cmdline, "/tmp/c");
  EXPECT_EQ(o.sysfs, "/tmp/sys");
  EXPECT_EQ(o.device_tree, "/tmp/dt");
  EXPECT_EQ(Ok({"-l", "k", "--elf64-core-headers", "--elf64-core-headers"}).core_elf_class, 64);
  Options d = Ok({"-l", "k"});
  EXPECT_EQ(d.iomem, "/proc/iomem") << "defaults read the running system";
  EXPECT_EQ(d.core_elf_class, 0);
}

// --- errors: conflicts ---------------------------------------------------------------------

TEST(CliErrors, ConflictingActions) {
  Err({"-l", "-p", "k"}, "-l and -p conflict");
  Err({"-l", "-u", "k"}, "conflicting actions");
  Err({"-u", "-e"}, "conflicting actions");
  Err({"-u", "-S"}, "conflicting actions");
  Err({"-e", "-S"}, "conflicting actions");
  Err({"-f", "-u"}, "-f loads and boots; it does not combine with -u, -S or -e");
  Err({"-f", "-S"}, "-f loads and boots");
  Err({"-f", "-e", "-l", "k"}, "-f loads and boots");
  Err({"-f", "-p", "k"}, "-f boots at once; it does not combine with -p");
}

// kexec-tools 2.0.27+: the last of -s, -c, -a wins (scripts append one to KEXEC_ARGS).
TEST(Cli, LastSyscallChoiceWins) {
  Options sc = Ok({"-s", "-c", "-l", "k"});
  EXPECT_TRUE(sc.kexec_syscall);
  EXPECT_FALSE(sc.file_syscall || sc.auto_syscall);
  Options as = Ok({"-a", "-s", "-l", "k"});
  EXPECT_TRUE(as.file_syscall);
  EXPECT_FALSE(as.auto_syscall || as.kexec_syscall);
  Options ca = Ok({"-c", "-a", "-p", "k"});
  EXPECT_TRUE(ca.auto_syscall);
  EXPECT_FALSE(ca.file_syscall || ca.kexec_syscall);
  EXPECT_FALSE(Ok({"-l", "k"}).kexec_syscall) << "-c is the default, but not 'given'";
  EXPECT_TRUE(Ok({"--dry-run", "-s", "-l", "k"}).dry_run);
  EXPECT_TRUE(Ok({"--dry-run", "-a", "-p", "k"}).auto_syscall);
}

TEST(Cli, KexecToolsGeneralOptions) {
  Options xy = Ok({"-x", "-y", "-e"});
  EXPECT_TRUE(xy.no_ifdown && xy.no_sync);
  Options l = Ok({"--no-ifdown", "--no-sync", "-f", "k"});
  EXPECT_TRUE(l.no_ifdown && l.no_sync && l.force);
  Options d = Ok({"-e"});
  EXPECT_FALSE(d.no_ifdown || d.no_sync);
  EXPECT_EQ(Ok({"-t", "bzImage64", "-l", "k"}).type, "bzImage64");
  EXPECT_EQ(Ok({"--type=elf-ppc64", "-l", "k"}).type, "elf-ppc64");
  EXPECT_EQ(Ok({"-lt", "bzImage", "k"}).type, "bzImage");
  EXPECT_EQ(Ok({"-l", "k", "--devicetreeblob=/b"}).dtb, "/b");
  EXPECT_TRUE(Ok({"-p", "k", "--args-linux"}).args_linux);
  EXPECT_TRUE(Ok({"-p", "k", "--dt-no-old-root"}).dt_no_old_root);
  EXPECT_TRUE(Ok({"-l", "k", "--noefi"}).noefi);
  EXPECT_TRUE(Ok({"-l", "k", "--reuse-video-type"}).reuse_video_type);
  EXPECT_EQ(Ok({"-l", "k", "--no-cma"}).file_flags, 0x10u);
  EXPECT_EQ(Ok({"-l", "k", "--force-dtb", "--no-cma"}).file_flags, 0x30u);
  EXPECT_EQ(Ok({"-l", "k", "--entry=0"}).action, Action::kLoad);
  EXPECT_EQ(Ok({"--print-ckr-size"}).action, Action::kPrintCkrSize);
  EXPECT_EQ(Ok({"-p", "k", "--print-ckr-size"}).action, Action::kPrintCkrSize)
      << "kexec-tools acts on it at once";
  EXPECT_EQ(Ok({"-p", "k", "--sysfs=/s"}).lockdown, "/s/kernel/security/lockdown");
  EXPECT_EQ(Ok({"-p", "k"}).lockdown, "/sys/kernel/security/lockdown");
}

TEST(CliErrors, RefusedKexecToolsOptions) {
  for (const char* opt :
       {"--reuseinitrd", "--reset-vga", "--pass-memmap-cmdline", "--load-preserve-context",
        "--load-jump-back-helper", "--load-live-update", "--exec-live-update", "--args-elf",
        "--args-none", "--real-mode"}) {
    Err({"-l", "k", opt}, std::string(opt) + ": not supported by kexkit: ");
  }
  Err({"-l", "k", "--module=m"}, "--module=m: not supported by kexkit");
  Err({"-l", "k", "--entry=0x1000"}, "--entry=0x1000: not supported by kexkit");
  Err({"-l", "k", "--entry=x"}, "--entry=x: not an address");
  Err({"-l", "k", "-t"}, "option -t needs a value");
}

TEST(Cli, Hotplug) {
  EXPECT_TRUE(Ok({"-p", "k", "--hotplug"}).hotplug);
  EXPECT_FALSE(Ok({"-p", "k"}).hotplug);
  // kexec-tools takes it with -u and -S too (kdump scripts pass one set of arguments).
  EXPECT_EQ(Ok({"-p", "-u", "--hotplug"}).action, Action::kUnload);
  Err({"-l", "k", "--hotplug"}, "--hotplug goes with -p (a capture kernel), not -l");
}

TEST(CliErrors, ConflictingModes) {
  Err({"--dry-run", "-e"}, "--dry-run goes with -l or -p");
  Err({"--dry-run", "-u"}, "--dry-run goes with -l or -p");
  Err({"--elf32-core-headers", "--elf64-core-headers", "-p", "k"},
      "--elf32-core-headers and --elf64-core-headers conflict");
  Err({"--test-corrupt-digest", "-i", "-l", "k"}, "--test-corrupt-digest needs the check");
  Err({"--mem-min=2G", "--mem-max=1G", "-l", "k"}, "--mem-min is not below --mem-max");
  Err({"--mem-min=1G", "--mem-max=1G", "-l", "k"}, "--mem-min is not below --mem-max");
}

TEST(CliErrors, KernelArguments) {
  Err({"-l"}, "no kernel given to load");
  Err({"-p"}, "no kernel given to load");
  Err({"-f"}, "no kernel given to load");
  Err({"-l", "k1", "k2"}, "unexpected argument 'k2' (one kernel only)");
  Err({"-u", "k"}, "a kernel (k) is only taken with -l, -p or -f");
  Err({"-e", "k"}, "a kernel (k) is only taken");
  Err({}, "nothing to do");
  Err({"-d", "-i"}, "nothing to do");
}

// --- errors: values ------------------------------------------------------------------------

TEST(CliErrors, MissingValues) {
  Err({"-l", "k", "--initrd"}, "option --initrd needs a value");
  Err({"-l", "k", "--append"}, "option --append needs a value");
  Err({"-l", "k", "--mem-max"}, "option --mem-max needs a value");
  Err({"-l", "k", "--serial"}, "option --serial needs a value");
}

TEST(CliErrors, MalformedValues) {
  Err({"-l", "k", "--mem-min=12Q"}, "--mem-min=12Q: not an address");
  Err({"-l", "k", "--mem-min="}, "--mem-min=: not an address");
  Err({"-l", "k", "--mem-max=-1"}, "--mem-max=-1: not an address");
  Err({"-l", "k", "--mem-max=1MB"}, "not an address");
  Err({"-l", "k", "--mem-max=99999999999999999999"}, "not an address");
  Err({"-l", "k", "--mem-max=17179869184G"}, "not an address");  // 2^34 GiB overflows
  Err({"-l", "k", "--serial=ttyS4"}, "--serial=ttyS4: kexkit knows ttyS0..ttyS3");
  Err({"-l", "k", "--serial=ttyUSB0"}, "--serial=ttyUSB0: not ttyS<n> or an I/O port");
  Err({"-l", "k", "--serial=0"}, "--serial=0: not ttyS<n> or an I/O port");
  Err({"-l", "k", "--serial=0x10000"}, "not ttyS<n> or an I/O port");
  Err({"-l", "k", "--serial=com1"}, "not ttyS<n> or an I/O port");
  Err({"-l", "k", "--serial-baud=1000"}, "--serial-baud=1000: not a baud rate that divides 115200");
  Err({"-l", "k", "--serial-baud=0"}, "not a baud rate");
  Err({"-l", "k", "--serial-baud=230400"}, "not a baud rate");
}

TEST(CliErrors, UnknownOptions) {
  Err({"-z", "-l", "k"}, "unknown option -z");
  Err({"--bogus", "-l", "k"}, "unknown option --bogus");
  Err({"-l", "k", "--load-panic-now"}, "unknown option --load-panic-now");
}

// ParseCommandLine is called more than once in one process (tests, and any caller
// that retries): an error in the middle of an option cluster must not leak getopt's
// position into the next call, which would then parse the old argv's leftover letters.
// The first argv stays alive here (as a caller's would), so a stale position really
// points at "pf" instead of at freed memory.
TEST(Cli, ReparsesCleanlyAfterAnErrorInsideACluster) {
  char prog[] = "kexkit", cluster[] = "-zpf";
  char* first[] = {prog, cluster, nullptr};
  auto bad = kexkit::load::ParseCommandLine(2, first);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().Line().find("unknown option -z"), std::string::npos) << bad.error().Line();
  Options e = Ok({"-e"});
  EXPECT_EQ(e.action, Action::kExec);
  EXPECT_FALSE(e.crash) << "a leftover -p from the previous argv";
  EXPECT_FALSE(e.force) << "a leftover -f from the previous argv";

  char cluster2[] = "-zl";
  char* second[] = {prog, cluster2, nullptr};
  ASSERT_FALSE(kexkit::load::ParseCommandLine(2, second));
  auto u = Parse({"-u"});
  ASSERT_TRUE(u) << u.error().Line();
  EXPECT_EQ(u->action, Action::kUnload);
}

}  // namespace
