#include "loader/load.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <type_traits>

#include "base/bytes.h"
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

std::string PurgatoryLabel(std::string_view what) {
  // Short names the purgatory prints when a segment fails its check.
  if (what == "boot_params") return "bootparams";
  if (what == "device tree") return "fdt";
  if (what == "elfcorehdr") return "corehdr";
  return std::string(what.substr(0, abi::kLabelSize - 1));
}

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

namespace {

// One field in the purgatory's byte order: integers stored with `e`, arrays element by
// element, a DigestRegion field by field (KEXKIT_DIGEST_REGION_FIELDS).
template <typename T>
void PutField(std::vector<uint8_t>& b, size_t off, const T& v, Endian e) {
  if constexpr (std::is_array_v<T>) {
    using Elem = std::remove_extent_t<T>;
    for (size_t i = 0; i < std::extent_v<T>; ++i) PutField(b, off + i * sizeof(Elem), v[i], e);
  } else if constexpr (std::is_same_v<T, abi::DigestRegion>) {
#define KK_PUT(f) PutField(b, off + offsetof(abi::DigestRegion, f), v.f, e);
    KEXKIT_DIGEST_REGION_FIELDS(KK_PUT)
#undef KK_PUT
  } else {
    static_assert(std::is_integral_v<T>, "an ABI field of an unexpected type");
    StoreUnchecked<std::make_unsigned_t<T>>(b.data() + off, static_cast<std::make_unsigned_t<T>>(v),
                                            e);
  }
}

}  // namespace

std::vector<uint8_t> EncodeParams(const abi::PurgatoryParams& p, Endian e) {
  // Driven by the header's own field list, so a new field cannot be left out.
  std::vector<uint8_t> b(sizeof(abi::PurgatoryParams), 0);
#define KK_PUT(f) PutField(b, offsetof(abi::PurgatoryParams, f), p.f, e);
  KEXKIT_PURGATORY_PARAMS_FIELDS(KK_PUT)
#undef KK_PUT
  return b;
}

Result<void> CheckHotplugSegments(const std::vector<Segment>& segments) {
  // The kernel takes the last segment whose first page starts with ELF magic for the
  // core header it rewrites [kernel/crash_core.c crash_handle_hotplug_event], and on
  // ppc64 the one starting with the FDT magic for the tree; any other segment starting
  // so (an initrd that is an ELF file) would be overwritten instead.
  static constexpr uint8_t kElf[4] = {0x7f, 'E', 'L', 'F'};
  const Segment* hdr = nullptr;
  for (const Segment& s : segments) {
    if (s.what == "elfcorehdr") hdr = &s;
  }
  if (hdr == nullptr) return Fail("--hotplug: internal: no core header segment");
  for (const Segment& s : segments) {
    if (&s == hdr || s.buf.size() < 4 || std::memcmp(s.buf.data(), kElf, 4) != 0) continue;
    return Fail("--hotplug: the ", s.what,
                " segment starts with ELF magic, so the kernel would take it for the core header "
                "it updates on hotplug");
  }
  return {};
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
      return FailIn(opt.iomem,
                    "no crashkernel= reservation (no 'Crash kernel' range); boot the running "
                    "kernel with crashkernel=256M");
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
  // A purgatory built for another machine would link (kexkit links them all) and then
  // run on the wrong CPU: refused here, by name.
  if (obj->format().machine != arch.elf_machine()) {
    return FailIn("purgatory.ro", "ELF machine ", obj->format().machine,
                  " is not supported by the ", arch.name(), " loader (it needs machine ",
                  arch.elf_machine(), ")");
  }
  auto layout = link::ComputeLayout(*obj);
  if (!layout) return std::unexpected(layout.error());
  const auto [pmin, pmax] = arch.PurgatoryWindow(ctx);
  const uint64_t seg_align = arch.segment_align();
  const uint64_t pmemsz = (layout->mem_size + seg_align - 1) & ~(seg_align - 1);
  auto paddr = ctx.space.Allocate(pmemsz, std::max<uint64_t>(layout->align, seg_align), pmin, pmax,
                                  /*top_down=*/false);
  if (!paddr) return Wrap("purgatory", paddr.error());
  if (auto r = arch.PurgatoryPlaced(ctx, *paddr, pmemsz); !r) return std::unexpected(r.error());
  auto image = link::Link(*obj, *paddr);
  if (!image) return std::unexpected(image.error());

  abi::PurgatoryParams& p = ctx.params;
  p.magic = abi::kParamsMagic;
  if (!opt.no_checks) p.flags |= abi::kFlagVerify;
  if (opt.hotplug) p.flags |= abi::kFlagHotplug;  // the purgatory says what it skips
  // One region per verified segment, each with its own digest: every loaded byte is
  // hashed once here, and the --dry-run table prints these same digests.
  const MappedFile* const inputs[] = {&ctx.kernel, &ctx.initrd};
  ctx.plan.segment_digests = DigestSegments(ctx.plan.segments, inputs);
  uint32_t n = 0;
  bool corrupted = false;
  for (uint32_t i = 0; i < ctx.plan.segments.size(); ++i) {
    const Segment& s = ctx.plan.segments[i];
    if (!s.verified()) continue;
    if (n == abi::kMaxDigestRegions) return Fail("more than ", n, " segments to verify");
    abi::DigestRegion& r = p.regions[n++];
    r.start = s.mem;
    r.len = s.buf.size();
    std::memcpy(r.digest, ctx.plan.segment_digests[i].data(), sizeof(r.digest));
    r.segment = i;
    const std::string label = PurgatoryLabel(s.what);
    std::memcpy(r.label, label.data(), label.size());  // the rest stays NUL
    if (opt.test_corrupt_digest && !corrupted && opt.test_corrupt_segment.value_or(i) == i) {
      r.digest[0] ^= 0x01;
      corrupted = true;
    }
  }
  p.region_count = n;
  if (opt.test_corrupt_digest && !corrupted) {
    return Fail("--test-corrupt-digest=", opt.test_corrupt_segment.value_or(0), ": segment ",
                opt.test_corrupt_segment.value_or(0), " is not verified by the purgatory");
  }
  // The digests read every byte of the inputs: a file that shrank or changed under the
  // mapping shows now, as an error instead of a digest of zeros.
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
  ctx.plan.segment_digests.resize(ctx.plan.segments.size());  // not verified: zeros
  ctx.plan.entry = *entry;
  // |=: the arch's crash setup may have asked for hotplug updates (crash.h).
  ctx.plan.flags |=
      (static_cast<unsigned long>(arch.elf_machine()) << 16) | (opt.crash ? 1UL : 0UL);
  if (opt.hotplug) {
    if (auto r = CheckHotplugSegments(ctx.plan.segments); !r) return std::unexpected(r.error());
  }
  if (auto r = ValidateSegments(ctx.plan.segments, ctx.allowed, ctx.allowed_name); !r) {
    return std::unexpected(r.error());
  }
  LoadPlan plan = std::move(ctx.plan);
  plan.kernel_file = std::move(ctx.kernel);
  plan.initrd_file = std::move(ctx.initrd);
  return plan;
}

}  // namespace kexkit::load
