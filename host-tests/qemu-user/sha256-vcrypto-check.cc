// Runs under qemu-user (qemu-ppc64le / qemu-ppc64, host-tests/ppc64.cmake; qemu-aarch64,
// host-tests/aarch64.cmake): the purgatory's own sha256.cc and one hardware path
// (KK_HW_BLOCKS: BlocksVcrypto from arch/ppc64/purgatory/sha256-ppc64.cc by default,
// BlocksArmCe from arch/arm64/purgatory/sha256-arm64.cc), cross-compiled static. Checks
// BlocksScalar and the hardware path against the FIPS 180-2 / NIST CAVS vectors, then
// the hardware path against BlocksScalar (itself checked against OpenSSL by
// unit/sha256_paths_test.cc on the host) on pseudo-random data over many lengths,
// alignments and chunk sizes. Exit 0 on success.
//
//   sha256-vcrypto-check            the checks
//   sha256-vcrypto-check --bench M  also hash M MiB with each path and print the times
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <initializer_list>
#include <utility>

#include "kexkit/sha256.h"

#ifndef KK_HW_BLOCKS
#define KK_HW_BLOCKS BlocksVcrypto
#define KK_HW_NAME "vcrypto"
#endif

namespace {

using kexkit::sha256::BlocksFn;
namespace sha = kexkit::sha256;

int g_failures = 0;

void Digest(BlocksFn fn, const uint8_t* p, size_t n, size_t chunk, uint8_t out[32]) {
  sha::Context ctx;
  sha::Init(ctx, fn);
  for (size_t off = 0; off < n; off += chunk) {
    sha::Update(ctx, p + off, n - off < chunk ? n - off : chunk);
  }
  sha::Final(ctx, out);
}

void Hex(const uint8_t d[32], char out[65]) {
  for (int i = 0; i < 32; ++i) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

void CheckKnown(const char* path, BlocksFn fn, const char* what, const uint8_t* p, size_t n,
                const char* expect) {
  uint8_t d[32];
  char hex[65];
  for (size_t chunk : {size_t{1}, size_t{64}, size_t{1000}, n + 1}) {
    if (chunk == 1 && n > 100000) continue;
    Digest(fn, p, n, chunk, d);
    Hex(d, hex);
    if (strcmp(hex, expect) != 0) {
      printf("FAIL %s %s (chunk %zu): %s, want %s\n", path, what, chunk, hex, expect);
      ++g_failures;
    }
  }
}

void CheckNist(const char* path, BlocksFn fn) {
  static const char k448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  static const char k896[] =
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
      "klmnopqrlmnopqrsmnopqrstnopqrstu";
  CheckKnown(path, fn, "\"\"", reinterpret_cast<const uint8_t*>(""), 0,
             "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CheckKnown(path, fn, "\"abc\"", reinterpret_cast<const uint8_t*>("abc"), 3,
             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CheckKnown(path, fn, "448-bit", reinterpret_cast<const uint8_t*>(k448), sizeof(k448) - 1,
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CheckKnown(path, fn, "896-bit", reinterpret_cast<const uint8_t*>(k896), sizeof(k896) - 1,
             "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  static uint8_t million[1000000];
  memset(million, 'a', sizeof(million));
  CheckKnown(path, fn, "10^6 x 'a'", million, sizeof(million),
             "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

uint64_t g_rng = 0x9e3779b97f4a7c15ull;
uint8_t Rand8() {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 7;
  g_rng ^= g_rng << 17;
  return static_cast<uint8_t>(g_rng >> 24);
}

void CheckAgainstScalar() {
  static uint8_t buf[70000 + 16];
  for (auto& b : buf) b = Rand8();
  int cases = 0;
  for (size_t align = 0; align < 16; ++align) {
    for (size_t n : {0,   1,   3,   55,  56,  57,  63,   64,   65,    119,
                     120, 127, 128, 129, 191, 192, 1000, 4096, 65537, 70000}) {
      const uint8_t* p = buf + align;
      for (size_t chunk : {size_t{1}, size_t{63}, size_t{64}, size_t{1000}, n + 1}) {
        if (chunk == 1 && n > 4096) continue;
        uint8_t want[32], got[32];
        Digest(sha::BlocksScalar, p, n, chunk, want);
        Digest(sha::KK_HW_BLOCKS, p, n, chunk, got);
        ++cases;
        if (memcmp(want, got, 32) != 0) {
          char w[65], g[65];
          Hex(want, w);
          Hex(got, g);
          printf("FAIL " KK_HW_NAME " != scalar: len %zu align %zu chunk %zu: %s, want %s\n", n,
                 align, chunk, g, w);
          ++g_failures;
        }
      }
    }
  }
  // Multi-block calls straight into the compression function, state carried over.
  for (size_t blocks = 1; blocks <= 64; ++blocks) {
    uint32_t s1[8], s2[8];
    for (int i = 0; i < 8; ++i) s1[i] = s2[i] = 0x01234567u * (i + 1);
    sha::BlocksScalar(s1, buf + blocks % 16, blocks);
    sha::KK_HW_BLOCKS(s2, buf + blocks % 16, blocks);
    ++cases;
    if (memcmp(s1, s2, sizeof(s1)) != 0) {
      printf("FAIL " KK_HW_NAME " != scalar: %zu blocks direct\n", blocks);
      ++g_failures;
    }
  }
  printf(KK_HW_NAME " vs scalar: %d cases\n", cases);
}

double Seconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

void Bench(int mib) {
  const size_t n = size_t{1} << 20;
  uint8_t* buf = static_cast<uint8_t*>(malloc(n));
  for (size_t i = 0; i < n; ++i) buf[i] = Rand8();
  for (int pass = 0; pass < 2; ++pass) {
    for (auto [name, fn] : {std::pair<const char*, BlocksFn>{"scalar", sha::BlocksScalar},
                            std::pair<const char*, BlocksFn>{KK_HW_NAME, sha::KK_HW_BLOCKS}}) {
      uint32_t state[8] = {};
      const double t0 = Seconds();
      for (int i = 0; i < mib; ++i) fn(state, buf, n / 64);
      const double dt = Seconds() - t0;
      if (pass == 1) printf("bench %-8s %d MiB: %.3f s (%.1f MiB/s)\n", name, mib, dt, mib / dt);
    }
  }
  free(buf);
}

}  // namespace

int main(int argc, char** argv) {
  CheckNist("scalar", sha::BlocksScalar);
  CheckNist(KK_HW_NAME, sha::KK_HW_BLOCKS);
  CheckAgainstScalar();
  if (argc == 3 && strcmp(argv[1], "--bench") == 0) Bench(atoi(argv[2]));
  printf("%s (%s)\n", g_failures ? "FAILED" : "ok",
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
         "little-endian"
#else
         "big-endian"
#endif
  );
  return g_failures ? 1 : 0;
}
