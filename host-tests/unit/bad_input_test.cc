// The bad-input catalogue: every way a user, a disk or a running system can hand kexkit
// something wrong, run through the real command-line entry (RunKexkit, loader/run.h)
// with a recording KexecSys. Each case asserts: a non-zero exit code, exactly one line on
// stderr ("kexkit: " + the file or option + the problem), and no call into KexecSys at all
// (so a loaded kernel is never disturbed). A crash fails the whole binary; the asan preset
// runs it under ASan + UBSan. A few cases also run the built binary as a subprocess
// (always with --dry-run: no test ever makes a kexec system call on this machine).
//
// Inputs are made here, never checked in: synthetic bzImages (fuzz/bzimage-writer.h),
// the build's purgatory.ro edited in one precise way (fuzz/elf-writer.h), text files.
// The last part holds the fuzzers' findings as byte arrays (regressions).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "arch/x86/bzimage.h"
#include "arch/x86/x86-loader.h"
#if KK_HAVE_PPC64_LOADER
#include "arch/ppc64/fdt-builder.h"
#endif
#include "fuzz/bzimage-writer.h"
#include "fuzz/elf-writer.h"
#include "kexkit/purgatory-abi.h"
#include "linker/link.h"
#include "linker/object.h"
#include "loader/memory-map.h"
#include "loader/options.h"
#include "loader/run.h"
#include "loader/segments.h"
#include "unit/recording-kexec.h"
#include "unit/test-files.h"

namespace {

using kexkit::Result;
using kexkit::load::KexecSys;
using kexkit::load::LoadPlan;

// Counts every call; succeeds, so that a case that wrongly reaches it is visible only
// through the count (and a good load through exactly one Load). Unlike
// kktest::RecordingKexec, whose kexec_file_load can be told to fail, nothing here fails.
class CountingKexec final : public KexecSys {
 public:
  int calls = 0;
  int loads = 0;
  Result<void> Load(const LoadPlan&) override {
    ++calls, ++loads;
    return {};
  }
  Result<void> FileLoad(const std::string&, const std::string&, const std::string&, bool,
                        unsigned long) override {
    ++calls;
    return {};
  }
  Result<void> Unload(bool, bool) override {
    ++calls;
    return {};
  }
  Result<bool> IsLoaded(bool) override {
    ++calls;
    return true;
  }
  Result<void> Exec(bool, bool) override {
    ++calls;
    return {};
  }
};

struct CliResult {
  int code = -1;
  std::string out, err;
  int syscalls = -1;
};

const std::vector<uint8_t>& RealPurgatory() {
  static const std::vector<uint8_t> bytes =
      kktest::ReadFile(kktest::PurgatoryPath()).value_or(std::vector<uint8_t>{});
  return bytes;
}

// Runs `kexkit ARGS...` in-process with `arch`.
CliResult RunCliWith(const std::vector<std::string>& args, kexkit::load::ArchLoader& arch) {
  CountingKexec sys;
  const kktest::CliRun run = kktest::RunKexkitWith(args, sys, arch);
  return {run.code, run.out, run.err, sys.calls};
}

// Runs `kexkit ARGS...` in-process with the x86_64 loader around `purgatory`.
CliResult RunCli(const std::vector<std::string>& args,
                 std::span<const uint8_t> purgatory = RealPurgatory()) {
  auto arch = kexkit::x86::MakeX86Loader(kexkit::x86::X86Width::k64, purgatory);
  return RunCliWith(args, *arch);
}

// The x86_64 loader with a fault injected at one step of the load: `after_segments`
// runs once the kernel header is parsed and its segments planned (before the digest),
// `after_digest` once every segment is hashed (arch.Patch comes after the digest).
class FaultyArch final : public kexkit::load::ArchLoader {
 public:
  std::function<void()> after_segments, after_digest;

  FaultyArch() : inner_(kexkit::x86::MakeX86Loader(kexkit::x86::X86Width::k64, RealPurgatory())) {}
  const char* name() const override { return inner_->name(); }
  uint16_t elf_machine() const override { return inner_->elf_machine(); }
  Result<void> CheckOptions(const kexkit::load::Options& o) const override {
    return inner_->CheckOptions(o);
  }
  std::span<const uint8_t> purgatory_object() const override { return inner_->purgatory_object(); }
  kexkit::Endian endian() const override { return inner_->endian(); }
  uint64_t segment_align() const override { return inner_->segment_align(); }
  Result<void> CompleteMemoryMap(const kexkit::load::Options& o,
                                 kexkit::load::MemoryMap& m) const override {
    return inner_->CompleteMemoryMap(o, m);
  }
  Result<void> AddSegments(kexkit::load::LoadContext& ctx) override {
    auto r = inner_->AddSegments(ctx);
    if (r && after_segments) after_segments();
    return r;
  }
  std::pair<uint64_t, uint64_t> PurgatoryWindow(
      const kexkit::load::LoadContext& ctx) const override {
    return inner_->PurgatoryWindow(ctx);
  }
  Result<void> Patch(kexkit::load::LoadContext& ctx, kexkit::link::LinkedImage& i) override {
    if (after_digest) after_digest();
    return inner_->Patch(ctx, i);
  }

