// The arm64 Image header parser (arch/arm64/image.cc) on headers built here, each field
// and refusal at a time, and on Debian's own arm64 kernel when the cache has it.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "arch/arm64/image.h"
#include "base/bytes.h"
#include "unit/test-files.h"

namespace {

using kexkit::arm64::ParseImage;

// A minimal Image: the 64-byte header and `size` bytes in all.
std::vector<uint8_t> Header(uint64_t text_offset, uint64_t image_size, uint64_t flags,
                            size_t size = 4096) {
  std::vector<uint8_t> b(size, 0);
  kexkit::StoreUnchecked<uint32_t>(&b[0], 0xfa405a4d, kexkit::Endian::kLittle);  // "MZ@\xfa"
  kexkit::StoreUnchecked<uint64_t>(&b[0x08], text_offset, kexkit::Endian::kLittle);
  kexkit::StoreUnchecked<uint64_t>(&b[0x10], image_size, kexkit::Endian::kLittle);
  kexkit::StoreUnchecked<uint64_t>(&b[0x18], flags, kexkit::Endian::kLittle);
  kexkit::StoreUnchecked<uint32_t>(&b[0x38], kexkit::arm64::kImageMagic, kexkit::Endian::kLittle);
  return b;
}

TEST(Arm64Image, ReadsTheHeaderFields) {
  const auto b = Header(0x80000, 0x2010000, 0xa);  // Debian's flags: LE, 4K, anywhere
  auto img = ParseImage(b, "Image");
  ASSERT_TRUE(img.has_value()) << img.error().Line();
  EXPECT_EQ(img->text_offset, 0x80000u);
  EXPECT_EQ(img->image_size, 0x2010000u);
  EXPECT_FALSE(img->big_endian);
  EXPECT_EQ(img->page_kib, 4u);
  EXPECT_TRUE(img->place_anywhere);
  EXPECT_EQ(img->bytes.size(), b.size());

  img = ParseImage(Header(0, 0x1000000, 0x6), "Image");  // 64K pages, low placement
  ASSERT_TRUE(img.has_value()) << img.error().Line();
  EXPECT_EQ(img->page_kib, 64u);
  EXPECT_FALSE(img->place_anywhere);
}

TEST(Arm64Image, RefusesWhatItCannotLoad) {
  struct Bad {
    std::vector<uint8_t> bytes;
    const char* message;
  };
  auto no_magic = Header(0, 0x1000000, 0xa);
  no_magic[0x38] = 0;
  auto gzip = no_magic;
  gzip[0] = 0x1f;
  gzip[1] = 0x8b;
  const Bad cases[] = {
      {std::vector<uint8_t>(63, 0), "Image: 63 bytes, too small to be an arm64 Image"},
      {no_magic, "Image: not an arm64 Image (no \"ARM\\x64\" magic at 0x38)"},
      {gzip, "Image: a gzip-compressed kernel"},
      {Header(0, 0, 0xa), "Image: image_size is 0 (a kernel older than 3.17)"},
      {Header(0, 0x1000000, 0xb), "Image: a big-endian kernel"},
      {Header(0, 0x40000001, 0xa), "larger than 1 GiB"},
      {Header(0x80010, 0x1000000, 0xa), "text_offset 0x80010 is not page-aligned"},
  };
  for (const Bad& c : cases) {
    auto img = ParseImage(c.bytes, "Image");
    ASSERT_FALSE(img.has_value()) << c.message;
    EXPECT_NE(img.error().Line().find(c.message), std::string::npos) << img.error().Line();
  }
}

// Debian's arm64 vmlinuz is a plain (signed) Image, not gzip or zboot.
TEST(Arm64Image, DebianKernel) {
  const std::string path = kktest::CachedFile("aarch64", "boot/vmlinuz-*");
  if (path.empty()) GTEST_SKIP() << kktest::NoKernelMessage("aarch64");
  auto bytes = kktest::ReadFile(path);
  ASSERT_TRUE(bytes.has_value()) << path;
  auto img = ParseImage(*bytes, path);
  ASSERT_TRUE(img.has_value()) << img.error().Line();
  EXPECT_EQ(img->text_offset, 0u);
  EXPECT_GT(img->image_size, bytes->size());  // BSS is not in the file
  EXPECT_EQ(img->page_kib, 4u);

  // Cut short (as e2e kdump-nothing-lost does): the PE section table gives it away.
  const std::vector<uint8_t> cut(bytes->begin(), bytes->begin() + 1000000);
  auto bad = ParseImage(cut, "truncated");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().Line().find("truncated: truncated: its PE header describes "),
            std::string::npos)
      << bad.error().Line();
}

// The PE check on a built header: one section whose raw data ends past the file.
TEST(Arm64Image, TruncatedPeImage) {
  auto b = Header(0, 0x1000000, 0xa, 0x1000);
  b[0] = 'M';
  b[1] = 'Z';
  kexkit::StoreUnchecked<uint32_t>(&b[0x3c], 0x40, kexkit::Endian::kLittle);
  std::memcpy(&b[0x40], "PE\0\0", 4);
  kexkit::StoreUnchecked<uint16_t>(&b[0x40 + 6], 1, kexkit::Endian::kLittle);      // sections
  kexkit::StoreUnchecked<uint16_t>(&b[0x40 + 20], 0xf0, kexkit::Endian::kLittle);  // opt. header
  const size_t sh = 0x40 + 24 + 0xf0;
  kexkit::StoreUnchecked<uint32_t>(&b[sh + 16], 0xc00, kexkit::Endian::kLittle);  // raw size
  kexkit::StoreUnchecked<uint32_t>(&b[sh + 20], 0x400, kexkit::Endian::kLittle);  // raw offset
  EXPECT_TRUE(ParseImage(b, "Image").has_value());  // ends at 0x1000: the whole file
  kexkit::StoreUnchecked<uint32_t>(&b[sh + 16], 0xc01, kexkit::Endian::kLittle);
  auto img = ParseImage(b, "Image");
  ASSERT_FALSE(img.has_value());
  EXPECT_NE(img.error().Line().find("describes 4097 bytes, the file has 4096"), std::string::npos)
      << img.error().Line();
}

}  // namespace
