// Segment placement: BuildLoadPlan end to end (no system call) on a saved /proc/iomem of
// a QEMU pc machine with 1 GiB, Debian's kernel, a small initrd and the real purgatory;
// then the invariants the kernel and the purgatory rely on. Plus the pieces:
// AddressSpace, Subtract, ValidateSegments.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "arch/x86/bzimage.h"
#include "arch/x86/x86-loader.h"
#include "base/bytes.h"
#include "base/elf.h"
#include "kexkit/purgatory-abi.h"
#include "linker/link.h"
#include "linker/object.h"
#include "loader/load.h"
#include "loader/memory-map.h"
#include "loader/segments.h"
#include "unit/test-files.h"

namespace {

using kexkit::load::AddressSpace;
using kexkit::load::LoadPlan;
using kexkit::load::MemRange;
using kexkit::load::Options;
using kexkit::load::RangeType;
using kexkit::load::Segment;
using Bytes = std::vector<uint8_t>;

constexpr uint64_t kPage = 4096;
constexpr uint64_t k16M = 16ull << 20;
// System RAM of host-tests/data/iomem-x86_64-qemu.txt, as [start, end).
const std::vector<MemRange> kQemuRam = {{0x1000, 0x9fc00, RangeType::kRam},
                                        {0x100000, 0x3ffe0000, RangeType::kRam}};

template <typename T>
T Le(std::span<const uint8_t> b, uint64_t off) {
  EXPECT_LE(off + sizeof(T), b.size());
  if (off + sizeof(T) > b.size()) return 0;
  return kexkit::LoadUnchecked<T>(b.data() + off, kexkit::Endian::kLittle);
}

const Segment* Find(const LoadPlan& plan, const std::string& what) {
  for (const Segment& s : plan.segments) {
    if (s.what == what) return &s;
  }
  return nullptr;
}

// One DigestRegion of an encoded (little-endian) kexkit_params.
struct Region {
  uint64_t start, len;
  Bytes digest;
  uint32_t segment;
  std::string label;
};

Region RegionOf(std::span<const uint8_t> params, uint32_t i) {
  using kexkit::abi::DigestRegion;
  const uint64_t off = offsetof(kexkit::abi::PurgatoryParams, regions) + i * sizeof(DigestRegion);
  Region r;
  r.start = Le<uint64_t>(params, off + offsetof(DigestRegion, start));
  r.len = Le<uint64_t>(params, off + offsetof(DigestRegion, len));
  const auto d = params.subspan(off + offsetof(DigestRegion, digest), 32);
  r.digest.assign(d.begin(), d.end());
  r.segment = Le<uint32_t>(params, off + offsetof(DigestRegion, segment));
  const auto l = params.subspan(off + offsetof(DigestRegion, label), kexkit::abi::kLabelSize);
  r.label.assign(l.begin(), std::find(l.begin(), l.end(), 0));
  return r;
}

// The bytes the purgatory will see at [start, start + len): a segment's buffer, then
// its zero fill. Fails the test if no single segment covers the range.
bool HashMemory(const LoadPlan& plan, uint64_t start, uint64_t len, EVP_MD_CTX* ctx) {
  for (const Segment& s : plan.segments) {
    if (start < s.mem || start + len > s.mem + s.memsz) continue;
    const uint64_t off = start - s.mem;
    const uint64_t from_buf = off < s.buf.size() ? std::min<uint64_t>(len, s.buf.size() - off) : 0;
    EVP_DigestUpdate(ctx, s.buf.data() + off, from_buf);
    static const Bytes zeros(1 << 16, 0);
    for (uint64_t left = len - from_buf; left != 0;) {
      const uint64_t take = std::min<uint64_t>(left, zeros.size());
      EVP_DigestUpdate(ctx, zeros.data(), take);
      left -= take;
    }
    return true;
  }
  ADD_FAILURE() << "no segment holds the digest region [0x" << std::hex << start << ", +0x" << len
                << ")";
  return false;
}

class Placement : public ::testing::Test {
 protected:
  void SetUp() override {
    kernel_ = kktest::TestKernelX86_64();
    ASSERT_FALSE(kernel_.empty()) << kktest::kNoKernelMessage;
    auto purgatory = kktest::ReadFile(kktest::PurgatoryPath());
    ASSERT_TRUE(purgatory) << kktest::PurgatoryPath();
    purgatory_ = std::move(*purgatory);
    auto kfile = kktest::ReadFile(kernel_);
    ASSERT_TRUE(kfile);
    kernel_bytes_ = std::move(*kfile);
    auto bz = kexkit::x86::ParseBzImage(kernel_bytes_, kernel_);
    ASSERT_TRUE(bz) << bz.error().Line();
    bz_ = *bz;

    // 300 KiB + 123 bytes: not a page multiple, so the segment has a zero tail.
    initrd_ = ::testing::TempDir() + "kexkit-placement-initrd-" + std::to_string(::getpid());
    Bytes initrd(300 * 1024 + 123);
    std::mt19937 rng(4);
    for (auto& b : initrd) b = static_cast<uint8_t>(rng());
    ASSERT_TRUE(kktest::WriteFile(initrd_, initrd.data(), initrd.size()));
    initrd_size_ = initrd.size();

    opt_.action = kexkit::load::Action::kLoad;
    opt_.dry_run = true;
    opt_.kernel = kernel_;
    opt_.initrd = initrd_;
    opt_.append = "console=ttyS0,115200 root=/dev/vda rw";
    opt_.iomem = kktest::TestDataPath("iomem-x86_64-qemu.txt");
    opt_.memmap = "/nonexistent/kexkit-test/memmap";  // so iomem is the map
    opt_.boot_params = "/nonexistent/kexkit-test/boot_params";
    opt_.proc_cmdline = "/nonexistent/kexkit-test/cmdline";
  }
  void TearDown() override {
    if (!initrd_.empty()) ::unlink(initrd_.c_str());
    for (const std::string& f : temp_files_) ::unlink(f.c_str());
  }

