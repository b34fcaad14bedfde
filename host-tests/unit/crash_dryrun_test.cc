// `kexkit -p --dry-run` end to end on saved inputs: BuildLoadPlan with Debian's kernel,
// the real x86_64 purgatory, and the sample iomem / sysfs / firmware memmap / kcore of
// host-tests/data. Checks the segments, the core header, the zero page (e820, command
// line) and the parameter block the purgatory will read.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "arch/x86/x86-loader.h"
#include "base/bytes.h"
#include "crash-test-data.h"
#include "kexkit/purgatory-abi.h"
#include "kexkit/x86-boot-params.h"
#include "loader/load.h"
#include "loader/options.h"
#include "test-files.h"

namespace kexkit::load {
namespace {

using kktest::DataPath;

const Segment* Find(const LoadPlan& plan, std::string_view what) {
  for (const Segment& s : plan.segments) {
    if (s.what == what) return &s;
  }
  return nullptr;
}

uint64_t Le64(std::span<const uint8_t> b, size_t off) {
  return LoadUnchecked<uint64_t>(b.data() + off, Endian::kLittle);
}

// The purgatory's parameter block in the linked purgatory segment: its magic followed
// by the digest region list of this plan (the magic alone also appears in the code, as
// the immediate the purgatory compares with).
abi::PurgatoryParams ParamsOf(const LoadPlan& plan) {
  abi::PurgatoryParams p{};
  const Segment* s = Find(plan, "purgatory");
  EXPECT_NE(s, nullptr);
  if (s == nullptr) return p;
  uint8_t magic[4];
  StoreUnchecked<uint32_t>(magic, abi::kParamsMagic, Endian::kLittle);
  int found = 0;
  for (size_t i = 0; i + sizeof(p) <= s->buf.size(); ++i) {
    if (std::memcmp(s->buf.data() + i, magic, 4) != 0 ||
        Le64(s->buf, i + offsetof(abi::PurgatoryParams, regions)) != plan.segments[0].mem) {
      continue;
    }
    ++found;
    p.magic = abi::kParamsMagic;
    p.flags = LoadUnchecked<uint32_t>(s->buf.data() + i + offsetof(abi::PurgatoryParams, flags),
                                      Endian::kLittle);
    p.region_count = LoadUnchecked<uint32_t>(
        s->buf.data() + i + offsetof(abi::PurgatoryParams, region_count), Endian::kLittle);
    for (uint32_t r = 0; r < p.region_count && r < abi::kMaxDigestRegions; ++r) {
      const size_t at = i + offsetof(abi::PurgatoryParams, regions) + r * sizeof(abi::DigestRegion);
      p.regions[r].start = Le64(s->buf, at);
      p.regions[r].len = Le64(s->buf, at + 8);
    }
    p.backup_src = Le64(s->buf, i + offsetof(abi::PurgatoryParams, backup_src));
    p.backup_dst = Le64(s->buf, i + offsetof(abi::PurgatoryParams, backup_dst));
    p.backup_size = Le64(s->buf, i + offsetof(abi::PurgatoryParams, backup_size));
  }
  EXPECT_EQ(found, 1);
  return p;
}

struct E820 {
  uint64_t addr, size;
  uint32_t type;
};

std::vector<E820> E820Of(const Segment& bp) {
  std::vector<E820> out;
  const size_t n = bp.buf[offsetof(x86::BootParams, e820_entries)];
  for (size_t i = 0; i < n; ++i) {
    const size_t at = offsetof(x86::BootParams, e820_table) + i * 20;
    out.push_back({Le64(bp.buf, at), Le64(bp.buf, at + 8),
                   LoadUnchecked<uint32_t>(bp.buf.data() + at + 16, Endian::kLittle)});
  }
  return out;
}

std::string CmdlineOf(const Segment& bp) {
  const char* s = reinterpret_cast<const char*>(bp.buf.data() + sizeof(x86::BootParams));
  return std::string(s, strnlen(s, bp.buf.size() - sizeof(x86::BootParams)));
}

bool HasNote(const LoadPlan& plan, std::string_view text) {
  for (const std::string& n : plan.notes) {
    if (n.find(text) != std::string::npos) return true;
  }
  return false;
}

class CrashDryRun : public ::testing::Test {
 protected:
  void SetUp() override {
    kernel_ = kktest::TestKernelX86_64();
    ASSERT_FALSE(kernel_.empty()) << kktest::kNoKernelMessage;
    auto purgatory = kktest::ReadFile(kktest::PurgatoryPath());
    ASSERT_TRUE(purgatory) << "no purgatory at " << kktest::PurgatoryPath();
    purgatory_ = std::move(*purgatory);
  }

