// The R_386_* hook (arch/i386/reloc-i386.cc) on small byte arrays: REL addends read
// back with each type's width and sign, 32-bit wrap-around, GNU ld's overflow rules
// for the narrow types, and refusal of everything that needs a GOT.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "base/bytes.h"
#include "base/elf.h"
#include "linker/reloc.h"

namespace {

using kexkit::Endian;
using kexkit::link::ElfClass;
using kexkit::link::FindRelocArch;
using kexkit::link::RelocArch;
using kexkit::link::RelocSite;

enum : uint32_t {
  kNone = 0,
  k32 = 1,
  kPc32 = 2,
  kGot32 = 3,
  kPlt32 = 4,
  kGotOff = 9,
  kGotPc = 10,
  k16 = 20,
  kPc16 = 21,
  k8 = 22,
  kPc8 = 23,
  kTlsLe = 17
};

const RelocArch& Arch() {
  const RelocArch* a = FindRelocArch(kexkit::elf::kEm386, ElfClass::k32);
  EXPECT_NE(a, nullptr);
  return *a;
}

// Applies one REL relocation at offset 4 of a 12-byte buffer whose place holds
// `in_place` (the implicit addend, little-endian, `width` bytes). Returns the error
// text, or "" and the buffer in *out.
std::string Apply(uint32_t type, int width, uint32_t in_place, uint64_t place, uint64_t symbol,
                  std::vector<uint8_t>* out) {
  std::vector<uint8_t> buf(12, 0xcc);
  for (int i = 0; i < width; ++i) buf[4 + i] = static_cast<uint8_t>(in_place >> (8 * i));
  RelocSite s{type, buf, 4, place, symbol, 0, 0, 0, Endian::kLittle};
  auto a = Arch().implicit_addend(s);
  if (!a) return a.error().Line();
  s.addend = *a;
  auto r = Arch().apply(s);
  if (!r) return r.error().Line();
  *out = buf;
  return "";
}

uint32_t At(const std::vector<uint8_t>& b, int width) {
  uint32_t v = 0;
  for (int i = 0; i < width; ++i) v |= uint32_t{b[4 + i]} << (8 * i);
  return v;
}

TEST(I386Reloc, Abs32AddsTheInPlaceAddend) {
  std::vector<uint8_t> b;
  ASSERT_EQ(Apply(k32, 4, 0x10, 0x5004, 0x6000, &b), "");
  EXPECT_EQ(At(b, 4), 0x6010u);
  EXPECT_EQ(b[3], 0xcc);  // neighbours untouched
  EXPECT_EQ(b[8], 0xcc);
}

TEST(I386Reloc, Abs32WrapsModulo4G) {
  std::vector<uint8_t> b;
  ASSERT_EQ(Apply(k32, 4, 0xfffffff0u, 0x1000, 0x8, &b), "");  // addend -16
  EXPECT_EQ(At(b, 4), 0xfffffff8u);
}

TEST(I386Reloc, Pc32AndPlt32AreRelative) {
  std::vector<uint8_t> b;
  ASSERT_EQ(Apply(kPc32, 4, 0xfffffffcu, 0x2000, 0x1000, &b), "");  // call: addend -4
  EXPECT_EQ(At(b, 4), 0x1000u - 4 - 0x2000);
  ASSERT_EQ(Apply(kPlt32, 4, 0xfffffffcu, 0x1000, 0x2000, &b), "");
  EXPECT_EQ(At(b, 4), 0x2000u - 4 - 0x1000);
  // Across the whole 32-bit space: the CPU wraps too.
  ASSERT_EQ(Apply(kPc32, 4, 0, 0xfff00000, 0x1000, &b), "");
  EXPECT_EQ(At(b, 4), 0x1000u - 0xfff00000u);
}

TEST(I386Reloc, WeakUndefinedIsZero) {
  std::vector<uint8_t> b;
  ASSERT_EQ(Apply(kPc32, 4, 0xfffffffcu, 0x3000, 0, &b), "");
  EXPECT_EQ(At(b, 4), 0u - 4 - 0x3000);
}

TEST(I386Reloc, NarrowAddendsAreSignExtended) {
  std::vector<uint8_t> b;
  ASSERT_EQ(Apply(k16, 2, 0xfff0, 0, 0x108, &b), "");  // addend -16
  EXPECT_EQ(At(b, 2), 0xf8u);
  EXPECT_EQ(b[6], 0xcc);
  ASSERT_EQ(Apply(k8, 1, 0xff, 0, 0x21, &b), "");  // addend -1
  EXPECT_EQ(At(b, 1), 0x20u);
  EXPECT_EQ(b[5], 0xcc);
  ASSERT_EQ(Apply(kPc8, 1, 0xff, 0x100, 0x110, &b), "");  // jecxz: addend -1
  EXPECT_EQ(At(b, 1), 0x0fu);
  ASSERT_EQ(Apply(kPc16, 2, 0xfffe, 0x100, 0x80, &b), "");
  EXPECT_EQ(At(b, 2), static_cast<uint16_t>(0x80 - 2 - 0x100));
}

// GNU ld (bfd complain_overflow_bitfield): 16/8-bit absolute and PC16 take -2^n..2^n-1.
TEST(I386Reloc, BitfieldRangesMatchGnuLd) {
  std::vector<uint8_t> b;
  EXPECT_EQ(Apply(k16, 2, 0, 0, 0xffff, &b), "");
  EXPECT_EQ(Apply(k16, 2, 0xfff0, 0, 0x8, &b), "");  // -8: wraps, accepted by ld too
  EXPECT_EQ(At(b, 2), 0xfff8u);
  EXPECT_NE(Apply(k16, 2, 0, 0, 0x10000, &b), "");
  EXPECT_EQ(Apply(k8, 1, 0, 0, 0xff, &b), "");
  EXPECT_NE(Apply(k8, 1, 0, 0, 0x100, &b), "");
  EXPECT_EQ(Apply(kPc16, 2, 0, 0x3, 0xc000, &b), "");  // +0xbffd: ld accepts it
  EXPECT_NE(Apply(kPc16, 2, 0, 0, 0x10000, &b), "");
  EXPECT_NE(Apply(kPc16, 2, 0, 0x20000, 0, &b), "");
}

// GNU ld: R_386_PC8 is complain_overflow_signed.
TEST(I386Reloc, Pc8IsSigned) {
  std::vector<uint8_t> b;
  EXPECT_EQ(Apply(kPc8, 1, 0, 0x100, 0x17f, &b), "");
  EXPECT_EQ(Apply(kPc8, 1, 0, 0x100, 0x80, &b), "");
  EXPECT_EQ(At(b, 1), 0x80u);
  const std::string e = Apply(kPc8, 1, 0, 0x5, 0x90, &b);  // +0x8b
  EXPECT_NE(e.find("R_386_PC8"), std::string::npos) << e;
  EXPECT_NE(Apply(kPc8, 1, 0, 0x100, 0x7f, &b), "");
}

TEST(I386Reloc, NoneTouchesNothing) {
  std::vector<uint8_t> b;
  ASSERT_EQ(Apply(kNone, 0, 0, 0x1000, 0x2000, &b), "");
  for (uint8_t x : b) EXPECT_EQ(x, 0xcc);
}

TEST(I386Reloc, RefusesGotAndTlsByName) {
  std::vector<uint8_t> b;
  for (auto [type, name] : {std::pair{kGot32, "R_386_GOT32"}, std::pair{kGotOff, "R_386_GOTOFF"},
                            std::pair{kGotPc, "R_386_GOTPC"}}) {
    const std::string e = Apply(type, 4, 0, 0x1000, 0x2000, &b);
    EXPECT_NE(e.find(name), std::string::npos) << e;
  }
  const std::string e = Apply(kTlsLe, 4, 0, 0x1000, 0x2000, &b);
  EXPECT_NE(e.find("type 17"), std::string::npos) << e;
}

TEST(I386Reloc, PlaceMustFitTheImage) {
  std::vector<uint8_t> buf(6, 0);
  RelocSite s{k32, buf, 4, 0x1004, 0x2000, 0, 0, 0, Endian::kLittle};
  EXPECT_FALSE(Arch().implicit_addend(s).has_value());
  EXPECT_FALSE(Arch().apply(s).has_value());
}

TEST(I386Reloc, OnlyElfClass32) {
  EXPECT_EQ(FindRelocArch(kexkit::elf::kEm386, ElfClass::k64), nullptr);
}

}  // namespace
