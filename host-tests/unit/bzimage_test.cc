// bzImage parsing [Documentation/arch/x86/boot.rst] on Debian's real x86_64 kernel, and
// its refusals: truncated, garbage, ELF, old protocol, inconsistent header.
#include "arch/x86/bzimage.h"

#include <gtest/gtest.h>

#include <random>

#include "base/bytes.h"
#include "kexkit/x86-boot-params.h"
#include "unit/test-files.h"

namespace {

using kexkit::x86::BzImage;
using kexkit::x86::ParseBzImage;
using Bytes = std::vector<uint8_t>;

template <typename T>
T Raw(const Bytes& b, size_t off) {
  return kexkit::LoadUnchecked<T>(b.data() + off, kexkit::Endian::kLittle);
}
template <typename T>
void Poke(Bytes& b, size_t off, T v) {
  kexkit::StoreUnchecked<T>(b.data() + off, v, kexkit::Endian::kLittle);
}

class DebianKernel : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = kktest::TestKernelX86_64();
    ASSERT_FALSE(path_.empty()) << kktest::kNoKernelMessage;
    auto b = kktest::ReadFile(path_);
    ASSERT_TRUE(b) << "cannot read " << path_;
    file_ = std::move(*b);
  }
  void ExpectError(const Bytes& b, const std::string& what) {
    auto bz = ParseBzImage(b, "vmlinuz-test");
    ASSERT_FALSE(bz) << "parsed, but must fail with: " << what;
    EXPECT_EQ(bz.error().Line().rfind("vmlinuz-test: ", 0), 0u) << bz.error().Line();
    EXPECT_NE(bz.error().Line().find(what), std::string::npos)
        << "'" << what << "' missing from: " << bz.error().Line();
  }
  std::string path_;
  Bytes file_;
};

TEST_F(DebianKernel, HeaderFieldsAsTheBootProtocolDefinesThem) {
  auto bz = ParseBzImage(file_, path_);
  ASSERT_TRUE(bz) << bz.error().Line();
  EXPECT_GE(bz->version, 0x020c) << "a 64-bit entry needs boot protocol 2.12";
  EXPECT_EQ(bz->version, Raw<uint16_t>(file_, 0x206));
  EXPECT_TRUE(bz->xloadflags & kexkit::x86::kXlfKernel64) << "XLF_KERNEL_64";
  EXPECT_TRUE(bz->xloadflags & kexkit::x86::kXlfCanBeLoadedAbove4G);
  EXPECT_TRUE(bz->Has64BitEntry());
  EXPECT_NE(bz->relocatable, 0) << "Debian builds CONFIG_RELOCATABLE";
  EXPECT_NE(bz->kernel_alignment, 0u);
  EXPECT_EQ(bz->kernel_alignment & (bz->kernel_alignment - 1), 0u) << "power of two";
  EXPECT_GE(bz->kernel_alignment, 4096u);
  EXPECT_EQ(bz->kernel_alignment, Raw<uint32_t>(file_, 0x230));
  EXPECT_EQ(bz->pref_address, Raw<uint64_t>(file_, 0x258));
  EXPECT_EQ(bz->pref_address % bz->kernel_alignment, 0u);
  EXPECT_EQ(bz->cmdline_size, Raw<uint32_t>(file_, 0x238));
  EXPECT_EQ(bz->initrd_addr_max, Raw<uint32_t>(file_, 0x22c));
  EXPECT_TRUE(bz->loadflags & kexkit::x86::kLoadedHigh) << "a bzImage loads high";

  // The protected-mode part follows the setup sectors, and init_size (what it needs
  // to decompress in place) is larger than what the file carries.
  const uint32_t setup_sects = file_[0x1f1] == 0 ? 4 : file_[0x1f1];
  EXPECT_EQ(bz->setup_sects, setup_sects);
  EXPECT_EQ(bz->kernel.data(), file_.data() + (setup_sects + 1) * 512);
  EXPECT_EQ(bz->kernel.size(), file_.size() - (setup_sects + 1) * 512);
  EXPECT_GE(bz->kernel.size(), uint64_t{Raw<uint32_t>(file_, 0x1f4)} * 16) << "syssize";
  EXPECT_EQ(bz->init_size, Raw<uint32_t>(file_, 0x260));
  EXPECT_GT(bz->init_size, bz->kernel.size());

  // setup_header: from 0x1f1 to the end the jump at 0x200 gives (0x202 + byte 0x201),
  // covering every field of the protocol this kernel speaks (2.15: kernel_info_offset).
  EXPECT_EQ(bz->setup_header.data(), file_.data() + 0x1f1);
  EXPECT_EQ(bz->setup_header.size(), 0x202u + file_[0x201] - 0x1f1);
  if (bz->version >= 0x020f) {
    EXPECT_GE(0x1f1 + bz->setup_header.size(),
              0x1f1 + offsetof(kexkit::x86::SetupHeader, kernel_info_offset) + 4);
  }
  EXPECT_EQ(Raw<uint32_t>(file_, 0x202), kexkit::x86::kHdrSMagic);
}