  kexkit::Result<LoadPlan> Build() {
    auto arch = kexkit::x86::MakeX86Loader(kexkit::x86::X86Width::k64, purgatory_);
    return kexkit::load::BuildLoadPlan(opt_, *arch);
  }

  std::string TempIomem(const std::string& text) {
    std::string path = ::testing::TempDir() + "kexkit-iomem-" + std::to_string(::getpid()) + "-" +
                       std::to_string(temp_files_.size());
    EXPECT_TRUE(kktest::WriteFile(path, text.data(), text.size()));
    temp_files_.push_back(path);
    return path;
  }

  // The invariants every plan must meet, whatever the options.
  void CheckCommonInvariants(const LoadPlan& plan, const std::vector<MemRange>& ram) {
    ASSERT_LE(plan.segments.size(), kexkit::load::kMaxSegments);
    for (const Segment& s : plan.segments) {
      EXPECT_EQ(s.mem % kPage, 0u) << s.what;
      EXPECT_EQ(s.memsz % kPage, 0u) << s.what;
      EXPECT_NE(s.memsz, 0u) << s.what;
      EXPECT_LE(s.buf.size(), s.memsz) << s.what;
      const bool in_ram = std::any_of(ram.begin(), ram.end(), [&](const MemRange& r) {
        return r.start <= s.mem && s.mem + s.memsz <= r.end;
      });
      EXPECT_TRUE(in_ram) << s.what << " at 0x" << std::hex << s.mem << " size 0x" << s.memsz
                          << " is not inside System RAM";
    }
    for (size_t i = 0; i < plan.segments.size(); ++i) {
      for (size_t j = i + 1; j < plan.segments.size(); ++j) {
        const Segment &a = plan.segments[i], &b = plan.segments[j];
        EXPECT_TRUE(a.mem + a.memsz <= b.mem || b.mem + b.memsz <= a.mem)
            << a.what << " and " << b.what << " overlap";
      }
    }
    EXPECT_TRUE(kexkit::load::ValidateSegments(plan.segments, ram, "System RAM"));
    EXPECT_EQ(plan.flags, (unsigned long){kexkit::elf::kEmX86_64} << 16);
  }

