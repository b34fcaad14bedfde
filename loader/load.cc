#include "loader/load.h"

#include <algorithm>
#include <cstring>

#include "linker/bytes.h"
#include "linker/object.h"

namespace kexkit::load {
namespace {

std::vector<std::string_view> SplitWords(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t')) ++i;
    if (i >= s.size()) break;
    size_t j = i;
    bool quoted = false;
    while (j < s.size() && (quoted || (s[j] != ' ' && s[j] != '\n' && s[j] != '\t'))) {
      if (s[j] == '"') quoted = !quoted;
      ++j;
    }
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

Result<std::string> ComposeCmdline(const Options& opt) {
  std::string out;
  if (opt.reuse_cmdline) {
    auto text = ReadTextFile(opt.proc_cmdline);
    if (!text) return std::unexpected(text.error());
    for (std::string_view w : SplitWords(*text)) {
      if (w.starts_with("BOOT_IMAGE=") || w.starts_with("crashkernel=")) continue;
      if (!out.empty()) out += ' ';
      out += w;
    }
  }
  for (std::string_view w : SplitWords(opt.append)) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  if (out.find('\0') != std::string::npos) return Fail("command line contains a NUL byte");
  return out;
}

std::vector<uint8_t> EncodeParams(const abi::PurgatoryParams& p, Endian e) {
  std::vector<uint8_t> b(sizeof(abi::PurgatoryParams), 0);
  auto put32 = [&](size_t off, uint32_t v) { StoreUnchecked<uint32_t>(b.data() + off, v, e); };
  auto put64 = [&](size_t off, uint64_t v) { StoreUnchecked<uint64_t>(b.data() + off, v, e); };
  using P = abi::PurgatoryParams;
  put32(offsetof(P, magic), p.magic);
  put32(offsetof(P, flags), p.flags);
  std::memcpy(b.data() + offsetof(P, digest), p.digest, sizeof(p.digest));
  put32(offsetof(P, region_count), p.region_count);
  for (uint32_t i = 0; i < abi::kMaxDigestRegions; ++i) {
    const size_t off = offsetof(P, regions) + i * sizeof(abi::DigestRegion);
    put64(off, p.regions[i].start);
    put64(off + 8, p.regions[i].len);
  }
  put64(offsetof(P, backup_src), p.backup_src);
  put64(offsetof(P, backup_dst), p.backup_dst);
  put64(offsetof(P, backup_size), p.backup_size);
  put64(offsetof(P, serial_port), p.serial_port);
  put32(offsetof(P, serial_divisor), p.serial_divisor);
  put32(offsetof(P, hvc_vtermno), p.hvc_vtermno);
  put64(offsetof(P, opal_base), p.opal_base);
  put64(offsetof(P, opal_entry), p.opal_entry);
  return b;
}

Result<LoadPlan> BuildLoadPlan(const Options& opt, ArchLoader& arch) {
  LoadContext ctx(opt);
  auto map = ReadSystemMemoryMap(opt.memmap, opt.iomem);
  if (!map) return std::unexpected(map.error());
  ctx.map = std::move(*map);
  if (auto r = arch.CompleteMemoryMap(opt, ctx.map); !r) return std::unexpected(r.error());

  std::vector<MemRange> usable;
  if (opt.crash) {
    if (ctx.map.crash.empty()) {
      return Fail("%s: no crashkernel= reservation (no 'Crash kernel' range); boot the running "
                  "kernel with crashkernel=256M", opt.iomem.c_str());
    }
    // kexec_load checks crash segments against crashk_res only; a second "Crash kernel"
    // range is crashk_low_res, reserved below 4 GiB only when crashk_res is above it, so
    // crashk_res is the highest one [kernel/kexec_core.c sanity_check_segment_list].
    // The low one still goes to the capture kernel as RAM (crash.cc).
    ctx.allowed = {ctx.map.crash.back()};
    ctx.allowed_name = "the crash kernel region";
    usable = ctx.allowed;
  } else {
    ctx.allowed = ctx.map.Ram();
    // Leave a loaded capture kernel's region alone; page 0 holds the real-mode IVT/BDA.
    usable = Subtract(ctx.allowed, ctx.map.crash);
    usable = Subtract(usable, {{0, kPageSize, RangeType::kRam}});
  }
  if (opt.mem_min || opt.mem_max) {
    const uint64_t lo = opt.mem_min.value_or(0);
    // --mem-max is inclusive; its +1 must not wrap --mem-max=0xffffffffffffffff to 0.
    const uint64_t hi =
        opt.mem_max && *opt.mem_max != ~uint64_t{0} ? *opt.mem_max + 1 : ~uint64_t{0};
    std::vector<MemRange> clipped;
    for (MemRange r : usable) {
      r.start = std::max(r.start, lo);
      r.end = std::min(r.end, hi);
      if (r.start < r.end) clipped.push_back(r);
    }
    usable = std::move(clipped);
  }
  ctx.space = AddressSpace(usable);

  auto kernel = MappedFile::Open(opt.kernel);
  if (!kernel) return std::unexpected(kernel.error());
  ctx.kernel = std::move(*kernel);
  if (!opt.initrd.empty()) {
    auto initrd = MappedFile::Open(opt.initrd);
    if (!initrd) return std::unexpected(initrd.error());
    ctx.initrd = std::move(*initrd);
  }
  auto cmdline = ComposeCmdline(opt);
  if (!cmdline) return std::unexpected(cmdline.error());
  ctx.cmdline = std::move(*cmdline);

  if (auto r = arch.AddSegments(ctx); !r) return std::unexpected(r.error());

  // The purgatory: parse, size, place, link.
  auto obj = link::RelocatableObject::Parse(arch.purgatory_object(), "purgatory.ro");
  if (!obj) return std::unexpected(obj.error());
  auto layout = link::ComputeLayout(*obj);
  if (!layout) return std::unexpected(layout.error());
  const auto [pmin, pmax] = arch.PurgatoryWindow(ctx);
  const uint64_t seg_align = arch.segment_align();
  const uint64_t pmemsz = (layout->mem_size + seg_align - 1) & ~(seg_align - 1);
  auto paddr = ctx.space.Allocate(pmemsz, std::max<uint64_t>(layout->align, seg_align), pmin,
                                  pmax, /*top_down=*/false);
  if (!paddr) return Wrap("purgatory", paddr.error());
  auto image = link::Link(*obj, *paddr);
  if (!image) return std::unexpected(image.error());

  abi::PurgatoryParams& p = ctx.params;
  p.magic = abi::kParamsMagic;
  if (!opt.no_checks) p.flags |= abi::kFlagVerify;
  uint32_t n = 0;
  for (const Segment& s : ctx.plan.segments) {
    if (!s.digested || s.buf.empty()) continue;
    if (n == abi::kMaxDigestRegions) return Fail("more than %u segments to verify", n);
    p.regions[n++] = {s.mem, s.buf.size()};
  }
  p.region_count = n;
  const bool want_table = opt.dry_run || opt.debug;
  const Digest digest =
      DigestSegments(ctx.plan.segments, want_table ? &ctx.plan.segment_digests : nullptr);
  std::memcpy(p.digest, digest.data(), digest.size());
  if (opt.test_corrupt_digest) p.digest[0] ^= 0x01;
  // The digest read every byte of the mapped inputs: a file that shrank or changed
  // under the mapping shows now, as an error instead of a digest of zeros.
  for (const MappedFile* f : {&ctx.kernel, &ctx.initrd}) {
    if (auto r = f->CheckUnchanged(); !r) return std::unexpected(r.error());
  }

  if (auto r = arch.Patch(ctx, *image); !r) return std::unexpected(r.error());
  if (auto r = image->SetSymbol("kexkit_params", EncodeParams(p, arch.endian())); !r) {
    return std::unexpected(r.error());
  }
  auto entry = image->SymbolAddress("kexkit_start");
  if (!entry) return std::unexpected(entry.error());

  const auto bytes = image->bytes();
  ctx.plan.segments.push_back({ctx.plan.Own(std::vector<uint8_t>(bytes.begin(), bytes.end())),
                               *paddr, pmemsz, "purgatory", /*digested=*/false});
  if (want_table) ctx.plan.segment_digests.push_back(DigestSegment(ctx.plan.segments.back()));
  ctx.plan.entry = *entry;
  ctx.plan.flags = (static_cast<unsigned long>(arch.elf_machine()) << 16) |
                   (opt.crash ? 1UL : 0UL);
  if (auto r = ValidateSegments(ctx.plan.segments, ctx.allowed, ctx.allowed_name); !r) {
    return std::unexpected(r.error());
  }
  LoadPlan plan = std::move(ctx.plan);
  plan.kernel_file = std::move(ctx.kernel);
  plan.initrd_file = std::move(ctx.initrd);
  return plan;
}

}  // namespace kexkit::load
