// The ppc64 loader pieces: vmlinux parsing (both byte orders, bounds checks), the
// libfdt device-tree builder over a fake /proc/device-tree, and whole load plans
// (kexec and kdump) with the real ppc64le purgatory and, when cached, Debian's vmlinux.
// Built only where the host has libfdt (KK_HAVE_PPC64_LOADER, host-tests/ppc64.cmake).
#include <gtest/gtest.h>

#if KK_HAVE_PPC64_LOADER

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

extern "C" {
#include <libfdt.h>
}

#include "arch/ppc64/fdt-builder.h"
#include "arch/ppc64/ppc64-loader.h"
#include "arch/ppc64/vmlinux.h"
#include "base/bytes.h"
#include "kexkit/purgatory-abi.h"
#include "linker/link.h"
#include "linker/object.h"
#include "loader/load.h"
#include "loader/run.h"
#include "unit/recording-kexec.h"
#include "unit/test-files.h"

namespace {

namespace fs = std::filesystem;

using kexkit::Endian;
using kexkit::ppc64::FdtBuilder;
using kexkit::ppc64::ParseVmlinux;

// --- a synthetic vmlinux -----------------------------------------------------------------

struct FakeLoad {
  uint64_t vaddr, paddr, filesz, memsz;
};

std::vector<uint8_t> MakeVmlinux(Endian e, std::vector<FakeLoad> loads, uint64_t entry,
                                 uint16_t machine = 21, bool run0 = true) {
  const uint64_t phoff = 64, data = 0x1000;
  uint64_t total = data;
  for (const auto& l : loads) total += l.filesz;
  std::vector<uint8_t> f(total, 0);
  std::memcpy(f.data(),
              "\x7f"
              "ELF",
              4);
  f[4] = 2;
  f[5] = e == Endian::kLittle ? 1 : 2;
  f[6] = 1;
  auto p16 = [&](uint64_t o, uint16_t v) { kexkit::StoreUnchecked<uint16_t>(f.data() + o, v, e); };
  auto p32 = [&](uint64_t o, uint32_t v) { kexkit::StoreUnchecked<uint32_t>(f.data() + o, v, e); };
  auto p64 = [&](uint64_t o, uint64_t v) { kexkit::StoreUnchecked<uint64_t>(f.data() + o, v, e); };
  p16(16, 2);
  p16(18, machine);
  p32(20, 1);
  p64(24, entry);
  p64(32, phoff);
  p32(48, e == Endian::kLittle ? 2 : 1);
  p16(52, 64);
  p16(54, 56);
  p16(56, static_cast<uint16_t>(loads.size()));
  uint64_t off = data;
  for (size_t i = 0; i < loads.size(); ++i) {
    const uint64_t h = phoff + 56 * i;
    p32(h, 1);
    p32(h + 4, 7);
    p64(h + 8, off);
    p64(h + 16, loads[i].vaddr);
    p64(h + 24, loads[i].paddr);
    p64(h + 32, loads[i].filesz);
    p64(h + 40, loads[i].memsz);
    for (uint64_t k = 0; k < loads[i].filesz; ++k) f[off + k] = static_cast<uint8_t>(i + 1);
    off += loads[i].filesz;
  }
  if (run0 && !loads.empty() && loads[0].filesz >= 0x60) p32(data + 0x5c, 0x72756e30);
  return f;
}

constexpr uint64_t kKernBase = 0xc000000000000000;

TEST(Ppc64Vmlinux, ParsesBothByteOrders) {
  for (Endian e : {Endian::kLittle, Endian::kBig}) {
    auto f = MakeVmlinux(e, {{kKernBase, 0, 0x3000, 0x5000}}, kKernBase);
    auto vm = ParseVmlinux(f, "vmlinux");
    ASSERT_TRUE(vm) << vm.error().Line();
    EXPECT_EQ(vm->endian, e);
    EXPECT_EQ(vm->memsz, 0x5000u);
    EXPECT_EQ(vm->bytes.size(), 0x3000u);
    EXPECT_EQ(vm->entry_offset, 0u);
    EXPECT_TRUE(vm->relocatable);
    EXPECT_EQ(vm->abi, e == Endian::kLittle ? 2u : 1u);
  }
}

TEST(Ppc64Vmlinux, JoinsSeveralLoadsAtTheirDistances) {
  auto f = MakeVmlinux(
      Endian::kBig, {{kKernBase, 0, 0x1000, 0x2000}, {kKernBase + 0x3000, 0x3000, 0x800, 0x1000}},
      kKernBase + 0x100);
  auto vm = ParseVmlinux(f, "vmlinux");
  ASSERT_TRUE(vm) << vm.error().Line();
  EXPECT_EQ(vm->memsz, 0x4000u);
  ASSERT_EQ(vm->bytes.size(), 0x3800u);
  EXPECT_EQ(vm->bytes[0x1000], 0);  // the gap is zero
  EXPECT_EQ(vm->bytes[0x3000], 2);
  EXPECT_EQ(vm->entry_offset, 0x100u);
}

TEST(Ppc64Vmlinux, RefusesBadImages) {
  struct Case {
    std::vector<uint8_t> file;
    const char* message;
  };
  auto truncated = MakeVmlinux(Endian::kLittle, {{kKernBase, 0, 0x3000, 0x5000}}, kKernBase);
  truncated.resize(0x2000);
  auto not_run0 = MakeVmlinux(Endian::kLittle, {{kKernBase, 0, 0x3000, 0x5000}}, kKernBase, 21,
                              /*run0=*/false);
  auto bad_version = MakeVmlinux(Endian::kLittle, {{kKernBase, 0, 0x3000, 0x5000}}, kKernBase);
  bad_version[6] = 0;  // EI_VERSION
  auto abi3 = MakeVmlinux(Endian::kLittle, {{kKernBase, 0, 0x3000, 0x5000}}, kKernBase);
  abi3[48] = 3;  // e_flags (little-endian low byte)
  const Case cases[] = {
      {bad_version, "unknown ELF version"},
      {abi3, "neither ELFv1 nor ELFv2"},
      {MakeVmlinux(Endian::kBig, {{kKernBase, 0, 0x3000, 0x5000}}, kKernBase + 0x102), "4-byte"},
      {MakeVmlinux(Endian::kBig, {{kKernBase, 0xfffffffffffff000, 0x1000, 0x2000}}, kKernBase),
       "wraps the address space"},
      // Not relocatable: it runs only where it was linked, and kexkit's plan is 0.
      {MakeVmlinux(Endian::kLittle, {{kKernBase, 0x200000, 0x3000, 0x5000}}, kKernBase, 21,
                   /*run0=*/false),
       "linked to run at 0x200000"},
      {{1, 2, 3}, "not an ELF file"},
      {MakeVmlinux(Endian::kLittle, {{kKernBase, 0, 0x3000, 0x5000}}, kKernBase, 62),
       "not PowerPC64"},
      {MakeVmlinux(Endian::kLittle, {}, kKernBase), "no program headers"},
      {truncated, "runs past the end of the file"},
      {MakeVmlinux(Endian::kBig, {{kKernBase, 0, 0x3000, 0x2000}}, kKernBase),
       "p_filesz > p_memsz"},
      {MakeVmlinux(Endian::kBig, {{kKernBase, 0, 0x3000, 0x5000}}, kKernBase + 0x5000),
       "entry point"},
      {MakeVmlinux(Endian::kBig, {{kKernBase, 0, 0x80, 0x5000}}, kKernBase), "0x100-byte head"},
      {MakeVmlinux(Endian::kBig,
                   {{kKernBase, 0x2000, 0x1000, 0x1000}, {kKernBase - 0x2000, 0, 0x1000, 0x1000}},
                   kKernBase),
       "overlaps or is out of order"},
      // No file bytes in any PT_LOAD (fuzz-vmlinux: memcpy from an empty buffer, caught
      // by UBSan in the asan tree).
      {MakeVmlinux(Endian::kLittle, {{kKernBase, 0, 0, 0}, {kKernBase, 0, 0, 0x1000}}, kKernBase),
       "0x100-byte head"},
  };
  for (const Case& c : cases) {
    auto vm = ParseVmlinux(c.file, "bad-vmlinux");
    ASSERT_FALSE(vm) << c.message;
    EXPECT_NE(vm.error().Line().find(c.message), std::string::npos) << vm.error().Line();
    EXPECT_NE(vm.error().Line().find("bad-vmlinux"), std::string::npos);
  }
  auto vm = ParseVmlinux(not_run0, "vmlinux");
  ASSERT_TRUE(vm);
  EXPECT_FALSE(vm->relocatable);
}

TEST(Ppc64Vmlinux, ParsesDebiansKernel) {
  const std::string path = kktest::TestKernelPpc64le();
  ASSERT_FALSE(path.empty()) << kktest::NoKernelMessage("ppc64le");
  auto bytes = kktest::ReadFile(path);
  ASSERT_TRUE(bytes);
  auto vm = ParseVmlinux(*bytes, path);
  ASSERT_TRUE(vm) << vm.error().Line();
  EXPECT_EQ(vm->endian, Endian::kLittle);
  EXPECT_TRUE(vm->relocatable);
  EXPECT_EQ(vm->entry_offset, 0u);
  EXPECT_GT(vm->memsz, vm->bytes.size());
}

// --- a fake /proc/device-tree --------------------------------------------------------------

class FakeTree {
 public:
  FakeTree() {
    char tmpl[] = "/tmp/kk-ppc64-dt-XXXXXX";
    root_ = ::mkdtemp(tmpl);
  }
  ~FakeTree() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  const std::string& root() const { return root_; }
  void Prop(const std::string& path, const std::string& bytes) {
    fs::create_directories(fs::path(root_ + "/" + path).parent_path());
    std::ofstream(root_ + "/" + path, std::ios::binary) << bytes;
  }
  static std::string Be32(uint32_t v) {
    std::string s(4, '\0');
    kexkit::StoreUnchecked<uint32_t>(reinterpret_cast<uint8_t*>(s.data()), v, Endian::kBig);
    return s;
  }
  static std::string Be64(uint64_t v) {
    return Be32(static_cast<uint32_t>(v >> 32)) + Be32(static_cast<uint32_t>(v));
  }
  static std::string Str(const std::string& s) { return s + std::string(1, '\0'); }

