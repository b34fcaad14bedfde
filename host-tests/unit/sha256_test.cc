// The purgatory's own SHA-256 (purgatory/sha256.cc, built for the host) against the
// FIPS 180-4 example vectors and against OpenSSL on random buffers fed in many ways.
#include "kexkit/sha256.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

namespace sha = kexkit::sha256;
using Bytes = std::vector<uint8_t>;

std::string Hex(const uint8_t* p, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += kHex[p[i] >> 4];
    s += kHex[p[i] & 15];
  }
  return s;
}

std::string OpenSsl(const uint8_t* p, size_t n) {
  uint8_t out[32];
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(p, n, out, &len, EVP_sha256(), nullptr), 1);
  EXPECT_EQ(len, 32u);
  return Hex(out, 32);
}
std::string OpenSsl(const Bytes& b) { return OpenSsl(b.data(), b.size()); }

std::string Final(sha::Context& ctx) {
  uint8_t out[sha::kDigestSize];
  sha::Final(ctx, out);
  return Hex(out, sizeof(out));
}

// Feeds `data` in pieces whose lengths come from `split` (cycled), then finishes.
std::string Ours(const uint8_t* data, size_t n, const std::vector<size_t>& split) {
  sha::Context ctx;
  sha::Init(ctx);
  size_t off = 0, k = 0;
  while (off < n) {
    const size_t piece = std::min(split.empty() ? n : split[k++ % split.size()], n - off);
    sha::Update(ctx, data + off, piece);
    off += piece;
  }
  return Final(ctx);
}
std::string Ours(const Bytes& b, const std::vector<size_t>& split = {}) {
  return Ours(b.data(), b.size(), split);
}
std::string Ours(const std::string& s) {
  return Ours(reinterpret_cast<const uint8_t*>(s.data()), s.size(), {});
}

Bytes Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