 private:
  std::unique_ptr<kexkit::load::ArchLoader> inner_;
};

// The catalogue's contract for one failing case.
void ExpectOneLineError(const CliResult& r, std::initializer_list<std::string> parts) {
  EXPECT_NE(r.code, 0) << r.err;
  EXPECT_EQ(r.syscalls, 0) << "a failed command reached the kexec system call seam";
  ASSERT_FALSE(r.err.empty()) << "no message";
  EXPECT_EQ(r.err.back(), '\n') << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "not exactly one line:\n" << r.err;
  EXPECT_EQ(r.err.rfind("kexkit: ", 0), 0u) << r.err;
  for (const std::string& p : parts) {
    EXPECT_NE(r.err.find(p), std::string::npos) << "'" << p << "' missing from: " << r.err;
  }
}

constexpr const char* kIomem =
    "00000000-00000fff : Reserved\n"
    "00001000-0009fbff : System RAM\n"
    "0009fc00-0009ffff : Reserved\n"
    "000f0000-000fffff : Reserved\n"
    "00100000-3ffdffff : System RAM\n"
    "  01000000-01ffffff : Kernel code\n"
    "  2c000000-2fffffff : Crash kernel\n"
    "3ffe0000-3fffffff : Reserved\n"
    "fd000000-fdffffff : PCI Bus 0000:00\n";

// One scratch directory of inputs for the whole suite.
class BadInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char templ[] = "/tmp/kk-bad-input-XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    dir_ = templ;
    auto put = [](const std::string& name, const std::vector<uint8_t>& b) {
      ASSERT_TRUE(kktest::WriteFile(dir_ + "/" + name, b.data(), b.size()));
    };
    auto put_text = [](const std::string& name, const std::string& s) {
      ASSERT_TRUE(kktest::WriteFile(dir_ + "/" + name, s.data(), s.size()));
    };
    put_text("iomem", kIomem);
    std::string no_crash = kIomem;
    no_crash.erase(no_crash.find("  2c000000"),
                   std::string("  2c000000-2fffffff : Crash kernel\n").size());
    put_text("iomem-nocrash", no_crash);
    put_text("iomem-zeros", "00000000-00000000 : System RAM\n00000000-00000000 : Reserved\n");
    put_text("iomem-malformed", "00000000-00000fff : Reserved\nthis is not iomem\n");
    const kktest::BzSpec good;
    put("vmlinuz", kktest::MakeBzImage(good));
    put("empty", {});
    std::vector<uint8_t> garbage(65536);
    for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<uint8_t>(i * 7919 >> 3);
    put("garbage", garbage);
    auto full = kktest::MakeBzImage(good);
    put("truncated-setup", std::vector<uint8_t>(full.begin(), full.begin() + 0x300));
    put("truncated-kernel", std::vector<uint8_t>(full.begin(), full.end() - 4096));
    put("tiny", std::vector<uint8_t>(full.begin(), full.begin() + 100));
    // An ELF vmlinux: x86_64 ET_EXEC header, the rest zeros.
    std::vector<uint8_t> elf(4096, 0);
    const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    std::copy(std::begin(ident), std::end(ident), elf.begin());
    elf[16] = 2, elf[18] = 62;
    put("vmlinux", elf);
    auto spec = good;
    spec.xloadflags = 0;
    put("i386-only", kktest::MakeBzImage(spec));
    spec = good;
    spec.xloadflags = 0x1;
    put("below-4g-only", kktest::MakeBzImage(spec));
    spec = good;
    spec.xloadflags = 0x3;  // no XLF_5LEVEL
    put("4-level-only", kktest::MakeBzImage(spec));
    spec = good;
    spec.version = 0x0201;
    put("protocol-2.01", kktest::MakeBzImage(spec));
    spec = good;
    spec.version = 0x0209;
    put("protocol-2.09", kktest::MakeBzImage(spec));
    spec = good;
    spec.relocatable = 0;
    put("not-relocatable", kktest::MakeBzImage(spec));
    spec.pref_address = 0x3ffe0000;  // the Reserved range
    put("not-relocatable-reserved", kktest::MakeBzImage(spec));
    spec = good;
    spec.kernel_alignment = 0x300000;
    put("bad-alignment", kktest::MakeBzImage(spec));
    spec = good;
    spec.cmdline_size = 255;
    put("cmdline-255", kktest::MakeBzImage(spec));
    // Boot-protocol fields that say where and how the kernel may be loaded.
    spec = good;
    spec.loadflags = 0;  // LOADED_HIGH clear: a zImage, run at 0x10000
    put("zimage", kktest::MakeBzImage(spec));
    spec = good;
    spec.relocatable = 0;
    spec.pref_address = 0x10000;
    put("not-relocatable-low", kktest::MakeBzImage(spec));
    spec.pref_address = 0x1000800;
    put("not-relocatable-unaligned", kktest::MakeBzImage(spec));
    spec.pref_address = 0x100000000;
    put("not-relocatable-above-4g", kktest::MakeBzImage(spec));
    spec = good;
    spec.kernel_alignment = 0;
    put("no-alignment", kktest::MakeBzImage(spec));
    spec = good;
    spec.min_alignment = 40;
    put("min-alignment-huge", kktest::MakeBzImage(spec));
    spec = good;
    spec.initrd_addr_max = 0xffffff;  // nothing above 16 MiB
    put("initrd-max-16m", kktest::MakeBzImage(spec));
    spec = good;
    spec.pref_address = 0x1100000;  // 1 MiB past a 2 MiB boundary
    put("pref-unaligned", kktest::MakeBzImage(spec));
    spec = good;
    spec.kernel_alignment = 0x1000;  // preferred 4 KiB, but min_alignment 2^21 required
    spec.pref_address = 0x1001000;
    put("min-alignment-2m", kktest::MakeBzImage(spec));
    spec = good;
    spec.pref_address = 0x30000000;  // the crash region ends there
    put("pref-above-crash", kktest::MakeBzImage(spec));
    put_text("initrd", std::string(8192, 'i'));
    ASSERT_EQ(::mkdir((dir_ + "/a-directory").c_str(), 0755), 0);
    // 96 MiB, sparse: larger than the 64 MiB crash region, costs no disk.
    const int fd = ::open((dir_ + "/initrd-96M").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, 96 << 20), 0);
    ::close(fd);
    // /sys/firmware/memmap copies: one entry without a type, one with a bad start.
    for (const char* m : {"memmap-incomplete/0", "memmap-badstart/0"}) {
      std::filesystem::create_directories(dir_ + "/" + m);
    }
    put_text("memmap-incomplete/0/start", "0x0\n");
    put_text("memmap-incomplete/0/end", "0x9fbff\n");
    put_text("memmap-badstart/0/start", "zero\n");
    put_text("memmap-badstart/0/end", "0x9fbff\n");
    put_text("memmap-badstart/0/type", "System RAM\n");
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  static std::string P(const std::string& name) { return dir_ + "/" + name; }

  // The options every load case shares: saved system inputs, nothing read from this host.
  static std::vector<std::string> Inputs(const std::string& iomem = "iomem") {
    return {"--iomem=" + P(iomem),
            "--memmap=" + P("no-memmap"),
            "--boot-params=" + P("no-boot-params"),
            "--sysfs=" + P("no-sysfs"),
            "--proc-cmdline=" + P("no-proc-cmdline"),
            "--kcore=" + P("no-kcore")};
  }
  static std::vector<std::string> Load(std::vector<std::string> args,
                                       const std::string& iomem = "iomem") {
    for (const std::string& in : Inputs(iomem)) {
      const std::string key = in.substr(0, in.find('=') + 1);
      const bool given = std::any_of(args.begin(), args.end(),
                                     [&](const std::string& a) { return a.rfind(key, 0) == 0; });
      if (!given) args.push_back(in);
    }
    return args;
  }

  void SetUp() override {
    if (RealPurgatory().empty()) GTEST_SKIP() << "no " << kktest::PurgatoryPath();
  }

  static std::string dir_;
};
std::string BadInput::dir_;

// The inputs above are right except for the one thing each case breaks.
TEST_F(BadInput, TheGoodKernelLoadsSoEachFailureBelowIsItsOwn) {
  auto r = RunCli(Load({"--dry-run", "-l", P("vmlinuz"), "--initrd=" + P("initrd")}));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.syscalls, 0);
  EXPECT_NE(r.out.find("purgatory"), std::string::npos) << r.out;
  if (::geteuid() == 0) {
    // Without --dry-run, exactly one call: the (recording) kexec_load.
    r = RunCli(Load({"-l", P("vmlinuz"), "--initrd=" + P("initrd")}));
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.syscalls, 1);
  }
}

// --- kernel files ---------------------------------------------------------------------

