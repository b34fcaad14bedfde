#include "arch/arm64/image.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#if KK_HAVE_ZSTD
#include <zstd.h>
#endif

#include "base/bytes.h"

namespace kexkit::arm64 {
namespace {

constexpr uint64_t kHeaderSize = 64;
constexpr uint64_t kMaxImage = 1ull << 30;

}  // namespace

Result<Image> ParseImage(std::span<const uint8_t> file, const std::string& name) {
  if (file.size() < kHeaderSize) {
    return FailIn(name, file.size(), " bytes, too small to be an arm64 Image");
  }
  if (Le<uint32_t>(file, 0x38) != kImageMagic) {
    return FailIn(name, "not an arm64 Image (no \"ARM\\x64\" magic at 0x38)");
  }
  Image img;
  img.bytes = file;
  img.text_offset = Le<uint64_t>(file, 0x08);
  img.image_size = Le<uint64_t>(file, 0x10);
  const uint64_t flags = Le<uint64_t>(file, 0x18);
  img.big_endian = (flags & 1) != 0;
  static constexpr unsigned kPageKib[] = {0, 4, 16, 64};
  img.page_kib = kPageKib[(flags >> 1) & 3];
  img.place_anywhere = (flags & 8) != 0;

  if (img.image_size == 0) {
    return FailIn(name, "image_size is 0 (a kernel older than 3.17): its load size is unknown");
  }
  if (img.big_endian) return FailIn(name, "a big-endian kernel; kexkit loads little-endian arm64");
  if (img.image_size > kMaxImage || img.text_offset > kMaxImage) {
    return FailIn(name, "image_size ", Hex(img.image_size), " or text_offset ",
                  Hex(img.text_offset), " is larger than 1 GiB");
  }
  if (img.text_offset % 4096 != 0) {
    return FailIn(name, "text_offset ", Hex(img.text_offset), " is not page-aligned");
  }
  // A kernel with the EFI stub is also a PE/COFF file [arch/arm64/kernel/efi-header.S]:
  // its section table says where the file's data ends, so a truncated copy is caught
  // here, not by a capture kernel that never starts. (Without the stub nothing in the
  // header gives the file's length.)
  if (file[0] == 'M' && file[1] == 'Z') {
    const uint64_t pe = Le<uint32_t>(file, 0x3c);
    if (pe <= file.size() - 24 && std::memcmp(file.data() + pe, "PE\0\0", 4) == 0) {
      const uint64_t sections = Le<uint16_t>(file, pe + 6);
      const uint64_t table = pe + 24 + Le<uint16_t>(file, pe + 20);
      uint64_t data_end = table + 40 * sections;
      for (uint64_t i = 0; i < sections && table + 40 * (i + 1) <= file.size(); ++i) {
        const uint64_t sh = table + 40 * i;
        data_end =
            std::max(data_end, uint64_t{Le<uint32_t>(file, sh + 20)} + Le<uint32_t>(file, sh + 16));
      }
      if (data_end > file.size()) {
        return FailIn(name, "truncated: its PE header describes ", data_end,
                      " bytes, the file has ", file.size());
      }
    }
  }
  return img;
}

#if KK_HAVE_ZLIB
const bool kHaveZlib = true;
#else
const bool kHaveZlib = false;
#endif
#if KK_HAVE_ZSTD
const bool kHaveZstd = true;
#else
const bool kHaveZstd = false;
#endif

namespace {

// Makes room for the next 8 MiB of decompressed output at the end of `out`, at most
// kMaxImage in all; returns where it starts. Both decompressors grow their output so.
[[maybe_unused]] Result<size_t> Grow(std::vector<uint8_t>& out, const std::string& name) {
  if (out.size() >= kMaxImage) return FailIn(name, "decompresses to more than 1 GiB");
  const size_t at = out.size();
  out.resize(std::min<uint64_t>(at + (8u << 20), kMaxImage));
  return at;
}

#if KK_HAVE_ZLIB
// A gzip stream (RFC 1952), whole, into at most kMaxImage bytes.
Result<std::vector<uint8_t>> Gunzip(std::span<const uint8_t> in, const std::string& name) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return FailIn(name, "zlib: cannot start inflate");
  std::vector<uint8_t> out;
  z.next_in = const_cast<Bytef*>(in.data());
  int rc = Z_OK;
  uint64_t fed = 0;
  while (rc != Z_STREAM_END) {
    if (z.avail_in == 0) {
      const uint64_t n = std::min<uint64_t>(in.size() - fed, 1u << 30);
      if (n == 0) break;
      z.next_in = const_cast<Bytef*>(in.data() + fed);
      z.avail_in = static_cast<uInt>(n);
      fed += n;
    }
    const auto at = Grow(out, name);
    if (!at) {
      inflateEnd(&z);
      return std::unexpected(at.error());
    }
    z.next_out = out.data() + *at;
    z.avail_out = static_cast<uInt>(out.size() - *at);
    rc = inflate(&z, Z_NO_FLUSH);
    out.resize(out.size() - z.avail_out);
    if (rc != Z_OK && rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && z.avail_in != 0)) {
      const char* why = z.msg != nullptr ? z.msg : "bad data";
      inflateEnd(&z);
      return FailIn(name, "gzip: ", why);
    }
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return FailIn(name, "gzip: the stream ends early (truncated file?)");
  return out;
}
#else
Result<std::vector<uint8_t>> Gunzip(std::span<const uint8_t>, const std::string& name) {
  return FailIn(name, "a gzip-compressed kernel, and this kexkit was built without zlib");
}
#endif

#if KK_HAVE_ZSTD
Result<std::vector<uint8_t>> Unzstd(std::span<const uint8_t> in, const std::string& name) {
  ZSTD_DStream* d = ZSTD_createDStream();
  if (d == nullptr) return FailIn(name, "zstd: cannot start decompression");
  std::vector<uint8_t> out;
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  size_t rc = 1;
  while (rc != 0) {
    const auto at = Grow(out, name);
    if (!at) {
      ZSTD_freeDStream(d);
      return std::unexpected(at.error());
    }
    ZSTD_outBuffer dst{out.data() + *at, out.size() - *at, 0};
    rc = ZSTD_decompressStream(d, &dst, &src);
    out.resize(*at + dst.pos);
    if (ZSTD_isError(rc)) {
      ZSTD_freeDStream(d);
      return FailIn(name, "zstd: ", ZSTD_getErrorName(rc));
    }
    if (rc != 0 && src.pos == src.size && dst.pos < dst.size) {
      ZSTD_freeDStream(d);
      return FailIn(name, "zstd: the stream ends early (truncated file?)");
    }
  }
  ZSTD_freeDStream(d);
  return out;
}
#endif

}  // namespace

