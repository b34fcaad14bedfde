// The parameter block's encoder (load::EncodeParams) against the header: driven by the
// header's own field list (KEXKIT_PURGATORY_PARAMS_FIELDS), checked here byte for byte.
// Every byte of a block filled with distinct values must come out where the struct has
// it (little-endian, as the host lays it out) or byte-swapped per field (big-endian): a
// field the list left out would stay zero, a wrong offset would land elsewhere.
#include <gtest/gtest.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "base/bytes.h"
#include "kexkit/purgatory-abi.h"
#include "loader/load.h"

namespace kexkit::load {
namespace {

abi::PurgatoryParams Filled() {
  abi::PurgatoryParams p;
  auto* raw = reinterpret_cast<uint8_t*>(&p);
  for (size_t i = 0; i < sizeof(p); ++i) raw[i] = static_cast<uint8_t>(i * 7 + 1) | 1;
  return p;
}

TEST(AbiEncode, LittleEndianIsTheStructByteForByte) {
  static_assert(std::endian::native == std::endian::little, "the test compares host bytes");
  const abi::PurgatoryParams p = Filled();
  const std::vector<uint8_t> b = EncodeParams(p, Endian::kLittle);
  ASSERT_EQ(b.size(), sizeof(p));
  for (size_t i = 0; i < sizeof(p); ++i) {
    ASSERT_EQ(b[i], reinterpret_cast<const uint8_t*>(&p)[i]) << "byte " << i;
  }
}

TEST(AbiEncode, BigEndianSwapsEachIntegerAndKeepsTheBytes) {
  const abi::PurgatoryParams p = Filled();
  const std::vector<uint8_t> b = EncodeParams(p, Endian::kBig);
  using P = abi::PurgatoryParams;
  using R = abi::DigestRegion;
  EXPECT_EQ(LoadUnchecked<uint32_t>(b.data() + offsetof(P, magic), Endian::kBig), p.magic);
  EXPECT_EQ(LoadUnchecked<uint32_t>(b.data() + offsetof(P, reserved0), Endian::kBig), p.reserved0);
  EXPECT_EQ(LoadUnchecked<uint64_t>(b.data() + offsetof(P, opal_entry), Endian::kBig),
            p.opal_entry);
  for (uint32_t i = 0; i < abi::kMaxDigestRegions; ++i) {
    const size_t at = offsetof(P, regions) + i * sizeof(R);
    EXPECT_EQ(LoadUnchecked<uint64_t>(b.data() + at + offsetof(R, len), Endian::kBig),
              p.regions[i].len);
    EXPECT_EQ(LoadUnchecked<uint32_t>(b.data() + at + offsetof(R, segment), Endian::kBig),
              p.regions[i].segment);
    EXPECT_EQ(std::memcmp(b.data() + at + offsetof(R, digest), p.regions[i].digest, 32), 0);
    EXPECT_EQ(std::memcmp(b.data() + at + offsetof(R, label), p.regions[i].label, abi::kLabelSize),
              0);
  }
}

}  // namespace
}  // namespace kexkit::load