TEST_F(BadInput, EmptyKernel) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("empty")})), {P("empty"), "empty"});
}
TEST_F(BadInput, GarbageKernel) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("garbage")})),
                     {P("garbage"), "not a bzImage"});
}
TEST_F(BadInput, KernelTruncatedInsideTheSetupSectors) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("truncated-setup")})),
                     {P("truncated-setup"), "setup sectors reach past the end"});
}
TEST_F(BadInput, KernelTruncatedInsideTheProtectedModePart) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("truncated-kernel")})),
                     {P("truncated-kernel"), "truncated"});
}
TEST_F(BadInput, KernelTooSmallForAHeader) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("tiny")})), {P("tiny"), "too small"});
}
TEST_F(BadInput, DirectoryAsKernel) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("a-directory")})),
                     {P("a-directory"), "is a directory"});
}
TEST_F(BadInput, MissingKernel) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("no-such-kernel")})),
                     {P("no-such-kernel"), "No such file"});
}
TEST_F(BadInput, ElfVmlinuxInsteadOfABzImage) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("vmlinux")})),
                     {P("vmlinux"), "ELF file", "bzImage"});
}
TEST_F(BadInput, I386OnlyBzImageHasNo64BitEntry) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("i386-only")})),
                     {P("i386-only"), "no 64-bit entry point"});
}
TEST_F(BadInput, KernelThatCannotBeLoadedAbove4G) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("below-4g-only")})),
                     {P("below-4g-only"), "above 4 GiB"});
}
TEST_F(BadInput, BootProtocolTooOld) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("protocol-2.01")})),
                     {P("protocol-2.01"), "2.01 is too old"});
}
TEST_F(BadInput, BootProtocolWithoutInitSize) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("protocol-2.09"), "--entry-32bit"})),
                     {P("protocol-2.09"), "no init_size"});
}
TEST_F(BadInput, NonRelocatableKernelAsCaptureKernel) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-p", P("not-relocatable")})),
                     {P("not-relocatable"), "not relocatable"});
}
TEST_F(BadInput, NonRelocatableKernelWhosePreferredAddressIsNotRam) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("not-relocatable-reserved")})),
                     {P("not-relocatable-reserved"), "not relocatable", "not free RAM"});
}
TEST_F(BadInput, KernelAlignmentNotAPowerOfTwo) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("bad-alignment")})),
                     {P("bad-alignment"), "not a power of two"});
}
TEST_F(BadInput, CommandLineLongerThanCmdlineSize) {
  ExpectOneLineError(
      RunCli(Load({"--dry-run", "-l", P("cmdline-255"), "--append=" + std::string(300, 'a')})),
      {"command line is 300 bytes", P("cmdline-255"), "at most 255"});
}

// --- boot-protocol fields: where and how the kernel may be loaded ------------------------

TEST_F(BadInput, ZImageWithoutLoadedHigh) {
  for (const char* entry : {"", "--entry-32bit"}) {
    std::vector<std::string> a{"--dry-run", "-l", P("zimage")};
    if (*entry) a.push_back(entry);
    ExpectOneLineError(RunCli(Load(a)), {P("zimage"), "zImage", "LOADED_HIGH"});
  }
}
TEST_F(BadInput, NonRelocatableKernelWhosePreferredAddressIsBelow1M) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("not-relocatable-low")})),
                     {P("not-relocatable-low"), "not relocatable", "0x10000", "below 1 MiB"});
}
TEST_F(BadInput, NonRelocatableKernelWhosePreferredAddressIsNotPageAligned) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("not-relocatable-unaligned")})),
                     {P("not-relocatable-unaligned"), "not relocatable", "not page-aligned"});
}
TEST_F(BadInput, NonRelocatableKernelAbove4GThroughThe32BitEntry) {
  ExpectOneLineError(
      RunCli(Load({"--dry-run", "-l", P("not-relocatable-above-4g"), "--entry-32bit"})),
      {P("not-relocatable-above-4g"), "not relocatable", "0x100000000", "above"});
}
// XLF_5LEVEL: the 64-bit entry runs on the old kernel's paging, LA57 included.
TEST_F(BadInput, KernelWithout5LevelPagingUnderA5LevelKernel) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("4-level-only"), "--paging-levels=5"})),
                     {P("4-level-only"), "5-level paging", "XLF_5LEVEL", "--entry-32bit"});
  // The same kernel under 4-level paging, through its 32-bit entry (which the purgatory
  // enters with paging off), and a kernel that says XLF_5LEVEL: all load.
  for (auto args :
       {std::vector<std::string>{"-l", P("4-level-only"), "--paging-levels=4"},
        std::vector<std::string>{"-l", P("4-level-only"), "--paging-levels=5", "--entry-32bit"},
        std::vector<std::string>{"-l", P("vmlinuz"), "--paging-levels=5"}}) {
    args.insert(args.begin(), "--dry-run");
    const auto r = RunCli(Load(args));
    EXPECT_EQ(r.code, 0) << args[2] << " " << args[3] << ": " << r.err;
  }
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("vmlinuz"), "--paging-levels=3"})),
                     {"--paging-levels=3", "want 4 or 5"});
}
TEST_F(BadInput, RelocatableKernelWithoutAnAlignment) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("no-alignment")})),
                     {P("no-alignment"), "kernel_alignment is 0"});
}
TEST_F(BadInput, MinAlignmentKexkitCannotHonour) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("min-alignment-huge")})),
                     {P("min-alignment-huge"), "min_alignment 2^40"});
}
// The 32-bit entry honours initrd_addr_max (the 64-bit one with XLF_CAN_BE_LOADED_ABOVE_4G
// may place the initrd anywhere, as the kernel's own kexec_file loader does).
TEST_F(BadInput, InitrdAboveInitrdAddrMax) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("initrd-max-16m"), "--entry-32bit",
                                  "--initrd=" + P("initrd")})),
                     {P("initrd"), "initrd_addr_max 0xffffff"});
  auto r = RunCli(Load({"--dry-run", "-l", P("initrd-max-16m"), "--initrd=" + P("initrd")}));
  EXPECT_EQ(r.code, 0) << r.err;
}

// A relocatable kernel loaded below pref_address still decompresses at pref_address
// (LOAD_PHYSICAL_ADDR) [arch/x86/boot/compressed/head_64.S]: as a capture kernel it
// would run outside the crash region.
TEST_F(BadInput, CaptureKernelWhosePrefAddressIsAboveTheCrashRegion) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-p", P("pref-above-crash")})),
                     {P("pref-above-crash"), "at or above its pref_address 0x30000000"});
  auto r = RunCli(Load({"--dry-run", "-l", P("pref-above-crash")}));
  EXPECT_EQ(r.code, 0) << r.err;
}

// The kernel's destination in a --dry-run table.
uint64_t KernelDestination(const CliResult& r) {
  for (size_t at = 0; at < r.out.size();) {
    const size_t eol = r.out.find('\n', at);
    const std::string line = r.out.substr(at, eol - at);
    at = eol == std::string::npos ? r.out.size() : eol + 1;
    if (line.size() > 4 && line.ends_with(" kernel")) {
      return std::strtoull(line.c_str() + 4, nullptr, 16);
    }
  }
  ADD_FAILURE() << "no kernel segment in:\n" << r.out;
  return 1;
}

