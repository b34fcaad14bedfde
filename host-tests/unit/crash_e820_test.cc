// The capture kernel's memory map (and the e820 table the x86 loader makes of it), and
// the choice of the backed-up low range.
#include <gtest/gtest.h>

#include <tuple>
#include <vector>

#include "arch/x86/x86-crash.h"
#include "arch/x86/x86-loader.h"
#include "loader/crash.h"

namespace kexkit::load {
namespace {

using x86::CaptureMemoryMap;
using x86::FindBackupSource;

// x86::E820Entry is packed (the zero page's layout): copy a field out before gtest binds
// a reference to it.
template <typename T>
T Field(T v) {
  return v;
}

constexpr RangeType kRam = RangeType::kRam, kRes = RangeType::kReserved, kAcpi = RangeType::kAcpi,
                    kNvs = RangeType::kNvs, kOther = RangeType::kOther;

TEST(BackupSource, FirstRamBelow640K) {
  EXPECT_EQ(FindBackupSource({{0x1000, 0x9fc00, kRam}, {0x100000, 0x3ffe0000, kRam}}).start,
            0x1000u);
  const MemRange r = FindBackupSource({{0x1000, 0x9fc00, kRam}, {0x100000, 0x3ffe0000, kRam}});
  EXPECT_EQ(r.end, 0x9fc00u);
  // RAM straight through 640K (some hypervisors): cut at 640K.
  const MemRange cut = FindBackupSource({{0x1000, 0xc0000000, kRam}});
  EXPECT_EQ(cut.start, 0x1000u);
  EXPECT_EQ(cut.end, 0xa0000u);
  // No RAM below 640K: kexec-tools' default window.
  const MemRange def = FindBackupSource({{0x100000, 0x3ffe0000, kRam}});
  EXPECT_EQ(def.start, 0u);
  EXPECT_EQ(def.end, 0xa0000u);
}

TEST(CaptureMap, QemuGuest) {
  // /sys/firmware/memmap of the e2e guest, its crash region, and segments at the top.
  const std::vector<MemRange> fw = {{0, 0x9fc00, kRam},
                                    {0x9fc00, 0xa0000, kRes},
                                    {0xf0000, 0x100000, kRes},
                                    {0x100000, 0x3ffe0000, kRam},
                                    {0x3ffe0000, 0x40000000, kRes},
                                    {0xfffc0000, 0x100000000, kRes},
                                    {0xfd00000000, 0x10000000000, kRes}};
  const std::vector<MemRange> crash = {{0x2e000000, 0x3e000000, kOther}};
  const MemRange backup{0x1000, 0x9fc00, kRam};
  const std::vector<MemRange> holes = {{0x3df61000, 0x3e000000, kRam},   // backup copy
                                       {0x3df5d000, 0x3df61000, kRam}};  // core header
  const auto map = CaptureMemoryMap(fw, crash, backup, holes);
  const std::vector<std::tuple<uint64_t, uint64_t, RangeType>> want = {
      {0x1000, 0x9fc00, kRam},
      {0x9fc00, 0xa0000, kRes},
      {0xf0000, 0x100000, kRes},
      {0x2e000000, 0x3df5d000, kRam},
      {0x3ffe0000, 0x40000000, kRes},
      {0xfffc0000, 0x100000000, kRes},
      {0xfd00000000, 0x10000000000, kRes}};
  ASSERT_EQ(map.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(map[i].start, std::get<0>(want[i])) << i;
    EXPECT_EQ(map[i].end, std::get<1>(want[i])) << i;
    EXPECT_EQ(map[i].type, std::get<2>(want[i])) << i;
  }

  // The zero page's e820 table: inclusive sizes, kernel type numbers.
  const auto e820 = x86::E820FromMap(map);
  ASSERT_EQ(e820.size(), want.size());
  EXPECT_EQ(Field(e820[0].addr), 0x1000u);
  EXPECT_EQ(Field(e820[0].size), 0x9ec00u);
  EXPECT_EQ(Field(e820[0].type), 1u);  // E820_TYPE_RAM
  EXPECT_EQ(Field(e820[1].type), 2u);  // E820_TYPE_RESERVED
  EXPECT_EQ(Field(e820[3].addr), 0x2e000000u);
  EXPECT_EQ(Field(e820[3].size), 0xff5d000u);
}

TEST(CaptureMap, HighAndLowCrashRegionsAcpiAndNvs) {
  const std::vector<MemRange> fw = {
      {0x1000, 0xa0000, kRam},          {0x100000, 0x5a2f7000, kRam},
      {0x5a2f7000, 0x5a3b7000, kRes},   {0x5ec4e000, 0x5f1cc000, kNvs},
      {0x5f1cc000, 0x5f2a8000, kAcpi},  {0x80000000, 0x90000000, kOther},
      {0x100000000, 0x1080000000, kRam}};
  const std::vector<MemRange> crash = {{0x0f000000, 0x1f000000, kOther},
                                       {0x104f000000, 0x106f000000, kOther}};
  const auto map =
      CaptureMemoryMap(fw, crash, {0x1000, 0xa0000, kRam}, {{0x106ef00000, 0x106f000000, kRam}});
  ASSERT_EQ(map.size(), 6u);
  EXPECT_EQ(map[1].start, 0x0f000000u);  // crashk_low_res: RAM for the capture kernel too
  EXPECT_EQ(map[1].type, kRam);
  EXPECT_EQ(map[2].type, kRes);
  EXPECT_EQ(map[3].type, kNvs);
  EXPECT_EQ(map[4].type, kAcpi);
  EXPECT_EQ(map[5].start, 0x104f000000u);
  EXPECT_EQ(map[5].end, 0x106ef00000u);  // the hole at the top is cut out
  const auto e820 = x86::E820FromMap(map);
  EXPECT_EQ(Field(e820[3].type), 4u);  // E820_TYPE_NVS
  EXPECT_EQ(Field(e820[4].type), 3u);  // E820_TYPE_ACPI
}

TEST(CaptureMap, FirmwareRangesNeverOverlapTheRam) {
  // A firmware "reserved" range that overlaps the fallback backup window.
  const auto map = CaptureMemoryMap({{0x9fc00, 0xa0000, kRes}, {0xe0000, 0x100000, kRes}},
                                    {{0x20000000, 0x30000000, kOther}}, {0, 0xa0000, kRam}, {});
  ASSERT_EQ(map.size(), 3u);
  EXPECT_EQ(map[0].end, 0xa0000u);
  EXPECT_EQ(map[0].type, kRam);
  EXPECT_EQ(map[1].start, 0xe0000u);
  for (size_t i = 1; i < map.size(); ++i) EXPECT_LE(map[i - 1].end, map[i].start);
}

}  // namespace
}  // namespace kexkit::load