// [FIPS 180-4 examples, NIST CSRC "SHA256.pdf" / "SHA2_Additional.pdf"]
TEST(Sha256, FipsOneBlockAbc) {
  EXPECT_EQ(Ours(std::string("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, FipsTwoBlock448Bit) {
  EXPECT_EQ(Ours(std::string("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, Fips896Bit) {
  EXPECT_EQ(Ours(std::string("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                             "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(Sha256, FipsOneMillionA) {
  const std::string a(1000000, 'a');
  const std::string want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  EXPECT_EQ(Ours(a), want);
  // The same message in uneven pieces, and one byte at a time.
  const Bytes b(a.begin(), a.end());
  EXPECT_EQ(Ours(b, {1, 63, 64, 65, 1000, 7}), want);
  EXPECT_EQ(Ours(b, {1}), want);
}

TEST(Sha256, EmptyMessage) {
  EXPECT_EQ(Ours(std::string()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  sha::Context ctx;
  sha::Init(ctx);
  sha::Update(ctx, nullptr, 0);
  sha::UpdateZeros(ctx, 0);
  EXPECT_EQ(Final(ctx), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// The compression function alone: "abc" padded by hand into one block [FIPS 180-4 5.1.1].
TEST(Sha256, BlocksScalarOnePaddedBlock) {
  uint8_t block[64] = {'a', 'b', 'c', 0x80};
  block[63] = 24;  // message length in bits, big-endian
  uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  sha::BlocksScalar(state, block, 1);
  const uint32_t want[8] = {0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223,
                            0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(state[i], want[i]) << "word " << i;
}

// Two blocks in one call equal the same two blocks in two calls; zero blocks is a no-op.
TEST(Sha256, BlocksScalarMultiBlockCall) {
  const Bytes data = Random(64 * 5, 7);
  uint32_t a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8];
  std::memcpy(b, a, sizeof(a));
  sha::BlocksScalar(a, data.data(), 5);
  for (int i = 0; i < 5; ++i) sha::BlocksScalar(b, data.data() + 64 * i, 1);
  EXPECT_EQ(0, std::memcmp(a, b, sizeof(a)));
  uint32_t c[8];
  std::memcpy(c, a, sizeof(a));
  sha::BlocksScalar(c, data.data(), 0);
  EXPECT_EQ(0, std::memcmp(a, c, sizeof(a)));
}

// Every length 0..1000, each fed whole, byte by byte, around the block size, split in
// two at every interesting place, and in random pieces.
TEST(Sha256, MatchesOpenSslOnEveryLengthTo1000) {
  std::mt19937 rng(1);
  for (size_t n = 0; n <= 1000; ++n) {
    const Bytes b = Random(n, static_cast<uint32_t>(n) + 100);
    const std::string want = OpenSsl(b);
    ASSERT_EQ(Ours(b), want) << "whole, len " << n;
    ASSERT_EQ(Ours(b, {1}), want) << "bytewise, len " << n;
    ASSERT_EQ(Ours(b, {63}), want) << "63s, len " << n;
    ASSERT_EQ(Ours(b, {64}), want) << "64s, len " << n;
    ASSERT_EQ(Ours(b, {65}), want) << "65s, len " << n;
    ASSERT_EQ(Ours(b, {3, 61, 128, 1, 200}), want) << "mixed, len " << n;
    if (n > 1) {
      ASSERT_EQ(Ours(b, {1, n - 1}), want) << "1 + rest, len " << n;
      ASSERT_EQ(Ours(b, {n - 1, 1}), want) << "rest + 1, len " << n;
      const size_t cut = std::uniform_int_distribution<size_t>(1, n - 1)(rng);
      ASSERT_EQ(Ours(b, {cut, n - cut}), want) << "cut at " << cut << ", len " << n;
    }
    std::vector<size_t> pieces;
    for (int i = 0; i < 8; ++i)
      pieces.push_back(std::uniform_int_distribution<size_t>(0, 150)(rng));
    pieces.push_back(1);  // never all zero
    ASSERT_EQ(Ours(b, pieces), want) << "random pieces, len " << n;
  }
}

// Unaligned input: the loads are bytewise, so any start offset must give the same digest.
TEST(Sha256, UnalignedInput) {
  const Bytes b = Random(4096 + 8, 3);
  for (size_t shift = 0; shift < 8; ++shift) {
    for (size_t n : {55u, 56u, 64u, 119u, 1000u, 4096u}) {
      ASSERT_EQ(Ours(b.data() + shift, n, {}), OpenSsl(b.data() + shift, n))
          << "shift " << shift << " len " << n;
      ASSERT_EQ(Ours(b.data() + shift, n, {13}), OpenSsl(b.data() + shift, n))
          << "shift " << shift << " len " << n << " in 13s";
    }
  }
}

TEST(Sha256, MatchesOpenSslOnLargeBuffers) {
  for (size_t n : {size_t{65536}, size_t{(1 << 20) + 13}, size_t{(16 << 20) + 1}}) {
    const Bytes b = Random(n, static_cast<uint32_t>(n));
    const std::string want = OpenSsl(b);
    EXPECT_EQ(Ours(b), want) << "whole, len " << n;
    EXPECT_EQ(Ours(b, {4097}), want) << "4097s, len " << n;
    EXPECT_EQ(Ours(b, {1 << 20, 5, 64 * 1024 - 1}), want) << "mixed, len " << n;
  }
}

// UpdateZeros(n) is Update with n zero bytes, at every phase of the block buffer and for
// lengths around its internal 1 KiB chunk.
TEST(Sha256, UpdateZerosEqualsExplicitZeros) {
  const Bytes head = Random(200, 11), tail = Random(77, 12);
  for (size_t lead : {0u, 1u, 55u, 63u, 64u, 200u}) {
    for (uint64_t zeros : {0ull, 1ull, 63ull, 64ull, 1023ull, 1024ull, 1025ull, 3ull * 4096 + 5,
                           (1ull << 20) + 17}) {
      Bytes expect(head.begin(), head.begin() + static_cast<ptrdiff_t>(lead));
      expect.resize(expect.size() + zeros, 0);
      expect.insert(expect.end(), tail.begin(), tail.end());

      sha::Context ctx;
      sha::Init(ctx);
      sha::Update(ctx, head.data(), lead);
      sha::UpdateZeros(ctx, zeros);
      sha::Update(ctx, tail.data(), tail.size());
      ASSERT_EQ(Final(ctx), OpenSsl(expect)) << "lead " << lead << " zeros " << zeros;
    }
  }
}

// A context is reusable after Init, and Init with an explicit BlocksScalar is the default.
TEST(Sha256, ReinitAndExplicitScalarPath) {
  const Bytes b = Random(777, 5);
  sha::Context ctx;
  sha::Init(ctx);
  sha::Update(ctx, b.data(), 300);
  (void)Final(ctx);
  sha::Init(ctx, sha::BlocksScalar);
  sha::Update(ctx, b.data(), b.size());
  EXPECT_EQ(Final(ctx), OpenSsl(b));
}

}  // namespace