// A relocatable kernel "can be loaded at any address that satisfies kernel_alignment"
// [boot.rst: relocatable_kernel]: a pref_address off that alignment is not one.
TEST_F(BadInput, PrefAddressOffTheKernelAlignmentIsNotUsed) {
  auto r = RunCli(Load({"--dry-run", "-l", P("pref-unaligned")}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(KernelDestination(r), 0x1200000u) << r.out;
  // The same kernel with an aligned pref_address is loaded right there.
  r = RunCli(Load({"--dry-run", "-l", P("vmlinuz")}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(KernelDestination(r), 0x1000000u) << r.out;
}
// min_alignment is what the kernel needs to boot; kernel_alignment only what it prefers.
TEST_F(BadInput, MinAlignmentAboveKernelAlignmentIsHonoured) {
  auto r = RunCli(Load({"--dry-run", "-l", P("min-alignment-2m")}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(KernelDestination(r) % 0x200000, 0u) << r.out;
}

// --- initrd ---------------------------------------------------------------------------

TEST_F(BadInput, MissingInitrd) {
  ExpectOneLineError(
      RunCli(Load({"--dry-run", "-l", P("vmlinuz"), "--initrd=" + P("no-such-initrd")})),
      {P("no-such-initrd"), "No such file"});
}
TEST_F(BadInput, DirectoryAsInitrd) {
  ExpectOneLineError(
      RunCli(Load({"--dry-run", "-l", P("vmlinuz"), "--initrd=" + P("a-directory")})),
      {P("a-directory"), "is a directory"});
}
TEST_F(BadInput, EmptyInitrd) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("vmlinuz"), "--initrd=" + P("empty")})),
                     {P("empty"), "empty"});
}
TEST_F(BadInput, InitrdThatDoesNotFitTheCrashRegion) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-p", P("vmlinuz"), "--initrd=" + P("initrd-96M")})),
                     {P("initrd-96M"), "no free memory"});
}

// --- the running system's memory map ---------------------------------------------------

// --- the system changing under kexkit ---------------------------------------------------

// /proc/iomem as a FIFO: the first open reads `first`, every later one `later`, so the
// loader's two reads of it (the memory map, then the kdump RAM list) disagree.
class ChangingFile {
 public:
  ChangingFile(std::string path, std::string first, std::string later) : path_(std::move(path)) {
    EXPECT_EQ(::mkfifo(path_.c_str(), 0600), 0);
    writer_ = std::thread([this, first = std::move(first), later = std::move(later)] {
      for (int n = 0; !stop_;) {
        const int fd = ::open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {  // ENXIO: no reader yet
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          continue;
        }
        const std::string& text = n++ == 0 ? first : later;
        ::fcntl(fd, F_SETFL, 0);  // blocking writes from here
        for (size_t at = 0; at < text.size();) {
          const ssize_t w = ::write(fd, text.data() + at, text.size() - at);
          if (w <= 0) break;
          at += static_cast<size_t>(w);
        }
        ::close(fd);
        // Let this reader see EOF and go before the next open can pair with it.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  ~ChangingFile() {
    stop_ = true;
    writer_.join();
    ::unlink(path_.c_str());
  }

 private:
  std::string path_;
  std::atomic<bool> stop_{false};
  std::thread writer_;
};

TEST_F(BadInput, CrashRegionThatMovesBetweenTwoReadsOfIomem) {
  std::string moved = kIomem;
  moved.replace(moved.find("  2c000000-2fffffff"), 19, "  30000000-33ffffff");
  ChangingFile iomem(P("iomem-fifo"), kIomem, moved);
  ExpectOneLineError(RunCli(Load({"--dry-run", "-p", P("vmlinuz")}, "iomem-fifo")),
                     {P("iomem-fifo"), "crash region changed between two reads"});
}

// A map with more ranges than any machine has is refused at once, not walked
// ranges x cuts times.
// --- faults on the host: files changing, failing allocations, unreadable inputs -------

// A copy of the good kernel, bigger than a few pages, for a test to damage.
std::string KernelCopy(const std::string& dir, const std::string& name) {
  kktest::BzSpec spec;
  spec.kernel_bytes = 0x100000;
  const auto bytes = kktest::MakeBzImage(spec);
  const std::string path = dir + "/" + name;
  EXPECT_TRUE(kktest::WriteFile(path, bytes.data(), bytes.size()));
  return path;
}

// The kernel truncated after its header was read and its segments planned, before the
// digest reads the rest: the mapping loses its pages (SIGBUS without the guard).
TEST_F(BadInput, KernelTruncatedBetweenTheHeaderReadAndTheDigest) {
  const std::string k = KernelCopy(dir_, "shrinking-kernel");
  FaultyArch arch;
  arch.after_segments = [&] { ASSERT_EQ(::truncate(k.c_str(), 4096), 0); };
  ExpectOneLineError(RunCliWith(Load({"--dry-run", "-l", k}), arch),
                     {k, "changed while kexkit was reading it", "shrank"});
}

// Rewritten (same size, new mtime) after the digest: the digest no longer describes the
// file the system call would copy. Only without --dry-run, so only as root; the
// recording KexecSys stands in for the call.
TEST_F(BadInput, KernelRewrittenAfterTheDigestNeverReachesTheCall) {
  if (::geteuid() != 0) GTEST_SKIP() << "a load without --dry-run needs root";
  const std::string k = KernelCopy(dir_, "rewritten-kernel");
  FaultyArch arch;
  arch.after_digest = [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a new mtime
    const int fd = ::open(k.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, "x", 1, 0x10000), 1);
    ::close(fd);
  };
  ExpectOneLineError(RunCliWith(Load({"-l", k}), arch), {k, "changed while kexkit was reading it"});
  // And truncated after the digest: the same, not an EFAULT from kexec_load.
  const std::string k2 = KernelCopy(dir_, "late-shrinking-kernel");
  arch.after_digest = [&] { ASSERT_EQ(::truncate(k2.c_str(), 8192), 0); };
  ExpectOneLineError(RunCliWith(Load({"-l", k2}), arch), {k2, "shrank"});
}

// ENOMEM: an allocation that fails anywhere before the call ends the command with one
// line (std::bad_alloc is what the containers throw).
TEST_F(BadInput, AllocationFailureIsOneLine) {
  FaultyArch arch;
  arch.after_segments = [] { throw std::bad_alloc(); };
  ExpectOneLineError(RunCliWith(Load({"--dry-run", "-l", P("vmlinuz")}), arch),
                     {"out of memory", "nothing was loaded"});
}

// /proc or /sys inputs that cannot be read (as root, permissions do not stop a read;
// a directory in the file's place does: read() fails with EISDIR).
TEST_F(BadInput, UnreadableProcAndSysFiles) {
  std::filesystem::create_directories(dir_ + "/iomem-dir");
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("vmlinuz")}, "iomem-dir")),
                     {P("iomem-dir"), "Is a directory"});
  std::filesystem::create_directories(dir_ + "/memmap-unreadable/0/type");
  ASSERT_TRUE(kktest::WriteFile(dir_ + "/memmap-unreadable/0/start", "0x0\n", 4));
  ASSERT_TRUE(kktest::WriteFile(dir_ + "/memmap-unreadable/0/end", "0x9fbff\n", 8));
  ExpectOneLineError(
      RunCli(Load({"--dry-run", "-l", P("vmlinuz"), "--memmap=" + P("memmap-unreadable")})),
      {P("memmap-unreadable") + "/0", "incomplete entry"});
}