  // The e2e guest's inputs: firmware memmap present, kcore from `kcore_path`.
  Options QemuOptions(const std::string& kcore_path) const {
    Options o;
    o.action = Action::kLoad;
    o.crash = true;
    o.dry_run = true;
    o.kernel = kernel_;
    o.append = "console=ttyS0 irqpoll nr_cpus=1 reset_devices";
    o.iomem = DataPath("iomem-qemu-pc-crashkernel.txt");
    o.sysfs = DataPath("sysfs-qemu-x86_64");
    o.memmap = DataPath("sysfs-qemu-x86_64/firmware/memmap");
    o.kcore = kcore_path;
    o.boot_params = DataPath("no-such-boot-params");
    return o;
  }

  Result<LoadPlan> Build(const Options& o) {
    auto arch = x86::MakeX86Loader(x86::X86Width::k64, purgatory_);
    return BuildLoadPlan(o, *arch);
  }

  std::string kernel_;
  std::vector<uint8_t> purgatory_;
};

TEST_F(CrashDryRun, QemuGuest) {
  kktest::TempFile kcore(kktest::KcoreBytes(kktest::QemuGuestKcore()));
  auto plan = Build(QemuOptions(kcore.path()));
  ASSERT_TRUE(plan) << plan.error().Line();
  EXPECT_EQ(plan->flags, (62ul << 16) | 1);  // EM_X86_64, KEXEC_ON_CRASH

  constexpr uint64_t kCrashStart = 0x2e000000, kCrashEnd = 0x3e000000;
  for (const Segment& s : plan->segments) {
    EXPECT_GE(s.mem, kCrashStart) << s.what;
    EXPECT_LE(s.mem + s.memsz, kCrashEnd) << s.what;
  }
  const Segment* backup = Find(*plan, "backup");
  const Segment* hdr = Find(*plan, "elfcorehdr");
  const Segment* bp = Find(*plan, "boot_params");
  ASSERT_TRUE(backup && hdr && bp);
  EXPECT_TRUE(backup->buf.empty());  // zero-filled by kexec_load
  EXPECT_EQ(backup->memsz, 0x9f000u);
  EXPECT_TRUE(backup->digested);
  EXPECT_GE(hdr->memsz, 16u * 1024);  // room for hotplug

  // The purgatory copies [0x1000, 0x9fc00) into the backup segment after its check.
  const abi::PurgatoryParams p = ParamsOf(*plan);
  EXPECT_EQ(p.backup_src, 0x1000u);
  EXPECT_EQ(p.backup_size, 0x9ec00u);
  EXPECT_EQ(p.backup_dst, backup->mem);

  // Core header: ELF64, 2 CPU notes, vmcoreinfo, text, 3 RAM loads.
  const auto& h = hdr->buf;
  ASSERT_GE(h.size(), 64u);
  EXPECT_EQ(h[4], 2);
  EXPECT_EQ(LoadUnchecked<uint16_t>(h.data() + 18, Endian::kLittle), 62);
  const uint16_t phnum = LoadUnchecked<uint16_t>(h.data() + 56, Endian::kLittle);
  ASSERT_EQ(phnum, 7);
  ASSERT_EQ(h.size(), 64u + 7 * 56);
  auto ph = [&](int i, size_t field) { return Le64(h, 64 + i * 56 + field); };
  EXPECT_EQ(ph(3, 16), 0xffffffffadc00000u);  // kernel text vaddr (from kcore)
  EXPECT_EQ(ph(4, 8), backup->mem);           // backup range reads the copy
  EXPECT_EQ(ph(4, 24), 0x1000u);
  EXPECT_EQ(ph(4, 16), 0xffff89c0c0001000u);  // KASLR'd direct map
  EXPECT_EQ(ph(5, 24), 0x100000u);
  EXPECT_EQ(ph(5, 40), kCrashStart - 0x100000);  // up to the crash region
  EXPECT_EQ(ph(6, 24), kCrashEnd);

  // Zero page: the command line tells the capture kernel where the header is; the e820
  // is the backup source, the crash region less header and backup, and the firmware's
  // reserved ranges.
  const std::string cmdline = CmdlineOf(*bp);
  EXPECT_NE(cmdline.find("console=ttyS0 irqpoll nr_cpus=1 reset_devices elfcorehdr=" +
                         std::to_string(hdr->mem >> 10) + "K"),
            std::string::npos)
      << cmdline;
  EXPECT_EQ(cmdline.find("acpi_rsdp="), std::string::npos);  // BIOS machine
  const auto e820 = E820Of(*bp);
  ASSERT_GE(e820.size(), 5u);
  uint64_t ram = 0;
  for (const E820& e : e820) {
    if (e.type != x86::kE820Ram) continue;
    ram += e.size;
    const bool low = e.addr == 0x1000 && e.size == 0x9ec00;
    const bool in_crash = e.addr >= kCrashStart && e.addr + e.size <= kCrashEnd;
    EXPECT_TRUE(low || in_crash) << std::hex << e.addr;
    for (const Segment* s : {backup, hdr}) {
      EXPECT_TRUE(e.addr + e.size <= s->mem || e.addr >= s->mem + s->memsz)
          << s->what << " is RAM for the capture kernel";
    }
  }
  EXPECT_EQ(ram, 0x9ec00 + (kCrashEnd - kCrashStart) - backup->memsz - hdr->memsz);
  EXPECT_TRUE(std::any_of(e820.begin(), e820.end(), [](const E820& e) {
    return e.addr == 0x3ffe0000 && e.type == x86::kE820Reserved;  // ACPI tables on QEMU
  }));

  // --dry-run's notes: every program header, the capture map, the command line.
  EXPECT_TRUE(HasNote(*plan, "kdump: ELF64 core header at"));
  EXPECT_TRUE(HasNote(*plan, "PT_LOAD offset 0x000000001e600000 vaddr 0xffffffffadc00000"));
  EXPECT_TRUE(HasNote(*plan, "memory, read from the backup"));
  EXPECT_TRUE(HasNote(*plan, "kdump: capture kernel memory map:"));
  EXPECT_TRUE(HasNote(*plan, "kdump: command line += elfcorehdr="));
}

// A copy of the QEMU guest's sysfs with /sys/kernel/crash_elfcorehdr_size as Debian's
// 6.12 amd64 kernel has it (NR_CPUS_DEFAULT 8192 + CRASH_MAX_MEMORY_RANGES 8192 phdrs).
class HotplugSysfs {
 public:
  HotplugSysfs() {
    char tmpl[] = "/tmp/kexkit-hotplug-sysfs-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    std::filesystem::copy(DataPath("sysfs-qemu-x86_64"), dir_,
                          std::filesystem::copy_options::recursive);
    std::ofstream(dir_ + "/kernel/crash_elfcorehdr_size") << "917568\n";
  }
  ~HotplugSysfs() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  const std::string& path() const { return dir_; }

