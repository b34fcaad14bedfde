// What kdump reads from the running system: sysfs CPU lists, crash_notes, vmcoreinfo,
// the EFI system table, and kcore's program headers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "arch/x86/x86-crash.h"
#include "crash-test-data.h"
#include "loader/crash.h"

namespace kexkit::load {
namespace {

using kktest::DataPath;
using x86::ReadEfiAcpiRsdp;
using x86::X86KernelLayout;
using x86::X86LayoutFromKcore;

TEST(CpuList, Forms) {
  auto l = ParseCpuList("0-3,8,10-11\n", "possible");
  ASSERT_TRUE(l) << l.error().Line();
  EXPECT_EQ(*l, (std::vector<uint32_t>{0, 1, 2, 3, 8, 10, 11}));
  l = ParseCpuList("0\n", "possible");
  ASSERT_TRUE(l);
  EXPECT_EQ(*l, std::vector<uint32_t>{0});
  for (const char* bad : {"", "\n", "a", "3-1", "0-", "1,,2", "0-99999"}) {
    auto r = ParseCpuList(bad, "possible");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().Line().rfind("possible: ", 0), 0u) << r.error().Line();
  }
}

TEST(CrashNotes, QemuGuest) {
  std::vector<uint32_t> skipped;
  auto notes = ReadCpuCrashNotes(DataPath("sysfs-qemu-x86_64"), &skipped);
  ASSERT_TRUE(notes) << notes.error().Line();
  ASSERT_EQ(notes->size(), 2u);
  EXPECT_EQ((*notes)[0].addr, 0x3ec3a400u);
  EXPECT_EQ((*notes)[0].size, 368u);  // decimal in sysfs
  EXPECT_EQ((*notes)[1].addr, 0x3ed3a400u);
  EXPECT_TRUE(skipped.empty());
}

TEST(CrashNotes, PossibleButNotPresentCpusAreSkipped) {
  std::vector<uint32_t> skipped;
  auto notes = ReadCpuCrashNotes(DataPath("sysfs-efi-server"), &skipped);
  ASSERT_TRUE(notes) << notes.error().Line();
  ASSERT_EQ(notes->size(), 4u);
  EXPECT_EQ((*notes)[3].addr, 0x107ecda400u);
  EXPECT_EQ((*notes)[3].cpu, 3u);
  EXPECT_EQ(skipped, (std::vector<uint32_t>{4, 5, 6, 7}));
}

TEST(CrashNotes, NoneIsAnError) {
  auto notes = ReadCpuCrashNotes(DataPath("no-such-sysfs"), nullptr);
  ASSERT_FALSE(notes);
  EXPECT_NE(notes.error().Line().find("no-such-sysfs/devices/system/cpu"), std::string::npos)
      << notes.error().Line();
}

TEST(Vmcoreinfo, AddressAndHexSize) {
  auto v = ReadVmcoreinfo(DataPath("sysfs-qemu-x86_64"));
  ASSERT_TRUE(v) << v.error().Line();
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ((*v)->addr, 0x11f2000u);
  EXPECT_EQ((*v)->size, 0x1024u);  // "%x": hex, not 1024 bytes
  auto none = ReadVmcoreinfo(DataPath("no-such-sysfs"));
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST(EfiSystab, AcpiRsdp) {
  EXPECT_EQ(ReadEfiAcpiRsdp(DataPath("sysfs-efi-server")), 0x5f2a7014u);
  EXPECT_FALSE(ReadEfiAcpiRsdp(DataPath("sysfs-qemu-x86_64")));  // BIOS boot
}

TEST(Kcore, ReadsLoadsOfTheQemuGuest) {
  kktest::TempFile f(kktest::KcoreBytes(kktest::QemuGuestKcore()));
  auto loads = ReadKcoreLoads(f.path());
  ASSERT_TRUE(loads) << loads.error().Line();
  ASSERT_EQ(loads->size(), 7u);  // the PT_NOTE is not a load
  EXPECT_EQ((*loads)[0].vaddr, 0xffffffffadc00000u);
  EXPECT_EQ((*loads)[0].paddr, 0x1e600000u);
  EXPECT_EQ((*loads)[0].size, 0x3430000u);

  const X86KernelLayout l = X86LayoutFromKcore(*loads);
  ASSERT_TRUE(l.text);
  EXPECT_EQ(l.text->vaddr, 0xffffffffadc00000u);
  EXPECT_EQ(l.text->paddr, 0x1e600000u);
  EXPECT_EQ(l.text->size, 0x3430000u);
  ASSERT_TRUE(l.page_offset);
  EXPECT_EQ(*l.page_offset, 0xffff89c0c0000000u);  // randomized, not 0xffff888000000000
}

TEST(Kcore, WithoutPhysicalAddressesTheLowestPudIsTheDirectMap) {
  std::vector<kktest::KcorePhdr> ph = kktest::QemuGuestKcore();
  for (auto& p : ph) p.paddr = ~uint64_t{0};
  kktest::TempFile f(kktest::KcoreBytes(ph));
  auto loads = ReadKcoreLoads(f.path());
  ASSERT_TRUE(loads) << loads.error().Line();
  const X86KernelLayout l = X86LayoutFromKcore(*loads);
  EXPECT_FALSE(l.text);  // no physical address for it: omitted rather than guessed
  ASSERT_TRUE(l.page_offset);
  EXPECT_EQ(*l.page_offset, 0xffff89c0c0000000u);
}

TEST(Kcore, Elf32BigEndian) {
  kktest::TempFile f(kktest::KcoreBytes({{1, 0xc0000000, 0, 0x38000000}}, false, Endian::kBig));
  auto loads = ReadKcoreLoads(f.path());
  ASSERT_TRUE(loads) << loads.error().Line();
  ASSERT_EQ(loads->size(), 1u);
  EXPECT_EQ((*loads)[0].vaddr, 0xc0000000u);
  EXPECT_EQ((*loads)[0].size, 0x38000000u);
  EXPECT_EQ(X86LayoutFromKcore(*loads).page_offset, 0xc0000000u);
}

TEST(Kcore, Errors) {
  auto r = ReadKcoreLoads(DataPath("no-such-kcore"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().Line().find("no-such-kcore: No such file"), std::string::npos)
      << r.error().Line();

  std::vector<uint8_t> truncated = kktest::KcoreBytes(kktest::QemuGuestKcore());
  truncated.resize(200);
  kktest::TempFile t(truncated);
  r = ReadKcoreLoads(t.path());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().Line().find("truncated ELF headers"), std::string::npos) << r.error().Line();

  kktest::TempFile not_elf(std::vector<uint8_t>(64, 'x'));
  r = ReadKcoreLoads(not_elf.path());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().Line().find("not an ELF file"), std::string::npos);
}

}  // namespace
}  // namespace kexkit::load