  // QEMU pseries as the probe saw it: 2 GiB at 0, RTAS at 0x2fff0000, hvc at 0x71000000.
  void Pseries(bool crashkernel) {
    Prop("#address-cells", Be32(2));
    Prop("#size-cells", Be32(2));
    Prop("compatible", Str("qemu,pseries"));
    Prop("memory@0/device_type", Str("memory"));
    Prop("memory@0/reg", Be64(0) + Be64(0x80000000));
    Prop("chosen/bootargs", Str("console=hvc0 old"));
    Prop("chosen/linux,initrd-start", Be64(0x2c90000));
    Prop("chosen/linux,initrd-end", Be64(0x2db351b));
    Prop("chosen/linux,kernel-end", Be64(0x2880000));
    Prop("chosen/linux,stdout-path", Str("/vdevice/vty@71000000"));
    if (crashkernel) {
      Prop("chosen/linux,crashkernel-base", Be64(0x20000000));
      Prop("chosen/linux,crashkernel-size", Be64(0x20000000));
    }
    Prop("rtas/linux,rtas-base", Be32(0x2fff0000));
    Prop("rtas/rtas-size", Be32(0x82c));
    Prop("vdevice/vty@71000000/reg", Be32(0x71000000));
    Prop("vdevice/vty@71000000/compatible", Str("hvterm1"));
  }

  // QEMU 7.2 powernv9 with skiboot (qemu-system-data) and 2 GiB, as the guest's
  // /proc/device-tree showed it: no hypervisor, OPAL at 0x30000000, its console
  // serial@0, skiboot's memory in reserved-ranges and /reserved-memory (HOMER and OCC
  // far above the RAM), crashkernel=256M at 128 MiB.
  void PowerNV(bool crashkernel) {
    Prop("#address-cells", Be32(2));
    Prop("#size-cells", Be32(2));
    Prop("compatible", Str("qemu,powernv9") + Str("ibm,powernv"));
    Prop("memory@0/device_type", Str("memory"));
    Prop("memory@0/reg", Be64(0) + Be64(0x80000000));
    Prop("chosen/bootargs", Str("console=hvc0 old"));
    Prop("chosen/linux,kernel-end", Be64(0x2880000));
    Prop("chosen/linux,stdout-path", Str("/ibm,opal/consoles/serial@0"));
    if (crashkernel) {
      Prop("chosen/linux,crashkernel-base", Be64(0x8000000));
      Prop("chosen/linux,crashkernel-size", Be64(0x10000000));
    }
    Prop("ibm,opal/compatible", Str("ibm,opal-v3") + Str("ibm,opal-v2"));
    Prop("ibm,opal/opal-base-address", Be64(0x30000000));
    Prop("ibm,opal/opal-entry-address", Be64(0x30003760));
    Prop("ibm,opal/opal-runtime-size", Be64(0x1c30000));
    Prop("ibm,opal/consoles/serial@0/reg", Be32(0));
    Prop("ibm,opal/consoles/serial@0/compatible", Str("ibm,opal-console-raw"));
    Prop("reserved-ranges",
         Be64(0x30000000) + Be64(0x600000) + Be64(0x30600000) + Be64(0xa00000) + Be64(0x31000000) +
             Be64(0xc10000) + Be64(0x31c10000) + Be64(0x20000) + Be64(0x31c30000) + Be64(0xfd2000) +
             Be64(0x203ffd800000) + Be64(0x400000) + Be64(0x203fff800000) + Be64(0x800000));
    Prop("reserved-memory/#address-cells", Be32(2));
    Prop("reserved-memory/#size-cells", Be32(2));
    Prop("reserved-memory/ibm,firmware-code@30000000/reg", Be64(0x30000000) + Be64(0x600000));
    Prop("reserved-memory/ibm,firmware-allocs-memory@31c30000/reg",
         Be64(0x31c30000) + Be64(0xfd2000));
    Prop("reserved-memory/ibm,homer-image@203ffd800000/reg", Be64(0x203ffd800000) + Be64(0x400000));
  }

  // ibm,dynamic-memory-v2 entry: LMB count, base, drc index, associativity index, flags.
  static std::string V2(uint32_t n, uint64_t base, uint32_t drc, uint32_t flags) {
    return Be32(n) + Be64(base) + Be32(drc) + Be32(0xffffffff) + Be32(flags);
  }
  // ibm,dynamic-memory (v1) entry: base, drc index, reserved, associativity index, flags.
  static std::string V1(uint64_t base, uint32_t drc, uint32_t flags) {
    return Be64(base) + Be32(drc) + Be32(0) + Be32(0) + Be32(flags);
  }
  // QEMU 7.2 pseries with -m 2048,slots=2,maxmem=4G and a 1 GiB pc-dimm, as the guest's
  // /proc/device-tree showed it: 256 MiB LMBs; the boot memory reserved, the DIMM at
  // 2 GiB assigned (and hot-removable), the rest of maxmem unassigned.
  void PseriesDimm() {
    Pseries(true);
    Prop("ibm,dynamic-reconfiguration-memory/ibm,lmb-size", Be64(0x10000000));
    Prop("ibm,dynamic-reconfiguration-memory/ibm,dynamic-memory-v2",
         Be32(3) + V2(8, 0, 0, 0xa0) + V2(4, 0x80000000, 0x80000008, 0x108) +
             V2(4, 0xc0000000, 0x8000000c, 0));
  }