 private:
  std::string dir_;
};

// --hotplug: the core header segment as big as the kernel asks, out of the purgatory's
// regions (the kernel rewrites it), the purgatory told so, and KEXEC_UPDATE_ELFCOREHDR.
TEST_F(CrashDryRun, HotplugSizesTheHeaderForTheKernelAndLeavesItUnverified) {
  kktest::TempFile kcore(kktest::KcoreBytes(kktest::QemuGuestKcore()));
  HotplugSysfs sysfs;
  Options o = QemuOptions(kcore.path());
  o.sysfs = sysfs.path();
  o.hotplug = true;
  auto plan = Build(o);
  ASSERT_TRUE(plan) << plan.error().Line();
  EXPECT_EQ(plan->flags, (62ul << 16) | 0x4 | 1);  // EM_X86_64, UPDATE_ELFCOREHDR, ON_CRASH
  const Segment* hdr = Find(*plan, "elfcorehdr");
  ASSERT_NE(hdr, nullptr);
  EXPECT_EQ(hdr->memsz, PageAlign(917568));
  EXPECT_FALSE(hdr->digested);
  EXPECT_EQ(std::memcmp(hdr->buf.data(), "\177ELF", 4), 0);
  const abi::PurgatoryParams p = ParamsOf(*plan);
  EXPECT_NE(p.flags & abi::kFlagHotplug, 0u);
  EXPECT_NE(p.flags & abi::kFlagVerify, 0u);
  size_t verified = 0;
  for (const Segment& s : plan->segments) verified += s.verified();
  EXPECT_EQ(p.region_count, verified);
  for (uint32_t r = 0; r < p.region_count; ++r) {
    EXPECT_NE(p.regions[r].start, hdr->mem) << "the core header is still verified";
  }
  EXPECT_TRUE(HasNote(*plan, "--hotplug: the kernel rewrites the core header"));

  // The control: without --hotplug the same header is verified and the flag is off.
  o.hotplug = false;
  auto plain = Build(o);
  ASSERT_TRUE(plain) << plain.error().Line();
  EXPECT_EQ(plain->flags, (62ul << 16) | 1);
  EXPECT_TRUE(Find(*plain, "elfcorehdr")->digested);
  EXPECT_LT(Find(*plain, "elfcorehdr")->memsz, PageAlign(917568));
  EXPECT_EQ(ParamsOf(*plain).flags & abi::kFlagHotplug, 0u);
}

// A kernel without crash hotplug (no crash_elfcorehdr_size): one line, nothing planned.
TEST_F(CrashDryRun, HotplugOnAKernelWithoutItIsRefused) {
  kktest::TempFile kcore(kktest::KcoreBytes(kktest::QemuGuestKcore()));
  Options o = QemuOptions(kcore.path());
  o.hotplug = true;
  auto plan = Build(o);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().Line().find("--hotplug: " + o.sysfs + "/kernel/crash_elfcorehdr_size"),
            std::string::npos)
      << plan.error().Line();
  EXPECT_EQ(plan.error().Line().find('\n'), std::string::npos);
}

