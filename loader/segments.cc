#include "loader/segments.h"

#if KEXKIT_SHA256_BUILTIN
#include "kexkit/sha256.h"
#else
#include <openssl/evp.h>
#endif

#include <algorithm>

namespace kexkit::load {
namespace {

#if KEXKIT_SHA256_BUILTIN
// The purgatory's own SHA-256 (scalar path), where no libcrypto exists for the target
// (toolchain/ppc64-linux.cmake).
class Sha256 {
 public:
  Sha256() { sha256::Init(ctx_); }
  void Update(const void* p, size_t n) { sha256::Update(ctx_, p, n); }
  void Segment(const load::Segment& s) { Update(s.buf.data(), s.buf.size()); }
  Digest Final() {
    Digest d{};
    sha256::Final(ctx_, d.data());
    return d;
  }

 private:
  sha256::Context ctx_;
};
#else
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(const void* p, size_t n) { EVP_DigestUpdate(ctx_, p, n); }
  void Segment(const load::Segment& s) { Update(s.buf.data(), s.buf.size()); }
  Digest Final() {
    Digest d{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, d.data(), &len);
    return d;
  }

 private:
  EVP_MD_CTX* ctx_;
};
#endif

}  // namespace

std::span<const uint8_t> LoadPlan::Own(std::vector<uint8_t> bytes) {
  owned_.push_back(std::make_unique<std::vector<uint8_t>>(std::move(bytes)));
  return *owned_.back();
}

Result<void> ValidateSegments(const std::vector<Segment>& segments,
                              const std::vector<MemRange>& allowed, const char* allowed_name) {
  if (segments.size() > kMaxSegments) {
    return Fail(segments.size(), " segments, kexec_load takes at most ", kMaxSegments);
  }
  std::vector<const Segment*> sorted;
  for (const Segment& s : segments) {
    if (s.mem % kPageSize != 0 || s.memsz % kPageSize != 0) {
      return Fail("segment '", s.what, "' at ", Hex(s.mem), " size ", Hex(s.memsz),
                  " is not page aligned");
    }
    if (s.memsz == 0 || s.buf.size() > s.memsz || s.mem + s.memsz < s.mem) {
      return Fail("segment '", s.what, "' has bufsz ", Hex(s.buf.size()), " and memsz ",
                  Hex(s.memsz));
    }
    const bool inside = std::any_of(allowed.begin(), allowed.end(), [&](const MemRange& r) {
      return r.start <= s.mem && s.mem + s.memsz <= r.end;
    });
    if (!inside) {
      return Fail("segment '", s.what, "' [", Hex(s.mem), ", ", Hex(s.mem + s.memsz),
                  ") is outside ", allowed_name);
    }
    sorted.push_back(&s);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const Segment* a, const Segment* b) { return a->mem < b->mem; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i - 1]->mem + sorted[i - 1]->memsz > sorted[i]->mem) {
      return Fail("segments '", sorted[i - 1]->what, "' and '", sorted[i]->what, "' overlap at ",
                  Hex(sorted[i]->mem));
    }
  }
  return {};
}

std::vector<Digest> DigestSegments(const std::vector<Segment>& segments,
                                   std::span<const MappedFile* const> files) {
  std::vector<Digest> out(segments.size(), Digest{});
  std::vector<uint8_t> buf;  // 1 MiB: large reads, still inside L2 when hashed
  for (size_t i = 0; i < segments.size(); ++i) {
    const Segment& s = segments[i];
    if (!s.verified()) continue;
    const auto file = std::find_if(files.begin(), files.end(),
                                   [&](const MappedFile* f) { return f->Holds(s.buf); });
    if (file != files.end()) {
      buf.resize(1 << 20);
      Sha256 h;
      if ((*file)->ReadRange(s.buf, buf,
                             [&](std::span<const uint8_t> c) { h.Update(c.data(), c.size()); })) {
        out[i] = h.Final();
        continue;
      }
      // A read error or a file cut short since it was mapped: hash the mapping, as
      // kexec_load will read it (a truncated file faults there too).
    }
    out[i] = DigestSegment(s);
  }
  return out;
}

Digest DigestSegment(const Segment& s) {
  Sha256 h;
  h.Segment(s);
  return h.Final();
}

std::string HexBytes(std::span<const uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace kexkit::load