  // Links our own copy of the purgatory at the address the plan chose, so the plan's
  // purgatory segment can be compared with it and its symbols located.
  struct OwnLink {
    Bytes object;
    std::optional<kexkit::link::RelocatableObject> obj;
    std::optional<kexkit::link::LinkedImage> image;
  };
  void LinkOwn(uint64_t base, OwnLink* out) {
    out->object = purgatory_;
    auto obj = kexkit::link::RelocatableObject::Parse(out->object, "purgatory.ro");
    ASSERT_TRUE(obj) << obj.error().Line();
    out->obj.emplace(std::move(*obj));
    auto image = kexkit::link::Link(*out->obj, base);
    ASSERT_TRUE(image) << image.error().Line();
    out->image.emplace(std::move(*image));
  }

  std::string kernel_, initrd_;
  uint64_t initrd_size_ = 0;
  Bytes purgatory_, kernel_bytes_;
  kexkit::x86::BzImage bz_;
  Options opt_;
  std::vector<std::string> temp_files_;
};

TEST_F(Placement, QemuPcOneGiB) {
  auto plan = Build();
  ASSERT_TRUE(plan) << plan.error().Line();
  ASSERT_NO_FATAL_FAILURE(CheckCommonInvariants(*plan, kQemuRam));

  const Segment* kernel = Find(*plan, "kernel");
  const Segment* initrd = Find(*plan, "initrd");
  const Segment* bp = Find(*plan, "boot_params");
  const Segment* purg = Find(*plan, "purgatory");
  ASSERT_TRUE(kernel && initrd && bp && purg);
  EXPECT_EQ(plan->segments.size(), 4u);

  // Kernel: at pref_address (free in this map), honouring kernel_alignment, with room
  // for init_size.
  EXPECT_EQ(kernel->mem, bz_.pref_address);
  EXPECT_EQ(kernel->mem % bz_.kernel_alignment, 0u);
  EXPECT_GE(kernel->memsz, bz_.init_size);
  EXPECT_EQ(kernel->buf.data(), plan->kernel_file.bytes().data() + (bz_.setup_sects + 1) * 512);
  EXPECT_EQ(kernel->buf.size(), bz_.kernel.size());

  // initrd: top down, above 16 MiB: it ends where the highest RAM range ends.
  EXPECT_GE(initrd->mem, k16M);
  EXPECT_EQ(initrd->mem + initrd->memsz, 0x3ffe0000u);
  EXPECT_EQ(initrd->buf.size(), initrd_size_);

  // boot_params and purgatory low, clear of the real-mode IVT/BDA and trampolines.
  EXPECT_GE(bp->mem, 0x3000u);
  EXPECT_GE(purg->mem, 0x3000u);
  EXPECT_LT(purg->mem + purg->memsz, 0xa0000u);
  EXPECT_LT(bp->mem + bp->memsz, 1ull << 32);
  EXPECT_FALSE(purg->digested) << "the purgatory's own segment changes as it runs";

  // boot_params contents that depend on the placement.
  const auto b = bp->buf;
  EXPECT_EQ(b[0x210], 0xd0);
  EXPECT_EQ(Le<uint32_t>(b, 0x214), kernel->mem);
  EXPECT_EQ(Le<uint32_t>(b, 0x218), initrd->mem);
  EXPECT_EQ(Le<uint32_t>(b, 0x21c), initrd_size_);
  EXPECT_EQ(Le<uint32_t>(b, 0x228), bp->mem + 4096);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(b.data() + 4096)), opt_.append);
  // e820: the non-PCI top-level ranges of the iomem sample, in order.
  const std::vector<std::tuple<uint64_t, uint64_t, uint32_t>> e820 = {
      {0x0, 0x1000, 2},        {0x1000, 0x9ec00, 1},      {0x9fc00, 0x400, 2},
      {0xf0000, 0x10000, 2},   {0x100000, 0x3fee0000, 1}, {0x3ffe0000, 0x20000, 2},
      {0xfeffc000, 0x4000, 2}, {0xfffc0000, 0x40000, 2}};
  ASSERT_EQ(b[0x1e8], e820.size());
  for (size_t i = 0; i < e820.size(); ++i) {
    EXPECT_EQ(Le<uint64_t>(b, 0x2d0 + 20 * i), std::get<0>(e820[i])) << "e820 " << i;
    EXPECT_EQ(Le<uint64_t>(b, 0x2d0 + 20 * i + 8), std::get<1>(e820[i])) << "e820 " << i;
    EXPECT_EQ(Le<uint32_t>(b, 0x2d0 + 20 * i + 16), std::get<2>(e820[i])) << "e820 " << i;
  }

  // The purgatory: our own link at the same address differs only inside the two
  // blocks the loader writes, and the entry point is its kexkit_start.
  OwnLink own;
  ASSERT_NO_FATAL_FAILURE(LinkOwn(purg->mem, &own));
  auto start = own.image->SymbolAddress("kexkit_start");
  auto params_at = own.image->SymbolAddress("kexkit_params");
  auto entry_at = own.image->SymbolAddress("kexkit_entry_x86_64");
  auto stack_top = own.image->SymbolAddress("kexkit_stack_top");
  ASSERT_TRUE(start && params_at && entry_at && stack_top);
  EXPECT_EQ(plan->entry, *start);
  const uint64_t params_off = *params_at - purg->mem, entry_off = *entry_at - purg->mem;
  const auto mine = own.image->bytes();
  ASSERT_EQ(purg->buf.size(), mine.size());
  for (size_t i = 0; i < mine.size(); ++i) {
    const bool patched =
        (i >= params_off && i < params_off + sizeof(kexkit::abi::PurgatoryParams)) ||
        (i >= entry_off && i < entry_off + sizeof(kexkit::abi::EntryX86_64));
    if (!patched && purg->buf[i] != mine[i]) {
      ADD_FAILURE() << "purgatory byte 0x" << std::hex << i
                    << " differs outside the patched blocks";
      break;
    }
  }

  // kexkit_entry_x86_64: rsi = boot_params, rsp = our stack, rip = the 64-bit entry.
  const auto entry = purg->buf.subspan(entry_off, sizeof(kexkit::abi::EntryX86_64));
  EXPECT_EQ(Le<uint64_t>(entry, 32), bp->mem) << "rsi";
  EXPECT_EQ(Le<uint64_t>(entry, 48), *stack_top) << "rsp";
  EXPECT_EQ(Le<uint64_t>(entry, 128), kernel->mem + 0x200) << "rip [boot.rst: 64-bit entry]";
  EXPECT_EQ(Le<uint64_t>(entry, 136), 0u) << "entry32 (only with --entry-32bit)";

  // kexkit_params: magic, verify flag, console, and one region per loaded segment whose
  // digest is exactly SHA-256 over the bytes the purgatory will read from memory, and is
  // the digest the --dry-run table prints for that segment.
  using P = kexkit::abi::PurgatoryParams;
  const auto p = purg->buf.subspan(params_off, sizeof(P));
  EXPECT_EQ(Le<uint32_t>(p, offsetof(P, magic)), kexkit::abi::kParamsMagic);
  const uint32_t flags = Le<uint32_t>(p, offsetof(P, flags));
  EXPECT_TRUE(flags & kexkit::abi::kFlagVerify);
  EXPECT_TRUE(flags & kexkit::abi::kFlagConsoleSerial) << "console=ttyS0 in the command line";
  EXPECT_TRUE(flags & kexkit::abi::kFlagSerialInit) << "a baud rate was given";
  EXPECT_EQ(Le<uint64_t>(p, offsetof(P, serial_port)), 0x3f8u);
  EXPECT_EQ(Le<uint32_t>(p, offsetof(P, serial_divisor)), 1u);
  const uint32_t regions = Le<uint32_t>(p, offsetof(P, region_count));
  ASSERT_EQ(regions, 3u) << "kernel, initrd, boot_params";
  ASSERT_EQ(plan->segment_digests.size(), plan->segments.size());
  std::vector<std::string> labels;
  for (uint32_t i = 0; i < regions; ++i) {
    const Region r = RegionOf(p, i);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    ASSERT_TRUE(HashMemory(*plan, r.start, r.len, ctx));
    uint8_t digest[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, digest, &len);
    EVP_MD_CTX_free(ctx);
    EXPECT_EQ(0, std::memcmp(r.digest.data(), digest, 32)) << "region " << i << " digest";
    ASSERT_LT(r.segment, plan->segments.size()) << "region " << i;
    const Segment& s = plan->segments[r.segment];
    EXPECT_EQ(r.start, s.mem) << "region " << i << " names segment " << r.segment;
    EXPECT_EQ(r.len, s.buf.size()) << s.what;
    EXPECT_EQ(0, std::memcmp(plan->segment_digests[r.segment].data(), digest, 32))
        << s.what << ": the --dry-run table's digest is not the one the purgatory checks";
    labels.push_back(r.label);
  }
  EXPECT_EQ(labels, (std::vector<std::string>{"kernel", "initrd", "bootparams"}));
  // Every loaded byte of every digested segment is covered by a region.
  for (const Segment& s : plan->segments) {
    if (!s.digested || s.buf.empty()) continue;
    bool covered = false;
    for (uint32_t i = 0; i < regions; ++i) {
      const Region r = RegionOf(p, i);
      covered |= r.start == s.mem && r.len >= s.buf.size();
    }
    EXPECT_TRUE(covered) << s.what << " is not (fully) verified by the purgatory";
  }
}

