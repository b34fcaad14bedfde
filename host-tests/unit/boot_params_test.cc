// BuildBootParams, checked at the byte offsets of the x86 boot protocol
// [Documentation/arch/x86/boot.rst, zero-page.rst] rather than through the struct
// (whose offsets x86-boot-params.h asserts at compile time): the two must agree.
// Also E820FromMap and ChooseSerialConsole.
#include <gtest/gtest.h>

#include <cstring>

#include "arch/x86/bzimage.h"
#include "arch/x86/x86-loader.h"
#include "base/bytes.h"
#include "kexkit/x86-boot-params.h"
#include "loader/options.h"
#include "unit/test-files.h"

namespace {

namespace x86 = kexkit::x86;
using Bytes = std::vector<uint8_t>;

// Offsets from the documents, not from the header under test.
constexpr size_t kAcpiRsdpAddr = 0x070, kExtRamdiskImage = 0x0c0, kExtRamdiskSize = 0x0c4,
                 kExtCmdLinePtr = 0x0c8, kE820Entries = 0x1e8, kSentinel = 0x1ef,
                 kSetupSects = 0x1f1, kHeader = 0x202, kVersion = 0x206, kTypeOfLoader = 0x210,
                 kLoadflags = 0x211, kCode32Start = 0x214, kRamdiskImage = 0x218,
                 kRamdiskSize = 0x21c, kCmdLinePtr = 0x228, kKernelAlignment = 0x230,
                 kCmdlineSize = 0x238, kSetupData = 0x250, kE820Table = 0x2d0;

template <typename T>
T Get(const Bytes& b, uint64_t off) {
  EXPECT_LE(off + sizeof(T), b.size()) << "read at 0x" << std::hex << off;
  if (off + sizeof(T) > b.size()) return 0;
  return kexkit::LoadUnchecked<T>(b.data() + off, kexkit::Endian::kLittle);
}
template <typename T>
void Poke(Bytes& b, size_t off, T v) {
  kexkit::StoreUnchecked<T>(b.data() + off, v, kexkit::Endian::kLittle);
}

// A kernel image with a protocol-`version` header; it must outlive the BzImage.
struct Kernel {
  Bytes file;
  x86::BzImage bz;
};

Kernel MakeKernel(uint16_t version, uint32_t cmdline_size = 2047) {
  Kernel k;
  k.file.assign(5 * 512 + 4096, 0);
  Bytes& b = k.file;
  b[kSetupSects] = 4;
  Poke<uint16_t>(b, 0x1fe, x86::kBootFlag);
  b[0x200] = 0xeb;
  b[0x201] = 0x6a;  // header ends at 0x26c (protocol 2.15)
  Poke<uint32_t>(b, kHeader, x86::kHdrSMagic);
  Poke<uint16_t>(b, kVersion, version);
  b[kLoadflags] = x86::kCanUseHeap;  // a bit the loader must keep
  Poke<uint32_t>(b, 0x1f4, 4096 / 16);
  Poke<uint32_t>(b, kKernelAlignment, 0x200000);
  b[0x234] = 1;
  Poke<uint16_t>(b, 0x236, x86::kXlfKernel64 | x86::kXlfCanBeLoadedAbove4G);
  Poke<uint32_t>(b, kCmdlineSize, cmdline_size);
  Poke<uint64_t>(b, 0x258, 0x1000000);
  Poke<uint32_t>(b, 0x260, 0x2000000);
  auto bz = x86::ParseBzImage(b, "synthetic");
  EXPECT_TRUE(bz) << bz.error().Line();
  if (bz) k.bz = *bz;
  return k;
}

std::vector<x86::E820Entry> E820(size_t n) {
  std::vector<x86::E820Entry> v;
  for (size_t i = 0; i < n; ++i) {
    v.push_back({0x100000 * (i + 1), 0x80000 + i, static_cast<uint32_t>(1 + i % 5)});
  }
  return v;
}

Bytes Seed() {
  Bytes s(32);
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<uint8_t>(0xa0 + i);
  return s;
}

uint64_t Align16(uint64_t v) { return (v + 15) & ~uint64_t{15}; }

TEST(BootParams, HeaderLoaderFieldsAndCommandLine) {
  Kernel k = MakeKernel(0x020f);
  const uint64_t addr = 0x10000, kernel = 0x1000000, initrd = 0x3f000000, initrd_size = 0x123456;
  const std::string cmdline = "console=ttyS0,115200 root=/dev/vda quiet";
  const auto e820 = E820(3);
  const Bytes b =
      x86::BuildBootParams(k.bz, addr, cmdline, kernel, initrd, initrd_size, e820, {}, Seed());
  ASSERT_EQ(b.size(), x86::BootParamsSize(k.bz, e820.size()));
  ASSERT_GE(b.size(), 4096u + 2048u);

  // The setup header is the kernel's, except where the loader writes.
  for (size_t off = kSetupSects; off < 0x26c; ++off) {
    const bool loader_field = off == kTypeOfLoader || off == kLoadflags ||
                              (off >= kCode32Start && off < kRamdiskSize + 4) ||
                              (off >= kCmdLinePtr && off < kCmdLinePtr + 4) ||
                              (off >= kSetupData && off < kSetupData + 8);
    if (!loader_field) {
      EXPECT_EQ(b[off], k.file[off]) << "setup header byte 0x" << std::hex << off;
    }
  }
  EXPECT_EQ(Get<uint32_t>(b, kHeader), x86::kHdrSMagic);
  EXPECT_EQ(Get<uint16_t>(b, kVersion), 0x020f);
  EXPECT_EQ(b[kSentinel], 0) << "a set sentinel makes the kernel wipe boot_params fields";

  EXPECT_EQ(b[kTypeOfLoader], 0xd0) << "kexec's loader id [boot.rst: 0xD]";
  EXPECT_EQ(b[kLoadflags], x86::kCanUseHeap | x86::kLoadedHigh);
  EXPECT_EQ(Get<uint32_t>(b, kCode32Start), kernel);
  EXPECT_EQ(Get<uint32_t>(b, kRamdiskImage), initrd);
  EXPECT_EQ(Get<uint32_t>(b, kRamdiskSize), initrd_size);
  EXPECT_EQ(Get<uint32_t>(b, kExtRamdiskImage), 0u);
  EXPECT_EQ(Get<uint32_t>(b, kExtRamdiskSize), 0u);

  // The command line follows the zero page, NUL-terminated, inside cmdline_size + 1.
  EXPECT_EQ(Get<uint32_t>(b, kCmdLinePtr), addr + 4096);
  EXPECT_EQ(Get<uint32_t>(b, kExtCmdLinePtr), 0u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(b.data() + 4096)), cmdline);

