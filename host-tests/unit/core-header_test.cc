// The kdump ELF core header builder: every header parsed back field by field (with a
// reader written here from the gABI offsets, not the builder's tables), in both classes
// and both byte orders, plus the splitting rules and the refusals.
#include "loader/core-header.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/bytes.h"

namespace kexkit::load {
namespace {

struct Ehdr {
  uint8_t cls = 0, data = 0, version = 0, osabi = 0;
  uint16_t type = 0, machine = 0;
  uint32_t e_version = 0, flags = 0;
  uint64_t entry = 0, phoff = 0, shoff = 0;
  uint16_t ehsize = 0, phentsize = 0, phnum = 0, shentsize = 0, shnum = 0, shstrndx = 0;
};

struct Phdr {
  uint32_t type = 0, flags = 0;
  uint64_t offset = 0, vaddr = 0, paddr = 0, filesz = 0, memsz = 0, align = 0;
};

// [gABI 4 "ELF Header", 5 "Program Header"]: ELF32 p_flags comes after p_memsz,
// ELF64 p_flags right after p_type.
struct Parsed {
  Ehdr eh;
  std::vector<Phdr> ph;
};

Parsed Parse(std::span<const uint8_t> b) {
  Parsed out;
  Ehdr& e = out.eh;
  EXPECT_GE(b.size(), 52u);
  EXPECT_EQ(b[0], 0x7f);
  EXPECT_EQ(b[1], 'E');
  EXPECT_EQ(b[2], 'L');
  EXPECT_EQ(b[3], 'F');
  e.cls = b[4];
  e.data = b[5];
  e.version = b[6];
  e.osabi = b[7];
  const Endian en = e.data == 2 ? Endian::kBig : Endian::kLittle;
  const bool is64 = e.cls == 2;
  auto u16 = [&](size_t o) { return LoadUnchecked<uint16_t>(b.data() + o, en); };
  auto u32 = [&](size_t o) { return LoadUnchecked<uint32_t>(b.data() + o, en); };
  auto u64 = [&](size_t o) { return LoadUnchecked<uint64_t>(b.data() + o, en); };
  auto addr = [&](size_t o) -> uint64_t { return is64 ? u64(o) : u32(o); };
  e.type = u16(16);
  e.machine = u16(18);
  e.e_version = u32(20);
  e.entry = addr(24);
  e.phoff = addr(is64 ? 32 : 28);
  e.shoff = addr(is64 ? 40 : 32);
  e.flags = u32(is64 ? 48 : 36);
  const size_t t = is64 ? 52 : 40;
  e.ehsize = u16(t);
  e.phentsize = u16(t + 2);
  e.phnum = u16(t + 4);
  e.shentsize = u16(t + 6);
  e.shnum = u16(t + 8);
  e.shstrndx = u16(t + 10);
  EXPECT_EQ(b.size(), e.phoff + uint64_t{e.phnum} * e.phentsize);
  for (uint16_t i = 0; i < e.phnum && e.phoff + (i + 1) * e.phentsize <= b.size(); ++i) {
    const size_t p = e.phoff + i * e.phentsize;
    Phdr h;
    h.type = u32(p);
    if (is64) {
      h.flags = u32(p + 4);
      h.offset = u64(p + 8);
      h.vaddr = u64(p + 16);
      h.paddr = u64(p + 24);
      h.filesz = u64(p + 32);
      h.memsz = u64(p + 40);
      h.align = u64(p + 48);
    } else {
      h.offset = u32(p + 4);
      h.vaddr = u32(p + 8);
      h.paddr = u32(p + 12);
      h.filesz = u32(p + 16);
      h.memsz = u32(p + 20);
      h.flags = u32(p + 24);
      h.align = u32(p + 28);
    }
    out.ph.push_back(h);
  }
  return out;
}

constexpr uint32_t kPtLoad = 1, kPtNote = 4, kRwx = 7;

void ExpectPhdr(const Phdr& p, uint32_t type, uint64_t offset, uint64_t vaddr, uint64_t paddr,
                uint64_t size, const char* what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(p.type, type);
  EXPECT_EQ(p.flags, type == kPtLoad ? kRwx : 0u);
  EXPECT_EQ(p.offset, offset);
  EXPECT_EQ(p.vaddr, vaddr);
  EXPECT_EQ(p.paddr, paddr);
  EXPECT_EQ(p.filesz, size);
  EXPECT_EQ(p.memsz, size);
  EXPECT_EQ(p.align, 0u);
}

// The QEMU guest this project's kdump test boots (values from its sysfs and kcore).
CoreHeaderSpec QemuSpec(bool elf64, Endian endian) {
  CoreHeaderSpec s;
  s.elf64 = elf64;
  s.endian = endian;
  s.machine = 62;
  s.cpu_notes = {{0x3ec3a400, 368, 0}, {0x3ed3a400, 368, 1}};
  s.vmcoreinfo = CoreNote{0x11f2000, 0x1024};
  s.memory = {{0x1000, 0x9fc00, RangeType::kRam},
              {0x100000, 0x2e000000, RangeType::kRam},
              {0x3e000000, 0x3ffe0000, RangeType::kRam}};
  s.backup = CoreBackup{0x1000, 0x9ec00, 0x3df61000};
  return s;
}

struct ClassCase {
  bool elf64;
  Endian endian;
};

class CoreHeaderClasses : public ::testing::TestWithParam<ClassCase> {};

TEST_P(CoreHeaderClasses, EveryHeaderParsesBack) {
  const auto [elf64, endian] = GetParam();
  CoreHeaderSpec spec = QemuSpec(elf64, endian);
  if (elf64) {
    spec.kernel_text = CoreKernelText{0xffffffffadc00000, 0x1e600000, 0x3430000};
    spec.page_offset = 0xffff89c0c0000000;
  } else {
    spec.page_offset = 0xc0000000;  // i386's direct map, which fits in 32 bits
  }
  auto bytes = BuildCoreHeader(spec);
  ASSERT_TRUE(bytes) << bytes.error().Line();
  const Parsed p = Parse(*bytes);

  const Ehdr& e = p.eh;
  EXPECT_EQ(e.cls, elf64 ? 2 : 1);
  EXPECT_EQ(e.data, endian == Endian::kLittle ? 1 : 2);
  EXPECT_EQ(e.version, 1);
  EXPECT_EQ(e.osabi, 0);
  EXPECT_EQ(e.type, 4);  // ET_CORE
  EXPECT_EQ(e.machine, 62);
  EXPECT_EQ(e.e_version, 1u);
  EXPECT_EQ(e.entry, 0u);
  EXPECT_EQ(e.phoff, elf64 ? 64u : 52u);
  EXPECT_EQ(e.shoff, 0u);
  EXPECT_EQ(e.flags, 0u);
  EXPECT_EQ(e.ehsize, elf64 ? 64 : 52);
  EXPECT_EQ(e.phentsize, elf64 ? 56 : 32);
  EXPECT_EQ(e.shentsize, 0);
  EXPECT_EQ(e.shnum, 0);
  EXPECT_EQ(e.shstrndx, 0);
  EXPECT_EQ(bytes->size(), CoreHeaderBytes(elf64, e.phnum));

  const uint64_t po = *spec.page_offset;
  size_t i = 0;
  ASSERT_EQ(p.ph.size(), elf64 ? 7u : 6u);
  ExpectPhdr(p.ph[i++], kPtNote, 0x3ec3a400, 0, 0x3ec3a400, 368, "cpu0");
  ExpectPhdr(p.ph[i++], kPtNote, 0x3ed3a400, 0, 0x3ed3a400, 368, "cpu1");
  ExpectPhdr(p.ph[i++], kPtNote, 0x11f2000, 0, 0x11f2000, 0x1024, "vmcoreinfo");
  if (elf64) {
    ExpectPhdr(p.ph[i++], kPtLoad, 0x1e600000, 0xffffffffadc00000, 0x1e600000, 0x3430000,
               "kernel text");
  }
  ExpectPhdr(p.ph[i++], kPtLoad, 0x3df61000, po + 0x1000, 0x1000, 0x9ec00, "backup");
  ExpectPhdr(p.ph[i++], kPtLoad, 0x100000, po + 0x100000, 0x100000, 0x2df00000, "below crash");
  ExpectPhdr(p.ph[i++], kPtLoad, 0x3e000000, po + 0x3e000000, 0x3e000000, 0x1fe0000, "above crash");
}

INSTANTIATE_TEST_SUITE_P(AllClassesAndOrders, CoreHeaderClasses,
                         ::testing::Values(ClassCase{true, Endian::kLittle},
                                           ClassCase{true, Endian::kBig},
                                           ClassCase{false, Endian::kLittle},
                                           ClassCase{false, Endian::kBig}),
                         [](const auto& info) {
                           return std::string(info.param.elf64 ? "Elf64" : "Elf32") +
                                  (info.param.endian == Endian::kLittle ? "Lsb" : "Msb");
                         });

TEST(CoreHeader, PlanMatchesEncoding) {
  CoreHeaderSpec spec = QemuSpec(true, Endian::kLittle);
  auto plan = PlanCoreHeader(spec);
  ASSERT_TRUE(plan) << plan.error().Line();
  const Parsed p = Parse(EncodeCoreHeader(*plan));
  ASSERT_EQ(p.ph.size(), plan->phdrs.size());
  for (size_t i = 0; i < p.ph.size(); ++i) {
    EXPECT_EQ(p.ph[i].type, plan->phdrs[i].type);
    EXPECT_EQ(p.ph[i].offset, plan->phdrs[i].offset);
    EXPECT_EQ(p.ph[i].paddr, plan->phdrs[i].paddr);
    EXPECT_EQ(p.ph[i].memsz, plan->phdrs[i].memsz);
  }
  EXPECT_EQ(plan->phdrs[3].what, "memory, read from the backup");
  EXPECT_EQ(DescribeCoreHeader(*plan).size(), plan->phdrs.size());
}

TEST(CoreHeader, NoPageOffsetMeansVaddrZero) {
  CoreHeaderSpec spec = QemuSpec(true, Endian::kLittle);
  auto bytes = BuildCoreHeader(spec);
  ASSERT_TRUE(bytes);
  for (const Phdr& ph : Parse(*bytes).ph) EXPECT_EQ(ph.vaddr, 0u);
}

TEST(CoreHeader, BackupInsideALargerRangeSplitsIt) {
  // ppc64-style: RAM from 0, the first 64K backed up.
  CoreHeaderSpec spec;
  spec.machine = 21;
  spec.endian = Endian::kBig;
  spec.cpu_notes = {{0x7ff00000, 0x400}};
  spec.memory = {{0, 0x20000000, RangeType::kRam}};
  spec.page_offset = 0xc000000000000000;
  spec.backup = CoreBackup{0, 0x10000, 0x18000000};
  auto bytes = BuildCoreHeader(spec);
  ASSERT_TRUE(bytes) << bytes.error().Line();
  const Parsed p = Parse(*bytes);
  ASSERT_EQ(p.ph.size(), 3u);
  EXPECT_EQ(p.eh.machine, 21);
  ExpectPhdr(p.ph[1], kPtLoad, 0x18000000, 0xc000000000000000, 0, 0x10000, "backup");
  ExpectPhdr(p.ph[2], kPtLoad, 0x10000, 0xc000000000010000, 0x10000, 0x1fff0000, "rest");
}

TEST(CoreHeader, LinearLimitSplitsAndMarksHighmem) {
  // i386: lowmem ends at 896 MiB; above it there is no linear address (all ones).
  CoreHeaderSpec spec;
  spec.elf64 = false;
  spec.machine = 3;
  spec.cpu_notes = {{0x3f000000, 0x400}};
  spec.memory = {{0x100000, 0x40000000, RangeType::kRam}};
  spec.page_offset = 0xc0000000;
  spec.linear_limit = 0x38000000;
  auto bytes = BuildCoreHeader(spec);
  ASSERT_TRUE(bytes) << bytes.error().Line();
  const Parsed p = Parse(*bytes);
  ASSERT_EQ(p.ph.size(), 3u);
  ExpectPhdr(p.ph[1], kPtLoad, 0x100000, 0xc0100000, 0x100000, 0x37f00000, "lowmem");
  ExpectPhdr(p.ph[2], kPtLoad, 0x38000000, 0xffffffff, 0x38000000, 0x8000000, "highmem");
}

TEST(CoreHeader, Elf32RefusesMemoryPast4G) {
  CoreHeaderSpec spec = QemuSpec(false, Endian::kLittle);
  spec.memory.push_back({0x100000000, 0x140000000, RangeType::kRam});
  auto r = BuildCoreHeader(spec);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().Line().find("ELF32 core header cannot describe memory at 0x100000000"),
            std::string::npos)
      << r.error().Line();
  EXPECT_NE(r.error().Line().find("--elf64-core-headers"), std::string::npos);
  spec.elf64 = true;
  EXPECT_TRUE(BuildCoreHeader(spec));
}

TEST(CoreHeader, Elf32RefusesHighNotesAndVirtualAddresses) {
  CoreHeaderSpec spec = QemuSpec(false, Endian::kLittle);
  spec.cpu_notes.push_back({0x107ec1a400, 368, 5});
  auto r = BuildCoreHeader(spec);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().Line().find("cpu5 crash_notes"), std::string::npos) << r.error().Line();