 private:
  std::string root_;
};

const void* Prop(const std::vector<uint8_t>& fdt, const char* path, const char* name, int* len) {
  const int node = fdt_path_offset(fdt.data(), path);
  if (node < 0) return nullptr;
  return fdt_getprop(fdt.data(), node, name, len);
}

TEST(Ppc64Fdt, WalksTheDirectoryAndDropsTheRunningKernelsChosenProperties) {
  FakeTree t;
  t.Pseries(/*crashkernel=*/true);
  auto b = FdtBuilder::FromDirectory(t.root());
  ASSERT_TRUE(b) << b.error().Line();
  const auto mem = b->Memory();
  ASSERT_EQ(mem.size(), 1u);
  EXPECT_EQ(mem[0].start, 0u);
  EXPECT_EQ(mem[0].end, 0x80000000u);
  EXPECT_EQ(b->VtermNo(), 0x71000000u);
  auto rtas = b->RtasRange();
  ASSERT_TRUE(rtas);
  EXPECT_EQ(rtas->start, 0x2fff0000u);
  EXPECT_EQ(rtas->size(), 0x82cu);

  ASSERT_TRUE(b->SetChosen("console=hvc0 new", 0x5000000, 0x5001234));
  EXPECT_FALSE(b->AddReserve(0, 0));  // would end the reserve map
  auto idx = b->AddReserve(0, 1);
  ASSERT_TRUE(idx);
  ASSERT_TRUE(b->Pack());
  ASSERT_TRUE(b->SetReserve(*idx, 0x1230000, 0x10000));
  EXPECT_FALSE(b->SetReserve(*idx + 1, 0, 1));
  EXPECT_FALSE(b->SetReserve(*idx, 0, 0));
  auto fdt = std::move(*b).Take();
  ASSERT_EQ(fdt_check_header(fdt.data()), 0);
  int len = 0;
  const char* args = static_cast<const char*>(Prop(fdt, "/chosen", "bootargs", &len));
  ASSERT_NE(args, nullptr);
  EXPECT_STREQ(args, "console=hvc0 new");
  const void* start = Prop(fdt, "/chosen", "linux,initrd-start", &len);
  ASSERT_NE(start, nullptr);
  EXPECT_EQ(kexkit::LoadUnchecked<uint64_t>(static_cast<const uint8_t*>(start), Endian::kBig),
            0x5000000u);
  for (const char* gone :
       {"linux,kernel-end", "linux,crashkernel-base", "linux,crashkernel-size"}) {
    EXPECT_EQ(Prop(fdt, "/chosen", gone, &len), nullptr) << gone;
  }
  EXPECT_NE(Prop(fdt, "/chosen", "linux,stdout-path", &len), nullptr);
  ASSERT_EQ(fdt_num_mem_rsv(fdt.data()), 1);
  uint64_t a = 0, s = 0;
  ASSERT_EQ(fdt_get_mem_rsv(fdt.data(), 0, &a, &s), 0);
  EXPECT_EQ(a, 0x1230000u);
  EXPECT_EQ(s, 0x10000u);
}

TEST(Ppc64Fdt, UsableMemoryClipsEveryMemoryNode) {
  FakeTree t;
  t.Pseries(false);
  t.Prop("memory@80000000/device_type", FakeTree::Str("memory"));
  t.Prop("memory@80000000/reg", FakeTree::Be64(0x80000000) + FakeTree::Be64(0x80000000));
  auto b = FdtBuilder::FromDirectory(t.root());
  ASSERT_TRUE(b) << b.error().Line();
  ASSERT_TRUE(b->SetUsableMemory({{0, 0x40000000, kexkit::load::RangeType::kRam}}));
  auto fdt = std::move(*b).Take();
  int len = 0;
  const auto* u0 = static_cast<const uint8_t*>(Prop(fdt, "/memory@0", "linux,usable-memory", &len));
  ASSERT_NE(u0, nullptr);
  ASSERT_EQ(len, 16);
  EXPECT_EQ(kexkit::LoadUnchecked<uint64_t>(u0 + 8, Endian::kBig), 0x40000000u);
  // No usable part: the property says so with size 0 (absent would mean "all of reg").
  const auto* u1 =
      static_cast<const uint8_t*>(Prop(fdt, "/memory@80000000", "linux,usable-memory", &len));
  ASSERT_NE(u1, nullptr);
  ASSERT_EQ(len, 16);
  EXPECT_EQ(kexkit::LoadUnchecked<uint64_t>(u1, Endian::kBig), 0x80000000u);
  EXPECT_EQ(kexkit::LoadUnchecked<uint64_t>(u1 + 8, Endian::kBig), 0u);
}

// The capture kernel's reading of linux,drconf-usable-memory [early_init_drmem_lmb], on
// its own: walk the LMB list in order; an LMB that is assigned and not reserved takes a
// count and that many (base, size) pairs (2 cells each here), any other takes nothing.
// Returns the memory the kernel would add, or nullopt if the property runs short.
std::optional<std::vector<std::pair<uint64_t, uint64_t>>> KernelReadsDrconf(
    const std::vector<uint8_t>& fdt) {
  const int node = fdt_path_offset(fdt.data(), "/ibm,dynamic-reconfiguration-memory");
  int len = 0, ulen = 0;
  const auto* usm = static_cast<const uint8_t*>(
      fdt_getprop(fdt.data(), node, "linux,drconf-usable-memory", &ulen));
  if (usm == nullptr) return std::nullopt;
  auto be32 = [](const uint8_t* p) { return kexkit::LoadUnchecked<uint32_t>(p, Endian::kBig); };
  auto be64 = [](const uint8_t* p) { return kexkit::LoadUnchecked<uint64_t>(p, Endian::kBig); };
  std::vector<uint32_t> flags;  // one per LMB, in order
  if (const auto* v1 =
          static_cast<const uint8_t*>(fdt_getprop(fdt.data(), node, "ibm,dynamic-memory", &len))) {
    for (uint32_t i = 0; i < be32(v1); ++i) flags.push_back(be32(v1 + 4 + 24 * i + 20));
  } else if (const auto* v2 = static_cast<const uint8_t*>(
                 fdt_getprop(fdt.data(), node, "ibm,dynamic-memory-v2", &len))) {
    for (uint32_t i = 0; i < be32(v2); ++i) {
      const uint8_t* e = v2 + 4 + 24 * i;
      for (uint32_t k = 0; k < be32(e); ++k) flags.push_back(be32(e + 20));
    }
  }
  std::vector<std::pair<uint64_t, uint64_t>> added;
  int at = 0;
  for (uint32_t f : flags) {
    if ((f & 0x80) || !(f & 0x8)) continue;
    if (at + 8 > ulen) return std::nullopt;
    const uint64_t n = be64(usm + at);
    at += 8;
    for (uint64_t r = 0; r < n; ++r) {
      if (at + 16 > ulen) return std::nullopt;
      added.emplace_back(be64(usm + at), be64(usm + at + 8));
      at += 16;
    }
  }
  if (at != ulen) return std::nullopt;  // entries the kernel never reads: a layout mismatch
  return added;
}

TEST(Ppc64Fdt, DrconfUsableMemoryHasAnEntryForEachRamLmbOnly) {
  FakeTree t;
  t.PseriesDimm();
  auto b = FdtBuilder::FromDirectory(t.root());
  ASSERT_TRUE(b) << b.error().Line();
  auto d = b->Drconf();
  ASSERT_TRUE(d) << d.error().Line();
  ASSERT_TRUE(*d);
  EXPECT_EQ((*d)->lmb_size, 0x10000000u);
  ASSERT_EQ((*d)->runs.size(), 3u);
  EXPECT_FALSE((*d)->runs[0].IsRam());  // reserved boot memory
  EXPECT_TRUE((*d)->runs[1].IsRam());
  EXPECT_EQ((*d)->runs[1].base, 0x80000000u);
  EXPECT_EQ((*d)->runs[1].count, 4u);
  EXPECT_FALSE((*d)->runs[2].IsRam());  // unassigned

  // Usable: the boot memory up to a crash region's end, and half of the DIMM's second LMB.
  using kexkit::load::RangeType;
  ASSERT_TRUE(b->SetUsableMemory(
      {{0, 0x30000000, RangeType::kRam}, {0x90000000, 0x98000000, RangeType::kRam}}));
  auto fdt = std::move(*b).Take();
  int len = 0;
  const auto* u = static_cast<const uint8_t*>(
      Prop(fdt, "/ibm,dynamic-reconfiguration-memory", "linux,drconf-usable-memory", &len));
  ASSERT_NE(u, nullptr);
  // Four RAM LMBs: counts 0, 1 (one pair), 0, 0. Nothing for the 12 other LMBs.
  ASSERT_EQ(len, 8 * 4 + 16);
  EXPECT_EQ(kexkit::LoadUnchecked<uint64_t>(u, Endian::kBig), 0u);
  EXPECT_EQ(kexkit::LoadUnchecked<uint64_t>(u + 8, Endian::kBig), 1u);
  EXPECT_EQ(kexkit::LoadUnchecked<uint64_t>(u + 16, Endian::kBig), 0x90000000u);
  EXPECT_EQ(kexkit::LoadUnchecked<uint64_t>(u + 24, Endian::kBig), 0x08000000u);
  auto added = KernelReadsDrconf(fdt);
  ASSERT_TRUE(added);
  ASSERT_EQ(added->size(), 1u);
  EXPECT_EQ((*added)[0], std::make_pair(uint64_t{0x90000000}, uint64_t{0x08000000}));
  // The boot memory still comes from memory@0, clipped as before.
  const auto* m = static_cast<const uint8_t*>(Prop(fdt, "/memory@0", "linux,usable-memory", &len));
  ASSERT_NE(m, nullptr);
  ASSERT_EQ(len, 16);
  EXPECT_EQ(kexkit::LoadUnchecked<uint64_t>(m + 8, Endian::kBig), 0x30000000u);
}

// The largest tree Drconf accepts (2^20 RAM LMBs) against many usable ranges, out of
// order and overlapping (fuzz-fdt: the per-LMB scan of every usable range took longer
// than the fuzzer's 10 s limit). Each LMB gets exactly the usable parts inside it,
// in address order, and the kernel's reading adds just the usable memory.
TEST(Ppc64Fdt, DrconfUsableMemoryForAMillionLmbsAndManyUsableRanges) {
  FakeTree t;
  t.Pseries(true);
  constexpr uint64_t kLmb = 0x10000;
  constexpr uint32_t kCount = 1u << 20;
  t.Prop("ibm,dynamic-reconfiguration-memory/ibm,lmb-size", FakeTree::Be64(kLmb));
  t.Prop("ibm,dynamic-reconfiguration-memory/ibm,dynamic-memory-v2",
         FakeTree::Be32(1) + FakeTree::V2(kCount, 0x100000000, 0, 0x8));
  auto b = FdtBuilder::FromDirectory(t.root());
  ASSERT_TRUE(b) << b.error().Line();
  // 2000 ranges of 0x800 bytes, one every 0x20000 (every other LMB), given from the top
  // down, plus a range that covers two of them and straddles an LMB boundary.
  using kexkit::load::RangeType;
  std::vector<kexkit::load::MemRange> usable;
  for (uint64_t i = 2000; i-- > 0;) {
    const uint64_t at = 0x100000000 + i * 0x20000 + 0x100;
    usable.push_back({at, at + 0x800, RangeType::kRam});
  }
  usable.push_back({0x100000000 + 0xff00, 0x100000000 + 0x20200, RangeType::kRam});
  ASSERT_TRUE(b->SetUsableMemory(usable));
  auto fdt = std::move(*b).Take();
  auto added = KernelReadsDrconf(fdt);
  ASSERT_TRUE(added);
  // The straddling range merges with LMB 2's own range into [0x10000ff00, 0x100020900),
  // which the three LMBs it crosses each get their part of.
  ASSERT_EQ(added->size(), 4u + 1998u);
  using Pair = std::pair<uint64_t, uint64_t>;
  EXPECT_EQ((*added)[0], Pair(0x100000100, 0x800));
  EXPECT_EQ((*added)[1], Pair(0x10000ff00, 0x100));
  EXPECT_EQ((*added)[2], Pair(0x100010000, 0x10000));
  EXPECT_EQ((*added)[3], Pair(0x100020000, 0x900));
  for (size_t k = 4; k < added->size(); ++k) {
    const uint64_t at = 0x100000000 + (k - 2) * 0x20000 + 0x100;
    ASSERT_EQ((*added)[k], std::make_pair(at, uint64_t{0x800})) << k;
  }
}

TEST(Ppc64Fdt, DrconfV1ListSkipsUnassignedLmbsBetweenRamLmbs) {
  FakeTree t;
  t.Pseries(false);
  t.Prop("ibm,dynamic-reconfiguration-memory/ibm,lmb-size", FakeTree::Be64(0x10000000));
  // RAM, unassigned, RAM, reserved, RAM; and a v2 list that v1 overrides, as in the kernel.
  t.Prop("ibm,dynamic-reconfiguration-memory/ibm,dynamic-memory",
         FakeTree::Be32(5) + FakeTree::V1(0x80000000, 1, 0x8) + FakeTree::V1(0x90000000, 2, 0) +
             FakeTree::V1(0xa0000000, 3, 0x8) + FakeTree::V1(0xb0000000, 4, 0x88) +
             FakeTree::V1(0xc0000000, 5, 0x8));
  t.Prop("ibm,dynamic-reconfiguration-memory/ibm,dynamic-memory-v2",
         FakeTree::Be32(1) + FakeTree::V2(16, 0x100000000, 9, 0x8));
  auto b = FdtBuilder::FromDirectory(t.root());
  ASSERT_TRUE(b) << b.error().Line();
  using kexkit::load::RangeType;
  // One range across the three RAM LMBs and the skipped ones between them.
  ASSERT_TRUE(b->SetUsableMemory({{0x88000000, 0xc8000000, RangeType::kRam}}));
  auto fdt = std::move(*b).Take();
  auto added = KernelReadsDrconf(fdt);
  ASSERT_TRUE(added) << "entries do not match the kernel's reading";
  const std::vector<std::pair<uint64_t, uint64_t>> want = {
      {0x88000000, 0x08000000}, {0xa0000000, 0x10000000}, {0xc0000000, 0x08000000}};
  EXPECT_EQ(*added, want);
}

TEST(Ppc64Fdt, RefusesMalformedDrconfMemory) {
  const std::string node = "ibm,dynamic-reconfiguration-memory/";
  struct Case {
    std::string lmb_size, v1, v2, message;
  };
  const Case cases[] = {
      {FakeTree::Be64(0x10000000), FakeTree::Be32(2) + FakeTree::V1(0, 1, 0x8), "", "too short"},
      {FakeTree::Be64(0x10000000), "", FakeTree::Be32(1), "too short"},
      {FakeTree::Be64(0x10000000), "", "", "neither"},
      {FakeTree::Be64(0x18000000), FakeTree::Be32(1) + FakeTree::V1(0, 1, 0x8), "", "power of two"},
      {FakeTree::Be32(0x100), FakeTree::Be32(1) + FakeTree::V1(0, 1, 0x8), "", "lmb-size"},
      {FakeTree::Be64(0x10000000), "",
       FakeTree::Be32(1) + FakeTree::V2(0x10, 0xffffffff80000000, 1, 0x8), "wraps"},
      {FakeTree::Be64(0x1000000), "", FakeTree::Be32(1) + FakeTree::V2(0x200000, 0, 1, 0x8),
       "assigned LMBs"},
  };
  for (const Case& c : cases) {
    FakeTree t;
    t.Pseries(true);
    t.Prop(node + "ibm,lmb-size", c.lmb_size);
    if (!c.v1.empty()) t.Prop(node + "ibm,dynamic-memory", c.v1);
    if (!c.v2.empty()) t.Prop(node + "ibm,dynamic-memory-v2", c.v2);
    auto b = FdtBuilder::FromDirectory(t.root());
    ASSERT_TRUE(b) << b.error().Line();
    auto r = b->SetUsableMemory({{0, 0x40000000, kexkit::load::RangeType::kRam}});
    ASSERT_FALSE(r) << c.message;
    EXPECT_NE(r.error().Line().find(c.message), std::string::npos) << r.error().Line();
    EXPECT_NE(r.error().Line().find("ibm,dynamic-reconfiguration-memory"), std::string::npos)
        << r.error().Line();
  }
}

TEST(Ppc64Fdt, DetectsPowerNVFromTheRootCompatibleOnly) {
  FakeTree nv, ps, ps_with_opal;
  nv.PowerNV(false);
  ps.Pseries(false);
  // A pseries guest on OPAL hardware still has a hypervisor; an /ibm,opal node alone
  // (say from a copied tree) does not make it PowerNV.
  ps_with_opal.Pseries(false);
  ps_with_opal.Prop("ibm,opal/opal-entry-address", FakeTree::Be64(0x30003760));
  auto a = FdtBuilder::FromDirectory(nv.root());
  auto b = FdtBuilder::FromDirectory(ps.root());
  auto c = FdtBuilder::FromDirectory(ps_with_opal.root());
  ASSERT_TRUE(a && b && c);
  EXPECT_TRUE(a->IsPowerNV());
  EXPECT_FALSE(b->IsPowerNV());
  EXPECT_FALSE(c->IsPowerNV());
  EXPECT_EQ(a->VtermNo(), 0u);  // the OPAL console's terminal number
  auto opal = a->OpalRuntime();
  ASSERT_TRUE(opal);
  EXPECT_EQ(opal->start, 0x30000000u);
  EXPECT_EQ(opal->end, 0x31c30000u);
  EXPECT_FALSE(b->OpalRuntime());
}

TEST(Ppc64Fdt, FirmwareReservedJoinsReservedRangesAndReservedMemory) {
  FakeTree t;
  t.PowerNV(false);
  // One range only in /reserved-memory, one only in reserved-ranges (above), one
  // reusable (CMA: not the firmware's), and a node without reg.
  t.Prop("reserved-memory/only-here@40000000/reg",
         FakeTree::Be64(0x40000000) + FakeTree::Be64(0x10000));
  t.Prop("reserved-memory/cma@50000000/reg", FakeTree::Be64(0x50000000) + FakeTree::Be64(0x100000));
  t.Prop("reserved-memory/cma@50000000/reusable", "");
  t.Prop("reserved-memory/dynamic/size", FakeTree::Be64(0x100000));
  auto b = FdtBuilder::FromDirectory(t.root());
  ASSERT_TRUE(b) << b.error().Line();
  const auto r = b->FirmwareReserved();
  // skiboot's five touching ranges at 0x30000000 make one; HOMER, OCC and the new one
  // stay apart.
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].start, 0x30000000u);
  EXPECT_EQ(r[0].end, 0x32c02000u);
  EXPECT_EQ(r[1].start, 0x40000000u);
  EXPECT_EQ(r[1].end, 0x40010000u);
  EXPECT_EQ(r[2].start, 0x203ffd800000u);
  EXPECT_EQ(r[2].end, 0x203ffdc00000u);
  EXPECT_EQ(r[3].start, 0x203fff800000u);
  EXPECT_EQ(r[3].end, 0x204000000000u);

  FakeTree p;
  p.Pseries(false);
  auto q = FdtBuilder::FromDirectory(p.root());
  ASSERT_TRUE(q);
  EXPECT_TRUE(q->FirmwareReserved().empty());
}