  // e820 in the zero page.
  ASSERT_EQ(b[kE820Entries], 3);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(Get<uint64_t>(b, kE820Table + 20 * i), uint64_t{e820[i].addr}) << "e820 " << i;
    EXPECT_EQ(Get<uint64_t>(b, kE820Table + 20 * i + 8), uint64_t{e820[i].size}) << "e820 " << i;
    EXPECT_EQ(Get<uint32_t>(b, kE820Table + 20 * i + 16), uint32_t{e820[i].type}) << "e820 " << i;
  }
  EXPECT_EQ(Get<uint64_t>(b, kE820Table + 20 * 3), 0u) << "nothing past the count";

  // setup_data: only the RNG seed node, right after the command line area.
  const uint64_t rng_off = 4096 + Align16(2047 + 1);
  EXPECT_EQ(Get<uint64_t>(b, kSetupData), addr + rng_off);
  EXPECT_EQ(Get<uint64_t>(b, rng_off), 0u) << "end of the chain";
  EXPECT_EQ(Get<uint32_t>(b, rng_off + 8), x86::kSetupRngSeed);
  EXPECT_EQ(Get<uint32_t>(b, rng_off + 12), 32u);
  const Bytes seed = Seed();
  EXPECT_EQ(0, std::memcmp(b.data() + rng_off + 16, seed.data(), 32));
  EXPECT_LE(rng_off + 16 + 32, b.size());
}

