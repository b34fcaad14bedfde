// kexkit's linker against GNU ld on aarch64 objects built at build time
// (host-tests/aarch64.cmake): hand-written relocations plus compiled code combined with
// `ld -r`, the narrow absolute forms at a low base, and the real aarch64 purgatory.ro.
// For each base, kexkit's image must equal ld's byte for byte, every global symbol must
// land at ld's address, and the memory image must end where ld's does. Then the field
// encodings and the overflow and alignment refusals on single instructions.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/elf.h"
#include "kexkit/purgatory-abi.h"
#include "linker/link.h"
#include "linker/object.h"
#include "linker/reloc.h"
#include "unit/golden-link.h"

namespace {

using kexkit::Endian;
using kexkit::link::FindRelocArch;
using kexkit::link::Link;
using kexkit::link::RelocatableObject;
using kexkit::link::RelocSite;

using kktest::GoldenCase;

class Arm64Golden : public testing::TestWithParam<GoldenCase> {};

TEST_P(Arm64Golden, MatchesGnuLd) {
  const GoldenCase& c = GetParam();
  const std::string dir = KK_A64_GOLDEN_DIR;
  if (dir.empty()) GTEST_SKIP() << "no aarch64-linux-gnu toolchain at configure time";
  std::string object = dir + "/" + c.stem + (std::string(c.stem) == "narrow" ? ".o" : ".ro");
  if (std::string(c.stem) == "purgatory") {
    object = KK_A64_PURGATORY;
    if (object.empty()) GTEST_SKIP() << "aarch64 is not in KEXKIT_PURGATORY_ARCHES";
  }
  kktest::ExpectLinkMatchesGnuLd(object, kktest::GoldenStem(dir, c), c.base,
                                 kexkit::elf::kEmAarch64, kexkit::link::ElfClass::k64, 2);
}

// The same bases as host-tests/aarch64.cmake.
INSTANTIATE_TEST_SUITE_P(Combined, Arm64Golden,
                         testing::Values(GoldenCase{"combined", 0x40000000},
                                         GoldenCase{"combined", 0xfff00000},
                                         GoldenCase{"combined", 0x8123456000},
                                         GoldenCase{"narrow", 0x1000}),
                         kktest::GoldenCaseName);
INSTANTIATE_TEST_SUITE_P(Purgatory, Arm64Golden,
                         testing::Values(GoldenCase{"purgatory", 0x40000000},
                                         GoldenCase{"purgatory", 0xfff00000},
                                         GoldenCase{"purgatory", 0x8123456000}),
                         kktest::GoldenCaseName);

// The aarch64 purgatory's ABI as a loader will use it.
TEST(Arm64Purgatory, AbiSymbols) {
  const std::string path = KK_A64_PURGATORY;
  if (path.empty()) GTEST_SKIP() << "aarch64 is not in KEXKIT_PURGATORY_ARCHES";
  bool ok = false;
  const std::vector<uint8_t> bytes = kktest::Slurp(path, &ok);
  ASSERT_TRUE(ok) << path;
  auto obj = RelocatableObject::Parse(bytes, path);
  ASSERT_TRUE(obj.has_value()) << obj.error().Line();
  auto image = Link(*obj, 0x40000000);
  ASSERT_TRUE(image.has_value()) << image.error().Line();
  EXPECT_TRUE(image->SymbolAddress("kexkit_start").has_value());
  EXPECT_TRUE(image->SymbolAddress("kexkit_stack_top").has_value());
  std::vector<uint8_t> entry(sizeof(kexkit::abi::EntryArm64), 0);
  auto set = image->SetSymbol("kexkit_entry_arm64", entry);
  EXPECT_TRUE(set.has_value()) << set.error().Line();
  std::vector<uint8_t> params(sizeof(kexkit::abi::PurgatoryParams), 0);
  set = image->SetSymbol("kexkit_params", params);
  EXPECT_TRUE(set.has_value()) << set.error().Line();
}

// One relocation applied to one instruction (or data word) at `place`.
struct One {
  std::vector<uint8_t> buf = std::vector<uint8_t>(16, 0);
  kexkit::Result<void> Apply(uint32_t type, uint32_t insn, uint64_t place, uint64_t symbol,
                             int64_t addend = 0) {
    kexkit::StoreUnchecked<uint32_t>(buf.data(), insn, Endian::kLittle);
    const auto* arch = FindRelocArch(kexkit::elf::kEmAarch64, kexkit::link::ElfClass::k64);
    if (arch == nullptr) return kexkit::Fail("no aarch64 hook");
    RelocSite s{};
    s.type = type;
    s.image = buf;
    s.offset = 0;
    s.place = place;
    s.symbol = symbol;
    s.addend = addend;
    s.endian = Endian::kLittle;
    return arch->apply(s);
  }
  uint32_t Insn() const { return kexkit::LoadUnchecked<uint32_t>(buf.data(), Endian::kLittle); }
};

constexpr uint32_t kBl = 0x94000000, kB = 0x14000000, kAdrp = 0x90000000, kLdrX = 0xf9400000,
                   kBeq = 0x54000000, kTbz = 0x36000000;

TEST(Arm64Reloc, BranchReachAndEncoding) {
  One o;
  // CALL26: +-128 MiB, offset / 4 in bits 25:0, opcode kept.
  ASSERT_TRUE(o.Apply(283, kBl, 0x40000000, 0x40000000 + 0x7fffffc).has_value());
  EXPECT_EQ(o.Insn(), kBl | 0x1ffffff);
  ASSERT_TRUE(o.Apply(283, kBl, 0x48000000, 0x40000000).has_value());
  EXPECT_EQ(o.Insn(), kBl | 0x2000000);  // -2^27: the sign bit alone
  auto far = o.Apply(283, kBl, 0x40000000, 0x48000000);
  ASSERT_FALSE(far.has_value());
  EXPECT_NE(far.error().Line().find("R_AARCH64_CALL26"), std::string::npos) << far.error().Line();
  EXPECT_FALSE(o.Apply(282, kB, 0x40000000, 0x40000002).has_value());  // not a multiple of 4
  // CONDBR19 (+-1 MiB, bits 23:5) and TSTBR14 (+-32 KiB, bits 18:5), condition kept.
  ASSERT_TRUE(o.Apply(280, kBeq | 0x1, 0x1000, 0x1000 - 4).has_value());
  EXPECT_EQ(o.Insn(), kBeq | 0x1 | (0x7ffffu << 5));
  EXPECT_FALSE(o.Apply(280, kBeq, 0x1000, 0x1000 + (1 << 20)).has_value());
  ASSERT_TRUE(o.Apply(279, kTbz | 3, 0x1000, 0x1000 + 0x7ffc).has_value());
  EXPECT_EQ(o.Insn(), kTbz | 3 | (0x1fffu << 5));
  EXPECT_FALSE(o.Apply(279, kTbz, 0x1000, 0x1000 + 0x8000).has_value());
}

TEST(Arm64Reloc, AdrpPagesAndScaledOffsets) {
  One o;
  // ADRP: Page(S+A) - Page(P), +-4 GiB; immlo bits 30:29, immhi bits 23:5.
  ASSERT_TRUE(o.Apply(275, kAdrp | 5, 0x40000ffc, 0x40003000).has_value());
  EXPECT_EQ(o.Insn(), kAdrp | 5 | (3u << 29));  // 3 pages: immlo 3, immhi 0
  ASSERT_TRUE(o.Apply(275, kAdrp, 0x140000000, 0x40000000).has_value());   // -4 GiB exactly
  EXPECT_EQ(o.Insn(), kAdrp | (1u << 23));                                 // imm = -2^20
  EXPECT_FALSE(o.Apply(275, kAdrp, 0x40000000, 0x140000000).has_value());  // +4 GiB: too far
  EXPECT_TRUE(o.Apply(276, kAdrp, 0x40000000, 0x140000000).has_value());   // _NC: not checked
  // LDST64_ABS_LO12_NC: bits 11:3 of S+A in imm12; a misaligned offset cannot be encoded.
  ASSERT_TRUE(o.Apply(286, kLdrX, 0, 0x40000ff8).has_value());
  EXPECT_EQ(o.Insn(), kLdrX | (0x1ffu << 10));
  auto odd = o.Apply(286, kLdrX, 0, 0x40000ff4);
  ASSERT_FALSE(odd.has_value());
  EXPECT_NE(odd.error().Line().find("8-byte aligned"), std::string::npos) << odd.error().Line();
}

TEST(Arm64Reloc, RefusesGotAndUnknownTypes) {
  One o;
  auto got = o.Apply(311, kAdrp, 0x1000, 0x2000);
  ASSERT_FALSE(got.has_value());
  EXPECT_NE(got.error().Line().find("R_AARCH64_ADR_GOT_PAGE"), std::string::npos);
  auto tls = o.Apply(550, 0, 0x1000, 0x2000);
  ASSERT_FALSE(tls.has_value());
  EXPECT_NE(tls.error().Line().find("type 550"), std::string::npos) << tls.error().Line();
  // ABS32 takes a signed or an unsigned 32-bit value, as GNU ld does.
  EXPECT_TRUE(o.Apply(258, 0, 0, 0xffffffff).has_value());
  EXPECT_TRUE(o.Apply(258, 0, 0, static_cast<uint64_t>(-0x80000000LL)).has_value());
  EXPECT_FALSE(o.Apply(258, 0, 0, 0x100000000).has_value());
}

}  // namespace