TEST_F(BadInput, IomemWithMoreRangesThanAnyMachine) {
  std::string big;
  for (uint64_t i = 0; i < 100000; ++i) {
    char line[64];
    std::snprintf(line, sizeof(line), "%llx-%llx : System RAM\n",
                  static_cast<unsigned long long>(i * 0x2000),
                  static_cast<unsigned long long>(i * 0x2000 + 0xfff));
    big += line;
  }
  ASSERT_TRUE(kktest::WriteFile(P("iomem-huge"), big.data(), big.size()));
  const auto t0 = std::chrono::steady_clock::now();
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("vmlinuz")}, "iomem-huge")),
                     {P("iomem-huge"), "more ranges than any memory map has"});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
}

TEST_F(BadInput, NoCrashkernelReservation) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-p", P("vmlinuz")}, "iomem-nocrash")),
                     {P("iomem-nocrash"), "no crashkernel= reservation"});
}
TEST_F(BadInput, MissingIomem) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("vmlinuz")}, "no-such-iomem")),
                     {P("no-such-iomem"), "No such file"});
}
TEST_F(BadInput, IomemAsANonRootReaderSeesIt) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("vmlinuz")}, "iomem-zeros")),
                     {P("iomem-zeros"), "every address reads as zero"});
}
TEST_F(BadInput, MalformedIomem) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("vmlinuz")}, "iomem-malformed")),
                     {P("iomem-malformed") + ":2", "malformed line"});
}
TEST_F(BadInput, FirmwareMemmapEntryWithoutAType) {
  ExpectOneLineError(
      RunCli(Load({"--dry-run", "-l", P("vmlinuz"), "--memmap=" + P("memmap-incomplete")})),
      {P("memmap-incomplete") + "/0", "incomplete entry"});
}
TEST_F(BadInput, FirmwareMemmapEntryThatIsNotHex) {
  ExpectOneLineError(
      RunCli(Load({"--dry-run", "-l", P("vmlinuz"), "--memmap=" + P("memmap-badstart")})),
      {P("memmap-badstart") + "/0", "malformed start/end"});
}
TEST_F(BadInput, ReuseCmdlineWithoutProcCmdline) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("vmlinuz"), "--reuse-cmdline"})),
                     {P("no-proc-cmdline"), "No such file"});
}
TEST_F(BadInput, MemMaxLeavesNoRoomForTheKernel) {
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("vmlinuz"), "--mem-max=0x800000"})),
                     {P("vmlinuz"), "no free memory"});
}

// --- the purgatory object: the build's purgatory.ro, wrong in one way -----------------
// The linker API reports each; the loader path turns it into one line naming purgatory.ro.

kktest::ElfEdit PurgatoryEdit() {
  auto e = kktest::ElfEdit::From(RealPurgatory());
  EXPECT_TRUE(e.has_value());
  return e.value_or(kktest::ElfEdit{});
}

// The first RELA section that patches .text, and the first PC-relative entry in it.
std::pair<uint32_t, size_t> FirstPcRelative(const kktest::ElfEdit& e) {
  for (const auto& [index, entries] : e.relocs) {
    for (size_t k = 0; k < entries.size(); ++k) {
      if (entries[k].type == 2 || entries[k].type == 4) return {index, k};  // PC32, PLT32
    }
  }
  ADD_FAILURE() << "purgatory.ro has no R_X86_64_PC32/PLT32";
  return {0, 0};
}

void ExpectLinkerAndLoaderRefuse(const std::vector<uint8_t>& purgatory,
                                 std::initializer_list<std::string> parts,
                                 const std::vector<std::string>& args) {
  // The linker API alone.
  std::string api_message;
  auto obj = kexkit::link::RelocatableObject::Parse(purgatory, "purgatory.ro");
  if (!obj) {
    api_message = obj.error().Line();
  } else if (auto img = kexkit::link::Link(*obj, 0x5000); !img) {
    api_message = img.error().Line();
  } else {
    std::vector<uint8_t> params(sizeof(kexkit::abi::PurgatoryParams));
    auto r = img->SetSymbol("kexkit_params", params);
    ASSERT_FALSE(r.has_value()) << "the linker accepted the broken object";
    api_message = r.error().Line();
  }
  for (const std::string& p : parts) {
    EXPECT_NE(api_message.find(p), std::string::npos)
        << "'" << p << "' missing from: " << api_message;
  }
  // The whole loader: one line, no system call.
  ExpectOneLineError(RunCli(args, purgatory), parts);
}

TEST_F(BadInput, PurgatoryWithAnUnknownRelocationType) {
  auto e = PurgatoryEdit();
  auto [sec, k] = FirstPcRelative(e);
  e.relocs[sec][k].type = 0x7f;
  ExpectLinkerAndLoaderRefuse(e.Encode(), {"purgatory.ro", "unsupported relocation", "127"},
                              Load({"--dry-run", "-l", P("vmlinuz")}));
}
TEST_F(BadInput, PurgatoryWithASymbolIndexOutOfRange) {
  auto e = PurgatoryEdit();
  auto [sec, k] = FirstPcRelative(e);
  e.relocs[sec][k].symbol = static_cast<uint32_t>(e.symbols.size() + 1000);
  ExpectLinkerAndLoaderRefuse(e.Encode(), {"purgatory.ro", "symbol index", "out of range"},
                              Load({"--dry-run", "-l", P("vmlinuz")}));
}
TEST_F(BadInput, PurgatoryWithASectionOffsetPastTheEnd) {
  auto e = PurgatoryEdit();
  const int text = e.SectionIndex(".text");
  ASSERT_GT(text, 0);
  auto bytes = e.Encode();
  const uint64_t h = kktest::ElfEdit::SectionHeaderOffset(bytes, static_cast<uint32_t>(text));
  kexkit::elf::Put(&bytes[h], kexkit::elf::kLayout64.shdr.offset, bytes.size() + 0x1000,
                   kexkit::Endian::kLittle);
  ExpectLinkerAndLoaderRefuse(bytes, {"purgatory.ro", "runs past the end of the file"},
                              Load({"--dry-run", "-l", P("vmlinuz")}));
}
TEST_F(BadInput, PurgatoryWithARelocationThatOverflows) {
  auto e = PurgatoryEdit();
  auto [sec, k] = FirstPcRelative(e);
  e.relocs[sec][k].addend = int64_t{1} << 40;
  ExpectLinkerAndLoaderRefuse(e.Encode(), {"purgatory.ro", "overflows a signed 32-bit field"},
                              Load({"--dry-run", "-l", P("vmlinuz")}));
}
TEST_F(BadInput, PurgatoryTruncated) {
  auto bytes = RealPurgatory();
  bytes.resize(bytes.size() / 2);
  ExpectLinkerAndLoaderRefuse(bytes, {"purgatory.ro"}, Load({"--dry-run", "-l", P("vmlinuz")}));
}
TEST_F(BadInput, PurgatoryWithoutItsParameterBlock) {
  auto e = PurgatoryEdit();
  const int params = e.SymbolIndex("kexkit_params");
  ASSERT_GT(params, 0);
  e.symbols[params].shndx = 0;  // undefined: the code's references to it fail first
  e.symbols[params].value = 0;
  ExpectLinkerAndLoaderRefuse(e.Encode(), {"purgatory.ro", "kexkit_params"},
                              Load({"--dry-run", "-l", P("vmlinuz")}));
}
// The control for the cases above: re-encoded unchanged, the purgatory still loads.
TEST_F(BadInput, PurgatoryReencodedUnchangedStillLoads) {
  auto r = RunCli(Load({"--dry-run", "-l", P("vmlinuz")}), PurgatoryEdit().Encode());
  EXPECT_EQ(r.code, 0) << r.err;
}
TEST_F(BadInput, PurgatoryParameterBlockOfTheWrongSize) {
  auto e = PurgatoryEdit();
  const int params = e.SymbolIndex("kexkit_params");
  ASSERT_GT(params, 0);
  e.symbols[params].size -= 8;
  ExpectLinkerAndLoaderRefuse(e.Encode(), {"purgatory.ro", "kexkit_params", "has size"},
                              Load({"--dry-run", "-l", P("vmlinuz")}));
}
TEST_F(BadInput, PurgatoryForTheWrongMachine) {
  auto e = PurgatoryEdit();
  e.machine = 243;  // EM_RISCV: neither the linker nor the loader takes it
  ExpectLinkerAndLoaderRefuse(e.Encode(), {"purgatory.ro", "machine 243", "not supported"},
                              Load({"--dry-run", "-l", P("vmlinuz")}));
}

