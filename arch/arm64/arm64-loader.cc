// The arm64 ArchLoader. Layout, as kexec-tools' arm64 loader does it
// [kexec/arch/arm64/kexec-arm64.c arm64_locate_kernel_segment, kexec-image-arm64.c]:
// the Image at the lowest 2 MiB-aligned base (+ text_offset) in usable RAM, then the
// initrd, then the device tree, then the purgatory, every segment 64 KiB-aligned (the
// largest arm64 PAGE_SIZE, so any kernel's kexec_load takes them).
//
// Usable RAM is /proc/iomem's System RAM less its nested "reserved" ranges: on arm64
// those are the memblock reservations (firmware tables, the UEFI memory map, the running
// kernel's own DTB), which the new kernel finds in place [kexec-tools kexec-arm64.c
// get_memory_ranges_iomem excludes them too].
//
// kdump (-p): the same layout inside the crash region, an ELF64 core header (generic,
// loader/crash.h) with the linear map and kernel text from /proc/kcore, and the capture
// kernel's device tree saying where the header is (linux,elfcorehdr) and which memory
// it may use (linux,usable-memory-range) [Documentation/devicetree/bindings/chosen.txt;
// kexec-tools crashdump-arm64.c]. Nothing is backed up: an arm64 capture kernel takes
// only its usable-memory-range as RAM, so no old memory outside the crash region is
// written before /proc/vmcore is read (x86 and ppc64 boot through low memory they must
// reuse; arm64 does not).
//
// The kernel may come gzip-compressed or as an EFI zboot image (image.h Unpack). Not
// done: --hotplug.
#include "arch/arm64/arm64-loader.h"

#include <libfdt.h>
#include <sys/random.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "arch/arm64/image.h"
#include "base/bytes.h"
#include "base/elf.h"
#include "loader/crash.h"
#include "loader/file.h"