TEST(Ppc64Fdt, RefusesABadBlob) {
  std::vector<uint8_t> junk(64, 0x5a);
  auto b = FdtBuilder::FromBlob(junk, "junk.dtb");
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().Line().find("junk.dtb"), std::string::npos);
}

// fuzz-fdt (KK_FUZZ_FORK run): a 16 KB blob whose structure block sent libfdt's
// fdt_getprop_namelen -> fdt_next_tag into a loop that ran for more than 11 minutes in
// FdtBuilder::Memory. fdt_check_full refuses it before anything walks the tree.
std::string HangBlobPath() { return kktest::TestDataPath("regressions/fdt-hang.dtb"); }

// A version-5 tree on which libfdt 1.6.1's fdt_check_full itself read a null pointer
// (fuzz-fdt): refused by its version before any libfdt walk.
TEST(Ppc64Fdt, RefusesOldVersionsBeforeLibfdtWalksThem) {
  const std::string path = kktest::TestDataPath("regressions/fdt-crash-version5.dtb");
  auto blob = kktest::ReadFile(path);
  ASSERT_TRUE(blob) << path;
  auto b = FdtBuilder::FromBlob(*blob, "fdt-crash-version5.dtb");
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().Line().find("fdt-crash-version5.dtb: malformed device tree: version 5"),
            std::string::npos)
      << b.error().Line();
}

