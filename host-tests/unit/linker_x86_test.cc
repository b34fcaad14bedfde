// kexkit's linker against GNU ld, byte for byte. The golden objects are assembled at
// build time (host-tests/golden/*.s, *.asm) and linked there by GNU ld with a script
// that reproduces kexkit's layout (golden/link-golden.sh); here kexkit links the same
// object at the same base and the images and symbol addresses must agree. Plus the
// range checks: what GNU ld would call "relocation truncated to fit".
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include "base/elf.h"
#include "kexkit/purgatory-abi.h"
#include "linker/link.h"
#include "linker/object.h"
#include "unit/test-files.h"

namespace {

using kexkit::link::ComputeLayout;
using kexkit::link::Link;
using kexkit::link::RelocatableObject;

struct GoldenCase {
  const char* stem;  // golden/<stem>.o, or "purgatory-x86_64" for the real purgatory
  const char* base;  // as CMake spelled it: golden/<stem>-<base>.{bin,syms}
};

std::string ObjectPath(const std::string& stem) {
  return stem == "purgatory-x86_64" ? kktest::PurgatoryPath() : kktest::GoldenPath(stem + ".o");
}

// Which section of the layout holds image offset `off` (for mismatch messages).
std::string SectionAt(const RelocatableObject& obj, uint64_t off) {
  auto layout = ComputeLayout(obj);
  if (!layout) return "?";
  for (size_t i = 0; i < obj.sections().size(); ++i) {
    const uint64_t start = layout->section_offset[i];
    if (start != kexkit::link::kNotAllocated && off >= start &&
        off < start + obj.sections()[i].size) {
      std::ostringstream s;
      s << obj.sections()[i].name << "+0x" << std::hex << (off - start);
      return s.str();
    }
  }
  return "padding";
}

struct NmSymbol {
  char type;
  uint64_t value;
};

// `nm -P --defined-only`: "name type value [size]" per line.
std::multimap<std::string, NmSymbol> ReadNm(const std::string& path) {
  std::multimap<std::string, NmSymbol> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string name, type, value;
    if (!(row >> name >> type >> value)) continue;
    out.emplace(name, NmSymbol{type[0], std::stoull(value, nullptr, 16)});
  }
  return out;
}

class GoldenLink : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenLink, ImageAndSymbolsMatchGnuLd) {
  const GoldenCase& c = GetParam();
  const std::string obj_path = ObjectPath(c.stem);
  const std::string prefix = kktest::GoldenPath(std::string(c.stem) + "-" + c.base);
  const uint64_t base = std::stoull(c.base, nullptr, 16);

  auto obj_bytes = kktest::ReadFile(obj_path);
  ASSERT_TRUE(obj_bytes) << "cannot read " << obj_path << " (built by kexkit-golden)";
  auto ld_bytes = kktest::ReadFile(prefix + ".bin");
  ASSERT_TRUE(ld_bytes) << "cannot read " << prefix << ".bin (built by kexkit-golden)";
  const auto nm = ReadNm(prefix + ".syms");
  ASSERT_FALSE(nm.empty()) << prefix << ".syms";

  auto obj = RelocatableObject::Parse(*obj_bytes, c.stem);
  ASSERT_TRUE(obj) << obj.error().Line();
  auto image = Link(*obj, base);
  ASSERT_TRUE(image) << image.error().Line();

  const auto ours = image->bytes();
  ASSERT_FALSE(ld_bytes->empty());
  EXPECT_EQ(ours.size(), ld_bytes->size()) << "file size of the image";
  const size_t n = std::min(ours.size(), ld_bytes->size());
  for (size_t i = 0; i < n; ++i) {
    if (ours[i] != (*ld_bytes)[i]) {
      ADD_FAILURE() << "first difference at image offset 0x" << std::hex << i << " ("
                    << SectionAt(*obj, i) << "): kexkit 0x" << int{ours[i]} << ", GNU ld 0x"
                    << int{(*ld_bytes)[i]};
      break;
    }
  }

