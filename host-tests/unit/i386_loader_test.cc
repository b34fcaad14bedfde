// The x86 loader in its 32-bit modes, end to end through BuildLoadPlan (a --dry-run
// load): i386 (MakeX86Loader(X86Width::k32, the real i386 purgatory)) and x86_64 with
// --entry-32bit. Inputs are synthetic and written to a temporary folder: a bzImage
// header with Debian 686-like fields, an /proc/iomem, a sysfs with crash_notes and
// vmcoreinfo. Checks the kexec_load arch, every placement rule of the 32-bit hand-off,
// the registers the purgatory will load, and the kdump core header's class.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "arch/x86/x86-loader.h"
#include "base/bytes.h"
#include "kexkit/purgatory-abi.h"
#include "kexkit/x86-boot-params.h"
#include "linker/link.h"
#include "linker/object.h"
#include "loader/load.h"

namespace kexkit::load {
namespace {

constexpr uint64_t k4G = 1ull << 32;
constexpr uint64_t kPref = 0x1000000;        // Debian 686: pref_address = 16 MiB
constexpr uint32_t kInitSize = 0x1800000;    // init_size
constexpr uint32_t kInitrdMax = 0x7fffffff;  // initrd_addr_max (protocol 2.03+)

std::vector<uint8_t> Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void Spit(const std::string& path, std::string_view text) {
  std::ofstream(path, std::ios::binary)
      .write(text.data(), static_cast<std::streamsize>(text.size()));
}

// A bzImage that ParseBzImage and the loader accept: one setup sector after the boot
// sector, protocol 2.15, relocatable, 64 KiB of "kernel". `kernel64` adds the 64-bit
// entry flags of an x86_64 kernel (XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G).
std::vector<uint8_t> BzImageBytes(bool kernel64) {
  std::vector<uint8_t> b(2 * 512 + 0x10000, 0x90);
  auto put16 = [&](size_t o, uint16_t v) {
    StoreUnchecked<uint16_t>(b.data() + o, v, Endian::kLittle);
  };
  auto put32 = [&](size_t o, uint32_t v) {
    StoreUnchecked<uint32_t>(b.data() + o, v, Endian::kLittle);
  };
  auto put64 = [&](size_t o, uint64_t v) {
    StoreUnchecked<uint64_t>(b.data() + o, v, Endian::kLittle);
  };
  std::memset(b.data() + 0x1f1, 0, 0x270 - 0x1f1);
  b[0x1f1] = 1;                // setup_sects
  put32(0x1f4, 0x10000 / 16);  // syssize
  put16(0x1fe, 0xaa55);
  b[0x200] = 0xeb;           // jump
  b[0x201] = 0x6a;           // header end: 0x202 + 0x6a = 0x26c
  put32(0x202, 0x53726448);  // "HdrS"
  put16(0x206, 0x020f);
  b[0x211] = 1;            // LOADED_HIGH
  put32(0x214, 0x100000);  // code32_start
  put32(0x22c, kInitrdMax);
  put32(0x230, 0x1000000);  // kernel_alignment
  b[0x234] = 1;             // relocatable_kernel
  b[0x235] = 12;
  put16(0x236, kernel64 ? 0x3 : 0);
  put32(0x238, 2047);  // cmdline_size
  put64(0x258, kPref);
  put32(0x260, kInitSize);
  return b;
}

class I386Loader : public testing::Test {
 protected:
  void SetUp() override {
    purgatory_ = Slurp(KK_I386_PURGATORY);
    if (std::string(KK_I386_PURGATORY).empty() || purgatory_.empty()) {
      GTEST_SKIP() << "i386 is not in KEXKIT_PURGATORY_ARCHES";
    }
    char tmpl[] = "/tmp/kk-i386-loader-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    kernel_ = BzImageBytes(false);
    std::ofstream(dir_ + "/bzImage", std::ios::binary)
        .write(reinterpret_cast<const char*>(kernel_.data()),
               static_cast<std::streamsize>(kernel_.size()));
    kernel64_ = BzImageBytes(true);
    std::ofstream(dir_ + "/bzImage64", std::ios::binary)
        .write(reinterpret_cast<const char*>(kernel64_.data()),
               static_cast<std::streamsize>(kernel64_.size()));
    Spit(dir_ + "/initrd", std::string(0x5000, 'i'));
    // 1 GiB, as QEMU's pc machine lays it out, with a 256 MiB crash region at 112 MiB
    // (where Debian's 686 kernel put crashkernel=256M in the e2e guest).
    SetIomem(
        "00000000-00000fff : Reserved\n"
        "00001000-0009fbff : System RAM\n"
        "0009fc00-0009ffff : Reserved\n"
        "000f0000-000fffff : Reserved\n"
        "00100000-3ffdffff : System RAM\n"
        "  07000000-16ffffff : Crash kernel\n"
        "3ffe0000-3fffffff : Reserved\n"
        "fffc0000-ffffffff : Reserved\n");
    const std::string sys = dir_ + "/sys";
    for (const char* d : {"", "/devices", "/devices/system", "/devices/system/cpu",
                          "/devices/system/cpu/cpu0", "/kernel"}) {
      ::mkdir((sys + d).c_str(), 0755);
    }
    Spit(sys + "/devices/system/cpu/possible", "0\n");
    Spit(sys + "/devices/system/cpu/cpu0/crash_notes", "35fd2000\n");
    Spit(sys + "/devices/system/cpu/cpu0/crash_notes_size", "164\n");
    Spit(sys + "/kernel/vmcoreinfo", "0x35e3b000 1000\n");

    opt_.action = Action::kLoad;
    opt_.dry_run = true;
    opt_.kernel = dir_ + "/bzImage";
    opt_.initrd = dir_ + "/initrd";
    opt_.append = "console=ttyS0 panic=-1";
    opt_.iomem = dir_ + "/iomem";
    opt_.memmap = dir_ + "/no-memmap";
    opt_.boot_params = dir_ + "/no-boot-params";
    opt_.sysfs = sys;
    opt_.kcore = dir_ + "/no-kcore";
  }