TEST_F(Placement, PrefAddressTakenMovesTheKernelUpAligned) {
  opt_.iomem = TempIomem(
      "00000000-00000fff : Reserved\n"
      "00001000-0009fbff : System RAM\n"
      "00100000-00ffffff : System RAM\n"
      "01000000-01ffffff : Reserved\n"
      "02000000-3ffdffff : System RAM\n");
  auto plan = Build();
  ASSERT_TRUE(plan) << plan.error().Line();
  const std::vector<MemRange> ram = {{0x1000, 0x9fc00, RangeType::kRam},
                                     {0x100000, 0x1000000, RangeType::kRam},
                                     {0x2000000, 0x3ffe0000, RangeType::kRam}};
  ASSERT_NO_FATAL_FAILURE(CheckCommonInvariants(*plan, ram));
  const Segment* kernel = Find(*plan, "kernel");
  ASSERT_TRUE(kernel);
  EXPECT_GE(kernel->mem, bz_.pref_address);
  EXPECT_EQ(kernel->mem % bz_.kernel_alignment, 0u);
  EXPECT_EQ(kernel->mem, 0x2000000u) << "the lowest aligned fit above pref_address";
}

TEST_F(Placement, MemMaxKeepsEverythingBelow) {
  opt_.mem_max = 0x1fffffff;
  auto plan = Build();
  ASSERT_TRUE(plan) << plan.error().Line();
  ASSERT_NO_FATAL_FAILURE(CheckCommonInvariants(*plan, kQemuRam));
  for (const Segment& s : plan->segments) {
    EXPECT_LE(s.mem + s.memsz, 0x20000000u) << s.what;
  }
  const Segment* initrd = Find(*plan, "initrd");
  ASSERT_TRUE(initrd);
  EXPECT_EQ(initrd->mem + initrd->memsz, 0x20000000u) << "still top down, under the limit";
}