  // Every symbol ld defined has the same address in kexkit's image (names defined
  // more than once, such as two local statics, are ambiguous by name and skipped).
  size_t checked = 0;
  for (const auto& [name, sym] : nm) {
    if (name == "__kk_golden_end") {
      EXPECT_EQ(sym.value, base + image->mem_size()) << "end of the memory image (NOBITS included)";
      continue;
    }
    if (sym.type == 'A' || sym.type == 'a' || nm.count(name) != 1) continue;
    auto addr = image->SymbolAddress(name);
    ASSERT_TRUE(addr) << addr.error().Line();
    EXPECT_EQ(*addr, sym.value) << "symbol " << name;
    ++checked;
  }
  EXPECT_GE(checked, 3u) << "too few symbols compared; is " << prefix << ".syms complete?";
}

const GoldenCase kGoldenCases[] = {
    {"x86_64-reloc", "0x100000"},      {"x86_64-reloc", "0x7fe00000"},
    {"x86_64-narrow", "0x1000"},       {"x86_64-high", "0x123456000"},
    {"x86_64-high", "0x7ffffff00000"}, {"i386-reloc", "0x100000"},
    {"i386-reloc", "0xfff00000"},      {"i386-narrow", "0x80"},
    {"nasm-x86_64", "0x4000"},         {"nasm-i386", "0x40"},
    {"purgatory-x86_64", "0x5000"},    {"purgatory-x86_64", "0x123456000"},
};

INSTANTIATE_TEST_SUITE_P(Golden, GoldenLink, ::testing::ValuesIn(kGoldenCases),
                         [](const ::testing::TestParamInfo<GoldenCase>& info) {
                           std::string s = std::string(info.param.stem) + "_at_" + info.param.base;
                           for (char& ch : s) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return s;
                         });

// The golden objects really exercise every relocation type kexkit claims to apply (so
// the comparison above cannot pass by the sources drifting away from a type).
std::set<uint32_t> TypesIn(const std::vector<std::string>& stems) {
  std::set<uint32_t> types;
  for (const std::string& stem : stems) {
    auto bytes = kktest::ReadFile(kktest::GoldenPath(stem + ".o"));
    EXPECT_TRUE(bytes) << stem;
    if (!bytes) continue;
    auto obj = RelocatableObject::Parse(*bytes, stem);
    EXPECT_TRUE(obj) << obj.error().Line();
    if (!obj) continue;
    for (const auto& rs : obj->relocations()) {
      if (!(obj->sections()[rs.target].flags & kexkit::elf::kShfAlloc)) continue;
      for (const auto& r : rs.entries) types.insert(r.type);
    }
  }
  return types;
}

TEST(GoldenCoverage, EveryX86_64TypeIsLinkedAgainstLd) {
  const auto types = TypesIn({"x86_64-reloc", "x86_64-narrow", "x86_64-high", "nasm-x86_64"});
  // NONE 0, 64 1, PC32 2, PLT32 4, 32 10, 32S 11, 16 12, PC16 13, 8 14, PC8 15, PC64 24
  for (uint32_t t : {0u, 1u, 2u, 4u, 10u, 11u, 12u, 13u, 14u, 15u, 24u}) {
    EXPECT_TRUE(types.count(t)) << "no R_X86_64 type " << t << " in the golden objects";
  }
}

TEST(GoldenCoverage, EveryI386TypeIsLinkedAgainstLd) {
  const auto types = TypesIn({"i386-reloc", "i386-narrow", "nasm-i386"});
  // NONE 0, 32 1, PC32 2, PLT32 4, 16 20, PC16 21, 8 22, PC8 23
  for (uint32_t t : {0u, 1u, 2u, 4u, 20u, 21u, 22u, 23u}) {
    EXPECT_TRUE(types.count(t)) << "no R_386 type " << t << " in the golden objects";
  }
}

// The two purgatory links differ (it is relocated, not position-independent data), and
// only where relocations are: a sanity check that the base really reached the bytes.
TEST(GoldenCoverage, PurgatoryImagesDependOnTheBase) {
  auto low = kktest::ReadFile(kktest::GoldenPath("purgatory-x86_64-0x5000.bin"));
  auto high = kktest::ReadFile(kktest::GoldenPath("purgatory-x86_64-0x123456000.bin"));
  ASSERT_TRUE(low && high);
  ASSERT_EQ(low->size(), high->size());
  EXPECT_NE(*low, *high) << "the R_X86_64_64 (GDT base) must differ between bases";
}