TEST_F(DebianKernel, TruncatedInsideTheSetupSectors) {
  ExpectError(Bytes(file_.begin(), file_.begin() + 0x1000), "setup sectors reach past the end");
}

TEST_F(DebianKernel, TruncatedInsideTheKernel) {
  const size_t kernel_off = (size_t{file_[0x1f1]} + 1) * 512;
  ExpectError(Bytes(file_.begin(), file_.begin() + static_cast<ptrdiff_t>(kernel_off + 4096)),
              "truncated: the header promises");
  ExpectError(Bytes(file_.begin(), file_.end() - 0x10000), "truncated");
}

TEST_F(DebianKernel, TruncatedBeforeTheHeader) {
  ExpectError(Bytes(file_.begin(), file_.begin() + 0x100), "too small to be a bzImage");
  ExpectError(Bytes(file_.begin(), file_.begin() + 0x205), "too small");
  ExpectError({}, "0 bytes, too small");
}

TEST_F(DebianKernel, ProtocolTooOld) {
  Bytes b = file_;
  Poke<uint16_t>(b, 0x206, 0x0201);
  ExpectError(b, "boot protocol 2.01 is too old");
}

TEST_F(DebianKernel, KernelAlignmentNotAPowerOfTwo) {
  Bytes b = file_;
  Poke<uint32_t>(b, 0x230, 0x300000);
  ExpectError(b, "kernel_alignment 0x300000 is not a power of two");
}

TEST_F(DebianKernel, MagicOrBootFlagMissing) {
  Bytes b = file_;
  Poke<uint32_t>(b, 0x202, 0x53726449);
  ExpectError(b, "not a bzImage");
  b = file_;
  Poke<uint16_t>(b, 0x1fe, 0);
  ExpectError(b, "not a bzImage");
}

TEST(BzImage, GarbageIsNotABzImage) {
  Bytes b(1 << 16);
  std::mt19937 rng(9);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  auto bz = ParseBzImage(b, "garbage.bin");
  ASSERT_FALSE(bz);
  EXPECT_NE(bz.error().Line().find("garbage.bin: not a bzImage"), std::string::npos)
      << bz.error().Line();
}

TEST(BzImage, ElfIsRefusedAsElf) {
  // A real ELF executable from the build (GNU ld's golden link).
  auto b = kktest::ReadFile(kktest::GoldenPath("x86_64-reloc-0x100000.elf"));
  ASSERT_TRUE(b);
  auto bz = ParseBzImage(*b, "vmlinux");
  ASSERT_FALSE(bz);
  EXPECT_NE(bz.error().Line().find("vmlinux: an ELF file (vmlinux?), not a bzImage"),
            std::string::npos)
      << bz.error().Line();
}