TEST_F(Placement, WithoutInitrd) {
  opt_.initrd.clear();
  auto plan = Build();
  ASSERT_TRUE(plan) << plan.error().Line();
  ASSERT_NO_FATAL_FAILURE(CheckCommonInvariants(*plan, kQemuRam));
  EXPECT_EQ(plan->segments.size(), 3u);
  EXPECT_EQ(Find(*plan, "initrd"), nullptr);
  const Segment* bp = Find(*plan, "boot_params");
  ASSERT_TRUE(bp);
  EXPECT_EQ(Le<uint32_t>(bp->buf, 0x218), 0u);
  EXPECT_EQ(Le<uint32_t>(bp->buf, 0x21c), 0u);
}

TEST_F(Placement, NoChecksAndCorruptDigest) {
  opt_.no_checks = true;
  auto plan = Build();
  ASSERT_TRUE(plan) << plan.error().Line();
  OwnLink own;
  const Segment* purg = Find(*plan, "purgatory");
  ASSERT_TRUE(purg);
  ASSERT_NO_FATAL_FAILURE(LinkOwn(purg->mem, &own));
  const uint64_t params_off = *own.image->SymbolAddress("kexkit_params") - purg->mem;
  using P = kexkit::abi::PurgatoryParams;
  EXPECT_FALSE(Le<uint32_t>(purg->buf, params_off + offsetof(P, flags)) & kexkit::abi::kFlagVerify);

  // --test-corrupt-digest flips bit 0 of byte 0 of one region's digest: the first one
  // by default, segment N with =N; every other region keeps the true digest.
  opt_.no_checks = false;
  opt_.test_corrupt_digest = true;
  for (const std::optional<uint32_t> which :
       {std::optional<uint32_t>{}, std::optional<uint32_t>{1}, std::optional<uint32_t>{2}}) {
    opt_.test_corrupt_segment = which;
    auto bad = Build();
    ASSERT_TRUE(bad) << bad.error().Line();
    const Segment* bpurg = Find(*bad, "purgatory");
    ASSERT_TRUE(bpurg);
    ASSERT_EQ(bpurg->mem, purg->mem);
    const auto p = bpurg->buf.subspan(params_off, sizeof(P));
    EXPECT_TRUE(Le<uint32_t>(p, offsetof(P, flags)) & kexkit::abi::kFlagVerify);
    const uint32_t regions = Le<uint32_t>(p, offsetof(P, region_count));
    ASSERT_EQ(regions, 3u);
    for (uint32_t i = 0; i < regions; ++i) {
      const Region r = RegionOf(p, i);
      // boot_params carries a fresh RNG seed each time: hash what this plan loads.
      EVP_MD_CTX* ctx = EVP_MD_CTX_new();
      EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
      ASSERT_TRUE(HashMemory(*bad, r.start, r.len, ctx));
      uint8_t truth[32];
      unsigned int len = 0;
      EVP_DigestFinal_ex(ctx, truth, &len);
      EVP_MD_CTX_free(ctx);
      const bool corrupt = r.segment == which.value_or(0);
      EXPECT_EQ(r.digest[0], truth[0] ^ (corrupt ? 1 : 0)) << "segment " << r.segment;
      EXPECT_EQ(0, std::memcmp(r.digest.data() + 1, truth + 1, 31)) << "segment " << r.segment;
    }
  }
  // The purgatory's own segment is not verified: no digest of it to corrupt.
  opt_.test_corrupt_segment = 3;
  auto none = Build();
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().Line().find("segment 3 is not verified"), std::string::npos)
      << none.error().Line();
}