TEST(BootParams, AddressesAboveFourGiBAreSplit) {
  Kernel k = MakeKernel(0x020f);
  const uint64_t addr = 0x100002000, initrd = 0x123400000, initrd_size = 0x100001000;
  const Bytes b =
      x86::BuildBootParams(k.bz, addr, "x", 0x1000000, initrd, initrd_size, E820(1), {}, Seed());
  EXPECT_EQ(Get<uint32_t>(b, kRamdiskImage), 0x23400000u);
  EXPECT_EQ(Get<uint32_t>(b, kExtRamdiskImage), 0x1u);
  EXPECT_EQ(Get<uint32_t>(b, kRamdiskSize), 0x00001000u);
  EXPECT_EQ(Get<uint32_t>(b, kExtRamdiskSize), 0x1u);
  EXPECT_EQ(Get<uint32_t>(b, kCmdLinePtr), 0x00003000u);
  EXPECT_EQ(Get<uint32_t>(b, kExtCmdLinePtr), 0x1u);
  EXPECT_EQ(Get<uint64_t>(b, kSetupData), addr + 4096 + Align16(2048));
}

TEST(BootParams, MoreThan128E820EntriesGoToSetupE820Ext) {
  Kernel k = MakeKernel(0x020f);
  const uint64_t addr = 0x20000;
  const auto e820 = E820(200);
  const Bytes b = x86::BuildBootParams(k.bz, addr, "", 0x1000000, 0, 0, e820, {}, Seed());
  ASSERT_EQ(b.size(), x86::BootParamsSize(k.bz, e820.size()));
  ASSERT_EQ(b[kE820Entries], 128);
  for (size_t i = 0; i < 128; ++i) {
    ASSERT_EQ(Get<uint64_t>(b, kE820Table + 20 * i), uint64_t{e820[i].addr}) << "e820 " << i;
  }
  // setup_data -> E820_EXT (entries 128..199) -> RNG seed -> end.
  const uint64_t ext = Get<uint64_t>(b, kSetupData) - addr;
  ASSERT_EQ(ext, 4096 + Align16(2048));
  EXPECT_EQ(Get<uint32_t>(b, ext + 8), x86::kSetupE820Ext);
  ASSERT_EQ(Get<uint32_t>(b, ext + 12), 72u * 20);
  for (size_t i = 0; i < 72; ++i) {
    const uint64_t e = ext + 16 + 20 * i;
    EXPECT_EQ(Get<uint64_t>(b, e), uint64_t{e820[128 + i].addr}) << "e820 " << 128 + i;
    EXPECT_EQ(Get<uint64_t>(b, e + 8), uint64_t{e820[128 + i].size}) << "e820 " << 128 + i;
    EXPECT_EQ(Get<uint32_t>(b, e + 16), uint32_t{e820[128 + i].type}) << "e820 " << 128 + i;
  }
  const uint64_t rng = Get<uint64_t>(b, ext) - addr;
  EXPECT_EQ(rng, ext + Align16(16 + 72 * 20));
  EXPECT_EQ(Get<uint32_t>(b, rng + 8), x86::kSetupRngSeed);
  EXPECT_EQ(Get<uint64_t>(b, rng), 0u);
  EXPECT_LE(rng + 16 + 32, b.size());
}

TEST(BootParams, Exactly128EntriesNeedNoExtension) {
  Kernel k = MakeKernel(0x020f);
  const Bytes b = x86::BuildBootParams(k.bz, 0x20000, "", 0x1000000, 0, 0, E820(128), {}, Seed());
  EXPECT_EQ(b[kE820Entries], 128);
  const uint64_t first = Get<uint64_t>(b, kSetupData) - 0x20000;
  EXPECT_EQ(Get<uint32_t>(b, first + 8), x86::kSetupRngSeed) << "no E820_EXT node";
  EXPECT_EQ(x86::BootParamsSize(k.bz, 128), x86::BootParamsSize(k.bz, 0));
  EXPECT_GT(x86::BootParamsSize(k.bz, 129), x86::BootParamsSize(k.bz, 128));
}