TEST(Ppc64Fdt, RefusesTheHangBlobInUnderASecond) {
  auto blob = kktest::ReadFile(HangBlobPath());
  ASSERT_TRUE(blob) << HangBlobPath();
  ASSERT_EQ(blob->size(), 16098u);
  const auto t0 = std::chrono::steady_clock::now();
  auto b = FdtBuilder::FromBlob(*blob, "fdt-hang.dtb");
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().Line().find("fdt-hang.dtb: malformed device tree"), std::string::npos)
      << b.error().Line();
  EXPECT_LT(took, std::chrono::seconds(1));
}

// The same blob through the command line: one error line, no system call, fast.
TEST(Ppc64Fdt, HangBlobThroughTheCommandLine) {
  FakeTree t;
  t.Pseries(false);
  const std::string kernel = t.root() + "/../" + fs::path(t.root()).filename().string() + ".vml";
  const std::string iomem = kernel + ".iomem";
  auto vml = MakeVmlinux(Endian::kLittle, {{kKernBase, 0, 0x3000, 0x5000}}, kKernBase);
  ASSERT_TRUE(kktest::WriteFile(kernel, vml.data(), vml.size()));
  std::ofstream(iomem) << "00000000-7fffffff : System RAM\n";
  kktest::RecordingKexec sys;  // a refused load must make no call
  auto arch = kexkit::ppc64::MakePpc64Loader(Endian::kLittle, {});
  const auto t0 = std::chrono::steady_clock::now();
  const kktest::CliRun r = kktest::RunKexkitWith(
      {"-l", kernel, "--dry-run", "--dtb=" + HangBlobPath(), "--iomem=" + iomem,
       "--memmap=/nonexistent", "--device-tree=" + t.root(), "--append=console=hvc0"},
      sys, *arch);
  const auto took = std::chrono::steady_clock::now() - t0;
  const int code = r.code;
  const std::string& msg = r.err;
  fs::remove(kernel);
  fs::remove(iomem);
  EXPECT_NE(code, 0);
  EXPECT_TRUE(sys.calls.empty()) << sys.Trace();
  EXPECT_EQ(std::count(msg.begin(), msg.end(), '\n'), 1) << msg;
  EXPECT_EQ(msg.rfind("kexkit: ", 0), 0u) << msg;
  EXPECT_NE(msg.find("fdt-hang.dtb: malformed device tree"), std::string::npos) << msg;
  EXPECT_LT(took, std::chrono::seconds(1));
}

// A copied /proc/device-tree is just a directory: its depth is bounded before the
// recursive walk can exhaust the stack.
TEST(Ppc64Fdt, RefusesADirectoryNestedTooDeep) {
  FakeTree t;
  t.Pseries(false);
  std::string deep;
  for (int i = 0; i < 80; ++i) deep += "n/";
  t.Prop(deep + "x", FakeTree::Be32(1));
  auto b = FdtBuilder::FromDirectory(t.root());
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().Line().find("nested deeper than 64"), std::string::npos) << b.error().Line();
}

TEST(Ppc64Fdt, HvcConsoleFromTheCommandLine) {
  kexkit::load::Options o;
  EXPECT_TRUE(kexkit::ppc64::WantsHvcConsole(o, "root=/dev/sda console=hvc0"));
  EXPECT_TRUE(kexkit::ppc64::WantsHvcConsole(o, "console=hvc1,115200"));
  EXPECT_FALSE(kexkit::ppc64::WantsHvcConsole(o, "xconsole=hvc0 console=ttyS0"));
  o.console_serial = true;
  EXPECT_TRUE(kexkit::ppc64::WantsHvcConsole(o, ""));
}

// --- whole plans ------------------------------------------------------------------------------

class Ppc64Plan : public testing::Test {
 protected:
  void SetUp() override {
    const std::string ro = std::string(KK_BINARY_DIR) + "/purgatory/ppc64le/purgatory.ro";
    auto p = kktest::ReadFile(ro);
    if (!p) GTEST_SKIP() << ro << " not built (add ppc64le to KEXKIT_PURGATORY_ARCHES)";
    purgatory_ = std::move(*p);
    kernel_ = kktest::TestKernelPpc64le();
    ASSERT_FALSE(kernel_.empty()) << kktest::NoKernelMessage("ppc64le");
    iomem_ = tree_.root() + "/../" + fs::path(tree_.root()).filename().string() + ".iomem";
    std::ofstream(iomem_) << "00000000-7fffffff : System RAM\n";
    initrd_ = iomem_ + ".initrd";
    std::ofstream(initrd_) << std::string(100000, 'i');
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove(iomem_, ec);
    fs::remove(initrd_, ec);
    fs::remove_all(sysfs_, ec);
  }
  kexkit::load::Options Opts(bool crash) {
    kexkit::load::Options o;
    o.action = kexkit::load::Action::kLoad;
    o.crash = crash;
    o.dry_run = true;
    o.kernel = kernel_;
    o.initrd = initrd_;
    o.append = "console=hvc0 panic=-1";
    o.device_tree = tree_.root();
    o.iomem = iomem_;
    o.memmap = "/nonexistent";
    if (crash) {
      sysfs_ = iomem_ + ".sys";
      fs::create_directories(sysfs_ + "/devices/system/cpu/cpu0");
      fs::create_directories(sysfs_ + "/kernel");
      std::ofstream(sysfs_ + "/devices/system/cpu/possible") << "0\n";
      std::ofstream(sysfs_ + "/devices/system/cpu/cpu0/crash_notes") << "7fe96c00\n";
      std::ofstream(sysfs_ + "/kernel/vmcoreinfo") << "0x7ff00000 1000\n";
      o.sysfs = sysfs_;
    }
    return o;
  }
  const kexkit::load::Segment* Find(const kexkit::load::LoadPlan& p, const std::string& what) {
    for (const auto& s : p.segments) {
      if (s.what == what) return &s;
    }
    return nullptr;
  }

  FakeTree tree_;
  std::vector<uint8_t> purgatory_;
  std::string kernel_, iomem_, initrd_, sysfs_;
};

TEST_F(Ppc64Plan, KexecPlacesEverythingInTheRmaAbove64KAlignedKernelEnd) {
  tree_.Pseries(false);
  auto opt = Opts(false);
  auto arch = kexkit::ppc64::MakePpc64Loader(Endian::kLittle, purgatory_);
  auto plan = kexkit::load::BuildLoadPlan(opt, *arch);
  ASSERT_TRUE(plan) << plan.error().Line();
  EXPECT_EQ(plan->flags, 21ul << 16);
  for (const auto& s : plan->segments) {
    EXPECT_EQ(s.mem % 0x10000, 0u) << s.what;
    EXPECT_EQ(s.memsz % 0x10000, 0u) << s.what;
    EXPECT_GE(s.mem, 0x2880000u) << s.what << ": overlaps the running kernel";
    EXPECT_LE(s.mem + s.memsz, 0x2fff0000u) << s.what << ": above RTAS / the RMA";
  }
  const auto* kernel = Find(*plan, "kernel");
  const auto* purg = Find(*plan, "purgatory");
  const auto* dt = Find(*plan, "device tree");
  ASSERT_TRUE(kernel && purg && dt);
  // The purgatory head: the new kernel's first 0x100 bytes, but our branch at 0.
  const uint64_t head = plan->entry - purg->mem;
  ASSERT_LE(head + 0x100, purg->buf.size());
  EXPECT_EQ(0, std::memcmp(purg->buf.data() + head + 4, kernel->buf.data() + 4, 0x100 - 4));
  const uint32_t insn = kexkit::LoadUnchecked<uint32_t>(purg->buf.data() + head, Endian::kLittle);
  EXPECT_EQ(insn >> 26, 18u) << "not a branch";
  // The tree reserves RTAS, the initrd, the purgatory and itself.
  std::vector<uint8_t> fdt(dt->buf.begin(), dt->buf.end());
  ASSERT_EQ(fdt_check_header(fdt.data()), 0);
  std::vector<std::pair<uint64_t, uint64_t>> rsv;
  for (int i = 0; i < fdt_num_mem_rsv(fdt.data()); ++i) {
    uint64_t a, s;
    fdt_get_mem_rsv(fdt.data(), i, &a, &s);
    rsv.emplace_back(a, s);
  }
  auto has = [&](uint64_t a) {
    return std::any_of(rsv.begin(), rsv.end(), [&](auto& r) { return r.first == a; });
  };
  EXPECT_TRUE(has(0x2fff0000));
  EXPECT_TRUE(has(Find(*plan, "initrd")->mem));
  EXPECT_TRUE(has(purg->mem));
  EXPECT_TRUE(has(dt->mem));
}

