// The typed error and the message pieces: each field lands where Error::Line() says, and
// the number pieces print what printf's %llu, 0x%llx, 0x%016llx and %02llu printed before them.
#include "base/diag.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

namespace {

using kexkit::Cat;
using kexkit::Dec;
using kexkit::Error;
using kexkit::Hex;

std::string Printf(const char* fmt, unsigned long long v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, v);
  return buf;
}

TEST(Diag, NumbersPrintAsPrintfDid) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{0x9f}, uint64_t{0x100000},
                     uint64_t{0xdeadbeefcafe}, std::numeric_limits<uint64_t>::max()}) {
    EXPECT_EQ(Cat(v), Printf("%llu", v));
    EXPECT_EQ(Cat(Hex(v)), Printf("0x%llx", v));
    EXPECT_EQ(Cat(Hex(v, 16)), Printf("0x%016llx", v));
    EXPECT_EQ(Cat(Dec(v, 2)), Printf("%02llu", v));
  }
  EXPECT_EQ(Cat(int{-5}, ' ', int64_t{-1}), "-5 -1");
  EXPECT_EQ(Cat(uint8_t{200}, ',', int8_t{-3}), "200,-3");  // numbers, not characters
  EXPECT_EQ(Cat('z'), "z");
  EXPECT_EQ(Cat(static_cast<const char*>(nullptr)), "(null)");
}

TEST(Diag, LineJoinsTheFieldsInOrder) {
  EXPECT_EQ(kexkit::Fail("no kernel given").error().Line(), "no kernel given");
  EXPECT_EQ(kexkit::FailIn("vmlinuz", "truncated at ", 12).error().Line(),
            "vmlinuz: truncated at 12");
  Error at = kexkit::FailAt("purgatory.ro", 0x40, "bad section header").error();
  EXPECT_EQ(at.file, "purgatory.ro");
  EXPECT_EQ(at.offset, 0x40u);
  EXPECT_EQ(at.what, "bad section header");
  EXPECT_EQ(at.Line(), "purgatory.ro: at 0x40: bad section header");

  constexpr kexkit::Part kTree{"device tree"};
  Error part = kTree.FailIn("/sys/firmware/fdt", "FDT_ERR_TRUNCATED").error();
  EXPECT_EQ(part.part, "device tree");
  EXPECT_EQ(part.Line(), "/sys/firmware/fdt: device tree: FDT_ERR_TRUNCATED");

  // Contexts nest outward, and leave the fields alone.
  auto once = kexkit::Wrap("purgatory", part);
  auto twice = kexkit::Wrap("kdump", once.error());
  EXPECT_EQ(twice.error().file, "/sys/firmware/fdt");
  EXPECT_EQ(twice.error().Line(),
            "kdump: purgatory: /sys/firmware/fdt: device tree: FDT_ERR_TRUNCATED");
}

}  // namespace
