// kexkit's linker against GNU ld on aarch64 objects built at build time
// (host-tests/aarch64.cmake): hand-written relocations plus compiled code combined with
// `ld -r`, the narrow absolute forms at a low base, and the real aarch64 purgatory.ro.
// For each base, kexkit's image must equal ld's byte for byte, every global symbol must
// land at ld's address, and the memory image must end where ld's does. Then the field
// encodings and the overflow and alignment refusals on single instructions.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "base/elf.h"
#include "kexkit/purgatory-abi.h"
#include "linker/link.h"
#include "linker/object.h"
#include "linker/reloc.h"

namespace {

using kexkit::Endian;
using kexkit::link::FindRelocArch;
using kexkit::link::Link;
using kexkit::link::RelocatableObject;
using kexkit::link::RelocSite;

std::vector<uint8_t> Slurp(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// nm -P lines: "name type value [size]"; global (upper-case type) symbols only.
std::map<std::string, uint64_t> GlobalSymbols(const std::string& path) {
  std::map<std::string, uint64_t> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string name, type, value;
    if (!(f >> name >> type >> value) || type.size() != 1) continue;
    if (type[0] < 'A' || type[0] > 'Z' || type[0] == 'U' || type[0] == 'W' || type[0] == 'V') {
      continue;
    }
    out[name] = std::stoull(value, nullptr, 16);
  }
  return out;
}

struct Case {
  const char* stem;
  uint64_t base;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.stem << " at 0x" << std::hex << c.base << std::dec;
}

std::string CaseName(const testing::TestParamInfo<Case>& info) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s_0x%llx", info.param.stem,
                static_cast<unsigned long long>(info.param.base));
  return buf;
}

class Arm64Golden : public testing::TestWithParam<Case> {};

TEST_P(Arm64Golden, MatchesGnuLd) {
  const Case& c = GetParam();
  const std::string dir = KK_A64_GOLDEN_DIR;
  if (dir.empty()) GTEST_SKIP() << "no aarch64-linux-gnu toolchain at configure time";
  std::string object = dir + "/" + c.stem + (std::string(c.stem) == "narrow" ? ".o" : ".ro");
  if (std::string(c.stem) == "purgatory") {
    object = KK_A64_PURGATORY;
    if (object.empty()) GTEST_SKIP() << "aarch64 is not in KEXKIT_PURGATORY_ARCHES";
  }
  char base_text[32];
  std::snprintf(base_text, sizeof(base_text), "0x%llx", static_cast<unsigned long long>(c.base));
  const std::string golden = dir + "/" + c.stem + "-" + base_text;

  bool ok = false;
  const std::vector<uint8_t> bytes = Slurp(object, &ok);
  ASSERT_TRUE(ok) << object;
  const std::vector<uint8_t> expected = Slurp(golden + ".bin", &ok);
  ASSERT_TRUE(ok) << golden << ".bin";

  auto obj = RelocatableObject::Parse(bytes, object);
  ASSERT_TRUE(obj.has_value()) << obj.error().Line();
  EXPECT_EQ(obj->format().machine, kexkit::elf::kEmAarch64);
  EXPECT_EQ(obj->format().cls, kexkit::link::ElfClass::k64);
  auto image = Link(*obj, c.base);
  ASSERT_TRUE(image.has_value()) << image.error().Line();

  const auto got = image->bytes();
  ASSERT_EQ(got.size(), expected.size()) << "PROGBITS extent differs from GNU ld's";
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != expected[i]) {
      std::string where = "?";
      auto layout = kexkit::link::ComputeLayout(*obj);
      for (size_t s = 0; layout && s < obj->sections().size(); ++s) {
        const uint64_t off = layout->section_offset[s];
        if (off != kexkit::link::kNotAllocated && i >= off && i < off + obj->sections()[s].size) {
          where = kexkit::Cat(obj->sections()[s].name, "+", kexkit::Hex(i - off));
        }
      }
      FAIL() << "first difference at image offset 0x" << std::hex << i << " (" << where
             << "): kexkit 0x" << int{got[i]} << ", GNU ld 0x" << int{expected[i]};
    }
  }

  const auto symbols = GlobalSymbols(golden + ".syms");
  ASSERT_TRUE(symbols.contains("__kk_golden_end"));
  EXPECT_EQ(c.base + image->mem_size(), symbols.at("__kk_golden_end"));
  size_t checked = 0;
  for (const auto& [name, value] : symbols) {
    if (name == "__kk_golden_end") continue;
    auto addr = image->SymbolAddress(name);
    ASSERT_TRUE(addr.has_value()) << addr.error().Line();
    EXPECT_EQ(*addr, value) << name;
    ++checked;
  }
  EXPECT_GE(checked, 2u);
}

// The same bases as host-tests/aarch64.cmake.
INSTANTIATE_TEST_SUITE_P(Combined, Arm64Golden,
                         testing::Values(Case{"combined", 0x40000000}, Case{"combined", 0xfff00000},
                                         Case{"combined", 0x8123456000}, Case{"narrow", 0x1000}),
                         CaseName);
INSTANTIATE_TEST_SUITE_P(Purgatory, Arm64Golden,
                         testing::Values(Case{"purgatory", 0x40000000},
                                         Case{"purgatory", 0xfff00000},
                                         Case{"purgatory", 0x8123456000}),
                         CaseName);

// The aarch64 purgatory's ABI as a loader will use it.
TEST(Arm64Purgatory, AbiSymbols) {
  const std::string path = KK_A64_PURGATORY;
  if (path.empty()) GTEST_SKIP() << "aarch64 is not in KEXKIT_PURGATORY_ARCHES";
  bool ok = false;
  const std::vector<uint8_t> bytes = Slurp(path, &ok);
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
