// ppc64 relocation hook (arch/ppc64/reloc-ppc64.cc) against GNU ld, for ELFv2
// little-endian and ELFv1 big-endian objects assembled at build time
// (host-tests/ppc64.cmake), the real purgatories included; plus error cases and
// field-level edge cases on small byte arrays.
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "base/elf.h"
#include "linker/link.h"
#include "linker/object.h"
#include "linker/reloc.h"
#include "unit/test-files.h"

namespace {

using kexkit::Endian;
using kexkit::link::FindRelocArch;
using kexkit::link::Link;
using kexkit::link::RelocatableObject;
using kexkit::link::RelocSite;

std::string Golden(const std::string& file) {
  return std::string(KK_PPC64_GOLDEN_DIR) + "/" + file;
}

#define KK_NEED_GOLDEN()                                                  \
  do {                                                                    \
    if (std::string(KK_PPC64_GOLDEN_DIR).empty()) {                       \
      GTEST_SKIP() << "ppc64 cross binutils not found at configure time"; \
    }                                                                     \
  } while (0)

// nm -P lines: "name type value [size]".
std::map<std::string, uint64_t> ReadSyms(const std::string& path) {
  std::map<std::string, uint64_t> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::string name, type, value;
    if (ss >> name >> type >> value) out[name] = std::stoull(value, nullptr, 16);
  }
  return out;
}

struct GoldenCase {
  const char* object;  // golden/ppc64/<object>
  const char* stem;    // golden/ppc64/<stem>-<base>.bin
  uint64_t base;
  const char* base_text;
};

std::string CaseName(const testing::TestParamInfo<GoldenCase>& info) {
  std::string s = std::string(info.param.stem) + "_" + info.param.base_text;
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

class Ppc64Golden : public testing::TestWithParam<GoldenCase> {};

TEST_P(Ppc64Golden, MatchesGnuLdByteForByte) {
  KK_NEED_GOLDEN();
  const GoldenCase& c = GetParam();
  std::string obj_path = c.object;
  if (obj_path.starts_with("purgatory/")) {
    obj_path = std::string(KK_BINARY_DIR) + "/" + obj_path;
  } else {
    obj_path = Golden(obj_path);
  }
  auto bytes = kktest::ReadFile(obj_path);
  if (!bytes && obj_path.starts_with(KK_BINARY_DIR)) {
    GTEST_SKIP() << obj_path << " not built (add the arch to KEXKIT_PURGATORY_ARCHES)";
  }
  ASSERT_TRUE(bytes) << obj_path;
  const std::string stem = Golden(std::string(c.stem) + "-" + c.base_text);
  auto expected = kktest::ReadFile(stem + ".bin");
  ASSERT_TRUE(expected) << stem << ".bin";

  auto obj = RelocatableObject::Parse(*bytes, obj_path);
  ASSERT_TRUE(obj) << obj.error().Line();
  EXPECT_EQ(obj->format().machine, kexkit::elf::kEmPpc64);
  auto image = Link(*obj, c.base);
  ASSERT_TRUE(image) << image.error().Line();

  const auto got = image->bytes();
  ASSERT_EQ(got.size(), expected->size()) << "image sizes differ";
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i], (*expected)[i]) << "first difference at image offset 0x" << std::hex << i
                                      << " (address 0x" << c.base + i << ")";
  }
  // Every global symbol GNU ld placed is where kexkit places it.
  const auto syms = ReadSyms(stem + ".syms");
  int checked = 0;
  for (const auto& sym : obj->symbols()) {
    if (sym.bind() != kexkit::elf::kStbGlobal || sym.shndx == kexkit::elf::kShnUndef) continue;
    auto it = syms.find(std::string(sym.name));
    if (it == syms.end()) continue;
    auto addr = image->SymbolAddress(sym.name);
    ASSERT_TRUE(addr) << addr.error().Line();
    EXPECT_EQ(*addr, it->second) << sym.name;
    ++checked;
  }
  EXPECT_GT(checked, 0);
  // .TOC. as GNU ld defined it.
  if (auto toc = syms.find(".TOC."); toc != syms.end()) {
    EXPECT_EQ(image->toc_base(), toc->second);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Objects, Ppc64Golden,
    testing::Values(
        GoldenCase{"relocs-low-le.o", "relocs-low-le", 0x10000, "0x10000"},
        GoldenCase{"relocs-low-be.o", "relocs-low-be", 0x10000, "0x10000"},
        GoldenCase{"relocs-le.o", "relocs-le", 0x123456780000, "0x123456780000"},
        GoldenCase{"relocs-be.o", "relocs-be", 0x123456780000, "0x123456780000"},
        GoldenCase{"relocs-le.o", "relocs-le", 0xfedcba987fff0000, "0xfedcba987fff0000"},
        GoldenCase{"relocs-be.o", "relocs-be", 0xfedcba987fff0000, "0xfedcba987fff0000"},
        GoldenCase{"narrow-le.o", "narrow-le", 0x100, "0x100"},
        GoldenCase{"narrow-be.o", "narrow-be", 0x100, "0x100"},
        GoldenCase{"purgatory/ppc64le/purgatory.ro", "purgatory-ppc64le", 0x3000000, "0x3000000"},
        GoldenCase{"purgatory/ppc64le/purgatory.ro", "purgatory-ppc64le", 0x3fff0000, "0x3fff0000"},
        GoldenCase{"purgatory/ppc64/purgatory.ro", "purgatory-ppc64", 0x3000000, "0x3000000"},
        GoldenCase{"purgatory/ppc64/purgatory.ro", "purgatory-ppc64", 0x3fff0000, "0x3fff0000"}),
    CaseName);