// The kernel finds the header it rewrites by its ELF magic: an initrd that starts so
// would be taken for it.
TEST_F(CrashDryRun, HotplugRefusesAnotherSegmentStartingWithElfMagic) {
  kktest::TempFile kcore(kktest::KcoreBytes(kktest::QemuGuestKcore()));
  HotplugSysfs sysfs;
  std::vector<uint8_t> elf_initrd(8192, 0);
  std::memcpy(elf_initrd.data(), "\177ELF", 4);
  kktest::TempFile initrd(elf_initrd);
  Options o = QemuOptions(kcore.path());
  o.sysfs = sysfs.path();
  o.hotplug = true;
  o.initrd = initrd.path();
  auto plan = Build(o);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().Line().find("--hotplug: the initrd segment starts with ELF magic"),
            std::string::npos)
      << plan.error().Line();
  o.hotplug = false;
  EXPECT_TRUE(Build(o)) << "without --hotplug an ELF initrd is the user's business";
}

TEST_F(CrashDryRun, Elf32WhereEverythingIsBelow4G) {
  kktest::TempFile kcore(kktest::KcoreBytes(kktest::QemuGuestKcore()));
  Options o = QemuOptions(kcore.path());
  o.core_elf_class = 32;
  auto plan = Build(o);
  ASSERT_TRUE(plan) << plan.error().Line();
  const Segment* hdr = Find(*plan, "elfcorehdr");
  ASSERT_NE(hdr, nullptr);
  EXPECT_EQ(hdr->buf[4], 1);                                                     // ELFCLASS32
  EXPECT_EQ(LoadUnchecked<uint16_t>(hdr->buf.data() + 44, Endian::kLittle), 6);  // no text
  EXPECT_TRUE(HasNote(*plan, "ELF32 core header: no virtual addresses"));
}

TEST_F(CrashDryRun, WithoutKcoreTheDefaultsAreNoted) {
  auto plan = Build(QemuOptions(DataPath("no-such-kcore")));
  ASSERT_TRUE(plan) << plan.error().Line();
  EXPECT_TRUE(HasNote(*plan, "no-such-kcore: No such file"));
  EXPECT_TRUE(HasNote(*plan, "no kernel text PT_LOAD"));
  EXPECT_TRUE(HasNote(*plan, "assuming 0xffff888000000000"));
  const Segment* hdr = Find(*plan, "elfcorehdr");
  ASSERT_NE(hdr, nullptr);
  EXPECT_EQ(LoadUnchecked<uint16_t>(hdr->buf.data() + 56, Endian::kLittle), 6);
}

// A UEFI server: two crash regions, no /sys/firmware/memmap (iomem fallback), RAM and
// the kernel above 4 GiB, four of eight possible CPUs present.
Options EfiServerOptions(const std::string& kernel) {
  Options o;
  o.action = Action::kLoad;
  o.crash = true;
  o.dry_run = true;
  o.kernel = kernel;
  o.append = "console=ttyS0";
  o.iomem = DataPath("iomem-efi-server-crash-high-low.txt");
  o.sysfs = DataPath("sysfs-efi-server");
  o.memmap = DataPath("sysfs-efi-server/firmware/memmap");  // absent
  o.kcore = DataPath("no-such-kcore");
  o.boot_params = DataPath("no-such-boot-params");
  return o;
}