TEST_F(Ppc64Plan, KdumpStaysInTheCrashRegionAndRunsAtItsLoadAddress) {
  tree_.Pseries(true);
  auto opt = Opts(true);
  auto arch = kexkit::ppc64::MakePpc64Loader(Endian::kLittle, purgatory_);
  auto plan = kexkit::load::BuildLoadPlan(opt, *arch);
  ASSERT_TRUE(plan) << plan.error().Line();
  EXPECT_EQ(plan->flags, (21ul << 16) | 1);
  for (const auto& s : plan->segments) {
    EXPECT_GE(s.mem, 0x20000000u) << s.what;
    EXPECT_LE(s.mem + s.memsz, 0x2fff0000u) << s.what;
  }
  const auto* head = Find(*plan, "kernel (head)");
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(head->mem, 0x20000000u);
  EXPECT_EQ(kexkit::LoadUnchecked<uint32_t>(head->buf.data() + 0x5c, Endian::kLittle), 1u);
  const auto* backup = Find(*plan, "backup");
  ASSERT_NE(backup, nullptr);
  EXPECT_EQ(backup->buf.size(), 0u);
  const auto* hdr = Find(*plan, "elfcorehdr");
  ASSERT_NE(hdr, nullptr);
  const auto* dt = Find(*plan, "device tree");
  std::vector<uint8_t> fdt(dt->buf.begin(), dt->buf.end());
  int len = 0;
  const char* args = static_cast<const char*>(Prop(fdt, "/chosen", "bootargs", &len));
  ASSERT_NE(args, nullptr);
  EXPECT_NE(std::string(args).find("elfcorehdr=" + std::to_string(hdr->mem >> 10) + "K"),
            std::string::npos)
      << args;
  const auto* u = static_cast<const uint8_t*>(Prop(fdt, "/memory@0", "linux,usable-memory", &len));
  ASSERT_NE(u, nullptr);
  ASSERT_EQ(len, 16);
  EXPECT_EQ(kexkit::LoadUnchecked<uint64_t>(u + 8, Endian::kBig), 0x40000000u);
  bool gap = false;
  for (int i = 0; i < fdt_num_mem_rsv(fdt.data()); ++i) {
    uint64_t a, s;
    fdt_get_mem_rsv(fdt.data(), i, &a, &s);
    gap |= a == 0x10000 && s == 0x20000000 - 0x10000;
  }
  EXPECT_TRUE(gap) << "no reserve entry for [64K, crash base)";
}

TEST_F(Ppc64Plan, KdumpWithDimmMemoryKeepsTheCaptureKernelOffIt) {
  tree_.PseriesDimm();
  std::ofstream(iomem_) << "00000000-bfffffff : System RAM\n";
  auto opt = Opts(true);
  auto arch = kexkit::ppc64::MakePpc64Loader(Endian::kLittle, purgatory_);
  auto plan = kexkit::load::BuildLoadPlan(opt, *arch);
  ASSERT_TRUE(plan) << plan.error().Line();
  const auto* dt = Find(*plan, "device tree");
  ASSERT_NE(dt, nullptr);
  std::vector<uint8_t> fdt(dt->buf.begin(), dt->buf.end());
  auto added = KernelReadsDrconf(fdt);
  ASSERT_TRUE(added);
  EXPECT_TRUE(added->empty()) << "the capture kernel would take DIMM memory";
  // The dump still covers the DIMM: the core header's (ELF64, LE) PT_LOADs reach 3 GiB.
  const auto* hdr = Find(*plan, "elfcorehdr");
  ASSERT_NE(hdr, nullptr);
  auto u16 = [&](uint64_t o) {
    return kexkit::LoadUnchecked<uint16_t>(&hdr->buf[o], Endian::kLittle);
  };
  auto u64 = [&](uint64_t o) {
    return kexkit::LoadUnchecked<uint64_t>(&hdr->buf[o], Endian::kLittle);
  };
  uint64_t top = 0;
  for (uint64_t i = 0, ph = u64(32); i < u16(56); ++i, ph += 56) {
    if (kexkit::LoadUnchecked<uint32_t>(&hdr->buf[ph], Endian::kLittle) == 1)
      top = std::max(top, u64(ph + 24) + u64(ph + 40));
  }
  EXPECT_EQ(top, 0xc0000000u);
}

// The purgatory's parameter block as the loader wrote it (ppc64le: little-endian).
struct Params {
  uint32_t flags = 0, term = 0;
  uint64_t opal_base = 0, opal_entry = 0;
};
Params ReadParams(const std::vector<uint8_t>& purgatory, const kexkit::load::Segment& seg) {
  auto obj = kexkit::link::RelocatableObject::Parse(purgatory, "purgatory.ro");
  EXPECT_TRUE(obj);
  if (!obj) return {};
  auto image = kexkit::link::Link(*obj, seg.mem);
  EXPECT_TRUE(image);
  if (!image) return {};
  auto at = image->SymbolAddress("kexkit_params");
  EXPECT_TRUE(at);
  if (!at) return {};
  const uint8_t* p = seg.buf.data() + (*at - seg.mem);
  using P = kexkit::abi::PurgatoryParams;
  Params r;
  r.flags = kexkit::LoadUnchecked<uint32_t>(p + offsetof(P, flags), Endian::kLittle);
  r.term = kexkit::LoadUnchecked<uint32_t>(p + offsetof(P, hvc_vtermno), Endian::kLittle);
  r.opal_base = kexkit::LoadUnchecked<uint64_t>(p + offsetof(P, opal_base), Endian::kLittle);
  r.opal_entry = kexkit::LoadUnchecked<uint64_t>(p + offsetof(P, opal_entry), Endian::kLittle);
  return r;
}

std::vector<std::pair<uint64_t, uint64_t>> ReserveMap(const std::vector<uint8_t>& fdt) {
  std::vector<std::pair<uint64_t, uint64_t>> rsv;
  for (int i = 0; i < fdt_num_mem_rsv(fdt.data()); ++i) {
    uint64_t a, s;
    fdt_get_mem_rsv(fdt.data(), i, &a, &s);
    rsv.emplace_back(a, s);
  }
  return rsv;
}

TEST_F(Ppc64Plan, PowerNVKexecTalksToOpalAndKeepsFirmwareMemoryReserved) {
  tree_.PowerNV(false);
  auto opt = Opts(false);
  auto arch = kexkit::ppc64::MakePpc64Loader(Endian::kLittle, purgatory_);
  auto plan = kexkit::load::BuildLoadPlan(opt, *arch);
  ASSERT_TRUE(plan) << plan.error().Line();
  // No hcall on bare metal: the OPAL console, with OPAL's base and entry.
  const auto* purg = Find(*plan, "purgatory");
  ASSERT_NE(purg, nullptr);
  const Params p = ReadParams(purgatory_, *purg);
  EXPECT_TRUE(p.flags & kexkit::abi::kFlagConsoleOpal);
  EXPECT_FALSE(p.flags & kexkit::abi::kFlagConsoleHvc) << "sc 1 would trap on PowerNV";
  EXPECT_EQ(p.term, 0u);
  EXPECT_EQ(p.opal_base, 0x30000000u);
  EXPECT_EQ(p.opal_entry, 0x30003760u);
  // Nothing lands on skiboot's memory (placement), and the new kernel is told to keep
  // every firmware range (reserve map).
  const std::vector<std::pair<uint64_t, uint64_t>> firmware = {
      {0x30000000, 0x2c02000}, {0x203ffd800000, 0x400000}, {0x203fff800000, 0x800000}};
  for (const auto& s : plan->segments) {
    for (const auto& [a, n] : firmware) {
      EXPECT_TRUE(s.mem + s.memsz <= a || s.mem >= a + n) << s.what << " on firmware memory";
    }
  }
  const auto* dt = Find(*plan, "device tree");
  ASSERT_NE(dt, nullptr);
  const auto rsv = ReserveMap({dt->buf.begin(), dt->buf.end()});
  for (const auto& f : firmware) {
    EXPECT_NE(std::find(rsv.begin(), rsv.end(), f), rsv.end())
        << "no reserve entry for 0x" << std::hex << f.first;
  }
}