// --- objects kexkit must refuse ---------------------------------------------------------

struct ErrorCase {
  const char* object;
  uint64_t base;
  const char* message;  // a part of the error text
};

class Ppc64Refuses : public testing::TestWithParam<ErrorCase> {};

TEST_P(Ppc64Refuses, WithAMessage) {
  KK_NEED_GOLDEN();
  const ErrorCase& c = GetParam();
  auto bytes = kktest::ReadFile(Golden(c.object));
  ASSERT_TRUE(bytes) << c.object;
  auto obj = RelocatableObject::Parse(*bytes, c.object);
  ASSERT_TRUE(obj) << obj.error().Line();
  auto image = Link(*obj, c.base);
  ASSERT_FALSE(image) << c.object << " linked, but must not";
  EXPECT_NE(image.error().Line().find(c.message), std::string::npos) << image.error().Line();
  EXPECT_NE(image.error().Line().find(c.object), std::string::npos) << image.error().Line();
}

INSTANTIATE_TEST_SUITE_P(
    Objects, Ppc64Refuses,
    testing::Values(ErrorCase{"error1-le.o", 0x4000000, "R_PPC64_REL24 value"},
                    ErrorCase{"error1-be.o", 0x4000000, "R_PPC64_REL24 value"},
                    ErrorCase{"error2-le.o", 0x10000, "R_PPC64_TOC16_DS value 0x"},
                    ErrorCase{"error2-be.o", 0x10000, "is not 4-byte aligned"},
                    ErrorCase{"error3-le.o", 0x4000000, "R_PPC64_TOC16 value"},
                    ErrorCase{"error3-be.o", 0x4000000, "overflows a signed 16-bit field"},
                    ErrorCase{"error4-le.o", 0x10000, "unsupported relocation R_PPC64_GOT16_DS"},
                    ErrorCase{"error4-be.o", 0x10000, "no GOT"},
                    ErrorCase{"error5-le.o", 0x10000, "R_PPC64_ADDR16_LO_DS"},
                    ErrorCase{"error5-be.o", 0x10000, "is not 4-byte aligned"},
                    // ADDR16_HI/HA and ADDR32 need a base below 2 / 4 GiB.
                    ErrorCase{"relocs-low-le.o", 0x123456780000, "overflows"},
                    ErrorCase{"relocs-low-be.o", 0x123456780000, "overflows"}),
    [](const testing::TestParamInfo<ErrorCase>& info) {
      std::string name = std::to_string(info.index) + "_" + info.param.object;
      for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

// --- field-level edge cases on small buffers ---------------------------------------------

struct Site {
  std::vector<uint8_t> buf;
  RelocSite site;
  Site(std::vector<uint8_t> b, uint32_t type, uint64_t place, uint64_t sym, Endian e)
      : buf(std::move(b)), site{type, buf, 0, place, sym, 0, 0, 0x18000, e} {}
};

const kexkit::link::RelocArch& Ppc64() {
  const auto* a = FindRelocArch(kexkit::elf::kEmPpc64, kexkit::link::ElfClass::k64);
  EXPECT_NE(a, nullptr);
  return *a;
}

TEST(Ppc64RelocFields, Rel24KeepsOpcodeAndLinkBit) {
  // bl 0 (0x48000001), big-endian; target 0x100 past the place.
  Site s({0x48, 0x00, 0x00, 0x01}, 10, 0x1000, 0x1100, Endian::kBig);
  ASSERT_TRUE(Ppc64().apply(s.site));
  EXPECT_EQ(s.buf, (std::vector<uint8_t>{0x48, 0x00, 0x01, 0x01}));
}

TEST(Ppc64RelocFields, Rel24AddsTheElfv2LocalEntryOffset) {
  // st_other 3 << 5: local entry 8 bytes past the global one [ELFv2 ABI 3.4.1].
  Site s({0x01, 0x00, 0x00, 0x48}, 10, 0x1000, 0x1100, Endian::kLittle);
  s.site.symbol_other = 3 << 5;
  ASSERT_TRUE(Ppc64().apply(s.site));
  EXPECT_EQ(s.buf, (std::vector<uint8_t>{0x09, 0x01, 0x00, 0x48}));
}

TEST(Ppc64RelocFields, Rel24RefusesAMisalignedTarget) {
  Site s({0x48, 0x00, 0x00, 0x01}, 10, 0x1000, 0x1102, Endian::kBig);
  auto r = Ppc64().apply(s.site);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().Line().find("4-byte aligned"), std::string::npos);
}

TEST(Ppc64RelocFields, Rel24RangeEdges) {
  Site ok({0x48, 0, 0, 0}, 10, 0x4000000, 0x4000000 + 0x1fffffc, Endian::kBig);
  EXPECT_TRUE(Ppc64().apply(ok.site));
  Site back({0x48, 0, 0, 0}, 10, 0x4000000, 0x2000000, Endian::kBig);
  EXPECT_TRUE(Ppc64().apply(back.site));  // exactly -32 MiB
  Site far({0x48, 0, 0, 0}, 10, 0x4000000, 0x4000000 + 0x2000000, Endian::kBig);
  EXPECT_FALSE(Ppc64().apply(far.site));  // +32 MiB is one past the reach
}

TEST(Ppc64RelocFields, DsFormKeepsTheLowTwoBits) {
  // ld r3,0(r2) is DS-form with XO = 0; use a halfword whose low bits are 01 (ldu).
  Site s({0x01, 0x00}, 64, 0, 0x18000 + 0x1230, Endian::kLittle);  // TOC16_LO_DS
  ASSERT_TRUE(Ppc64().apply(s.site));
  EXPECT_EQ(s.buf, (std::vector<uint8_t>{0x31, 0x12}));
}

TEST(Ppc64RelocFields, HaCarriesFromTheLowHalf) {
  Site s({0, 0}, 50, 0, 0x18000 + 0x18000, Endian::kBig);  // TOC16_HA of 0x18000
  ASSERT_TRUE(Ppc64().apply(s.site));
  EXPECT_EQ(s.buf, (std::vector<uint8_t>{0x00, 0x02}));  // #ha(0x18000) = 2
}

TEST(Ppc64RelocFields, StoresHonourTheObjectByteOrder) {
  Site be({0, 0, 0, 0, 0, 0, 0, 0}, 38, 0, 0x0102030405060708, Endian::kBig);
  ASSERT_TRUE(Ppc64().apply(be.site));
  EXPECT_EQ(be.buf, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  Site le({0, 0, 0, 0, 0, 0, 0, 0}, 38, 0, 0x0102030405060708, Endian::kLittle);
  ASSERT_TRUE(Ppc64().apply(le.site));
  EXPECT_EQ(le.buf, (std::vector<uint8_t>{8, 7, 6, 5, 4, 3, 2, 1}));
}

TEST(Ppc64RelocFields, StorePastTheBufferIsAnError) {
  Site s({0, 0}, 38, 0, 0x1000, Endian::kBig);  // ADDR64 into 2 bytes
  EXPECT_FALSE(Ppc64().apply(s.site));
}

TEST(Ppc64RelocFields, TocRelocationsNeedATocSection) {
  Site s({0, 0}, 48, 0, 0x1000, Endian::kBig);
  s.site.toc_base = 0;
  auto r = Ppc64().apply(s.site);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().Line().find("TOC"), std::string::npos);
}

TEST(Ppc64RelocFields, NamesAreKnown) {
  EXPECT_STREQ(Ppc64().type_name(10), "R_PPC64_REL24");
  EXPECT_STREQ(Ppc64().type_name(252), "R_PPC64_REL16_HA");
  EXPECT_EQ(Ppc64().type_name(200), nullptr);
}

}  // namespace