// --- range and support checks -----------------------------------------------------------

struct Loaded {
  std::vector<uint8_t> bytes;
  std::optional<RelocatableObject> obj;
};

Loaded LoadGolden(const std::string& stem) {
  Loaded l;
  auto bytes = kktest::ReadFile(kktest::GoldenPath(stem + ".o"));
  EXPECT_TRUE(bytes) << stem << ".o";
  if (!bytes) return l;
  l.bytes = std::move(*bytes);
  auto obj = RelocatableObject::Parse(l.bytes, stem + ".o");
  EXPECT_TRUE(obj) << obj.error().Line();
  if (obj) l.obj.emplace(std::move(*obj));
  return l;
}

// Links and expects an error containing every one of `parts`.
void ExpectLinkError(const std::string& stem, uint64_t base, std::vector<std::string> parts) {
  Loaded l = LoadGolden(stem);
  ASSERT_TRUE(l.obj);
  auto image = Link(*l.obj, base);
  ASSERT_FALSE(image) << stem << " linked at 0x" << std::hex << base << " but must not";
  for (const std::string& p : parts) {
    EXPECT_NE(image.error().Line().find(p), std::string::npos)
        << "'" << p << "' missing from: " << image.error().Line();
  }
}

TEST(LinkerRange, Abs32AboveFourGiBNamesTypeSectionAndOffset) {
  // PC32 at .rela.text 0x4 is in range from here; R_X86_64_32 at .rela.data 0x8 is not.
  ExpectLinkError(
      "x86_64-overflow", 0x123456000,
      {"x86_64-overflow.o: ", ".rela.data offset 0x8", "R_X86_64_32 value", "unsigned 32-bit"});
}

TEST(LinkerRange, Pc32BeyondTwoGiBForwardFails) {
  // far_abs = 6 GiB, the place ~1 MiB: +6 GiB does not fit a signed 32-bit field.
  ExpectLinkError(
      "x86_64-overflow", 0x100000,
      {"x86_64-overflow.o: ", ".rela.text offset 0x4", "R_X86_64_PC32", "signed 32-bit"});
}

TEST(LinkerRange, Pc32BeyondTwoGiBBackwardFails) {
  // Place at 8.5 GiB, far_abs at 6 GiB: -2.5 GiB.
  ExpectLinkError("x86_64-overflow", 0x220000000,
                  {".rela.text offset 0x4", "R_X86_64_PC32", "-", "signed 32-bit"});
}

// The exact edges of the signed 32-bit range. The PC32 at .text+4 has A = -4, P = base
// + 4 and S = 0x180000000, so S + A - P = 0x17ffffff8 - base: 0x7fffffff at base
// 0xfffffff9 and -0x80000000 at 0x1fffffff8 (every section of this object is byte
// aligned). Just inside, linking gets past the PC32 and stops at .data's R_X86_64_32,
// which is above 4 GiB at both bases.
TEST(LinkerRange, Pc32EdgesOfTheSigned32BitRange) {
  Loaded l = LoadGolden("x86_64-overflow");
  ASSERT_TRUE(l.obj);
  for (uint64_t base : {0xfffffff9ull, 0x1fffffff8ull}) {
    auto r = Link(*l.obj, base);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().Line().find("R_X86_64_32 value"), std::string::npos)
        << "base 0x" << std::hex << base << ": " << r.error().Line();
  }
  for (uint64_t base : {0xfffffff8ull, 0x1fffffff9ull}) {
    auto r = Link(*l.obj, base);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().Line().find("R_X86_64_PC32"), std::string::npos)
        << "base 0x" << std::hex << base << ": " << r.error().Line();
  }
}

TEST(LinkerRange, Abs32SBeyondTwoGiBFails) {
  // x86_64-reloc links at 0x7fe00000; at 2 GiB its R_X86_64_32S values go negative.
  ExpectLinkError("x86_64-reloc", 0x80000000,
                  {"x86_64-reloc.o: ", "R_X86_64_32S", "signed 32-bit"});
}