TEST(BootParams, NoRngSeedBeforeProtocol209OrWithoutASeed) {
  Kernel old = MakeKernel(0x0208);
  Bytes b = x86::BuildBootParams(old.bz, 0x20000, "", 0x1000000, 0, 0, E820(2), {}, Seed());
  EXPECT_EQ(Get<uint64_t>(b, kSetupData), 0u) << "setup_data is 2.09+";
  Kernel k = MakeKernel(0x020f);
  b = x86::BuildBootParams(k.bz, 0x20000, "", 0x1000000, 0, 0, E820(2), {}, {});
  EXPECT_EQ(Get<uint64_t>(b, kSetupData), 0u);
  // With an extension node but no seed, the chain ends at the extension.
  b = x86::BuildBootParams(k.bz, 0x20000, "", 0x1000000, 0, 0, E820(130), {}, {});
  const uint64_t ext = Get<uint64_t>(b, kSetupData) - 0x20000;
  EXPECT_EQ(Get<uint32_t>(b, ext + 8), x86::kSetupE820Ext);
  EXPECT_EQ(Get<uint64_t>(b, ext), 0u);
}

TEST(BootParams, RunningKernelsScreenInfoAndRsdp) {
  Bytes base(4096, 0);
  for (size_t i = 0; i < 0x40; ++i) base[i] = static_cast<uint8_t>(i + 1);  // screen_info
  Poke<uint64_t>(base, kAcpiRsdpAddr, 0xf5a40);
  base[0x100] = 0x77;  // elsewhere: not copied
  Kernel k = MakeKernel(0x020f);
  Bytes b = x86::BuildBootParams(k.bz, 0x20000, "", 0x1000000, 0, 0, E820(1), base, Seed());
  EXPECT_EQ(0, std::memcmp(b.data(), base.data(), 0x40));
  EXPECT_EQ(Get<uint64_t>(b, kAcpiRsdpAddr), 0xf5a40u);
  EXPECT_EQ(b[0x100], 0);
  // acpi_rsdp_addr is 2.14+: an older kernel would not read it; it stays zero.
  Kernel old = MakeKernel(0x020d);
  b = x86::BuildBootParams(old.bz, 0x20000, "", 0x1000000, 0, 0, E820(1), base, Seed());
  EXPECT_EQ(Get<uint64_t>(b, kAcpiRsdpAddr), 0u);
  EXPECT_EQ(b[0], 1) << "screen_info is copied whatever the protocol";
  // A short /sys/kernel/boot_params/data is ignored.
  b = x86::BuildBootParams(k.bz, 0x20000, "", 0x1000000, 0, 0, E820(1),
                           std::span<const uint8_t>(base).first(100), Seed());
  EXPECT_EQ(b[0], 0);
}

TEST(BootParams, DebianKernelHeader) {
  const std::string path = kktest::TestKernelX86_64();
  ASSERT_FALSE(path.empty()) << kktest::kNoKernelMessage;
  auto file = kktest::ReadFile(path);
  ASSERT_TRUE(file);
  auto bz = x86::ParseBzImage(*file, path);
  ASSERT_TRUE(bz) << bz.error().Line();
  const Bytes b = x86::BuildBootParams(*bz, 0x3000, "root=/dev/vda", 0x1000000, 0x3f000000, 0x1000,
                                       E820(5), {}, Seed());
  EXPECT_EQ(Get<uint32_t>(b, kHeader), x86::kHdrSMagic);
  EXPECT_EQ(Get<uint16_t>(b, kVersion), bz->version);
  EXPECT_EQ(Get<uint32_t>(b, kKernelAlignment), bz->kernel_alignment);
  EXPECT_EQ(Get<uint32_t>(b, kCmdlineSize), bz->cmdline_size);
  EXPECT_EQ(b[kTypeOfLoader], 0xd0);
  EXPECT_EQ(Get<uint32_t>(b, kCmdLinePtr), 0x4000u);
  EXPECT_EQ(Get<uint64_t>(b, kSetupData), 0x3000 + 4096 + Align16(bz->cmdline_size + 1));
}

// --- E820FromMap --------------------------------------------------------------------------