// A machine the linker does link (EM_AARCH64), given to the x86_64 loader: it would link
// and then run on the wrong CPU, so the loader refuses it before linking.
TEST_F(BadInput, PurgatoryForAnotherLoadersMachine) {
  auto e = PurgatoryEdit();
  e.machine = 183;
  ExpectOneLineError(RunCli(Load({"--dry-run", "-l", P("vmlinuz")}), e.Encode()),
                     {"purgatory.ro", "ELF machine 183 is not supported by the x86_64 loader"});
}

// --- options --------------------------------------------------------------------------

struct OptionCase {
  const char* name;
  std::vector<std::string> args;
  std::vector<std::string> parts;
};

TEST_F(BadInput, ConflictingAndMalformedOptions) {
  const std::string k = P("vmlinuz");
  const std::vector<OptionCase> cases = {
      {"-l with -p", {"-l", "-p", k}, {"-l and -p conflict"}},
      {"two core header classes",
       {"-p", k, "--elf32-core-headers", "--elf64-core-headers"},
       {"--elf32-core-headers and --elf64-core-headers conflict"}},
      {"-f with -p", {"-f", "-p", k}, {"-f", "-p"}},
      {"-f with -u", {"-f", "-u"}, {"-f", "-u"}},
      {"--dry-run with -u", {"--dry-run", "-u"}, {"--dry-run goes with -l or -p"}},
      {"-u with a kernel", {"-u", k}, {k, "only taken with -l, -p or -f"}},
      {"two kernels", {"-l", k, k + "2"}, {k + "2", "one kernel only"}},
      {"unknown long option", {"-l", k, "--bogus"}, {"--bogus", "unknown option"}},
      {"unknown short option", {"-l", "-z", k}, {"-z", "unknown option"}},
      {"refused kexec-tools option",
       {"-l", k, "--reuseinitrd"},
       {"--reuseinitrd", "not supported by kexkit"}},
      {"--hotplug with -l", {"-l", k, "--hotplug"}, {"--hotplug goes with -p"}},
      {"another arch's image type", {"-t", "elf-ppc64", "-l", k}, {"--type=elf-ppc64"}},
      {"--args-linux with a bzImage", {"--args-linux", "-p", k}, {"--args-linux", "bzImage"}},
      {"--initrd without a value", {"-l", k, "--initrd"}, {"--initrd", "needs a value"}},
      {"--mem-min above --mem-max",
       {"-l", k, "--mem-min=2G", "--mem-max=1G"},
       {"--mem-min is not below --mem-max"}},
      {"--mem-min not a number", {"-l", k, "--mem-min=lots"}, {"--mem-min=lots", "not an address"}},
      {"--serial=ttyS9", {"-l", k, "--serial=ttyS9"}, {"--serial=ttyS9", "ttyS0..ttyS3"}},
      {"--serial-baud=7", {"-l", k, "--serial-baud=7"}, {"--serial-baud=7", "115200"}},
      {"--test-corrupt-digest with -i",
       {"-l", k, "-i", "--test-corrupt-digest"},
       {"--test-corrupt-digest", "--no-checks"}},
      {"nothing to do", {}, {"nothing to do"}},
      {"-l without a kernel", {"-l"}, {"no kernel given"}},
      {"-e with -l", {"-e", "-l", k}, {"conflicting actions"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto r = RunCli(c.args);
    EXPECT_EQ(r.code, 1) << "a command-line error exits 1, as kexec-tools' usage()";
    ExpectOneLineError(r, {});
    for (const auto& p : c.parts) {
      EXPECT_NE(r.err.find(p), std::string::npos) << "'" << p << "' missing from: " << r.err;
    }
  }
  // Counted as cases of the catalogue, one per entry.
  EXPECT_GE(cases.size(), 21u);
}

// Non-root: the check runs before anything is read, through the real entry point, in a
// child that dropped to uid 65534 (when the tests run as root; else this process is it).
TEST_F(BadInput, NonRootWithoutDryRun) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    if (::geteuid() == 0 &&
        (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0)) {
      ::_exit(100);
    }
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"-l", P("vmlinuz")}, {"-p", P("vmlinuz")}, {"-u"}, {"-e"}}) {
      const auto r = RunCli(Load(args));
      const std::string line =
          std::to_string(r.code) + " " + std::to_string(r.syscalls) + " " + r.err;
      if (::write(fds[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
        ::_exit(101);
      }
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string got;
  char buf[1024];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof(buf))) > 0) got.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "child died";
  ASSERT_EQ(WEXITSTATUS(status), 0);
  const std::string want =
      "1 0 kexkit: must be root to load, unload or boot a kernel (or use --dry-run)\n";
  EXPECT_EQ(got, want + want + want + want);
}

// --file-syscall: the kernel would read the files only after dropping a loaded capture
// kernel, so kexkit checks them first and never makes the call.
TEST_F(BadInput, FileSyscallWithAMissingKernelOrADirectoryAsInitrd) {
  if (::geteuid() != 0) GTEST_SKIP() << "the root check comes first";
  ExpectOneLineError(RunCli({"-s", "-p", P("no-such-kernel")}),
                     {P("no-such-kernel"), "No such file"});
  ExpectOneLineError(RunCli({"-s", "-p", P("vmlinuz"), "--initrd=" + P("a-directory")}),
                     {P("a-directory"), "is a directory"});
  // -a: the kexec_load fallback plan is built (and every input checked) first.
  ExpectOneLineError(RunCli(Load({"-a", "-p", P("garbage")})), {P("garbage"), "not a bzImage"});
}

// --- the segment list (ValidateSegments: the last check before kexec_load) -------------

using kexkit::load::MemRange;
using kexkit::load::RangeType;
using kexkit::load::Segment;

const std::vector<MemRange> kRam = {{0x1000, 0x9f000, RangeType::kRam},
                                    {0x100000, 0x40000000, RangeType::kRam}};
const std::vector<MemRange> kCrash = {{0x2c000000, 0x30000000, RangeType::kRam}};

