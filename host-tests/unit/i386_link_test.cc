// kexkit's linker against GNU ld on i386 objects built at build time (host-tests/i386.cmake):
// a compiled + nasm object combined with `ld -r`, and the real i386 purgatory.ro. For
// each base, kexkit's image must equal ld's byte for byte, every global symbol must land
// at ld's address, and the memory image (NOBITS included) must end where ld's does.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/elf.h"
#include "kexkit/purgatory-abi.h"
#include "linker/link.h"
#include "linker/object.h"
#include "unit/golden-link.h"

namespace {

using kexkit::link::Link;
using kexkit::link::RelocatableObject;

using kktest::GoldenCase;

class I386Golden : public testing::TestWithParam<GoldenCase> {};

TEST_P(I386Golden, MatchesGnuLd) {
  const GoldenCase& c = GetParam();
  const std::string dir = KK_I386_GOLDEN_DIR;
  if (dir.empty()) GTEST_SKIP() << "no i686-linux-gnu toolchain at configure time";
  std::string object = dir + "/combined.ro";
  if (std::string(c.stem) == "purgatory") {
    object = KK_I386_PURGATORY;
    if (object.empty()) GTEST_SKIP() << "i386 is not in KEXKIT_PURGATORY_ARCHES";
  }
  kktest::ExpectLinkMatchesGnuLd(object, kktest::GoldenStem(dir, c), c.base, kexkit::elf::kEm386,
                                 kexkit::link::ElfClass::k32, 4);
}

// The same bases as host-tests/i386.cmake.
INSTANTIATE_TEST_SUITE_P(Combined, I386Golden,
                         testing::Values(GoldenCase{"combined", 0x3000},
                                         GoldenCase{"combined", 0x1ff00000},
                                         GoldenCase{"combined", 0xfff00000}),
                         kktest::GoldenCaseName);
INSTANTIATE_TEST_SUITE_P(Purgatory, I386Golden,
                         testing::Values(GoldenCase{"purgatory", 0x5000},
                                         GoldenCase{"purgatory", 0x1ff00000},
                                         GoldenCase{"purgatory", 0xfff00000}),
                         kktest::GoldenCaseName);

// The i386 purgatory's ABI as the loader uses it: the entry symbol, the hand-off block
// at sizeof(EntryI386), the parameter block in PROGBITS, and the stack top.
TEST(I386Purgatory, AbiSymbols) {
  const std::string path = KK_I386_PURGATORY;
  if (path.empty()) GTEST_SKIP() << "i386 is not in KEXKIT_PURGATORY_ARCHES";
  bool ok = false;
  const std::vector<uint8_t> bytes = kktest::Slurp(path, &ok);
  ASSERT_TRUE(ok) << path;
  auto obj = RelocatableObject::Parse(bytes, path);
  ASSERT_TRUE(obj.has_value()) << obj.error().Line();
  auto image = Link(*obj, 0x5000);
  ASSERT_TRUE(image.has_value()) << image.error().Line();
  EXPECT_TRUE(image->SymbolAddress("kexkit_start").has_value());
  EXPECT_TRUE(image->SymbolAddress("kexkit_stack_top").has_value());
  std::vector<uint8_t> entry(sizeof(kexkit::abi::EntryI386), 0);
  auto set = image->SetSymbol("kexkit_entry_i386", entry);
  EXPECT_TRUE(set.has_value()) << set.error().Line();
  std::vector<uint8_t> params(sizeof(kexkit::abi::PurgatoryParams), 0);
  set = image->SetSymbol("kexkit_params", params);
  EXPECT_TRUE(set.has_value()) << set.error().Line();
  // The x86_64 block is not in the i386 blob: a loader of the wrong width fails loudly.
  EXPECT_FALSE(image->SymbolAddress("kexkit_entry_x86_64").has_value());
}

// Past the top of the 32-bit space: refused, not wrapped.
TEST(I386Purgatory, RefusesImageAbove4G) {
  const std::string path = KK_I386_PURGATORY;
  if (path.empty()) GTEST_SKIP() << "i386 is not in KEXKIT_PURGATORY_ARCHES";
  bool ok = false;
  const std::vector<uint8_t> bytes = kktest::Slurp(path, &ok);
  ASSERT_TRUE(ok) << path;
  auto obj = RelocatableObject::Parse(bytes, path);
  ASSERT_TRUE(obj.has_value()) << obj.error().Line();
  auto image = Link(*obj, 0xffffc000);
  ASSERT_FALSE(image.has_value());
  EXPECT_NE(image.error().Line().find("does not fit the address space"), std::string::npos)
      << image.error().Line();
}

}  // namespace