TEST(E820FromMap, TypesAndSkippedRanges) {
  using kexkit::load::MemRange;
  using kexkit::load::RangeType;
  const std::vector<MemRange> map = {
      {0x0, 0x1000, RangeType::kReserved},
      {0x1000, 0x9fc00, RangeType::kRam},
      {0xa0000, 0xc0000, RangeType::kOther},
      {0x100000, 0x3ffe0000, RangeType::kRam},
      {0x3ffe0000, 0x40000000, RangeType::kAcpi},
      {0x40000000, 0x40001000, RangeType::kNvs},
      {0x50000000, 0x60000000, RangeType::kUnusable},
      {0x100000000, 0x200000000, RangeType::kPmem},
  };
  const auto e = x86::E820FromMap(map);
  ASSERT_EQ(e.size(), 7u) << "PCI windows (kOther) are not e820 memory";
  EXPECT_EQ(uint32_t{e[0].type}, x86::kE820Reserved);
  EXPECT_EQ(uint32_t{e[1].type}, x86::kE820Ram);
  EXPECT_EQ(uint64_t{e[1].addr}, 0x1000u);
  EXPECT_EQ(uint64_t{e[1].size}, 0x9ec00u);
  EXPECT_EQ(uint64_t{e[2].addr}, 0x100000u);
  EXPECT_EQ(uint32_t{e[3].type}, x86::kE820Acpi);
  EXPECT_EQ(uint32_t{e[4].type}, x86::kE820Nvs);
  EXPECT_EQ(uint32_t{e[5].type}, x86::kE820Unusable);
  EXPECT_EQ(uint32_t{e[6].type}, x86::kE820Pmem);
  EXPECT_EQ(uint64_t{e[6].size}, 0x100000000u);
}

// --- ChooseSerialConsole -----------------------------------------------------------------

struct Console {
  bool on;
  uint64_t port = 0;
  uint32_t divisor = 0;
  bool program = false;
};

Console Choose(const kexkit::load::Options& o, std::string_view cmdline) {
  Console c{};
  c.on = x86::ChooseSerialConsole(o, cmdline, &c.port, &c.divisor, &c.program);
  return c;
}

TEST(SerialConsole, OffUnlessAsked) {
  kexkit::load::Options o;
  EXPECT_FALSE(Choose(o, "root=/dev/vda quiet").on);
  EXPECT_FALSE(Choose(o, "console=tty0").on);
  EXPECT_FALSE(Choose(o, "xconsole=ttyS0").on) << "only a whole console= word counts";
  EXPECT_FALSE(Choose(o, "console=ttyS7").on) << "ttyS0..3 only";
}

TEST(SerialConsole, FromTheNewCommandLine) {
  kexkit::load::Options o;
  Console c = Choose(o, "root=/dev/vda console=ttyS1,57600n8");
  EXPECT_TRUE(c.on);
  EXPECT_EQ(c.port, 0x2f8u);
  EXPECT_TRUE(c.program);
  EXPECT_EQ(c.divisor, 2u);
  c = Choose(o, "console=ttyS0");
  EXPECT_TRUE(c.on);
  EXPECT_EQ(c.port, 0x3f8u);
  EXPECT_FALSE(c.program) << "no baud given: keep the speed the UART has";
  c = Choose(o, "console=ttyS0,12345");  // does not divide 115200
  EXPECT_TRUE(c.on);
  EXPECT_FALSE(c.program);
}

TEST(SerialConsole, OptionsWinOverTheCommandLine) {
  kexkit::load::Options o;
  o.serial_port = 0x3e8;
  o.serial_baud = 9600;
  Console c = Choose(o, "console=ttyS1,115200");
  EXPECT_TRUE(c.on);
  EXPECT_EQ(c.port, 0x3e8u);
  EXPECT_EQ(c.divisor, 12u);
  EXPECT_TRUE(c.program);
  kexkit::load::Options cs;
  cs.console_serial = true;
  c = Choose(cs, "quiet");
  EXPECT_TRUE(c.on);
  EXPECT_EQ(c.port, 0x3f8u);
  EXPECT_FALSE(c.program);
}

}  // namespace
