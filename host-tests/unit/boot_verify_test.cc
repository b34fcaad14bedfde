// The purgatory's and the trampoline's digest check (boot::VerifyOrHalt, the code both
// run before the hand-off), compiled for the host against stand-in arch hooks: a console
// that records, a Halt that throws. Each region is checked against its own digest, and
// a mismatch names the segment (index, address, label) before halting.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kexkit/boot-sequence.h"
#include "kexkit/purgatory-abi.h"
#include "kexkit/trampoline.h"

namespace {

std::string g_console;
struct Halted {};

}  // namespace

namespace kexkit::arch {
void ConsoleInit(const abi::PurgatoryParams&) {}
void ConsolePutc(char c) { g_console += c; }
sha256::BlocksFn Sha256Blocks(const char** name) {
  *name = "scalar";
  return sha256::BlocksScalar;
}
[[noreturn]] void Halt() { throw Halted{}; }
}  // namespace kexkit::arch

namespace {

using kexkit::abi::DigestRegion;

void Sha(const std::vector<uint8_t>& b, uint8_t out[32]) {
  unsigned int len = 0;
  EVP_Digest(b.data(), b.size(), out, &len, EVP_sha256(), nullptr);
}

class BootVerify : public ::testing::Test {
 protected:
  void SetUp() override {
    g_console.clear();
    std::mt19937 rng(7);
    const size_t sizes[] = {5000, 1, 0, 64 * 1024 + 3};
    const char* labels[] = {"kernel", "initrd", "", "bootparams"};
    for (size_t i = 0; i < 4; ++i) {
      bufs_.emplace_back(sizes[i]);
      for (auto& b : bufs_.back()) b = static_cast<uint8_t>(rng());
    }
    for (size_t i = 0; i < 4; ++i) {
      DigestRegion r{};
      r.start = reinterpret_cast<uintptr_t>(bufs_[i].data());
      r.len = bufs_[i].size();
      Sha(bufs_[i], r.digest);
      r.segment = static_cast<uint32_t>(2 * i + 1);  // not the region index
      std::snprintf(r.label, sizeof(r.label), "%s", labels[i]);
      regions_.push_back(r);
    }
  }

  // Runs the check; true if it halted.
  template <typename Region>
  bool Verify(const std::vector<Region>& regions) {
    try {
      kexkit::boot::VerifyOrHalt("kk: ", regions.data(), static_cast<uint32_t>(regions.size()));
    } catch (const Halted&) {
      return true;
    }
    return false;
  }

  std::string Hex(uintptr_t v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
    return buf;
  }

  std::vector<std::vector<uint8_t>> bufs_;
  std::vector<DigestRegion> regions_;
};

TEST_F(BootVerify, EveryRegionMatchesItsOwnDigest) {
  EXPECT_FALSE(Verify(regions_));
  EXPECT_EQ(g_console, "kk: sha256 ok (scalar), 4 segments\r\n");
}

TEST_F(BootVerify, OneDigestOverAllRegionsIsNotAccepted) {
  // The KKP1 contract (one SHA-256 over everything) in region 0's slot must fail.
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (const auto& b : bufs_) EVP_DigestUpdate(ctx, b.data(), b.size());
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, regions_[0].digest, &len);
  EVP_MD_CTX_free(ctx);
  EXPECT_TRUE(Verify(regions_));
}

TEST_F(BootVerify, AMismatchNamesTheSegmentAndHalts) {
  for (size_t bad = 0; bad < regions_.size(); ++bad) {
    SCOPED_TRACE(bad);
    g_console.clear();
    std::vector<DigestRegion> r = regions_;
    uint8_t expected[32];
    std::memcpy(expected, r[bad].digest, 32);
    uint8_t got[32];
    std::memcpy(got, expected, 32);
    if (bufs_[bad].empty()) {
      r[bad].digest[31] ^= 0x80;  // nothing to flip in an empty region: flip the digest
      std::memcpy(expected, r[bad].digest, 32);
    } else {
      bufs_[bad][bufs_[bad].size() / 2] ^= 0x01;  // the memory changed after the digest
      Sha(bufs_[bad], got);
    }
    ASSERT_TRUE(Verify(r));
    std::string want = "kk: sha256 MISMATCH segment " + std::to_string(r[bad].segment) + " at " +
                       Hex(r[bad].start) + " (" + r[bad].label + ") expected ";
    for (uint8_t b : expected)
      want += "0123456789abcdef"[b >> 4], want += "0123456789abcdef"[b & 15];
    want += " got ";
    for (uint8_t b : got) want += "0123456789abcdef"[b >> 4], want += "0123456789abcdef"[b & 15];
    want += "\r\nkk: halted, the new kernel was not entered\r\n";
    EXPECT_EQ(g_console, want);
    if (!bufs_[bad].empty()) bufs_[bad][bufs_[bad].size() / 2] ^= 0x01;
  }
}

TEST_F(BootVerify, ALabelOfFullWidthOrControlBytesStaysInsideItsField) {
  std::memcpy(regions_[1].label,
              "0123456789\x1b"
              "\x07",
              sizeof(regions_[1].label));  // no NUL
  regions_[1].digest[0] ^= 1;
  ASSERT_TRUE(Verify(regions_));
  EXPECT_NE(g_console.find("(0123456789?"
                           "?) expected"),
            std::string::npos)
      << g_console;
}

TEST_F(BootVerify, TheTrampolineRegionLayoutRunsTheSameCheck) {
  std::vector<kexkit_digest_region> t(regions_.size());
  static_assert(sizeof(kexkit_digest_region) == sizeof(DigestRegion));
  std::memcpy(t.data(), regions_.data(), regions_.size() * sizeof(DigestRegion));
  EXPECT_FALSE(Verify(t));
  t[3].digest[5] ^= 4;
  g_console.clear();
  EXPECT_TRUE(Verify(t));
  EXPECT_NE(g_console.find("MISMATCH segment 7 at " + Hex(t[3].start) + " (bootparams)"),
            std::string::npos)
      << g_console;
}

}  // namespace
