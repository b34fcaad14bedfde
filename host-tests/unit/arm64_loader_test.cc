// The arm64 loader's plan (arch/arm64/arm64-loader.cc) on a made-up machine: an iomem
// with nested "reserved" ranges and a crash region, a /sys/firmware/fdt blob built here,
// a small Image. The new device tree is read back the way the kernel reads /chosen
// (of_read_number over the root's #address-cells/#size-cells). Built where the host has
// libfdt (KK_HAVE_PPC64_LOADER: the same lookup feeds both loaders).
#include <gtest/gtest.h>

#if KK_HAVE_PPC64_LOADER
#include <libfdt.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "arch/arm64/arm64-loader.h"
#include "arch/arm64/image.h"
#include "base/bytes.h"
#include "loader/load.h"
#include "unit/test-files.h"

namespace {

namespace fs = std::filesystem;
using kexkit::Endian;

// QEMU virt's layout: RAM at 1 GiB, the first 2 MiB reserved (its DTB), a crash region.
constexpr char kIomem[] =
    "09000000-09000fff : pl011@9000000\n"
    "40000000-bfffffff : System RAM\n"
    "  40000000-401fffff : reserved\n"
    "  40210000-4180ffff : Kernel code\n"
    "  41810000-41ffffff : reserved\n"
    "  42000000-42cfffff : Kernel data\n"
    "  70000000-7fffffff : Crash kernel\n"
    "  bf000000-bfffffff : reserved\n";

std::vector<uint8_t> RunningTree() {
  std::vector<uint8_t> b(8192);
  void* f = b.data();
  EXPECT_EQ(fdt_create_empty_tree(f, static_cast<int>(b.size())), 0);
  fdt_setprop_u32(f, 0, "#address-cells", 2);
  fdt_setprop_u32(f, 0, "#size-cells", 2);
  const int uart = fdt_add_subnode(f, 0, "pl011@9000000");
  fdt_setprop_string(f, uart, "compatible", "arm,pl011");
  const uint32_t reg[] = {0, __builtin_bswap32(0x09000000), 0, __builtin_bswap32(0x1000)};
  fdt_setprop(f, uart, "reg", reg, sizeof(reg));
  const int chosen = fdt_add_subnode(f, 0, "chosen");
  fdt_setprop_string(f, chosen, "stdout-path", "/pl011@9000000:115200n8");
  fdt_setprop_string(f, chosen, "bootargs", "the old kernel's command line");
  fdt_setprop_u64(f, chosen, "linux,initrd-start", 0x48000000);
  fdt_setprop_u64(f, chosen, "linux,initrd-end", 0x48100000);
  fdt_setprop_u64(f, chosen, "kaslr-seed", 0);
  fdt_pack(f);
  b.resize(fdt_totalsize(f));
  return b;
}

// of_read_number: `cells` big-endian 32-bit cells.
uint64_t ReadCells(const uint8_t* p, int cells) {
  uint64_t v = 0;
  for (int i = 0; i < cells; ++i)
    v = (v << 32) | kexkit::LoadUnchecked<uint32_t>(p + 4 * i, Endian::kBig);
  return v;
}

class Arm64Plan : public testing::Test {
 protected:
  void SetUp() override {
    const std::string ro = KK_A64_PURGATORY;
    if (ro.empty()) GTEST_SKIP() << "aarch64 is not in KEXKIT_PURGATORY_ARCHES";
    auto p = kktest::ReadFile(ro);
    ASSERT_TRUE(p.has_value()) << ro;
    purgatory_ = std::move(*p);
    char tmpl[] = "/tmp/kk-arm64-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    std::ofstream(dir_ + "/iomem") << kIomem;
    std::ofstream(dir_ + "/initrd") << std::string(100000, 'i');
    // An Image: text_offset 0, 16 MiB image_size, 64 KiB in the file.
    std::vector<uint8_t> img(0x10000, 0);
    kexkit::StoreUnchecked<uint64_t>(&img[0x10], 0x1000000, Endian::kLittle);
    kexkit::StoreUnchecked<uint64_t>(&img[0x18], 0xa, Endian::kLittle);
    kexkit::StoreUnchecked<uint32_t>(&img[0x38], kexkit::arm64::kImageMagic, Endian::kLittle);
    kktest::WriteFile(dir_ + "/Image", img.data(), img.size());
    fs::create_directories(dir_ + "/sys/firmware");
    const auto tree = RunningTree();
    kktest::WriteFile(dir_ + "/sys/firmware/fdt", tree.data(), tree.size());
    fs::create_directories(dir_ + "/sys/devices/system/cpu/cpu0");
    fs::create_directories(dir_ + "/sys/kernel");
    std::ofstream(dir_ + "/sys/devices/system/cpu/possible") << "0\n";
    std::ofstream(dir_ + "/sys/devices/system/cpu/cpu0/crash_notes") << "bfe96c00\n";
    std::ofstream(dir_ + "/sys/kernel/vmcoreinfo") << "bff00000 1000\n";
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  kexkit::load::Options Opts(bool crash) {
    kexkit::load::Options o;
    o.action = kexkit::load::Action::kLoad;
    o.crash = crash;
    o.dry_run = true;
    o.kernel = dir_ + "/Image";
    o.initrd = dir_ + "/initrd";
    o.append = "console=ttyAMA0 panic=-1";
    o.iomem = dir_ + "/iomem";
    o.memmap = "/nonexistent";
    o.sysfs = dir_ + "/sys";
    o.kcore = "/nonexistent";
    return o;
  }
  static const kexkit::load::Segment* Find(const kexkit::load::LoadPlan& p, const char* what) {
    for (const auto& s : p.segments) {
      if (s.what == what) return &s;
    }
    return nullptr;
  }
  std::vector<uint8_t> purgatory_;
  std::string dir_;
};

TEST_F(Arm64Plan, KexecLayoutAndChosen) {
  auto arch = kexkit::arm64::MakeArm64Loader(purgatory_);
  auto plan = kexkit::load::BuildLoadPlan(Opts(false), *arch);
  ASSERT_TRUE(plan) << plan.error().Line();
  EXPECT_EQ(plan->flags, 183ul << 16);
  for (const auto& s : plan->segments) {
    EXPECT_EQ(s.mem % 0x10000, 0u) << s.what;
    EXPECT_EQ(s.memsz % 0x10000, 0u) << s.what;
    // Not in a nested "reserved" range, not in the crash region.
    for (auto [lo, hi] : {std::pair{0x40000000ull, 0x40200000ull},
                          {0x41810000ull, 0x42000000ull},
                          {0x70000000ull, 0x80000000ull},
                          {0xbf000000ull, 0xc0000000ull}}) {
      EXPECT_TRUE(s.mem + s.memsz <= lo || s.mem >= hi) << s.what << " overlaps " << std::hex << lo;
    }
  }
  const auto* kernel = Find(*plan, "kernel");
  const auto* initrd = Find(*plan, "initrd");
  const auto* dt = Find(*plan, "fdt");
  ASSERT_TRUE(kernel && initrd && dt);
  EXPECT_EQ(kernel->mem % (2 << 20), 0u);  // text_offset 0: the 2 MiB-aligned base itself
  EXPECT_GE(kernel->memsz, 0x1000000u);    // image_size, not the file size
  EXPECT_EQ(dt->mem % (2 << 20), 0u);

  std::vector<uint8_t> fdt(dt->buf.begin(), dt->buf.end());
  ASSERT_EQ(fdt_check_full(fdt.data(), fdt.size()), 0);
  const int chosen = fdt_path_offset(fdt.data(), "/chosen");
  ASSERT_GE(chosen, 0);
  int len = 0;
  const char* args = static_cast<const char*>(fdt_getprop(fdt.data(), chosen, "bootargs", &len));
  ASSERT_NE(args, nullptr);
  EXPECT_STREQ(args, "console=ttyAMA0 panic=-1");
  const auto* s =
      static_cast<const uint8_t*>(fdt_getprop(fdt.data(), chosen, "linux,initrd-start", &len));
  ASSERT_TRUE(s != nullptr && len == 8);
  EXPECT_EQ(ReadCells(s, 2), initrd->mem);
  const auto* e =
      static_cast<const uint8_t*>(fdt_getprop(fdt.data(), chosen, "linux,initrd-end", &len));
  ASSERT_TRUE(e != nullptr && len == 8);
  EXPECT_EQ(ReadCells(e, 2), initrd->mem + 100000);
  const auto* kaslr =
      static_cast<const uint8_t*>(fdt_getprop(fdt.data(), chosen, "kaslr-seed", &len));
  ASSERT_TRUE(kaslr != nullptr && len == 8);
  EXPECT_NE(ReadCells(kaslr, 2), 0u) << "the old (consumed, zeroed) seed was kept";
  ASSERT_NE(fdt_getprop(fdt.data(), chosen, "rng-seed", &len), nullptr);
  EXPECT_EQ(len, 64);
  EXPECT_EQ(fdt_getprop(fdt.data(), chosen, "linux,elfcorehdr", &len), nullptr);
  // The purgatory's console: the PL011 stdout-path names.
  bool noted = false;
  for (const auto& n : plan->notes) noted |= n.find("PL011 at 0x9000000") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST_F(Arm64Plan, KdumpChosenNamesTheHeaderAndTheCrashRegion) {
  auto arch = kexkit::arm64::MakeArm64Loader(purgatory_);
  auto plan = kexkit::load::BuildLoadPlan(Opts(true), *arch);
  ASSERT_TRUE(plan) << plan.error().Line();
  EXPECT_EQ(plan->flags, (183ul << 16) | 1);
  for (const auto& s : plan->segments) {
    EXPECT_GE(s.mem, 0x70000000u) << s.what;
    EXPECT_LE(s.mem + s.memsz, 0x80000000u) << s.what;
  }
  EXPECT_EQ(Find(*plan, "backup"), nullptr) << "arm64 backs nothing up";
  const auto* hdr = Find(*plan, "elfcorehdr");
  const auto* dt = Find(*plan, "fdt");
  ASSERT_TRUE(hdr && dt);
  std::vector<uint8_t> fdt(dt->buf.begin(), dt->buf.end());
  const int chosen = fdt_path_offset(fdt.data(), "/chosen");
  int len = 0;
  const auto* h =
      static_cast<const uint8_t*>(fdt_getprop(fdt.data(), chosen, "linux,elfcorehdr", &len));
  ASSERT_TRUE(h != nullptr && len == 16);
  EXPECT_EQ(ReadCells(h, 2), hdr->mem);
  EXPECT_EQ(ReadCells(h + 8, 2), hdr->memsz);
  const auto* u = static_cast<const uint8_t*>(
      fdt_getprop(fdt.data(), chosen, "linux,usable-memory-range", &len));
  ASSERT_TRUE(u != nullptr && len == 16);
  EXPECT_EQ(ReadCells(u, 2), 0x70000000u);
  EXPECT_EQ(ReadCells(u + 8, 2), 0x10000000u);
  // The header: ELF64, EM_AARCH64, RAM less the crash region (no kcore: physical only).
  ASSERT_GE(hdr->buf.size(), 64u);
  EXPECT_EQ(hdr->buf[4], 2);
  EXPECT_EQ(kexkit::LoadUnchecked<uint16_t>(hdr->buf.data() + 18, Endian::kLittle), 183);
}

// crashkernel=512M,high: the kernel reserves the region above 4 GiB and a low one below
// it (for DMA), both named "Crash kernel". The capture kernel must be told both, the high
// one first as kexec-tools orders them, and every segment must land in one of them.
TEST_F(Arm64Plan, KdumpWithHighAndLowCrashRegions) {
  std::ofstream(dir_ + "/iomem") << "09000000-09000fff : pl011@9000000\n"
                                    "40000000-13fffffff : System RAM\n"
                                    "  40000000-401fffff : reserved\n"
                                    "  40210000-4180ffff : Kernel code\n"
                                    "  42000000-42cfffff : Kernel data\n"
                                    "  70000000-77ffffff : Crash kernel\n"
                                    "  100000000-11fffffff : Crash kernel\n";
  auto arch = kexkit::arm64::MakeArm64Loader(purgatory_);
  auto plan = kexkit::load::BuildLoadPlan(Opts(true), *arch);
  ASSERT_TRUE(plan) << plan.error().Line();
  for (const auto& s : plan->segments) {
    const bool low = s.mem >= 0x70000000u && s.mem + s.memsz <= 0x78000000u;
    const bool high = s.mem >= 0x100000000u && s.mem + s.memsz <= 0x120000000u;
    EXPECT_TRUE(low || high) << s.what << " at 0x" << std::hex << s.mem;
  }
  const auto* dt = Find(*plan, "fdt");
  ASSERT_TRUE(dt != nullptr);
  std::vector<uint8_t> fdt(dt->buf.begin(), dt->buf.end());
  int len = 0;
  const auto* u = static_cast<const uint8_t*>(fdt_getprop(
      fdt.data(), fdt_path_offset(fdt.data(), "/chosen"), "linux,usable-memory-range", &len));
  ASSERT_TRUE(u != nullptr && len == 32) << len;
  EXPECT_EQ(ReadCells(u, 2), 0x100000000u);
  EXPECT_EQ(ReadCells(u + 8, 2), 0x20000000u);
  EXPECT_EQ(ReadCells(u + 16, 2), 0x70000000u);
  EXPECT_EQ(ReadCells(u + 24, 2), 0x8000000u);
}

TEST_F(Arm64Plan, RefusesOtherArchesOptions) {
  auto arch = kexkit::arm64::MakeArm64Loader(purgatory_);
  auto opt = Opts(false);
  opt.type = "bzImage";
  auto r = arch->CheckOptions(opt);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().Line().find("--type=bzImage"), std::string::npos) << r.error().Line();
  opt.type.clear();
  opt.noefi = true;
  EXPECT_FALSE(arch->CheckOptions(opt).has_value());
}

}  // namespace
#endif  // KK_HAVE_PPC64_LOADER
