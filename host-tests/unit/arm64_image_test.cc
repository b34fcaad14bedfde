// The arm64 Image header parser (arch/arm64/image.cc) on headers built here, each field
// and refusal at a time, and on Debian's own arm64 kernel when the cache has it.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <string>
#include <vector>
#if KK_HAVE_ZSTD
#include <zstd.h>
#endif

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
  const Bad cases[] = {
      {std::vector<uint8_t>(63, 0), "Image: 63 bytes, too small to be an arm64 Image"},
      {no_magic, "Image: not an arm64 Image (no \"ARM\\x64\" magic at 0x38)"},
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

std::vector<uint8_t> Gzip(const std::vector<uint8_t>& in) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::vector<uint8_t> out(deflateBound(&z, in.size()) + 64);
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// An EFI zboot container [zboot-header.S]: "MZ", "zimg", payload offset and size, the
// compression's name at 0x18, the payload at 0x200.
std::vector<uint8_t> Zboot(const std::vector<uint8_t>& payload, const char* comp) {
  std::vector<uint8_t> b(0x200, 0);
  b[0] = 'M';
  b[1] = 'Z';
  std::memcpy(&b[4], "zimg", 4);
  kexkit::StoreUnchecked<uint32_t>(&b[8], 0x200, kexkit::Endian::kLittle);
  kexkit::StoreUnchecked<uint32_t>(&b[12], static_cast<uint32_t>(payload.size()),
                                   kexkit::Endian::kLittle);
  std::memcpy(&b[0x18], comp, std::strlen(comp));
  b.resize(0x200 + payload.size());
  std::memcpy(b.data() + 0x200, payload.data(), payload.size());
  return b;
}

std::vector<uint8_t> SampleImage() {
  auto img = Header(0, 0x1000000, 0xa, 0x30000);
  for (size_t i = 64; i < img.size(); ++i) img[i] = static_cast<uint8_t>(i * 7 / 5);
  return img;
}

TEST(Arm64Unpack, PlainImageIsLeftAlone) {
  auto r = kexkit::arm64::Unpack(SampleImage(), "Image");
  ASSERT_TRUE(r.has_value()) << r.error().Line();
  EXPECT_FALSE(r->has_value());
}

TEST(Arm64Unpack, GzipAndZboot) {
  ASSERT_TRUE(kexkit::arm64::kHaveZlib) << "built without zlib";
  const auto img = SampleImage();
  const auto gz = Gzip(img);
  for (const auto& [what, file] :
       {std::pair{"gzip", gz}, std::pair{"zboot-gzip", Zboot(gz, "gzip")}}) {
    auto r = kexkit::arm64::Unpack(file, what);
    ASSERT_TRUE(r.has_value()) << r.error().Line();
    ASSERT_TRUE(r->has_value()) << what;
    EXPECT_EQ(**r, img) << what;
    EXPECT_TRUE(ParseImage(**r, what).has_value()) << what;
  }
}

TEST(Arm64Unpack, ZbootZstd) {
  // A build without libzstd would refuse zstd zboot kernels (Fedora's): that is a
  // failure here, not a skip; scripts/lib/deps.sh installs libzstd-dev.
  ASSERT_TRUE(kexkit::arm64::kHaveZstd) << "built without libzstd";
#if KK_HAVE_ZSTD
  const auto img = SampleImage();
  std::vector<uint8_t> z(ZSTD_compressBound(img.size()));
  const size_t n = ZSTD_compress(z.data(), z.size(), img.data(), img.size(), 3);
  ASSERT_FALSE(ZSTD_isError(n));
  z.resize(n);
  auto r = kexkit::arm64::Unpack(Zboot(z, "zstd"), "zboot-zstd");
  ASSERT_TRUE(r.has_value()) << r.error().Line();
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ(**r, img);
  z.resize(n / 2);  // cut short
  r = kexkit::arm64::Unpack(Zboot(z, "zstd"), "zboot-zstd");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().Line().find("zboot-zstd: zstd: "), std::string::npos) << r.error().Line();
#endif
}

TEST(Arm64Unpack, RefusesBrokenContainers) {
  const auto gz = Gzip(SampleImage());
  auto cut = std::vector<uint8_t>(gz.begin(), gz.begin() + gz.size() / 2);
  auto corrupt = gz;
  corrupt[gz.size() / 2] ^= 0xff;
  corrupt[gz.size() / 2 + 1] ^= 0xff;
  auto outside = Zboot(gz, "gzip");
  kexkit::StoreUnchecked<uint32_t>(&outside[12], static_cast<uint32_t>(gz.size() + 1),
                                   kexkit::Endian::kLittle);
  struct Bad {
    std::vector<uint8_t> bytes;
    const char* message;
  };
  const Bad cases[] = {
      {cut, "k: gzip: the stream ends early (truncated file?)"},
      {corrupt, "k: gzip: "},
      {outside, "k: EFI zboot payload (offset 0x200, size "},
      {Zboot(gz, "lz4"), "k: EFI zboot payload compressed with 'lz4'; kexkit reads gzip and zstd"},
  };
  for (const Bad& c : cases) {
    auto r = kexkit::arm64::Unpack(c.bytes, "k");
    ASSERT_FALSE(r.has_value()) << c.message;
    EXPECT_NE(r.error().Line().find(c.message), std::string::npos) << r.error().Line();
  }
}

}  // namespace