TEST_F(Placement, CrashWithoutAReservationIsAnError) {
  opt_.crash = true;
  auto plan = Build();
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().Line().find("no crashkernel= reservation"), std::string::npos)
      << plan.error().Line();
}

TEST_F(Placement, CommandLineLongerThanTheKernelTakes) {
  opt_.append = std::string(bz_.cmdline_size + 1, 'x');
  auto plan = Build();
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().Line().find("command line is"), std::string::npos) << plan.error().Line();
}

TEST_F(Placement, NotEnoughMemory) {
  opt_.iomem = TempIomem(
      "00000000-00000fff : Reserved\n"
      "00001000-0009fbff : System RAM\n"
      "00100000-01ffffff : System RAM\n");  // 31 MiB: no room for init_size at 16 MiB
  auto plan = Build();
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().Line().find("no free memory"), std::string::npos) << plan.error().Line();
}

// --- the pieces ----------------------------------------------------------------------------

TEST(AddressSpace, BottomUpTopDownAlignmentAndBounds) {
  AddressSpace s({{0x1000, 0x9f000, RangeType::kRam}, {0x100000, 0x400000, RangeType::kRam}});
  auto a = s.Allocate(0x2000, 0x1000, 0x3000, 0xa0000, false);
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, 0x3000u);
  auto b = s.Allocate(0x2000, 0x1000, 0x3000, 0xa0000, false);
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, 0x5000u) << "the first allocation is taken";
  auto c = s.Allocate(0x1000, 0x200000, 0, ~uint64_t{0}, false);
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, 0x200000u) << "aligned";
  auto d = s.Allocate(0x3000, 0x1000, 0, ~uint64_t{0}, true);
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, 0x400000u - 0x3000) << "top down";
  auto e = s.Allocate(0x1000, 0x1000, 0, 0x300000, true);
  ASSERT_TRUE(e);
  EXPECT_EQ(*e, 0x2ff000u) << "top down under max";
  auto f = s.Allocate(0x500000, 0x1000, 0, ~uint64_t{0}, false);
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().Line().find("no free memory for 0x500000 bytes"), std::string::npos)
      << f.error().Line();
}