TEST_F(Ppc64Plan, PseriesKeepsTheHypervisorConsoleAndNoFirmwareEntries) {
  tree_.Pseries(false);
  auto opt = Opts(false);
  auto arch = kexkit::ppc64::MakePpc64Loader(Endian::kLittle, purgatory_);
  auto plan = kexkit::load::BuildLoadPlan(opt, *arch);
  ASSERT_TRUE(plan) << plan.error().Line();
  const Params p = ReadParams(purgatory_, *Find(*plan, "purgatory"));
  EXPECT_TRUE(p.flags & kexkit::abi::kFlagConsoleHvc);
  EXPECT_FALSE(p.flags & kexkit::abi::kFlagConsoleOpal);
  EXPECT_EQ(p.term, 0x71000000u);
  EXPECT_EQ(p.opal_entry, 0u);
  const auto* dt = Find(*plan, "device tree");
  // RTAS, the initrd, the purgatory and the tree: nothing more.
  EXPECT_EQ(ReserveMap({dt->buf.begin(), dt->buf.end()}).size(), 4u);
}

// /memory@0's linux,usable-memory in the plan's device tree, as (address, size) cells.
std::vector<uint64_t> UsableMemory0(const kexkit::load::LoadPlan& plan) {
  auto dt = std::find_if(plan.segments.begin(), plan.segments.end(),
                         [](const auto& s) { return s.what == std::string("device tree"); });
  if (dt == plan.segments.end()) return {};
  std::vector<uint8_t> fdt(dt->buf.begin(), dt->buf.end());
  int len = 0;
  const auto* u = static_cast<const uint8_t*>(Prop(fdt, "/memory@0", "linux,usable-memory", &len));
  std::vector<uint64_t> cells;
  for (int at = 0; u != nullptr && at + 8 <= len; at += 8)
    cells.push_back(kexkit::LoadUnchecked<uint64_t>(u + at, Endian::kBig));
  return cells;
}

TEST_F(Ppc64Plan, PowerNVKdumpLeavesOpalUsableToTheCaptureKernel) {
  tree_.PowerNV(true);
  auto opt = Opts(true);
  auto arch = kexkit::ppc64::MakePpc64Loader(Endian::kLittle, purgatory_);
  auto plan = kexkit::load::BuildLoadPlan(opt, *arch);
  ASSERT_TRUE(plan) << plan.error().Line();
  for (const auto& s : plan->segments) {
    EXPECT_GE(s.mem, 0x8000000u) << s.what;
    EXPECT_LE(s.mem + s.memsz, 0x18000000u) << s.what;
  }
  // [0, crash end) and OPAL's runtime image: the capture kernel maps OPAL's memory
  // console at boot. The image (0x1c30000 bytes) grows to the next 16 MiB boundary,
  // 0x32000000, which skiboot's reserved memory covers: a hash-MMU capture kernel maps
  // whole 16 MiB pages only, and would fault reading the tail from /proc/vmcore.
  EXPECT_EQ(UsableMemory0(*plan), (std::vector<uint64_t>{0, 0x18000000, 0x30000000, 0x2000000}));
  EXPECT_TRUE(ReadParams(purgatory_, *Find(*plan, "purgatory")).flags &
              kexkit::abi::kFlagConsoleOpal);
}

// Where the firmware reserves only OPAL's image itself, the usable range stays the image:
// growing it would give the capture kernel old memory it could allocate.
TEST_F(Ppc64Plan, PowerNVKdumpGrowsOpalOnlyInsideReservedMemory) {
  tree_.PowerNV(true);
  tree_.Prop("reserved-ranges", tree_.Be64(0x30000000) + tree_.Be64(0x1c30000));
  fs::remove_all(tree_.root() + "/reserved-memory");
  auto opt = Opts(true);
  auto arch = kexkit::ppc64::MakePpc64Loader(Endian::kLittle, purgatory_);
  auto plan = kexkit::load::BuildLoadPlan(opt, *arch);
  ASSERT_TRUE(plan) << plan.error().Line();
  EXPECT_EQ(UsableMemory0(*plan), (std::vector<uint64_t>{0, 0x18000000, 0x30000000, 0x1c30000}));
}

TEST_F(Ppc64Plan, KdumpWithoutACrashRegionSaysSo) {
  tree_.Pseries(false);
  auto opt = Opts(true);
  auto arch = kexkit::ppc64::MakePpc64Loader(Endian::kLittle, purgatory_);
  auto plan = kexkit::load::BuildLoadPlan(opt, *arch);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().Line().find("crashkernel"), std::string::npos) << plan.error().Line();
}

// --hotplug on pseries: KEXEC_CRASH_HOTPLUG_SUPPORT, the core header sized as the kernel
// asks, and a tree with room for the cpu nodes of the cores that may still come, which
// is what the kernel's update_cpus_node needs: it deletes /cpus and adds it back with
// every present core [arch/powerpc/kexec/core_64.c]. Done here with libfdt on the
// loaded bytes: three more cores like the present one must fit in place.
TEST_F(Ppc64Plan, HotplugLeavesRoomForTheCpuNodesTheKernelAdds) {
  tree_.Pseries(true);
  const std::string core = "cpus/PowerPC,POWER9@0/";
  tree_.Prop("cpus/#address-cells", FakeTree::Be32(1));
  tree_.Prop("cpus/#size-cells", FakeTree::Be32(0));
  tree_.Prop(core + "device_type", FakeTree::Str("cpu"));
  tree_.Prop(core + "reg", FakeTree::Be32(0));
  tree_.Prop(core + "ibm,ppc-interrupt-server#s", FakeTree::Be32(0));
  tree_.Prop(core + "ibm,pa-features", std::string(64, '\x5a'));
  tree_.Prop(core + "ibm,segment-page-sizes", std::string(200, '\x11'));
  auto opt = Opts(true);
  opt.hotplug = true;
  auto arch = kexkit::ppc64::MakePpc64Loader(Endian::kLittle, purgatory_);
  auto refused = kexkit::load::BuildLoadPlan(opt, *arch);
  ASSERT_FALSE(refused) << "no crash_elfcorehdr_size: the kernel cannot do it";
  EXPECT_NE(refused.error().Line().find("crash_elfcorehdr_size"), std::string::npos);

  std::ofstream(sysfs_ + "/kernel/crash_elfcorehdr_size") << "917568\n";
  std::ofstream(sysfs_ + "/devices/system/cpu/possible") << "0-3\n";
  std::ofstream(sysfs_ + "/devices/system/cpu/present") << "0\n";
  auto plan = kexkit::load::BuildLoadPlan(opt, *arch);
  ASSERT_TRUE(plan) << plan.error().Line();
  EXPECT_EQ(plan->flags, (21ul << 16) | 0x8 | 1);  // EM_PPC64, CRASH_HOTPLUG_SUPPORT, ON_CRASH
  const auto* hdr = Find(*plan, "elfcorehdr");
  const auto* dt = Find(*plan, "device tree");
  ASSERT_TRUE(hdr && dt);
  EXPECT_FALSE(hdr->digested);
  EXPECT_FALSE(dt->digested);
  EXPECT_GE(hdr->memsz, 917568u);
  EXPECT_EQ(hdr->memsz % 0x10000, 0u);

  std::vector<uint8_t> fdt(dt->buf.begin(), dt->buf.end());
  ASSERT_EQ(fdt_check_header(fdt.data()), 0);
  EXPECT_EQ(fdt_totalsize(fdt.data()), fdt.size());
  EXPECT_LE(fdt.size(), dt->memsz);
  // The tree reserves all of itself, free space included.
  bool reserved = false;
  for (int i = 0; i < fdt_num_mem_rsv(fdt.data()); ++i) {
    uint64_t a, sz;
    fdt_get_mem_rsv(fdt.data(), i, &a, &sz);
    reserved |= a == dt->mem && sz == fdt.size();
  }
  EXPECT_TRUE(reserved);
  // What the kernel does on a hot-add, in the loaded bytes: /cpus again, four cores.
  const int cpus = fdt_path_offset(fdt.data(), "/cpus");
  ASSERT_GE(cpus, 0);
  ASSERT_EQ(fdt_del_node(fdt.data(), cpus), 0);
  const int again = fdt_add_subnode(fdt.data(), 0, "cpus");
  ASSERT_GE(again, 0);
  for (int c = 0; c < 4; ++c) {
    const std::string name = "PowerPC,POWER9@" + std::to_string(c);
    const int n = fdt_add_subnode(fdt.data(), again, name.c_str());
    ASSERT_GE(n, 0) << fdt_strerror(n) << " adding core " << c;
    ASSERT_EQ(fdt_setprop_string(fdt.data(), n, "device_type", "cpu"), 0) << c;
    ASSERT_EQ(fdt_setprop_u32(fdt.data(), n, "reg", c), 0) << c;
    ASSERT_EQ(fdt_setprop_u32(fdt.data(), n, "ibm,ppc-interrupt-server#s", c), 0) << c;
    const std::string pa(64, '\x5a'), sps(200, '\x11');
    ASSERT_EQ(fdt_setprop(fdt.data(), n, "ibm,pa-features", pa.data(), pa.size()), 0) << c;
    ASSERT_EQ(fdt_setprop(fdt.data(), n, "ibm,segment-page-sizes", sps.data(), sps.size()), 0) << c;
  }
  // The control: the same tree without --hotplug has no room for even one more core.
  opt.hotplug = false;
  auto plain = kexkit::load::BuildLoadPlan(opt, *arch);
  ASSERT_TRUE(plain) << plain.error().Line();
  const auto* pdt = Find(*plain, "device tree");
  EXPECT_TRUE(pdt->digested);
  EXPECT_LT(pdt->buf.size() + 3 * 300, fdt.size());
}