namespace kexkit::arm64 {
namespace {

using load::LoadContext;
using load::MemRange;
using load::RangeType;

constexpr uint64_t kSegmentAlign = 64 * 1024;
constexpr uint64_t kDtbMax = 2ull << 20;  // booting.rst: the DTB must not exceed 2 MiB
constexpr size_t kDtbRoom = 64 * 1024;    // for /chosen's new properties
constexpr Part kDeviceTree{"device tree"};

uint64_t AlignUp(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

Result<void> FdtCheck(int err, const char* what) {
  if (err < 0) return kDeviceTree.Fail(what, ": ", fdt_strerror(err));
  return {};
}

// The PL011 of /chosen stdout-path (or linux,stdout-path), by its reg: the UART the
// running kernel's earlycon and the purgatory both write to. 0 when there is none (an
// ACPI machine's nearly empty tree, another UART type).
uint64_t Pl011Base(const void* fdt) {
  const int chosen = fdt_path_offset(fdt, "/chosen");
  if (chosen < 0) return 0;
  int len = 0;
  const char* path = static_cast<const char*>(fdt_getprop(fdt, chosen, "stdout-path", &len));
  if (path == nullptr) {
    path = static_cast<const char*>(fdt_getprop(fdt, chosen, "linux,stdout-path", &len));
  }
  if (path == nullptr || len <= 0) return 0;
  std::string p(path, strnlen(path, static_cast<size_t>(len)));
  p = p.substr(0, p.find(':'));  // "/pl011@9000000:115200n8"
  const int node = p.starts_with("/") ? fdt_path_offset(fdt, p.c_str())
                                      : fdt_path_offset(fdt, fdt_get_alias(fdt, p.c_str()) ?: "");
  if (node < 0 || fdt_node_check_compatible(fdt, node, "arm,pl011") != 0) return 0;
  const int parent = fdt_parent_offset(fdt, node);
  const int ac = parent < 0 ? 2 : fdt_address_cells(fdt, parent);
  const auto* reg = static_cast<const uint8_t*>(fdt_getprop(fdt, node, "reg", &len));
  if (reg == nullptr || ac < 1 || ac > 2 || len < 4 * ac) return 0;
  return LoadCells(reg, ac);
}

// The console of an ACPI machine (UEFI firmware handing Linux ACPI: its device tree has
// no UART), from the Serial Port Console Redirection table [Microsoft SPCR spec, rev 2:
// interface type at 36 (3 = ARM PL011, 0x0e = ARM SBSA generic UART, PL011's register
// subset), the Generic Address Structure at 40: space id 0 = memory, address at 44].
// 0 when there is none or it is another kind of UART.
uint64_t SpcrPl011Base(const std::string& path) {
  auto t = load::ReadTextFile(path);
  if (!t || t->size() < 52 || t->compare(0, 4, "SPCR") != 0) return 0;
  const auto* b = reinterpret_cast<const uint8_t*>(t->data());
  const uint8_t type = b[36];
  if ((type != 0x03 && type != 0x0e) || b[40] != 0) return 0;
  return LoadUnchecked<uint64_t>(b + 44, Endian::kLittle);
}

class Arm64Loader : public load::ArchLoader {
 public:
  explicit Arm64Loader(std::span<const uint8_t> purgatory) : purgatory_(purgatory) {}

  const char* name() const override { return "aarch64"; }
  uint16_t elf_machine() const override { return elf::kEmAarch64; }
  std::span<const uint8_t> purgatory_object() const override { return purgatory_; }
  Endian endian() const override { return Endian::kLittle; }
  uint64_t segment_align() const override { return kSegmentAlign; }

  Result<void> CheckOptions(const load::Options& opt) const override {
    if (!opt.type.empty() && opt.type != "Image") {
      return Fail("--type=", opt.type, ": kexkit loads arm64 Image kernels on ", name(),
                  " (type Image)");
    }
    if (opt.noefi || opt.reuse_video_type) {
      return FailIn(opt.noefi ? "--noefi" : "--reuse-video-type", "an x86 option");
    }
    if (opt.hotplug) return Fail("--hotplug: not implemented on aarch64 yet");
    return {};
  }

  // System RAM less the "reserved" ranges nested in it (ParseIomem read them).
  Result<void> CompleteMemoryMap(const load::Options&, load::MemoryMap& map) const override {
    std::vector<MemRange> out;
    for (const MemRange& r : map.ranges) {
      if (r.type != RangeType::kRam) out.push_back(r);
    }
    for (const MemRange& r : load::Subtract(map.Ram(), map.reserved)) out.push_back(r);
    for (const MemRange& r : map.reserved) out.push_back(r);
    std::sort(out.begin(), out.end(),
              [](const MemRange& a, const MemRange& b) { return a.start < b.start; });
    map.ranges = std::move(out);
    return {};
  }

  Result<void> AddSegments(LoadContext& ctx) override {
    const load::Options& opt = ctx.opt;
    // gzip and EFI zboot kernels: the Image inside them, owned by the plan.
    auto unpacked = Unpack(ctx.kernel.bytes(), opt.kernel);
    if (!unpacked) return std::unexpected(unpacked.error());
    std::span<const uint8_t> kernel = ctx.kernel.bytes();
    if (*unpacked) {
      const size_t packed = kernel.size();
      kernel = ctx.plan.Own(std::move(**unpacked));
      ctx.plan.notes.push_back(Cat("kexkit: aarch64 kernel: ", packed, " bytes unpacked to a ",
                                   kernel.size(), "-byte Image"));
    }
    auto img = ParseImage(kernel, opt.kernel);
    if (!img) return std::unexpected(img.error());

    // The Image: text_offset above a 2 MiB-aligned base, image_size bytes (BSS included).
    const uint64_t kmemsz =
        AlignUp(std::max<uint64_t>(img->image_size, img->bytes.size()), kSegmentAlign);
    auto base = ctx.space.Allocate(img->text_offset + kmemsz, kImageAlign, 0, ~uint64_t{0},
                                   /*top_down=*/false);
    if (!base) return Wrap(opt.kernel, base.error());
    kernel_addr_ = *base + img->text_offset;
    ctx.plan.segments.push_back({img->bytes, kernel_addr_, kmemsz, "kernel"});

    // The initrd: above the kernel, inside the 1 GiB-aligned 32 GiB window that holds the
    // kernel [booting.rst].
    uint64_t initrd_start = 0, initrd_end = 0;
    if (!ctx.initrd.bytes().empty()) {
      const uint64_t size = ctx.initrd.bytes().size();
      const uint64_t window_end = (*base & ~((1ull << 30) - 1)) + (32ull << 30);
      auto a = ctx.space.Allocate(AlignUp(size, kSegmentAlign), kSegmentAlign,
                                  kernel_addr_ + kmemsz, window_end, false);
      if (!a) return Wrap(opt.initrd, a.error());
      initrd_start = *a;
      initrd_end = *a + size;
      ctx.plan.segments.push_back({ctx.initrd.bytes(), *a, AlignUp(size, kSegmentAlign), "initrd"});
    }

    // The device tree: the running one, /chosen rewritten.
    const std::string src = opt.dtb.empty() ? opt.sysfs + "/firmware/fdt" : opt.dtb;
    auto blob = load::ReadTextFile(src);
    if (!blob) return std::unexpected(blob.error());
    if (blob->size() < sizeof(fdt_header) || fdt_check_header(blob->data()) != 0 ||
        fdt_totalsize(blob->data()) > blob->size()) {
      return FailIn(src, "not a flattened device tree blob (bad header or size)");
    }
    if (fdt_totalsize(blob->data()) > kDtbMax) {
      return FailIn(src, "device tree larger than 2 MiB");
    }
    if (int e = fdt_check_full(blob->data(), blob->size()); e != 0) {
      return kDeviceTree.FailIn(src, fdt_strerror(e));
    }
    std::vector<uint8_t> dtb(fdt_totalsize(blob->data()) + kDtbRoom);
    if (auto r = FdtCheck(fdt_open_into(blob->data(), dtb.data(), static_cast<int>(dtb.size())),
                          "cannot open the tree");
        !r) {
      return r;
    }
    if (auto r = SetChosen(dtb.data(), ctx.cmdline, initrd_start, initrd_end); !r) return r;
    if (opt.crash) {
      if (auto r = AddCrash(ctx, dtb.data()); !r) return r;
    }
    if (auto r = FdtCheck(fdt_pack(dtb.data()), "cannot pack the tree"); !r) return r;
    dtb.resize(fdt_totalsize(dtb.data()));
    if (dtb.size() > kDtbMax) return kDeviceTree.Fail("larger than 2 MiB with the new /chosen");

    const char* from = "/chosen stdout-path";
    uint64_t uart = Pl011Base(dtb.data());
    if (uart == 0) {
      uart = SpcrPl011Base(opt.sysfs + "/firmware/acpi/tables/SPCR");
      from = "ACPI SPCR";
    }
    if (uart != 0 && uart % 4 == 0) {
      ctx.params.flags |= abi::kFlagConsoleSerial;
      ctx.params.serial_port = uart;
      ctx.plan.notes.push_back(
          Cat("kexkit: aarch64 console: PL011 at ", Hex(uart), " (", from, ")"));
    } else {
      ctx.plan.notes.push_back(
          "kexkit: aarch64 console: none (no PL011 at /chosen stdout-path or in ACPI SPCR)");
    }

    // 2 MiB-aligned, so the blob never crosses a 2 MiB boundary [booting.rst].
    const uint64_t dtb_memsz = AlignUp(dtb.size(), kSegmentAlign);
    auto d = ctx.space.Allocate(dtb_memsz, kDtbMax, kernel_addr_ + kmemsz, ~uint64_t{0}, false);
    if (!d) return Wrap("device tree", d.error());
    dtb_addr_ = *d;
    ctx.plan.segments.push_back({ctx.plan.Own(std::move(dtb)), dtb_addr_, dtb_memsz, "fdt"});
    return {};
  }

  std::pair<uint64_t, uint64_t> PurgatoryWindow(const LoadContext&) const override {
    return {0, ~uint64_t{0}};
  }

  Result<void> Patch(LoadContext&, link::LinkedImage& image) override {
    std::vector<uint8_t> e(sizeof(abi::EntryArm64), 0);
    StoreUnchecked<uint64_t>(e.data() + offsetof(abi::EntryArm64, kernel), kernel_addr_,
                             Endian::kLittle);
    StoreUnchecked<uint64_t>(e.data() + offsetof(abi::EntryArm64, dtb), dtb_addr_, Endian::kLittle);
    return image.SetSymbol("kexkit_entry_arm64", e);
  }

 private:
  // /chosen: bootargs, the initrd (or none), fresh kaslr-seed and rng-seed; the running
  // kernel's kdump and initrd properties dropped.
  static Result<void> SetChosen(void* fdt, const std::string& cmdline, uint64_t initrd_start,
                                uint64_t initrd_end) {
    int chosen = fdt_path_offset(fdt, "/chosen");
    if (chosen == -FDT_ERR_NOTFOUND) chosen = fdt_add_subnode(fdt, 0, "chosen");
    if (auto r = FdtCheck(chosen, "/chosen"); !r) return r;
    for (const char* p : {"linux,initrd-start", "linux,initrd-end", "linux,elfcorehdr",
                          "linux,usable-memory-range", "kaslr-seed", "rng-seed", "bootargs"}) {
      const int e = fdt_delprop(fdt, chosen, p);
      if (e != 0 && e != -FDT_ERR_NOTFOUND) return FdtCheck(e, p);
    }
    if (auto r = FdtCheck(fdt_setprop_string(fdt, chosen, "bootargs", cmdline.c_str()), "bootargs");
        !r) {
      return r;
    }
    if (initrd_end != 0) {
      if (auto r = FdtCheck(fdt_setprop_u64(fdt, chosen, "linux,initrd-start", initrd_start),
                            "linux,initrd-start");
          !r) {
        return r;
      }
      if (auto r = FdtCheck(fdt_setprop_u64(fdt, chosen, "linux,initrd-end", initrd_end),
                            "linux,initrd-end");
          !r) {
        return r;
      }
    }
    // A new KASLR offset and entropy for the new kernel, as a boot loader gives them
    // [Documentation/devicetree/bindings/chosen.txt]; the old ones were consumed.
    uint8_t seed[8 + 64];
    if (::getrandom(seed, sizeof(seed), 0) != static_cast<ssize_t>(sizeof(seed))) {
      return Fail("getrandom: no random bytes for kaslr-seed and rng-seed");
    }
    if (auto r = FdtCheck(fdt_setprop(fdt, chosen, "kaslr-seed", seed, 8), "kaslr-seed"); !r) {
      return r;
    }
    return FdtCheck(fdt_setprop(fdt, chosen, "rng-seed", seed + 8, 64), "rng-seed");
  }

  // The core header (AddCrashSegments), then the capture kernel's /chosen: where the
  // header is and the memory it may use, in the root's #address-cells/#size-cells.
  Result<void> AddCrash(LoadContext& ctx, void* fdt) {
    load::CrashFacts f;
    f.machine = elf::kEmAarch64;
    f.endian = Endian::kLittle;
    f.elf64 = true;
    f.segment_align = kSegmentAlign;
    auto dump = load::ReadDumpRanges(ctx, /*require_iomem_crash=*/true);
    if (!dump) return std::unexpected(dump.error());
    f.dump = std::move(*dump);
    // /proc/kcore [fs/proc/kcore.c]: the linear map's loads share one vaddr - paddr
    // (PAGE_OFFSET less the KASLR-randomised memstart_addr); the kernel text (KCORE_TEXT,
    // the kimage mapping) is the highest load with a physical address.
    if (auto loads = load::ReadKcoreLoads(ctx.opt.kcore); loads) {
      const load::KcoreLoad* text = nullptr;
      for (const load::KcoreLoad& l : *loads) {
        if (l.paddr == ~uint64_t{0} || l.size == 0) continue;
        if (text == nullptr || l.vaddr > text->vaddr) text = &l;
      }
      for (const load::KcoreLoad& l : *loads) {
        if (l.paddr == ~uint64_t{0} || l.size == 0 || &l == text) continue;
        f.page_offset = l.vaddr - l.paddr;
        break;
      }
      if (text != nullptr && f.page_offset) {
        f.kernel_text = load::CoreKernelText{text->vaddr, text->paddr, text->size};
      }
    } else {
      ctx.plan.notes.push_back("kdump: " + loads.error().Line());
    }
    if (!f.page_offset) {
      ctx.plan.notes.push_back(
          "kdump: linear map unknown (no kcore): physical addresses only; makedumpfile "
          "takes the layout from vmcoreinfo");
    }
    auto cs = load::AddCrashSegments(ctx, f);
    if (!cs) return std::unexpected(cs.error());

    const int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0);
    if (ac < 1 || ac > 2 || sc < 1 || sc > 2) return kDeviceTree.Fail("odd root #address-cells");
    std::string hdr;
    AppendCells(hdr, cs->elfcorehdr_addr, ac);
    AppendCells(hdr, cs->elfcorehdr_memsz, sc);
    // Every crash region: crashkernel=...,high comes with a low one below 4 GiB, and the
    // capture kernel takes both [arm64 early_init_dt_check_for_usable_mem_range reads
    // several ranges since Linux 5.19; the high one first, as kexec-tools orders them].
    std::string usable;
    for (auto it = ctx.map.crash.rbegin(); it != ctx.map.crash.rend(); ++it) {
      AppendCells(usable, it->start, ac);
      AppendCells(usable, it->size(), sc);
    }
    const int chosen = fdt_path_offset(fdt, "/chosen");
    if (auto r = FdtCheck(chosen, "/chosen"); !r) return r;
    if (auto r = FdtCheck(
            fdt_setprop(fdt, chosen, "linux,elfcorehdr", hdr.data(), static_cast<int>(hdr.size())),
            "linux,elfcorehdr");
        !r) {
      return r;
    }
    if (auto r = FdtCheck(fdt_setprop(fdt, chosen, "linux,usable-memory-range", usable.data(),
                                      static_cast<int>(usable.size())),
                          "linux,usable-memory-range");
        !r) {
      return r;
    }
    ctx.plan.notes.push_back(Cat("kdump: /chosen linux,elfcorehdr ", Hex(cs->elfcorehdr_addr), "+",
                                 Hex(cs->elfcorehdr_memsz), ", linux,usable-memory-range ",
                                 ctx.map.crash.size(), " range(s)"));
    return {};
  }

  std::span<const uint8_t> purgatory_;
  uint64_t kernel_addr_ = 0;
  uint64_t dtb_addr_ = 0;
};

}  // namespace

std::unique_ptr<load::ArchLoader> MakeArm64Loader(std::span<const uint8_t> purgatory) {
  return std::make_unique<Arm64Loader>(purgatory);
}

}  // namespace kexkit::arm64