TEST(AddressSpace, Refusals) {
  AddressSpace s({{0x100000, 0x200000, RangeType::kRam}});
  EXPECT_FALSE(s.Allocate(0, 0x1000, 0, ~uint64_t{0}, false)) << "zero size";
  EXPECT_FALSE(s.Allocate(0x1000, 0x3000, 0, ~uint64_t{0}, false)) << "alignment not 2^n";
  EXPECT_FALSE(s.Allocate(0x1000, 0, 0, ~uint64_t{0}, false)) << "alignment 0";
  EXPECT_FALSE(s.Allocate(0x1000, 0x1000, 0x200000, ~uint64_t{0}, false)) << "min above all";
  EXPECT_FALSE(s.Allocate(0x1000, 0x1000, 0, 0x100000, true)) << "max below all";
  EXPECT_FALSE(s.Allocate(0x100000, 0x1000, 0x100800, ~uint64_t{0}, false))
      << "alignment pushes out";
  EXPECT_FALSE(s.Allocate(~uint64_t{0} - 0xfff, 0x1000, 0, ~uint64_t{0}, false)) << "huge";
  EXPECT_EQ(s.free_ranges().size(), 1u) << "failed allocations take nothing";
}

TEST(AddressSpace, Claim) {
  AddressSpace s({{0x100000, 0x200000, RangeType::kRam}});
  EXPECT_TRUE(s.Claim(0x140000, 0x1000));
  EXPECT_FALSE(s.Claim(0x140000, 0x1000)) << "already taken";
  EXPECT_FALSE(s.Claim(0x13f800, 0x1000)) << "overlaps the taken page";
  EXPECT_FALSE(s.Claim(0x1ff000, 0x2000)) << "runs past the range";
  EXPECT_FALSE(s.Claim(0xff000, 0x2000)) << "starts below the range";
  EXPECT_FALSE(s.Claim(~uint64_t{0} - 0xfff, 0x2000)) << "wraps around";
  ASSERT_EQ(s.free_ranges().size(), 2u);
  EXPECT_EQ(s.free_ranges()[0].end, 0x140000u);
  EXPECT_EQ(s.free_ranges()[1].start, 0x141000u);
  EXPECT_TRUE(s.Claim(0x100000, 0x40000)) << "exactly a whole free range";
  EXPECT_EQ(s.free_ranges().size(), 1u);
}

TEST(Subtract, Cases) {
  using kexkit::load::Subtract;
  const std::vector<MemRange> from = {{0x1000, 0x10000, RangeType::kRam},
                                      {0x100000, 0x200000, RangeType::kRam}};
  auto r = Subtract(from, {{0x4000, 0x5000, RangeType::kReserved}});
  ASSERT_EQ(r.size(), 3u) << "a hole splits a range";
  EXPECT_EQ(r[0].end, 0x4000u);
  EXPECT_EQ(r[1].start, 0x5000u);
  EXPECT_EQ(r[1].type, RangeType::kRam) << "pieces keep their type";
  r = Subtract(from,
               {{0x0, 0x1000, RangeType::kReserved}, {0x10000, 0x100000, RangeType::kReserved}});
  EXPECT_EQ(r.size(), 2u) << "touching edges cut nothing";
  EXPECT_EQ(r[0].start, 0x1000u);
  EXPECT_EQ(r[1].end, 0x200000u);
  r = Subtract(from, {{0x0, 0x150000, RangeType::kReserved}});
  ASSERT_EQ(r.size(), 1u) << "a cut over a whole range removes it";
  EXPECT_EQ(r[0].start, 0x150000u);
  r = Subtract(from, {{0x180000, 0x190000, RangeType::kReserved},
                      {0x2000, 0x3000, RangeType::kReserved},
                      {0x1c0000, 0x300000, RangeType::kReserved}});
  ASSERT_EQ(r.size(), 4u);
  EXPECT_TRUE(std::is_sorted(
      r.begin(), r.end(), [](const MemRange& a, const MemRange& b) { return a.start < b.start; }));
  EXPECT_EQ(r[3].start, 0x190000u);
  EXPECT_EQ(r[3].end, 0x1c0000u);
  EXPECT_TRUE(Subtract({}, from).empty());
  EXPECT_EQ(Subtract(from, {}).size(), 2u);
}