TEST_F(CrashDryRun, EfiServerWithHighAndLowCrashRegions) {
  auto plan = Build(EfiServerOptions(kernel_));
  ASSERT_TRUE(plan) << plan.error().Line();
  // kexec_load checks segments against crashk_res, the high range, only.
  for (const Segment& s : plan->segments) {
    EXPECT_GE(s.mem, 0x104f000000u) << s.what;
    EXPECT_LE(s.mem + s.memsz, 0x106f000000u) << s.what;
  }
  const Segment* bp = Find(*plan, "boot_params");
  ASSERT_NE(bp, nullptr);
  const std::string cmdline = CmdlineOf(*bp);
  EXPECT_NE(cmdline.find(" acpi_rsdp=0x5f2a7014"), std::string::npos) << cmdline;
  const auto e820 = E820Of(*bp);
  auto has = [&](uint64_t addr, uint64_t size, uint32_t type) {
    return std::any_of(e820.begin(), e820.end(), [&](const E820& e) {
      return e.addr == addr && e.size == size && e.type == type;
    });
  };
  EXPECT_TRUE(has(0x1000, 0x9f000, x86::kE820Ram));         // backup source
  EXPECT_TRUE(has(0x0f000000, 0x10000000, x86::kE820Ram));  // crashk_low_res
  EXPECT_TRUE(has(0x5ec4e000, 0x57e000, x86::kE820Nvs));
  EXPECT_TRUE(has(0x5f1cc000, 0xdc000, x86::kE820Acpi));
  EXPECT_TRUE(HasNote(*plan, "4 possible CPU(s) without crash_notes"));
  const Segment* hdr = Find(*plan, "elfcorehdr");
  ASSERT_NE(hdr, nullptr);
  // 4 notes + vmcoreinfo + 5 RAM ranges, the last one split around both crash regions.
  EXPECT_EQ(LoadUnchecked<uint16_t>(hdr->buf.data() + 56, Endian::kLittle), 4 + 1 + 7);
}

TEST_F(CrashDryRun, Elf32RefusedWithMemoryPast4G) {
  Options o = EfiServerOptions(kernel_);
  o.core_elf_class = 32;
  auto plan = Build(o);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().Line().find("ELF32 core header cannot describe"), std::string::npos)
      << plan.error().Line();
  EXPECT_NE(plan.error().Line().find("past 4 GiB"), std::string::npos);
}

TEST_F(CrashDryRun, NoCrashKernelReservation) {
  Options o = QemuOptions(DataPath("no-such-kcore"));
  o.iomem = DataPath("iomem-cloud-vm.txt");
  o.memmap = DataPath("no-such-memmap");
  auto plan = Build(o);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().Line().find("no crashkernel= reservation"), std::string::npos)
      << plan.error().Line();
}

// Saved inputs stay together: pointing --sysfs / --iomem at copies moves the inputs
// derived from them too, unless those are named on their own.
TEST(CrashInputsOptions, DerivedFromSysfsAndIomem) {
  auto parse = [](std::vector<std::string> args) {
    args.insert(args.begin(), "kexkit");
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    return ParseCommandLine(static_cast<int>(args.size()), argv.data());
  };
  auto o = parse({"-p", "--dry-run", "--iomem=/saved/proc/iomem", "--sysfs=/saved/sys", "k"});
  ASSERT_TRUE(o) << o.error().Line();
  EXPECT_EQ(o->memmap, "/saved/sys/firmware/memmap");
  EXPECT_EQ(o->boot_params, "/saved/sys/kernel/boot_params/data");
  EXPECT_EQ(o->kcore, "/saved/proc/kcore");

  o = parse({"-p", "--dry-run", "--iomem=iomem", "--sysfs=/s", "--memmap=/m", "--kcore=/k",
             "--boot-params=/b", "k"});
  ASSERT_TRUE(o) << o.error().Line();
  EXPECT_EQ(o->memmap, "/m");
  EXPECT_EQ(o->boot_params, "/b");
  EXPECT_EQ(o->kcore, "/k");

  o = parse({"-p", "--dry-run", "--iomem=iomem", "k"});
  ASSERT_TRUE(o) << o.error().Line();
  EXPECT_EQ(o->kcore, "kcore");
  EXPECT_EQ(o->memmap, "/sys/firmware/memmap");

  o = parse({"-p", "k"});
  ASSERT_TRUE(o) << o.error().Line();
  EXPECT_EQ(o->kcore, "/proc/kcore");
  EXPECT_EQ(o->boot_params, "/sys/kernel/boot_params/data");
}

}  // namespace
}  // namespace kexkit::load