TEST(LinkerRange, Abs32AboveFourGiBOnTheFullObject) {
  ExpectLinkError("x86_64-reloc", 0x100000000,
                  {"x86_64-reloc.o: ", ".rela.text offset 0x", "overflows"});
}

TEST(LinkerRange, Abs16And8Overflow) {
  ExpectLinkError("x86_64-narrow", 0x10000, {"R_X86_64_16", "overflows", "16-bit field"});
  ExpectLinkError("i386-narrow", 0x10000, {"R_386_16", "overflows", "16-bit field"});
  ExpectLinkError("i386-narrow", 0x1000, {"R_386_8", "overflows", "8-bit field"});
  ExpectLinkError("nasm-i386", 0x1000, {"R_386_8", "overflows", "8-bit field"});
}

TEST(LinkerRange, I386ImageMustEndBelowFourGiB) {
  ExpectLinkError("i386-reloc", 0xfffff000, {"i386-reloc.o: ", "does not fit"});
}

TEST(LinkerRange, BaseMustHonourTheLargestAlignment) {
  // x86_64-reloc's .bss is 64-byte aligned.
  ExpectLinkError("x86_64-reloc", 0x100020, {"x86_64-reloc.o: ", "not 64-byte aligned"});
}

TEST(LinkerRefuses, GotPcRelNamesTypeSectionAndOffset) {
  ExpectLinkError("x86_64-gotpcrel", 0x100000,
                  {"x86_64-gotpcrel.o: .rela.text offset 0x3: ", "R_X86_64_GOTPCREL", "type 9"});
}

TEST(LinkerRefuses, I386GotOffNamesTypeSectionAndOffset) {
  ExpectLinkError("i386-gotoff", 0x100000,
                  {"i386-gotoff.o: .rel.text offset 0x2: ", "R_386_GOTOFF", "type 9"});
}

TEST(LinkerRefuses, UndefinedFunction) {
  ExpectLinkError(
      "x86_64-undefined", 0x100000,
      {"x86_64-undefined.o: .rela.text offset 0x1: ", "undefined symbol 'missing_function'"});
}

// --- the purgatory's symbols, as the loader uses them ----------------------------------

TEST(PurgatoryLink, LoaderSymbolsResolveAndPatch) {
  auto bytes = kktest::ReadFile(kktest::PurgatoryPath());
  ASSERT_TRUE(bytes) << kktest::PurgatoryPath();
  auto obj = RelocatableObject::Parse(*bytes, "purgatory.ro");
  ASSERT_TRUE(obj) << obj.error().Line();
  auto layout = ComputeLayout(*obj);
  ASSERT_TRUE(layout) << layout.error().Line();
  EXPECT_GT(layout->mem_size, layout->file_size) << "the stack lives in .bss";
  auto image = Link(*obj, 0x5000);
  ASSERT_TRUE(image) << image.error().Line();
  EXPECT_EQ(image->bytes().size(), layout->file_size);

  auto start = image->SymbolAddress("kexkit_start");
  ASSERT_TRUE(start) << start.error().Line();
  auto stack = image->SymbolAddress("kexkit_stack_top");
  ASSERT_TRUE(stack) << stack.error().Line();
  EXPECT_GE(*stack, 0x5000 + layout->file_size);
  EXPECT_LE(*stack, 0x5000 + layout->mem_size);

  // kexkit_params: written, then read back through GetSymbol and the raw image.
  std::vector<uint8_t> params(sizeof(kexkit::abi::PurgatoryParams));
  for (size_t i = 0; i < params.size(); ++i) params[i] = static_cast<uint8_t>(i * 7 + 1);
  ASSERT_TRUE(image->SetSymbol("kexkit_params", params));
  auto back = image->GetSymbol("kexkit_params", params.size());
  ASSERT_TRUE(back) << back.error().Line();
  EXPECT_TRUE(std::equal(back->begin(), back->end(), params.begin()));
  auto addr = image->SymbolAddress("kexkit_params");
  ASSERT_TRUE(addr);
  const auto img = image->bytes();
  EXPECT_EQ(0, std::memcmp(img.data() + (*addr - 0x5000), params.data(), params.size()));
}

}  // namespace