std::string SegmentsError(const std::vector<Segment>& segs, const std::vector<MemRange>& allowed,
                          const char* name) {
  auto r = kexkit::load::ValidateSegments(segs, allowed, name);
  return r ? std::string() : r.error().Line();
}

TEST(BadSegments, MoreThan16) {
  std::vector<Segment> segs;
  for (uint64_t i = 0; i < 17; ++i) segs.push_back({{}, 0x100000 + i * 0x1000, 0x1000, "s"});
  EXPECT_NE(
      SegmentsError(segs, kRam, "System RAM").find("17 segments, kexec_load takes at most 16"),
      std::string::npos);
}
TEST(BadSegments, Overlapping) {
  const std::vector<Segment> segs = {{{}, 0x100000, 0x3000, "kernel"},
                                     {{}, 0x102000, 0x1000, "initrd"}};
  EXPECT_NE(SegmentsError(segs, kRam, "System RAM").find("'kernel' and 'initrd' overlap"),
            std::string::npos);
}
TEST(BadSegments, OutsideRam) {
  const std::vector<Segment> segs = {{{}, 0xa0000, 0x1000, "boot_params"}};
  EXPECT_NE(SegmentsError(segs, kRam, "System RAM")
                .find("'boot_params' [0xa0000, 0xa1000) is "
                      "outside System RAM"),
            std::string::npos);
}
TEST(BadSegments, StraddlingTheEndOfTheCrashRegion) {
  const std::vector<Segment> segs = {{{}, 0x2ffff000, 0x2000, "initrd"}};
  EXPECT_NE(SegmentsError(segs, kCrash, "the crash kernel region")
                .find("outside the crash kernel "
                      "region"),
            std::string::npos);
}
TEST(BadSegments, NotPageAlignedOrBufferLargerThanMemory) {
  const uint8_t two_pages[0x2000] = {};
  EXPECT_NE(SegmentsError({{{}, 0x100800, 0x1000, "x"}}, kRam, "RAM").find("not page aligned"),
            std::string::npos);
  EXPECT_NE(SegmentsError({{two_pages, 0x100000, 0x1000, "x"}}, kRam, "RAM").find("bufsz 0x2000"),
            std::string::npos);
  EXPECT_NE(SegmentsError({{{}, ~uint64_t{0xfff}, 0x2000, "x"}}, kRam, "RAM").find("memsz"),
            std::string::npos);
}

// --- the built binary, as a subprocess -------------------------------------------------
// Only with --dry-run (checked before anything runs): never a kexec call on this host.

struct ProcResult {
  bool exited = false;
  int code = -1;
  int signal = 0;
  std::string err;
};

ProcResult RunBinary(const std::vector<std::string>& args) {
  ProcResult r;
  if (std::find(args.begin(), args.end(), "--dry-run") == args.end()) {
    ADD_FAILURE() << "refusing to run the real kexkit without --dry-run";
    return r;
  }
  const std::string bin = std::string(KK_BINARY_DIR) + "/bin/kexkit";
  int fds[2];
  if (::pipe(fds) != 0) return r;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 2);
    ::close(fds[0]);
    ::close(fds[1]);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    std::vector<std::string> a{bin};
    a.insert(a.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : a) argv.push_back(s.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  char buf[1024];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof(buf))) > 0) r.err.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exited = WIFEXITED(status);
  r.code = r.exited ? WEXITSTATUS(status) : -1;
  r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return r;
}

TEST_F(BadInput, TheBuiltBinaryFailsCleanly) {
  if (::access((std::string(KK_BINARY_DIR) + "/bin/kexkit").c_str(), X_OK) != 0) {
    GTEST_SKIP() << "no " << KK_BINARY_DIR << "/bin/kexkit in this build";
  }
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {Load({"--dry-run", "-l", P("garbage")}), "not a bzImage"},
      {Load({"--dry-run", "-l", P("truncated-setup")}), "truncated"},
      {Load({"--dry-run", "-l", P("a-directory")}), "is a directory"},
      {Load({"--dry-run", "-l", P("vmlinux")}), "ELF file"},
      {Load({"--dry-run", "-p", P("vmlinuz"), "--initrd=" + P("initrd-96M")}), "no free memory"},
      {Load({"--dry-run", "-p", P("vmlinuz")}, "iomem-nocrash"), "no crashkernel="},
      {{"--dry-run", "-l", "-p", P("vmlinuz")}, "conflict"},
  };
  for (const auto& [args, what] : cases) {
    SCOPED_TRACE(what);
    const auto r = RunBinary(args);
    ASSERT_TRUE(r.exited) << "killed by signal " << r.signal;
    EXPECT_NE(r.code, 0);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
  }
}

// --- fuzzer findings (regressions) ----------------------------------------------------

// fuzz-cmdline: argv {"-y-32"} stopped getopt inside an option cluster; with optind = 1
// the next ParseCommandLine resumed in the old (freed) argv and misparsed its own.
TEST(FuzzRegression, GetoptStateDoesNotLeakBetweenParses) {
  const uint8_t crash[] = {0x00, 0x2d, 0x79, 0x2d, 0x33, 0x32};  // "\0-y-32"
  std::vector<std::string> first{"kexkit", std::string(crash + 1, crash + sizeof(crash))};
  std::vector<char*> argv1;
  for (auto& s : first) argv1.push_back(s.data());
  argv1.push_back(nullptr);
  EXPECT_FALSE(kexkit::load::ParseCommandLine(2, argv1.data()).has_value());
  first.clear();  // the strings getopt would still point into
  std::string a0 = "kexkit", a1 = "-l", a2 = "--append=x", a3 = "vmlinuz";
  char* second[] = {a0.data(), a1.data(), a2.data(), a3.data(), nullptr};
  auto r = kexkit::load::ParseCommandLine(4, second);
  ASSERT_TRUE(r.has_value()) << r.error().Line();
  EXPECT_EQ(r->kernel, "vmlinuz");
  EXPECT_EQ(r->append, "x");
}

// fuzz-elf-link: a symbol with st_size 0 made SetSymbol call memcpy with a null source
// (UBSan: "null pointer passed as argument 2"). A 0-byte ELF64 object: .text of 16
// bytes, one global zero-sized symbol "z" in it.
TEST(FuzzRegression, ZeroSizedSymbolIsWritable) {
  kktest::ElfEdit e;
  e.cls = kexkit::link::ElfClass::k64;
  e.machine = 62;
  e.shstrndx = 4;
  const std::string shstr = std::string("\0.text\0.symtab\0.strtab\0.shstrtab\0", 34);
  e.sections = {
      {},
      {".text", 1, 1, 6, 0, 0, 0, 16, std::vector<uint8_t>(16, 0x90)},
      {".symtab", 7, 2, 0, 0, 3, 1, 8, {}},
      {".strtab", 15, 3, 0, 0, 0, 0, 1, {0, 'z', 0}},
      {".shstrtab", 23, 3, 0, 0, 0, 0, 1, std::vector<uint8_t>(shstr.begin(), shstr.end())}};
  e.symbols = {{}, {"z", 1, 4, 0, 0x10, 0, 1}};
  const auto bytes = e.Encode();
  auto obj = kexkit::link::RelocatableObject::Parse(bytes, "zero.o");
  ASSERT_TRUE(obj.has_value()) << obj.error().Line();
  auto img = kexkit::link::Link(*obj, 0x1000);
  ASSERT_TRUE(img.has_value()) << img.error().Line();
  EXPECT_TRUE(img->SetSymbol("z", std::span<const uint8_t>()).has_value());
}