// A synthetic header: protocol and header length gate which fields are read.
Bytes SyntheticBzImage(uint16_t version, uint8_t jump_len) {
  Bytes b(5 * 512 + 4096, 0);
  b[0x1f1] = 4;  // setup_sects
  Poke<uint16_t>(b, 0x1fe, kexkit::x86::kBootFlag);
  b[0x200] = 0xeb;
  b[0x201] = jump_len;
  Poke<uint32_t>(b, 0x202, kexkit::x86::kHdrSMagic);
  Poke<uint16_t>(b, 0x206, version);
  Poke<uint32_t>(b, 0x1f4, 4096 / 16);   // syssize
  Poke<uint32_t>(b, 0x22c, 0x12345678);  // initrd_addr_max (2.03)
  Poke<uint32_t>(b, 0x230, 0x400000);    // kernel_alignment (2.05)
  b[0x234] = 1;                          // relocatable_kernel (2.05)
  Poke<uint16_t>(b, 0x236, 3);           // xloadflags (2.12)
  Poke<uint32_t>(b, 0x238, 4095);        // cmdline_size (2.06)
  Poke<uint64_t>(b, 0x258, 0x2000000);   // pref_address (2.10)
  Poke<uint32_t>(b, 0x260, 0x800000);    // init_size (2.10)
  return b;
}

TEST(BzImage, FieldsAreGatedByProtocolVersion) {
  auto v204 = ParseBzImage(SyntheticBzImage(0x0204, 0x6a), "old");
  ASSERT_TRUE(v204) << v204.error().Line();
  EXPECT_EQ(v204->initrd_addr_max, 0x12345678u);
  EXPECT_EQ(v204->kernel_alignment, 0u) << "2.05 field read from a 2.04 header";
  EXPECT_EQ(v204->relocatable, 0);
  EXPECT_EQ(v204->cmdline_size, 255u) << "before 2.06 the command line is 255 bytes";
  EXPECT_EQ(v204->xloadflags, 0);
  EXPECT_EQ(v204->pref_address, 0x100000u);
  EXPECT_EQ(v204->init_size, 0u);
  EXPECT_FALSE(v204->Has64BitEntry());

  auto v20c = ParseBzImage(SyntheticBzImage(0x020c, 0x6a), "new");
  ASSERT_TRUE(v20c) << v20c.error().Line();
  EXPECT_EQ(v20c->kernel_alignment, 0x400000u);
  EXPECT_EQ(v20c->cmdline_size, 4095u);
  EXPECT_EQ(v20c->xloadflags, 3);
  EXPECT_EQ(v20c->pref_address, 0x2000000u);
  EXPECT_EQ(v20c->init_size, 0x800000u);
  EXPECT_TRUE(v20c->Has64BitEntry());
  EXPECT_EQ(v20c->kernel.size(), 4096u);
}

TEST(BzImage, FieldsPastTheHeaderEndAreNotRead) {
  // Protocol 2.12 but a header that ends at 0x252: pref_address and init_size are
  // outside it and keep their defaults.
  auto bz = ParseBzImage(SyntheticBzImage(0x020c, 0x50), "short");
  ASSERT_TRUE(bz) << bz.error().Line();
  EXPECT_EQ(bz->setup_header.size(), 0x252u - 0x1f1);
  EXPECT_EQ(bz->xloadflags, 3);
  EXPECT_EQ(bz->pref_address, 0x100000u);
  EXPECT_EQ(bz->init_size, 0u);
}

TEST(BzImage, SetupHeaderRunningPastTheFile) {
  Bytes b = SyntheticBzImage(0x020c, 0xff);
  b.resize(0x280);
  auto bz = ParseBzImage(b, "tiny");
  ASSERT_FALSE(bz);
  EXPECT_NE(bz.error().Line().find("tiny: setup header runs past the end"), std::string::npos)
      << bz.error().Line();
}

TEST(BzImage, NoProtectedModePart) {
  Bytes b = SyntheticBzImage(0x020c, 0x6a);
  b.resize(5 * 512);  // setup sectors only
  auto bz = ParseBzImage(b, "setup-only");
  ASSERT_FALSE(bz);
  EXPECT_NE(bz.error().Line().find("setup-only: 4 setup sectors reach past the end"),
            std::string::npos)
      << bz.error().Line();
}

}  // namespace
