// Every SHA-256 compression path the purgatory can pick agrees with OpenSSL, on lengths
// around every block boundary and on unaligned buffers.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>
#include <vector>

#include "kexkit/sha256.h"

namespace {

using kexkit::sha256::BlocksFn;

std::vector<uint8_t> OpenSsl(const uint8_t* p, size_t n) {
  std::vector<uint8_t> out(32);
  unsigned int len = 0;
  EVP_Digest(p, n, out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

std::vector<uint8_t> Ours(BlocksFn fn, const uint8_t* p, size_t n, size_t chunk) {
  kexkit::sha256::Context ctx;
  kexkit::sha256::Init(ctx, fn);
  for (size_t off = 0; off < n; off += chunk) {
    kexkit::sha256::Update(ctx, p + off, std::min(chunk, n - off));
  }
  std::vector<uint8_t> out(32);
  kexkit::sha256::Final(ctx, out.data());
  return out;
}

void CheckPath(BlocksFn fn) {
  std::mt19937 rng(42);
  std::vector<uint8_t> buf(70000 + 16);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  for (size_t align = 0; align < 4; ++align) {
    for (size_t n : {0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 128, 129, 1000, 4096, 65537}) {
      const uint8_t* p = buf.data() + align;
      for (size_t chunk : {size_t{1}, size_t{63}, size_t{64}, size_t{1000}, n + 1}) {
        if (chunk == 0 || (chunk == 1 && n > 4096)) continue;
        ASSERT_EQ(Ours(fn, p, n, chunk), OpenSsl(p, n))
            << "len " << n << " align " << align << " chunk " << chunk;
      }
    }
  }
}

TEST(Sha256Paths, ScalarMatchesOpenSsl) { CheckPath(kexkit::sha256::BlocksScalar); }

#if defined(__x86_64__) || defined(__i386__)
TEST(Sha256Paths, ShaNiMatchesOpenSsl) {
  if (!__builtin_cpu_supports("sha") || !__builtin_cpu_supports("sse4.1")) {
    GTEST_SKIP() << "this CPU has no SHA extensions";
  }
  CheckPath(kexkit::sha256::BlocksShaNi);
}
#endif

TEST(Sha256Paths, ZeroTailMatchesExplicitZeros) {
  std::vector<uint8_t> zeros(300000, 0);
  kexkit::sha256::Context ctx;
  kexkit::sha256::Init(ctx);
  kexkit::sha256::Update(ctx, "x", 1);
  kexkit::sha256::UpdateZeros(ctx, zeros.size() - 1);
  std::vector<uint8_t> out(32);
  kexkit::sha256::Final(ctx, out.data());
  zeros[0] = 'x';
  EXPECT_EQ(out, OpenSsl(zeros.data(), zeros.size()));
}

}  // namespace
