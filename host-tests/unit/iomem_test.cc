// /proc/iomem parsing on real-world samples (host-tests/data/iomem-*.txt):
//   qemu-pc-crashkernel        Debian 6.1 in `qemu-system-x86_64 -M pc -m 1024` with
//                              crashkernel=256M (the kdump e2e guest), read as root
//   cloud-vm                   a KVM cloud guest: 64-bit ranges without zero padding,
//                              three levels of nesting, no crash reservation
//   efi-server-crash-high-low  a UEFI server booted with crashkernel=512M,high: two
//                              "Crash kernel" ranges (crashk_low_res below 4 GiB), ACPI
//                              and NVS ranges, the kernel loaded above 4 GiB
//   nonroot                    the qemu sample as a non-root reader sees it (all zero)
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "loader/memory-map.h"

namespace kexkit::load {
namespace {

std::string Sample(const std::string& name) {
  const std::string path = std::string(KK_TEST_DATA_DIR) + "/" + name;
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ExpectRange(const MemRange& r, uint64_t start, uint64_t end, RangeType type) {
  EXPECT_EQ(r.start, start) << std::hex << r.start;
  EXPECT_EQ(r.end, end) << std::hex << r.end;
  EXPECT_EQ(r.type, type);
}

TEST(Iomem, QemuPcWithCrashKernel) {
  auto map = ParseIomem(Sample("iomem-qemu-pc-crashkernel.txt"), "iomem-qemu");
  ASSERT_TRUE(map) << map.error().Line();
  // Top-level lines only; nested ones (System ROM, Kernel code, PCI BARs) are not ranges.
  ASSERT_EQ(map->ranges.size(), 17u);
  ExpectRange(map->ranges[0], 0, 0x1000, RangeType::kReserved);
  ExpectRange(map->ranges[1], 0x1000, 0x9fc00, RangeType::kRam);
  ExpectRange(map->ranges[2], 0x9fc00, 0xa0000, RangeType::kReserved);
  ExpectRange(map->ranges[3], 0xa0000, 0xc0000, RangeType::kOther);  // PCI Bus 0000:00
  ExpectRange(map->ranges.back(), 0xfd00000000, 0x10000000000, RangeType::kReserved);
  const auto ram = map->Ram();
  ASSERT_EQ(ram.size(), 2u);
  ExpectRange(ram[1], 0x100000, 0x3ffe0000, RangeType::kRam);
  ASSERT_EQ(map->crash.size(), 1u);
  EXPECT_EQ(map->crash[0].start, 0x2e000000u);
  EXPECT_EQ(map->crash[0].size(), 256u << 20);
  ASSERT_EQ(map->kernel.size(), 4u);  // code, rodata, data, bss
  EXPECT_EQ(map->kernel[0].start, 0x1e600000u);
  EXPECT_EQ(map->kernel[0].end, 0x1f401d32u);
}

TEST(Iomem, CloudVmWith64BitRangesAndDeepNesting) {
  auto map = ParseIomem(Sample("iomem-cloud-vm.txt"), "iomem-cloud");
  ASSERT_TRUE(map) << map.error().Line();
  EXPECT_TRUE(map->crash.empty());
  const auto ram = map->Ram();
  ASSERT_EQ(ram.size(), 3u);
  ExpectRange(ram[2], 0x100000000, 0x640000000, RangeType::kRam);
  ExpectRange(map->ranges.back(), 0x4000000000, 0x8000000000, RangeType::kOther);
  for (size_t i = 1; i < map->ranges.size(); ++i) {
    EXPECT_LE(map->ranges[i - 1].end, map->ranges[i].start) << "top level overlaps at " << i;
  }
}

TEST(Iomem, TwoCrashKernelRanges) {
  auto map = ParseIomem(Sample("iomem-efi-server-crash-high-low.txt"), "iomem-efi");
  ASSERT_TRUE(map) << map.error().Line();
  ASSERT_EQ(map->crash.size(), 2u);
  ExpectRange(map->crash[0], 0x0f000000, 0x1f000000, RangeType::kOther);      // crashk_low_res
  ExpectRange(map->crash[1], 0x104f000000, 0x106f000000, RangeType::kOther);  // crashk_res
  int acpi = 0, nvs = 0;
  for (const MemRange& r : map->ranges) {
    acpi += r.type == RangeType::kAcpi;
    nvs += r.type == RangeType::kNvs;
  }
  EXPECT_EQ(acpi, 1);
  EXPECT_EQ(nvs, 1);
  EXPECT_EQ(map->Ram().size(), 5u);
  ASSERT_FALSE(map->kernel.empty());
  EXPECT_EQ(map->kernel[0].start, 0x6c9400000u);
}

// arm64 (QEMU virt under UEFI, Debian 6.1): memblock reservations appear as "reserved"
// lines nested in System RAM; the arm64 loader keeps its segments out of them.
TEST(Iomem, NestedReservedRangesAreKept) {
  constexpr char kText[] =
      "09000000-09000fff : pl011@9000000\n"
      "40000000-7c43ffff : System RAM\n"
      "  40210000-4180ffff : Kernel code\n"
      "  41810000-41ffffff : reserved\n"
      "  40000000-401fffff : reserved\n"
      "  70000000-7fffffff : Crash kernel\n"
      "7c440000-7c72ffff : reserved\n"
      "7c730000-7fbfffff : System RAM\n"
      "  7fa00000-7fbfffff : reserved\n";
  auto map = ParseIomem(kText, "iomem-virt");
  ASSERT_TRUE(map.has_value()) << map.error().Line();
  ASSERT_EQ(map->reserved.size(), 3u);  // the top-level one is a range of its own
  EXPECT_EQ(map->reserved[0].start, 0x40000000u);
  EXPECT_EQ(map->reserved[0].end, 0x40200000u);
  EXPECT_EQ(map->reserved[1].start, 0x41810000u);
  EXPECT_EQ(map->reserved[2].end, 0x7fc00000u);
  EXPECT_EQ(map->ranges.size(), 4u);
  EXPECT_EQ(map->crash.size(), 1u);
}

TEST(Iomem, NonRootViewIsRefused) {
  auto map = ParseIomem(Sample("iomem-nonroot.txt"), "iomem-nonroot");
  ASSERT_FALSE(map);
  EXPECT_NE(map.error().Line().find("iomem-nonroot: every address reads as zero"),
            std::string::npos)
      << map.error().Line();
}

TEST(Iomem, MalformedLinesNameTheLine) {
  auto map = ParseIomem("00000000-00000fff : Reserved\n00001000 System RAM\n", "x");
  ASSERT_FALSE(map);
  EXPECT_NE(map.error().Line().find("x:2: malformed line"), std::string::npos)
      << map.error().Line();
  map = ParseIomem("00002000-00000fff : Reserved\n", "y");
  ASSERT_FALSE(map);
  EXPECT_NE(map.error().Line().find("y:1: range ends before it starts"), std::string::npos);
  map = ParseIomem("", "z");
  ASSERT_FALSE(map);
  EXPECT_NE(map.error().Line().find("z: no memory ranges"), std::string::npos);
}

}  // namespace
}  // namespace kexkit::load