class Validate : public ::testing::Test {
 protected:
  Segment Seg(uint64_t mem, uint64_t memsz, std::string what, size_t bufsz = 0) {
    return Segment{std::span<const uint8_t>(buf_.data(), bufsz), mem, memsz, std::move(what)};
  }
  void ExpectError(const std::vector<Segment>& segs, const std::string& what) {
    auto r = kexkit::load::ValidateSegments(segs, ram_, "System RAM");
    ASSERT_FALSE(r) << "must fail with: " << what;
    EXPECT_NE(r.error().Line().find(what), std::string::npos)
        << "'" << what << "' missing from: " << r.error().Line();
  }
  Bytes buf_ = Bytes(0x3000, 0);
  std::vector<MemRange> ram_ = {{0x1000, 0x9f000, RangeType::kRam},
                                {0x100000, 0x40000000, RangeType::kRam}};
};

TEST_F(Validate, AcceptsAGoodList) {
  EXPECT_TRUE(kexkit::load::ValidateSegments(
      {Seg(0x3000, 0x1000, "a", 0x800), Seg(0x4000, 0x2000, "b", 0x2000),
       Seg(0x1000000, 0x1000, "c")},
      ram_, "System RAM"));
  EXPECT_TRUE(kexkit::load::ValidateSegments({}, ram_, "System RAM"));
}

TEST_F(Validate, Overlap) {
  ExpectError({Seg(0x200000, 0x3000, "kernel"), Seg(0x202000, 0x1000, "initrd")},
              "segments 'kernel' and 'initrd' overlap at 0x202000");
  ExpectError({Seg(0x300000, 0x1000, "x"), Seg(0x200000, 0x1000, "y"), Seg(0x300000, 0x1000, "z")},
              "overlap");
}

TEST_F(Validate, OutsideRam) {
  ExpectError({Seg(0xa0000, 0x1000, "bp")},
              "segment 'bp' [0xa0000, 0xa1000) is outside System RAM");
  ExpectError({Seg(0x9e000, 0x2000, "edge")}, "outside System RAM");
  ExpectError({Seg(0x3ffff000, 0x2000, "top")}, "outside System RAM");
  // Adjacent allowed ranges are separate ranges: a segment may not span two.
  ram_ = {{0x100000, 0x200000, RangeType::kRam}, {0x200000, 0x300000, RangeType::kRam}};
  ExpectError({Seg(0x1ff000, 0x2000, "span")}, "outside System RAM");
}

TEST_F(Validate, MoreThanSixteen) {
  std::vector<Segment> segs;
  for (uint64_t i = 0; i < 17; ++i) segs.push_back(Seg(0x100000 + i * 0x1000, 0x1000, "s"));
  ExpectError(segs, "17 segments, kexec_load takes at most 16");
  segs.pop_back();
  EXPECT_TRUE(kexkit::load::ValidateSegments(segs, ram_, "System RAM"));
}

TEST_F(Validate, UnalignedOrInconsistentSizes) {
  ExpectError({Seg(0x100800, 0x1000, "mem")},
              "segment 'mem' at 0x100800 size 0x1000 is not page aligned");
  ExpectError({Seg(0x100000, 0x1800, "size")}, "is not page aligned");
  ExpectError({Seg(0x100000, 0x1000, "big", 0x1001)},
              "segment 'big' has bufsz 0x1001 and memsz 0x1000");
  ExpectError({Seg(0x100000, 0, "empty")}, "segment 'empty' has bufsz 0x0 and memsz 0x0");
  ExpectError({Seg(~uint64_t{0} - 0xfff, 0x2000, "wrap")},
              "segment 'wrap' has bufsz 0x0 and memsz 0x2000");
}

}  // namespace