// The distribution command lines on ppc64le (distro_cli_test.cc has x86_64 and i386),
// through RunKexkit and the recording stand-in, with a synthetic vmlinux and a fake
// pseries /proc/device-tree whose bootargs carry root=.
class Ppc64Distro : public testing::Test {
 protected:
  void SetUp() override {
    const std::string ro = std::string(KK_BINARY_DIR) + "/purgatory/ppc64le/purgatory.ro";
    auto p = kktest::ReadFile(ro);
    ASSERT_TRUE(p) << ro << " not built";
    purgatory_ = std::move(*p);
    tree_.Pseries(true);
    tree_.Prop("chosen/bootargs", FakeTree::Str("console=hvc0 root=/dev/sda2 ro crashkernel=512M"));
    base_ = tree_.root() + ".files";
    fs::create_directories(base_ + "/sys/devices/system/cpu/cpu0");
    fs::create_directories(base_ + "/sys/kernel");
    std::ofstream(base_ + "/sys/devices/system/cpu/possible") << "0\n";
    std::ofstream(base_ + "/sys/devices/system/cpu/cpu0/crash_notes") << "7fe96c00\n";
    std::ofstream(base_ + "/sys/kernel/vmcoreinfo") << "0x7ff00000 1000\n";
    std::ofstream(base_ + "/iomem") << "00000000-7fffffff : System RAM\n";
    std::ofstream(base_ + "/initrd.img") << std::string(100000, 'i');
    const auto vm = MakeVmlinux(Endian::kLittle, {{kKernBase, 0, 0x20000, 0x200000}}, kKernBase);
    ASSERT_TRUE(kktest::WriteFile(Kernel(), vm.data(), vm.size()));
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(base_, ec);
  }
  std::string Kernel() const { return base_ + "/vmlinux-6.1.0-ppc64el"; }
  std::string Initrd() const { return base_ + "/initrd.img"; }

  kktest::CliRun Run(std::vector<std::string> words, kktest::RecordingKexec& sys) {
    for (const std::string& w : {"--device-tree=" + tree_.root(), "--iomem=" + base_ + "/iomem",
                                 std::string("--memmap=/nonexistent"), "--sysfs=" + base_ + "/sys",
                                 std::string("--kcore=/nonexistent")}) {
      words.push_back(w);
    }
    auto arch = kexkit::ppc64::MakePpc64Loader(Endian::kLittle, purgatory_);
    return kktest::RunKexkitWith(words, sys, *arch);
  }

  // /chosen/bootargs of the device tree kexkit loaded.
  static std::string Bootargs(const kktest::RecordingKexec& sys) {
    for (const auto& c : sys.calls) {
      for (size_t i = 0; i < c.holds.size(); ++i) {
        if (c.holds[i] != "device tree") continue;
        int len = 0;
        const void* v = Prop(c.bufs[i], "/chosen", "bootargs", &len);
        return v ? std::string(static_cast<const char*>(v)) : "";
      }
    }
    return "(no device tree)";
  }

  FakeTree tree_;
  std::vector<uint8_t> purgatory_;
  std::string base_;
};

constexpr const char* kPpcKdumpCmdline =
    "console=hvc0 irqpoll maxcpus=1 noirqdistrib reset_devices";

TEST_F(Ppc64Distro, DebianKdumpConfigPassesArgsLinuxForTheElfKernel) {
  kktest::RecordingKexec sys;
  auto r = Run({"--args-linux", "-p", std::string("--command-line=") + kPpcKdumpCmdline,
                "--initrd=" + Initrd(), Kernel()},
               sys);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  ASSERT_EQ(sys.Trace(), "load ");
  EXPECT_EQ(sys.calls[0].flags, (21ul << 16) | 1);
  const std::string args = Bootargs(sys);
  EXPECT_NE(args.find(kPpcKdumpCmdline), std::string::npos) << args;
  EXPECT_NE(args.find("root=/dev/sda2"), std::string::npos)
      << "without --dt-no-old-root the old root= is carried over, as kexec-tools does: " << args;
}

TEST_F(Ppc64Distro, FedoraOlderSysconfigDtNoOldRoot) {
  kktest::RecordingKexec sys;
  auto r = Run({"--dt-no-old-root", "-p", std::string("--command-line=") + kPpcKdumpCmdline,
                "--initrd=" + Initrd(), Kernel()},
               sys);
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(sys.Trace(), "load ");
  const std::string args = Bootargs(sys);
  EXPECT_NE(args.find(kPpcKdumpCmdline), std::string::npos) << args;
  EXPECT_EQ(args.find("root="), std::string::npos) << args;
  // A command line with its own root= keeps it, and gets no second one.
  kktest::RecordingKexec own;
  ASSERT_EQ(Run({"-p", "--command-line=root=/dev/vdb1 console=hvc0", Kernel()}, own).code, 0);
  const std::string own_args = Bootargs(own);
  EXPECT_NE(own_args.find("root=/dev/vdb1"), std::string::npos) << own_args;
  EXPECT_EQ(own_args.find("root=/dev/sda2"), std::string::npos) << own_args;
}

TEST_F(Ppc64Distro, FedoraNewerSysconfigAndOpenSuseAuto) {
  // Newer kdumpctl: KEXEC_ARGS="-s"; Debian's ppc64el kernel has no kexec_file_load, so
  // the call fails there with ENOSYS and -s exits 2, as kexec-tools.
  kktest::RecordingKexec file;
  file.file_load_errno = ENOSYS;
  auto r = Run({"-s", "-p", std::string("--command-line=") + kPpcKdumpCmdline,
                "--initrd=" + Initrd(), Kernel()},
               file);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(file.Trace(), "file_load ");
  // openSUSE: -a falls back to kexkit's own load.
  kktest::RecordingKexec suse;
  suse.file_load_errno = ENOSYS;
  r = Run(
      {"-p", Kernel(), std::string("--append=") + kPpcKdumpCmdline, "--initrd=" + Initrd(), "-a"},
      suse);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(suse.Trace(), "file_load load ");
  kktest::RecordingKexec unload;
  unload.file_load_errno = ENOSYS;
  EXPECT_EQ(Run({"-a", "-p", "-u"}, unload).code, 0);
  EXPECT_EQ(unload.Trace(), "unload(file) unload ");
}

TEST_F(Ppc64Distro, X86OptionsRefusedAndCrashRegionSize) {
  for (const char* opt : {"--noefi", "--reuse-video-type"}) {
    kktest::RecordingKexec sys;
    auto r = Run({opt, "-l", Kernel()}, sys);
    EXPECT_EQ(r.code, 1) << opt;
    EXPECT_NE(r.err.find("an x86 option"), std::string::npos) << r.err;
    EXPECT_TRUE(sys.calls.empty());
  }
  kktest::RecordingKexec typed;
  EXPECT_EQ(Run({"-t", "elf-ppc64", "-l", Kernel()}, typed).code, 0);
  kktest::RecordingKexec ckr;
  auto r = Run({"--print-ckr-size"}, ckr);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "536870912\n") << "linux,crashkernel-size";
}

}  // namespace

#else
TEST(Ppc64Loader, NeedsLibfdt) { GTEST_SKIP() << "host has no libfdt: ppc64 loader not built"; }
#endif
