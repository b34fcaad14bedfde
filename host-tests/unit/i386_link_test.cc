// kexkit's linker against GNU ld on i386 objects built at build time (host-tests/i386.cmake):
// a compiled + nasm object combined with `ld -r`, and the real i386 purgatory.ro. For
// each base, kexkit's image must equal ld's byte for byte, every global symbol must land
// at ld's address, and the memory image (NOBITS included) must end where ld's does.
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

namespace {

using kexkit::link::Link;
using kexkit::link::RelocatableObject;

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

class I386Golden : public testing::TestWithParam<Case> {};

TEST_P(I386Golden, MatchesGnuLd) {
  const Case& c = GetParam();
  const std::string dir = KK_I386_GOLDEN_DIR;
  if (dir.empty()) GTEST_SKIP() << "no i686-linux-gnu toolchain at configure time";
  std::string object = dir + "/combined.ro";
  if (std::string(c.stem) == "purgatory") {
    object = KK_I386_PURGATORY;
    if (object.empty()) GTEST_SKIP() << "i386 is not in KEXKIT_PURGATORY_ARCHES";
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
  EXPECT_EQ(obj->format().machine, kexkit::elf::kEm386);
  EXPECT_EQ(obj->format().cls, kexkit::link::ElfClass::k32);
  auto image = Link(*obj, c.base);
  ASSERT_TRUE(image.has_value()) << image.error().Line();

  const auto got = image->bytes();
  ASSERT_EQ(got.size(), expected.size()) << "PROGBITS extent differs from GNU ld's";
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != expected[i]) {
      // Name the section: the offset alone is hard to act on.
      std::string where = "?";
      auto layout = kexkit::link::ComputeLayout(*obj);
      for (size_t s = 0; layout && s < obj->sections().size(); ++s) {
        const uint64_t off = layout->section_offset[s];
        if (off != kexkit::link::kNotAllocated && i >= off && i < off + obj->sections()[s].size) {
          where = std::string(obj->sections()[s].name) + "+0x";
          char hex[32];
          std::snprintf(hex, sizeof(hex), "%llx", static_cast<unsigned long long>(i - off));
          where += hex;
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
  EXPECT_GT(checked, 3u);
}

// The same bases as host-tests/i386.cmake.
INSTANTIATE_TEST_SUITE_P(Combined, I386Golden,
                         testing::Values(Case{"combined", 0x3000}, Case{"combined", 0x1ff00000},
                                         Case{"combined", 0xfff00000}),
                         CaseName);
INSTANTIATE_TEST_SUITE_P(Purgatory, I386Golden,
                         testing::Values(Case{"purgatory", 0x5000}, Case{"purgatory", 0x1ff00000},
                                         Case{"purgatory", 0xfff00000}),
                         CaseName);

// The i386 purgatory's ABI as the loader uses it: the entry symbol, the hand-off block
// at sizeof(EntryI386), the parameter block in PROGBITS, and the stack top.
TEST(I386Purgatory, AbiSymbols) {
  const std::string path = KK_I386_PURGATORY;
  if (path.empty()) GTEST_SKIP() << "i386 is not in KEXKIT_PURGATORY_ARCHES";
  bool ok = false;
  const std::vector<uint8_t> bytes = Slurp(path, &ok);
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
  const std::vector<uint8_t> bytes = Slurp(path, &ok);
  ASSERT_TRUE(ok) << path;
  auto obj = RelocatableObject::Parse(bytes, path);
  ASSERT_TRUE(obj.has_value()) << obj.error().Line();
  auto image = Link(*obj, 0xffffc000);
  ASSERT_FALSE(image.has_value());
  EXPECT_NE(image.error().Line().find("does not fit the address space"), std::string::npos)
      << image.error().Line();
}

}  // namespace