Result<std::optional<std::vector<uint8_t>>> Unpack(std::span<const uint8_t> file,
                                                   const std::string& name) {
  if (file.size() >= 2 && file[0] == 0x1f && file[1] == 0x8b) {
    auto out = Gunzip(file, name);
    if (!out) return std::unexpected(out.error());
    return std::optional<std::vector<uint8_t>>(std::move(*out));
  }
  if (file.size() < 0x40 || file[0] != 'M' || file[1] != 'Z' ||
      std::memcmp(file.data() + 4, "zimg", 4) != 0) {
    return std::optional<std::vector<uint8_t>>();  // a plain Image (or not a kernel)
  }
  const uint64_t off = Le<uint32_t>(file, 0x08), size = Le<uint32_t>(file, 0x0c);
  if (off > file.size() || size > file.size() - off || size == 0) {
    return FailIn(name, "EFI zboot payload (offset ", Hex(off), ", size ", Hex(size),
                  ") is not inside the file");
  }
  char comp[9] = {};
  std::memcpy(comp, file.data() + 0x18, 8);
  const std::span<const uint8_t> payload = file.subspan(off, size);
  Result<std::vector<uint8_t>> out = FailIn(name, "EFI zboot: no decompressor");
  if (std::strcmp(comp, "gzip") == 0) {
    out = Gunzip(payload, name);
  } else if (std::strcmp(comp, "zstd") == 0) {
#if KK_HAVE_ZSTD
    out = Unzstd(payload, name);
#else
    return FailIn(name, "EFI zboot with a zstd payload, and this kexkit was built without libzstd");
#endif
  } else {
    std::string shown;
    for (char c : std::string_view(comp)) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
    return FailIn(name, "EFI zboot payload compressed with '", shown,
                  "'; kexkit reads gzip and zstd");
  }
  if (!out) return std::unexpected(out.error());
  return std::optional<std::vector<uint8_t>>(std::move(*out));
}

}  // namespace kexkit::arm64