  void TearDown() override {
    if (!dir_.empty()) {
      const std::string cmd = "rm -rf '" + dir_ + "'";
      (void)!std::system(cmd.c_str());
    }
  }

  void SetIomem(std::string_view text) { Spit(dir_ + "/iomem", text); }

  Result<LoadPlan> Plan(bool bits64 = false) {
    if (bits64) {
      // x86_64 --entry-32bit: the same 32-bit hand-off from the 64-bit purgatory; only
      // the placement is checked here (the x86_64 blob is tested elsewhere).
      opt_.kernel = dir_ + "/bzImage64";
      auto blob = Slurp(std::string(KK_BINARY_DIR) + "/purgatory/x86_64/purgatory.ro");
      if (blob.empty()) return Fail("no x86_64 purgatory.ro");
      purgatory64_ = std::move(blob);
      auto arch = x86::MakeX86Loader(x86::X86Width::k64, purgatory64_);
      return BuildLoadPlan(opt_, *arch);
    }
    auto arch = x86::MakeX86Loader(x86::X86Width::k32, purgatory_);
    return BuildLoadPlan(opt_, *arch);
  }

  static const Segment* Find(const LoadPlan& plan, std::string_view what) {
    for (const Segment& s : plan.segments) {
      if (s.what == what) return &s;
    }
    return nullptr;
  }

  static uint32_t Le32(std::span<const uint8_t> b, size_t off) {
    return LoadUnchecked<uint32_t>(b.data() + off, Endian::kLittle);
  }

  // kexkit_entry_i386 as the purgatory will read it: the purgatory segment relinked at
  // its address only to find the symbol's offset.
  abi::EntryI386 EntryOf(const LoadPlan& plan) {
    abi::EntryI386 e{};
    const Segment* p = Find(plan, "purgatory");
    EXPECT_NE(p, nullptr);
    if (p == nullptr) return e;
    auto obj = link::RelocatableObject::Parse(purgatory_, "purgatory.ro");
    EXPECT_TRUE(obj.has_value());
    auto image = link::Link(*obj, p->mem);
    EXPECT_TRUE(image.has_value());
    auto at = image->SymbolAddress("kexkit_entry_i386");
    EXPECT_TRUE(at.has_value());
    stack_top_ = *image->SymbolAddress("kexkit_stack_top");
    const size_t off = static_cast<size_t>(*at - p->mem);
    e.eax = Le32(p->buf, off + offsetof(abi::EntryI386, eax));
    e.ebx = Le32(p->buf, off + offsetof(abi::EntryI386, ebx));
    e.ecx = Le32(p->buf, off + offsetof(abi::EntryI386, ecx));
    e.edx = Le32(p->buf, off + offsetof(abi::EntryI386, edx));
    e.esi = Le32(p->buf, off + offsetof(abi::EntryI386, esi));
    e.edi = Le32(p->buf, off + offsetof(abi::EntryI386, edi));
    e.esp = Le32(p->buf, off + offsetof(abi::EntryI386, esp));
    e.ebp = Le32(p->buf, off + offsetof(abi::EntryI386, ebp));
    e.eip = Le32(p->buf, off + offsetof(abi::EntryI386, eip));
    return e;
  }