  spec = QemuSpec(false, Endian::kLittle);
  spec.page_offset = 0xffff888000000000;  // an x86_64 direct map cannot be ELF32
  r = BuildCoreHeader(spec);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().Line().find("virtual 0xffff888000001000"), std::string::npos)
      << r.error().Line();
}

TEST(CoreHeader, RefusesBadInput) {
  CoreHeaderSpec spec = QemuSpec(true, Endian::kLittle);
  spec.memory = {{0x100000, 0x200000, RangeType::kRam}, {0x180000, 0x300000, RangeType::kRam}};
  auto r = BuildCoreHeader(spec);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().Line().find("overlaps"), std::string::npos) << r.error().Line();

  spec = QemuSpec(true, Endian::kLittle);
  spec.cpu_notes[1].size = 0;
  r = BuildCoreHeader(spec);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().Line().find("cpu1 crash_notes"), std::string::npos) << r.error().Line();

  spec = QemuSpec(true, Endian::kLittle);
  spec.backup->size = 0;
  EXPECT_FALSE(BuildCoreHeader(spec));

  spec = QemuSpec(true, Endian::kLittle);
  spec.memory = {{0x200000, 0x100000, RangeType::kRam}};
  EXPECT_FALSE(BuildCoreHeader(spec));
}

TEST(CoreHeader, RefusesMorePhdrsThanEPhnumCounts) {
  CoreHeaderSpec spec;
  spec.machine = 62;
  for (uint64_t i = 0; i < 0xffff; ++i) {
    spec.memory.push_back({i * 0x2000, i * 0x2000 + 0x1000, RangeType::kRam});
  }
  auto r = BuildCoreHeader(spec);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().Line().find("65535 program headers"), std::string::npos) << r.error().Line();
  spec.memory.pop_back();
  auto ok = BuildCoreHeader(spec);
  ASSERT_TRUE(ok) << ok.error().Line();
  EXPECT_EQ(Parse(*ok).eh.phnum, 0xfffe);
}

TEST(CoreHeader, Sizes) {
  EXPECT_EQ(CoreHeaderBytes(true, 0), 64u);
  EXPECT_EQ(CoreHeaderBytes(true, 10), 64u + 560u);
  EXPECT_EQ(CoreHeaderBytes(false, 10), 52u + 320u);
}

}  // namespace
}  // namespace kexkit::load
