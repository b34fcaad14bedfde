// kexkit's linker against GNU ld on an object the build made (host-tests/<arch>.cmake
// links it with golden/link-golden.sh): the shared part of i386_link_test.cc and
// arm64_link_test.cc. For one object at one base, kexkit's image must equal ld's byte
// for byte (the first difference is named by section), every global symbol must land at
// ld's address, and the memory image (NOBITS included) must end where ld's does.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "base/diag.h"
#include "linker/link.h"
#include "linker/object.h"

namespace kktest {

inline std::vector<uint8_t> Slurp(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// nm -P lines: "name type value [size]"; global (upper-case type) symbols only.
inline std::map<std::string, uint64_t> GlobalSymbols(const std::string& path) {
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

// One golden: the object's stem (golden/<stem>-<base>.{bin,syms}) and the base.
struct GoldenCase {
  const char* stem;
  uint64_t base;
};

inline void PrintTo(const GoldenCase& c, std::ostream* os) {
  *os << c.stem << " at 0x" << std::hex << c.base << std::dec;
}

inline std::string GoldenCaseName(const testing::TestParamInfo<GoldenCase>& info) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s_0x%llx", info.param.stem,
                static_cast<unsigned long long>(info.param.base));
  return buf;
}

// The golden files' path without extension: <dir>/<stem>-0x<base>.
inline std::string GoldenStem(const std::string& dir, const GoldenCase& c) {
  char base_text[32];
  std::snprintf(base_text, sizeof(base_text), "0x%llx", static_cast<unsigned long long>(c.base));
  return dir + "/" + c.stem + "-" + base_text;
}

// Links `object` at `base` and compares with GNU ld's <golden>.bin and <golden>.syms;
// at least `min_symbols` global symbols besides __kk_golden_end must be compared.
inline void ExpectLinkMatchesGnuLd(const std::string& object, const std::string& golden,
                                   uint64_t base, uint16_t machine, kexkit::link::ElfClass cls,
                                   size_t min_symbols) {
  bool ok = false;
  const std::vector<uint8_t> bytes = Slurp(object, &ok);
  ASSERT_TRUE(ok) << object;
  const std::vector<uint8_t> expected = Slurp(golden + ".bin", &ok);
  ASSERT_TRUE(ok) << golden << ".bin";

  auto obj = kexkit::link::RelocatableObject::Parse(bytes, object);
  ASSERT_TRUE(obj.has_value()) << obj.error().Line();
  EXPECT_EQ(obj->format().machine, machine);
  EXPECT_EQ(obj->format().cls, cls);
  auto image = kexkit::link::Link(*obj, base);
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
          where = kexkit::Cat(obj->sections()[s].name, "+", kexkit::Hex(i - off));
        }
      }
      FAIL() << "first difference at image offset 0x" << std::hex << i << " (" << where
             << "): kexkit 0x" << int{got[i]} << ", GNU ld 0x" << int{expected[i]};
    }
  }

  const auto symbols = GlobalSymbols(golden + ".syms");
  ASSERT_TRUE(symbols.contains("__kk_golden_end"));
  EXPECT_EQ(base + image->mem_size(), symbols.at("__kk_golden_end"));
  size_t checked = 0;
  for (const auto& [name, value] : symbols) {
    if (name == "__kk_golden_end") continue;
    auto addr = image->SymbolAddress(name);
    ASSERT_TRUE(addr.has_value()) << addr.error().Line();
    EXPECT_EQ(*addr, value) << name;
    ++checked;
  }
  EXPECT_GE(checked, min_symbols);
}

}  // namespace kktest