  std::string dir_;
  Options opt_;
  std::vector<uint8_t> purgatory_, purgatory64_, kernel_, kernel64_;
  uint64_t stack_top_ = 0;
};

TEST_F(I386Loader, KexecPlacementAndHandOff) {
  auto plan = Plan();
  ASSERT_TRUE(plan.has_value()) << plan.error().Line();
  EXPECT_EQ(plan->flags, 3ul << 16) << "KEXEC_ARCH_386, not on crash";
  for (const Segment& s : plan->segments) {
    EXPECT_LE(s.mem + s.memsz, k4G) << s.what << ": the 32-bit hand-off runs with paging off";
  }
  const Segment* kernel = Find(*plan, "kernel");
  const Segment* initrd = Find(*plan, "initrd");
  const Segment* bp = Find(*plan, "boot_params");
  const Segment* purg = Find(*plan, "purgatory");
  ASSERT_TRUE(kernel && initrd && bp && purg);
  EXPECT_EQ(kernel->mem, kPref);
  EXPECT_GE(kernel->memsz, kInitSize);
  EXPECT_LE(initrd->mem + initrd->memsz, uint64_t{kInitrdMax} + 1);
  EXPECT_GE(purg->mem, 0x3000u);
  EXPECT_LE(purg->mem + purg->memsz, 0xa0000u);
  EXPECT_GE(plan->entry, purg->mem);
  EXPECT_LT(plan->entry, purg->mem + purg->memsz);

  // Boot protocol 32-bit boot: esi = boot_params, ebx = ebp = edi = 0, eip = the
  // protected-mode kernel (code32_start), and a stack inside the purgatory.
  const abi::EntryI386 e = EntryOf(*plan);
  EXPECT_EQ(e.esi, bp->mem);
  EXPECT_EQ(e.eip, kernel->mem);
  EXPECT_EQ(e.ebx, 0u);
  EXPECT_EQ(e.ebp, 0u);
  EXPECT_EQ(e.edi, 0u);
  EXPECT_EQ(e.esp, stack_top_);
  EXPECT_GT(e.esp, purg->mem);
  EXPECT_LE(e.esp, purg->mem + purg->memsz);

  // The zero page: the 32-bit fields carry everything, the ext_* halves are zero.
  constexpr size_t kHdr = offsetof(x86::BootParams, hdr);
  EXPECT_EQ(Le32(bp->buf, kHdr + offsetof(x86::SetupHeader, code32_start)), kernel->mem);
  EXPECT_EQ(Le32(bp->buf, kHdr + offsetof(x86::SetupHeader, ramdisk_image)), initrd->mem);
  EXPECT_EQ(Le32(bp->buf, kHdr + offsetof(x86::SetupHeader, ramdisk_size)), 0x5000u);
  EXPECT_EQ(Le32(bp->buf, offsetof(x86::BootParams, ext_ramdisk_image)), 0u);
  EXPECT_EQ(Le32(bp->buf, offsetof(x86::BootParams, ext_cmd_line_ptr)), 0u);
  const uint32_t cmd = Le32(bp->buf, kHdr + offsetof(x86::SetupHeader, cmd_line_ptr));
  EXPECT_GE(cmd, bp->mem);
  EXPECT_LT(cmd, bp->mem + bp->memsz);
}

// Past pref_address the kernel must still end below lowmem (0x38000000): RAM only from
// 0x37000000 leaves no 16 MiB-aligned start whose init_size fits, so the load fails
// rather than handing the decompressor an address it refuses.
TEST_F(I386Loader, KernelStaysInLowmem) {
  SetIomem(
      "00001000-0009fbff : System RAM\n"
      "37000000-7fffffff : System RAM\n");
  auto plan = Plan();
  ASSERT_FALSE(plan.has_value());
  EXPECT_NE(plan.error().Line().find(opt_.kernel), std::string::npos) << plan.error().Line();

  // With room below 0x38000000 it goes there.
  SetIomem(
      "00001000-0009fbff : System RAM\n"
      "30000000-7fffffff : System RAM\n");
  plan = Plan();
  ASSERT_TRUE(plan.has_value()) << plan.error().Line();
  const Segment* kernel = Find(*plan, "kernel");
  ASSERT_NE(kernel, nullptr);
  EXPECT_EQ(kernel->mem, 0x30000000u);
  EXPECT_LE(kernel->mem + kernel->memsz, 0x38000000u);
}

// x86_64 --entry-32bit: the 64-bit kernel may go up to 4 GiB but no further, and so
// must everything else; the same 0x37000000 map that i386 refuses is fine here.
TEST_F(I386Loader, Entry32BitOnX86_64KeepsEverythingBelow4G) {
  SetIomem(
      "00001000-0009fbff : System RAM\n"
      "37000000-bfffffff : System RAM\n"
      "100000000-2ffffffff : System RAM\n");
  opt_.entry_32bit = true;
  auto plan = Plan(/*bits64=*/true);
  if (!plan && plan.error().Line() == "no x86_64 purgatory.ro") GTEST_SKIP();
  ASSERT_TRUE(plan.has_value()) << plan.error().Line();
  EXPECT_EQ(plan->flags, 62ul << 16);
  for (const Segment& s : plan->segments) EXPECT_LE(s.mem + s.memsz, k4G) << s.what;

  // Without --entry-32bit the initrd goes to the top of RAM, above 4 GiB.
  opt_.entry_32bit = false;
  plan = Plan(/*bits64=*/true);
  ASSERT_TRUE(plan.has_value()) << plan.error().Line();
  const Segment* initrd = Find(*plan, "initrd");
  ASSERT_NE(initrd, nullptr);
  EXPECT_GT(initrd->mem, k4G);
}

// kdump on i386: everything inside the crash region, KEXEC_ON_CRASH, an ELF32 core
// header for e_machine EM_386 by default [kexec-tools get_core_type], ELF64 on request.
TEST_F(I386Loader, CrashUsesElf32CoreHeaderByDefault) {
  opt_.crash = true;
  auto plan = Plan();
  ASSERT_TRUE(plan.has_value()) << plan.error().Line();
  EXPECT_EQ(plan->flags, (3ul << 16) | 1);
  for (const Segment& s : plan->segments) {
    EXPECT_GE(s.mem, 0x07000000u) << s.what;
    EXPECT_LE(s.mem + s.memsz, 0x17000000u) << s.what;
  }
  const Segment* hdr = Find(*plan, "elfcorehdr");
  ASSERT_NE(hdr, nullptr);
  ASSERT_GE(hdr->buf.size(), 52u);
  EXPECT_EQ(hdr->buf[4], 1) << "ELFCLASS32";
  EXPECT_EQ(LoadUnchecked<uint16_t>(hdr->buf.data() + 16, Endian::kLittle), 4) << "ET_CORE";
  EXPECT_EQ(LoadUnchecked<uint16_t>(hdr->buf.data() + 18, Endian::kLittle), 3) << "EM_386";
  const Segment* bp = Find(*plan, "boot_params");
  ASSERT_NE(bp, nullptr);
  const char* cmd = reinterpret_cast<const char*>(bp->buf.data() + sizeof(x86::BootParams));
  const std::string expect = "elfcorehdr=" + std::to_string(hdr->mem >> 10) + "K";
  EXPECT_NE(std::string(cmd).find(expect), std::string::npos) << cmd;

  opt_.core_elf_class = 64;
  plan = Plan();
  ASSERT_TRUE(plan.has_value()) << plan.error().Line();
  hdr = Find(*plan, "elfcorehdr");
  ASSERT_NE(hdr, nullptr);
  EXPECT_EQ(hdr->buf[4], 2) << "--elf64-core-headers";
}

// RAM above 4 GiB (a PAE kernel's view): ELF32 cannot describe it, so ELF64 by default;
// the capture kernel's own segments still stay below 4 GiB.
TEST_F(I386Loader, CrashWithRamAbove4GUsesElf64) {
  SetIomem(
      "00001000-0009fbff : System RAM\n"
      "00100000-bfffffff : System RAM\n"
      "  07000000-16ffffff : Crash kernel\n"
      "100000000-13fffffff : System RAM\n");
  opt_.crash = true;
  auto plan = Plan();
  ASSERT_TRUE(plan.has_value()) << plan.error().Line();
  const Segment* hdr = Find(*plan, "elfcorehdr");
  ASSERT_NE(hdr, nullptr);
  EXPECT_EQ(hdr->buf[4], 2) << "ELFCLASS64";
  EXPECT_EQ(LoadUnchecked<uint16_t>(hdr->buf.data() + 18, Endian::kLittle), 3) << "EM_386";
  for (const Segment& s : plan->segments) EXPECT_LE(s.mem + s.memsz, k4G) << s.what;

  opt_.core_elf_class = 32;  // --elf32-core-headers cannot hold it: refused by name
  plan = Plan();
  ASSERT_FALSE(plan.has_value());
  EXPECT_NE(plan.error().Line().find("elf64"), std::string::npos) << plan.error().Line();
}

}  // namespace
}  // namespace kexkit::load