// fuzz-bzimage: a header with cmdline_size 0x787878ff made the boot_params builder (and
// the fuzzer's command line of that length) allocate 2 GiB. The header is capped now.
TEST(FuzzRegression, HugeCmdlineSizeIsCapped) {
  kktest::BzSpec s;
  s.cmdline_size = 0x787878ff;
  s.kernel_bytes = 4096;
  auto bz = kexkit::x86::ParseBzImage(kktest::MakeBzImage(s), "huge-cmdline");
  ASSERT_TRUE(bz.has_value()) << bz.error().Line();
  EXPECT_EQ(bz->cmdline_size, kexkit::x86::kMaxCmdlineSize);
  EXPECT_LT(kexkit::x86::BootParamsSize(*bz, 200), 256u << 10);
}

// Found in review while writing the fuzzers (each input is what the fuzzer would need):
// loadflags (0x211) was read from a file only 0x208 bytes long.
TEST(FuzzRegression, HeaderShorterThanLoadflags) {
  std::vector<uint8_t> b(0x208, 0);
  b[0x1fe] = 0x55, b[0x1ff] = 0xaa;  // boot flag
  b[0x202] = 'H', b[0x203] = 'd', b[0x204] = 'r', b[0x205] = 'S';
  b[0x206] = 0x02, b[0x207] = 0x02;                 // protocol 2.02
  auto bz = kexkit::x86::ParseBzImage(b, "short");  // the heap buffer ends at 0x208
  ASSERT_FALSE(bz.has_value());
  EXPECT_NE(bz.error().Line().find("past the end of the file"), std::string::npos);
}

// A SHT_NULL section header is not range-checked (its fields are undefined), so it must
// not be read: as the section-name table, or as an SHF_ALLOC section that Link copies.
TEST(FuzzRegression, NullSectionsHaveNoBytes) {
  kktest::ElfEdit e;
  e.cls = kexkit::link::ElfClass::k64;
  e.machine = 62;
  e.shstrndx = 2;
  const std::string shstr = std::string("\0.text\0.shstrtab\0", 17);
  e.sections = {
      {},
      {".text", 1, 1, 6, 0, 0, 0, 16, std::vector<uint8_t>(16, 0x90)},
      {".shstrtab", 7, 3, 0, 0, 0, 0, 1, std::vector<uint8_t>(shstr.begin(), shstr.end())},
      {".text", 1, 0, 2, 0, 0, 0, 1, {}}};  // SHT_NULL, SHF_ALLOC
  auto bytes = e.Encode();
  // The inactive section claims 16 MiB at 1 GiB into a file of a few hundred bytes.
  const uint64_t h = kktest::ElfEdit::SectionHeaderOffset(bytes, 3);
  const kexkit::elf::ClassLayout& L = kexkit::elf::kLayout64;
  kexkit::elf::Put(&bytes[h], L.shdr.offset, 1ull << 30, kexkit::Endian::kLittle);
  kexkit::elf::Put(&bytes[h], L.shdr.size_field, 1ull << 20, kexkit::Endian::kLittle);
  auto obj = kexkit::link::RelocatableObject::Parse(bytes, "null.o");
  ASSERT_TRUE(obj.has_value()) << obj.error().Line();
  EXPECT_TRUE(obj->SectionBytes(3).empty());
  auto img = kexkit::link::Link(*obj, 0x1000);
  ASSERT_TRUE(img.has_value()) << img.error().Line();
  // ... and as the name table: the names cannot be read, which is an error, not a read.
  kexkit::StoreUnchecked<uint16_t>(&bytes[62], 3, kexkit::Endian::kLittle);
  auto bad = kexkit::link::RelocatableObject::Parse(bytes, "null.o");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().Line().find("name offset"), std::string::npos) << bad.error().Line();
}

// Link allocates the whole layout on the host: two 4 GiB NOBITS sections must be refused
// by ComputeLayout, not turned into an 8 GiB allocation.
TEST(FuzzRegression, ImageSizeIsBounded) {
  kktest::ElfEdit e;
  e.cls = kexkit::link::ElfClass::k64;
  e.machine = 62;
  e.shstrndx = 3;
  const std::string shstr = std::string("\0.bss\0.bss2\0.shstrtab\0", 22);
  e.sections = {
      {},
      {".bss", 1, 8, 3, 1ull << 32, 0, 0, 16, {}},
      {".bss2", 6, 8, 3, 1ull << 32, 0, 0, 16, {}},
      {".shstrtab", 12, 3, 0, 0, 0, 0, 1, std::vector<uint8_t>(shstr.begin(), shstr.end())}};
  const auto bytes = e.Encode();
  auto obj = kexkit::link::RelocatableObject::Parse(bytes, "big.o");
  ASSERT_TRUE(obj.has_value()) << obj.error().Line();
  auto layout = kexkit::link::ComputeLayout(*obj);
  ASSERT_FALSE(layout.has_value());
  EXPECT_NE(layout.error().Line().find("larger than the 64 MiB kexkit links"), std::string::npos)
      << layout.error().Line();
}

#if KK_HAVE_PPC64_LOADER
// fuzz-fdt: a --dtb whose memory reservation map never terminates inside the blob.
// libfdt's fdt_open_into ignored fdt_num_mem_rsv's -FDT_ERR_TRUNCATED and memmoved
// (-8 + 1) * 16 = -112 bytes (ASan: negative-size-param). Header, one reserve entry, then
// the structure block (an empty root node) read as more entries up to totalsize.
TEST(FuzzRegression, DeviceTreeReserveMapWithoutTerminator) {
  const uint8_t blob[] = {
      0xd0, 0x0d, 0xfe, 0xed, 0x00, 0x00, 0x00, 0x48,  // magic, totalsize
      0x00, 0x00, 0x00, 0x38, 0x00, 0x00, 0x00, 0x48,  // off_dt_struct, off_dt_strings
      0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x11,  // off_mem_rsvmap, version 17
      0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00,  // last_comp_version, boot_cpuid
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,  // size_dt_strings, size_dt_struct
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,  // reserve: address 0x1000
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,  //          size 0x1000
      0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,  // FDT_BEGIN_NODE ""
      0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x09,  // FDT_END_NODE, FDT_END
  };
  auto fdt = kexkit::ppc64::FdtBuilder::FromBlob(blob, "bad.dtb");
  ASSERT_FALSE(fdt.has_value());
  EXPECT_NE(fdt.error().Line().find("bad.dtb: memory reservation map"), std::string::npos)
      << fdt.error().Line();
}
#endif

// --mem-max is inclusive; the top address used to wrap the limit to 0 (no memory at all).
TEST_F(BadInput, MemMaxAtTheTopOfTheAddressSpaceIsNoLimit) {
  auto r = RunCli(Load({"--dry-run", "-l", P("vmlinuz"), "--mem-max=0xffffffffffffffff"}));
  EXPECT_EQ(r.code, 0) << r.err;
}

}  // namespace
