// arch/ppc64/fdt-check-full.c: the fdt_check_full of the big-endian ppc64 loader, whose
// libfdt (Linux's copy in scripts/dtc/libfdt) has none. Compiled here under another name
// (host-tests/ppc64.cmake) and held against libfdt's own on a real tree, every
// truncation of it and corruptions of each of its bytes: it passes a tree only where
// libfdt does, and refuses the fuzzers' regression blobs.
#include <gtest/gtest.h>

#if KK_HAVE_PPC64_LOADER
#include <libfdt.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "unit/test-files.h"

extern "C" int kexkit_fallback_fdt_check_full(const void* fdt, size_t bufsize);

namespace {

// A small tree shaped like the ones the loader checks: properties on the root, a
// nested node, an empty property, a string list.
std::vector<uint8_t> SampleTree() {
  std::vector<uint8_t> buf(4096);
  void* f = buf.data();
  EXPECT_EQ(fdt_create(f, static_cast<int>(buf.size())), 0);
  EXPECT_EQ(fdt_add_reservemap_entry(f, 0x30000000, 0x1c30000), 0);
  EXPECT_EQ(fdt_finish_reservemap(f), 0);
  EXPECT_EQ(fdt_begin_node(f, ""), 0);
  EXPECT_EQ(fdt_property_u32(f, "#address-cells", 2), 0);
  EXPECT_EQ(fdt_property_string(f, "compatible", "ibm,powernv"), 0);
  EXPECT_EQ(fdt_begin_node(f, "chosen"), 0);
  EXPECT_EQ(fdt_property_string(f, "bootargs", "console=hvc0"), 0);
  EXPECT_EQ(fdt_property(f, "linux,booted-from-kexec", nullptr, 0), 0);
  EXPECT_EQ(fdt_end_node(f), 0);
  EXPECT_EQ(fdt_begin_node(f, "memory@0"), 0);
  EXPECT_EQ(fdt_property_u64(f, "reg", 0x80000000), 0);
  EXPECT_EQ(fdt_begin_node(f, "deeper"), 0);
  EXPECT_EQ(fdt_property(f, "names", "a\0bc\0", 5), 0);
  EXPECT_EQ(fdt_end_node(f), 0);
  EXPECT_EQ(fdt_end_node(f), 0);
  EXPECT_EQ(fdt_end_node(f), 0);
  EXPECT_EQ(fdt_finish(f), 0);
  buf.resize(fdt_totalsize(f));
  return buf;
}

TEST(FdtCheckFullFallback, PassesAGoodTreeAndRefusesEveryTruncation) {
  const std::vector<uint8_t> t = SampleTree();
  ASSERT_EQ(fdt_check_full(t.data(), t.size()), 0);
  EXPECT_EQ(kexkit_fallback_fdt_check_full(t.data(), t.size()), 0);
  for (size_t n = 0; n < t.size(); ++n) {
    EXPECT_NE(kexkit_fallback_fdt_check_full(t.data(), n), 0) << "bufsize " << n;
  }
}

// Each byte of the tree set to values that make tags, lengths, offsets and names go
// wrong (2,828 trees): the fallback passes exactly those libfdt passes. Passing one that
// libfdt refuses would let a bad tree through; refusing one it passes would refuse a
// tree the kernel may accept.
TEST(FdtCheckFullFallback, NeverPassesACorruptionLibfdtRefuses) {
  const std::vector<uint8_t> good = SampleTree();
  const uint8_t values[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x09, 0x7f, 0x80, 0xff};
  int cases = 0, stricter = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t v : values) {
      std::vector<uint8_t> t = good;
      if (t[i] == v) continue;
      t[i] = v;
      ++cases;
      const int theirs = fdt_check_full(t.data(), t.size());
      const int ours = kexkit_fallback_fdt_check_full(t.data(), t.size());
      if (ours == 0) {
        EXPECT_EQ(theirs, 0) << "byte " << i << " = " << int{v} << ": libfdt says "
                             << fdt_strerror(theirs);
      } else if (theirs == 0) {
        ++stricter;
      }
    }
  }
  EXPECT_GT(cases, 2000);
  EXPECT_EQ(stricter, 0) << "of " << cases;
}

TEST(FdtCheckFullFallback, RefusesTheFuzzersRegressionBlobsQuickly) {
  for (const char* name : {"regressions/fdt-hang.dtb", "regressions/fdt-crash-version5.dtb"}) {
    const std::string path = kktest::TestDataPath(name);
    auto blob = kktest::ReadFile(path);
    ASSERT_TRUE(blob) << path;
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_NE(kexkit_fallback_fdt_check_full(blob->data(), blob->size()), 0) << name;
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1)) << name;
  }
}

}  // namespace
#endif  // KK_HAVE_PPC64_LOADER
