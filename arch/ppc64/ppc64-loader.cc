#include "arch/ppc64/ppc64-loader.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "arch/ppc64/fdt-builder.h"
#include "arch/ppc64/vmlinux.h"
#include "base/elf.h"
#include "linker/object.h"
#include "loader/crash.h"
#include "loader/file.h"

namespace kexkit::ppc64 {
namespace {

using load::LoadContext;
using load::MemRange;
using load::RangeType;

constexpr uint64_t AlignUp(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

// kdump [kexec-tools crashdump-ppc64.h]: the capture kernel puts its exception vectors
// at real address 0, so the purgatory saves the first 64 KiB first (all of it, despite
// a kexec-tools comment that says 32K).
constexpr uint64_t kBackupSize = 0x10000;
constexpr uint64_t kPpc64PageOffset = 0xc000000000000000;  // the linear map [page.h]
constexpr uint64_t kSparePhdrs = 16;                       // memory hot-added before the crash

Result<uint64_t> ReadBeFile(const std::string& path) {
  auto v = load::ReadTextFile(path);
  if (!v) return std::unexpected(v.error());
  const auto* p = reinterpret_cast<const uint8_t*>(v->data());
  if (v->size() == 8) return LoadUnchecked<uint64_t>(p, Endian::kBig);
  if (v->size() == 4) return LoadUnchecked<uint32_t>(p, Endian::kBig);
  return FailIn(path, v->size(), " bytes, expected a 4- or 8-byte big-endian number");
}

// Sorted, overlapping and touching ranges joined.
std::vector<MemRange> Merge(std::vector<MemRange> v) {
  std::sort(v.begin(), v.end(),
            [](const MemRange& a, const MemRange& b) { return a.start < b.start; });
  std::vector<MemRange> out;
  for (const MemRange& r : v) {
    if (!out.empty() && r.start <= out.back().end) {
      out.back().end = std::max(out.back().end, r.end);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

// A hash-MMU kernel (every big-endian ppc64 kernel by default, POWER8) on bare metal
// maps its linear map in 16 MiB pages, and of each memory range only the whole 16 MiB
// pages inside it [book3s64/hash_utils.c htab_bolt_mapping: "map only the possible
// range"]. The capture kernel reads /proc/vmcore through that linear map wherever
// memblock says memory [kernel/crash_dump.c copy_oldmem_page], so the unmapped tail of
// a usable range (OPAL's 0x1c30000-byte runtime image on QEMU's powernv9) faults there:
// the read fails with EFAULT. A radix kernel maps 64 KiB pages and has no such tail.
constexpr uint64_t kHashLinearPage = 0x1000000;

// Grows a firmware range the capture kernel may map to whole 16 MiB pages, each side as
// far as the growth stays in `kept` (memory the reserve map keeps from the capture
// kernel's allocator): never into old memory the capture kernel could hand out.
MemRange WidenToLinearPages(MemRange r, const std::vector<MemRange>& kept) {
  auto inside_kept = [&](uint64_t a, uint64_t b) {
    return a >= b || load::Subtract({{a, b, RangeType::kRam}}, kept).empty();
  };
  const uint64_t lo = r.start & ~(kHashLinearPage - 1);
  if (inside_kept(lo, r.start)) r.start = lo;
  if (r.end <= ~uint64_t{0} - kHashLinearPage) {
    const uint64_t hi = AlignUp(r.end, kHashLinearPage);
    if (inside_kept(r.end, hi)) r.end = hi;
  }
  return r;
}

// The running kernel's end (/chosen/linux,kernel-end): kexec_sequence runs from the old
// kernel's text while it copies the segments, so none may land there.
uint64_t RunningKernelEnd(const load::Options& opt) {
  auto v = load::ReadTextFile(opt.device_tree + "/chosen/linux,kernel-end");
  if (!v || (v->size() != 8 && v->size() != 4)) return 0;
  const auto* p = reinterpret_cast<const uint8_t*>(v->data());
  return v->size() == 8 ? LoadUnchecked<uint64_t>(p, Endian::kBig)
                        : LoadUnchecked<uint32_t>(p, Endian::kBig);
}

class Ppc64Loader final : public load::ArchLoader {
 public:
  Ppc64Loader(Endian endian, std::span<const uint8_t> purgatory)
      : endian_(endian), purgatory_(purgatory) {}

  const char* name() const override { return endian_ == Endian::kLittle ? "ppc64le" : "ppc64"; }
  uint16_t elf_machine() const override { return elf::kEmPpc64; }
  Result<void> CheckOptions(const load::Options& opt) const override {
    if (!opt.type.empty() && opt.type != "elf-ppc64") {
      return Fail("--type=", opt.type, ": kexkit loads vmlinux ELF kernels on ", name(),
                  " (type elf-ppc64)");
    }
    if (opt.noefi || opt.reuse_video_type) {
      return FailIn(opt.noefi ? "--noefi" : "--reuse-video-type", "an x86 option");
    }
    return {};
  }
  std::span<const uint8_t> purgatory_object() const override { return purgatory_; }
  Endian endian() const override { return endian_; }
  uint64_t segment_align() const override { return kSegmentAlign; }

  // The crash region: ppc64 kernels publish crashk_res in the device tree
  // (/chosen/linux,crashkernel-base and -size), not as "Crash kernel" in /proc/iomem.
  Result<void> CompleteMemoryMap(const load::Options& opt, load::MemoryMap& map) const override {
    if (!map.crash.empty()) return {};
    auto base = ReadBeFile(opt.device_tree + "/chosen/linux,crashkernel-base");
    auto size = ReadBeFile(opt.device_tree + "/chosen/linux,crashkernel-size");
    if (base && size && *size != 0) map.crash.push_back({*base, *base + *size, RangeType::kRam});
    return {};
  }

  Result<void> AddSegments(LoadContext& ctx) override {
    const load::Options& opt = ctx.opt;
    auto vm = ParseVmlinux(ctx.kernel.bytes(), opt.kernel);
    if (!vm) return std::unexpected(vm.error());
    vm_ = std::move(*vm);
    if (opt.crash && !vm_.relocatable) {
      return FailIn(opt.kernel,
                    "kernel is not relocatable (no \"run0\" at 0x5c); a capture kernel must run in "
                    "the crash region");
    }

    // The device tree: --dtb, else the running system's.
    Result<FdtBuilder> fdt = [&]() -> Result<FdtBuilder> {
      if (!opt.dtb.empty()) {
        auto blob = load::MappedFile::Open(opt.dtb);
        if (!blob) return std::unexpected(blob.error());
        auto b = FdtBuilder::FromBlob(blob->bytes(), opt.dtb);  // a copy: the blob is done
        if (auto r = blob->CheckUnchanged(); !r) return std::unexpected(r.error());
        return b;
      }
      return FdtBuilder::FromDirectory(opt.device_tree);
    }();
    if (!fdt) return std::unexpected(fdt.error());
    // kexec-tools' fs2dt: a command line without root= of its own takes the running
    // kernel's root= from /chosen/bootargs, unless --dt-no-old-root (Fedora passes it so
    // that the capture kernel never mounts the old root) [kexec/fs2dt.c putnode]. Both
    // tests are substring tests, as there.
    if (opt.dtb.empty() && !opt.dt_no_old_root && ctx.cmdline.find("root=") == std::string::npos) {
      if (auto old = load::ReadTextFile(opt.device_tree + "/chosen/bootargs")) {
        if (const size_t at = old->find("root="); at != std::string::npos) {
          const size_t end = old->find_first_of(std::string_view(" \n\t\0", 4), at);
          if (!ctx.cmdline.empty()) ctx.cmdline += ' ';
          ctx.cmdline += old->substr(at, end == std::string::npos ? end : end - at);
        }
      }
    }

    // Where segments may go: RAM below the real-mode area's top, not the running
    // kernel (nor the new one's footprint at 0: it copies itself down there at boot),
    // not RTAS.
    const auto memory = fdt->Memory();
    rma_top_ = kRmaCap;
    if (!memory.empty() && memory.front().start == 0) {
      rma_top_ = std::min(rma_top_, memory.front().end);
    }
    const uint64_t low_end = AlignUp(std::max(RunningKernelEnd(opt), vm_.memsz), kSegmentAlign);
    std::vector<MemRange> cut = {{0, low_end, RangeType::kReserved},
                                 {rma_top_, ~uint64_t{0}, RangeType::kReserved}};
    const auto rtas = fdt->RtasRange();
    if (rtas)
      cut.push_back({rtas->start & ~(kSegmentAlign - 1), AlignUp(rtas->end, kSegmentAlign),
                     RangeType::kReserved});
    // Firmware memory (skiboot's code, heap and stacks on PowerNV; reserved-ranges and
    // /reserved-memory wherever they are): no segment there, and the new kernel must
    // keep it too, so each range goes into the reserve map [kexec-tools
    // scan_reserved_ranges]. OPAL's runtime image is among them on skiboot; it is
    // added on its own in case a firmware lists it nowhere else.
    const bool powernv = fdt->IsPowerNV();
    const auto opal = fdt->OpalRuntime();
    std::vector<MemRange> firmware = fdt->FirmwareReserved();
    if (opal) {
      firmware.push_back(*opal);
      firmware = Merge(std::move(firmware));
    }
    for (const MemRange& r : firmware) {
      cut.push_back(
          {r.start & ~(kSegmentAlign - 1),
           r.end > ~uint64_t{0} - kSegmentAlign ? ~uint64_t{0} : AlignUp(r.end, kSegmentAlign),
           RangeType::kReserved});
    }
    std::vector<MemRange> free;
    for (MemRange r : load::Subtract(ctx.space.free_ranges(), cut)) {
      r.start = AlignUp(r.start, kSegmentAlign);
      r.end &= ~(kSegmentAlign - 1);
      if (r.start < r.end) free.push_back(r);
    }
    ctx.space = load::AddressSpace(free);

    // Kernel: the lowest 64K-aligned fit; it relocates itself to 0 (or, as a capture
    // kernel with __run_at_load = 1, runs where it is).
    const uint64_t kmemsz = AlignUp(vm_.memsz, kSegmentAlign);
    auto kaddr = ctx.space.Allocate(kmemsz, kSegmentAlign, 0, rma_top_, false);
    if (!kaddr) return Wrap(opt.kernel, kaddr.error());
    kernel_addr_ = *kaddr;
    if (!opt.crash) {
      ctx.plan.segments.push_back({vm_.bytes, kernel_addr_, kmemsz, "kernel"});
    } else {
      // A capture kernel must run where it is: head_64.S reads __run_at_load from its
      // own image (relative to its runtime base), so the loaded copy says 1, not "run0".
      // The first 64 KiB go as a patched copy, the rest straight from the file.
      const uint64_t head = std::min<uint64_t>(kSegmentAlign, vm_.bytes.size());
      std::vector<uint8_t> copy(vm_.bytes.begin(), vm_.bytes.begin() + head);
      StoreUnchecked<uint32_t>(copy.data() + kRunAtLoadOffset, 1, vm_.endian);
      const uint64_t head_memsz = head < vm_.bytes.size() ? kSegmentAlign : kmemsz;
      ctx.plan.segments.push_back(
          {ctx.plan.Own(std::move(copy)), kernel_addr_, head_memsz, "kernel (head)"});
      if (head_memsz < kmemsz) {
        ctx.plan.segments.push_back(
            {vm_.bytes.subspan(head), kernel_addr_ + head_memsz, kmemsz - head_memsz, "kernel"});
      }
    }

    uint64_t initrd_start = 0, initrd_end = 0;
    if (!ctx.initrd.bytes().empty()) {
      const uint64_t size = ctx.initrd.bytes().size();
      auto a = ctx.space.Allocate(AlignUp(size, kSegmentAlign), kSegmentAlign, 0, rma_top_, false);
      if (!a) return Wrap(opt.initrd, a.error());
      initrd_start = *a;
      initrd_end = *a + size;
      ctx.plan.segments.push_back({ctx.initrd.bytes(), *a, AlignUp(size, kSegmentAlign), "initrd"});
    }

    // kdump: the 64 KiB backup and the ELF core header, top-down in the crash region.
    uint64_t backup_dst = 0, hdr_addr = 0, hdr_memsz = 0;
    if (opt.crash) {
      if (auto r = AddCrashSegments(ctx, &backup_dst, &hdr_addr, &hdr_memsz); !r) return r;
    }

    if (auto r = fdt->SetChosen(ctx.cmdline, initrd_start, initrd_end); !r) return r;
    // Reserve map [kexec-tools fs2dt.c / kexec-elf-ppc64.c]: RTAS (the new kernel must
    // not reuse the running instance's memory), the initrd, the purgatory and the tree.
    if (rtas) {
      if (auto r = fdt->AddReserve(rtas->start, rtas->size()); !r)
        return std::unexpected(r.error());
    }
    for (const MemRange& r : firmware) {
      if (auto e = fdt->AddReserve(r.start, r.size()); !e) return std::unexpected(e.error());
    }
    if (initrd_end > initrd_start) {
      if (auto r = fdt->AddReserve(initrd_start, initrd_end - initrd_start); !r) {
        return std::unexpected(r.error());
      }
    }
    if (opt.crash) {
      // The capture kernel may use [0, 64K) (its vectors; the old contents are in the
      // backup) and the crash region. As kexec-tools: one usable range [0, crash end)
      // with [64K, crash base) reserved, not two ranges: early boot allocates from the
      // first memory block, which must be more than 64K (two ranges hang it silently).
      // RTAS, and OPAL's runtime image on PowerNV, stay usable wherever they are: the
      // capture kernel calls into them, and maps OPAL's memory console and message
      // buffers through its linear map (the reserve map keeps it from allocating there)
      // [kexec-tools add_usable_mem_rgns for rtas and ibm,opal], each grown to whole
      // 16 MiB pages inside the firmware's reserved memory (WidenToLinearPages).
      const MemRange& crash = ctx.map.crash.back();
      std::vector<MemRange> usable = {{0, crash.end, RangeType::kRam}};
      if (rtas && rtas->start >= crash.end) usable.push_back(WidenToLinearPages(*rtas, firmware));
      if (opal && opal->end > crash.end) {
        const MemRange o = WidenToLinearPages(*opal, firmware);
        usable.push_back({std::max(o.start, crash.end), o.end, RangeType::kRam});
      }
      if (auto r = fdt->SetUsableMemory(usable); !r) return r;
      const std::pair<uint64_t, uint64_t> keep[] = {{kBackupSize, crash.start - kBackupSize},
                                                    {backup_dst, kBackupSize},
                                                    {hdr_addr, hdr_memsz}};
      for (const auto& [addr, size] : keep) {
        if (size == 0) continue;
        if (auto r = fdt->AddReserve(addr, size); !r) return std::unexpected(r.error());
      }
    }
    // Placeholders, filled in below (non-zero: a zero size would end the map).
    auto purg_rsv = fdt->AddReserve(0, kSegmentAlign);
    auto fdt_rsv = fdt->AddReserve(0, kSegmentAlign);
    if (!purg_rsv || !fdt_rsv) return kDeviceTree.Fail("cannot add reserve entries");
    if (auto r = fdt->Pack(); !r) return r;
    if (opt.crash && opt.hotplug) {
      if (auto r = AddCpuHotplugRoom(ctx, *fdt); !r) return r;
    }

    // Tree: high in the RMA (the kernel reads it with the MMU off). The purgatory's
    // reserve entry is filled in once the generic plan has placed it (PurgatoryPlaced).
    fdt_memsz_ = AlignUp(fdt->size(), kSegmentAlign);
    auto faddr = ctx.space.Allocate(fdt_memsz_, kSegmentAlign, 0, rma_top_, true);
    if (!faddr) return Wrap("device tree", faddr.error());
    fdt_addr_ = *faddr;
    purg_rsv_ = *purg_rsv;
    if (auto r = fdt->SetReserve(*fdt_rsv, fdt_addr_, fdt->size()); !r) return r;

    // Console, when asked for (console=hvc<n> is the firmware console on both
    // platforms): the terminal is /chosen's stdout node's reg. On pseries, the
    // H_PUT_TERM_CHAR hypercall (vterm 0x71000000 on QEMU, which also accepts 0 for
    // early debug). On PowerNV there is no hypervisor: OPAL_CONSOLE_WRITE at OPAL's
    // entry, and never `sc 1`, which would trap into the old kernel's vectors.
    opal_base_ = fdt->PropU64("/ibm,opal", "opal-base-address").value_or(0);
    opal_entry_ = fdt->PropU64("/ibm,opal", "opal-entry-address").value_or(0);
    const char* console = "none";
    if (WantsHvcConsole(opt, ctx.cmdline)) {
      if (!powernv) {
        ctx.params.flags |= abi::kFlagConsoleHvc;
        ctx.params.hvc_vtermno = fdt->VtermNo().value_or(0);
        console = "hvc (H_PUT_TERM_CHAR)";
      } else if (opal_base_ != 0 && opal_entry_ != 0) {
        ctx.params.flags |= abi::kFlagConsoleOpal;
        ctx.params.hvc_vtermno = fdt->VtermNo().value_or(0);
        ctx.params.opal_base = opal_base_;
        ctx.params.opal_entry = opal_entry_;
        console = "OPAL";
      } else {
        console = "none (PowerNV without /ibm,opal entry points)";
      }
    }

    ctx.plan.notes.push_back(Cat("kexkit: ppc64 ", powernv ? "PowerNV (OPAL)" : "pseries",
                                 ", device tree ", fdt->size(), " bytes, RMA top ", Hex(rma_top_),
                                 ", console ", console, ", terminal ",
                                 Hex(ctx.params.hvc_vtermno)));
    for (const MemRange& r : firmware) {
      ctx.plan.notes.push_back(
          Cat("kexkit: firmware memory ", Hex(r.start), "-", Hex(r.end - 1), " reserved"));
    }
    fdt_.emplace(std::move(*fdt));
    return {};
  }

  Result<void> PurgatoryPlaced(LoadContext& ctx, uint64_t addr, uint64_t memsz) override {
    if (!fdt_) return Fail("internal: the purgatory was placed before the device tree");
    purgatory_addr_ = addr;
    if (auto r = fdt_->SetReserve(purg_rsv_, addr, memsz); !r) return r;
    // --hotplug: the kernel rewrites /cpus in this tree on a CPU hot-add.
    ctx.plan.segments.push_back({ctx.plan.Own(std::move(*fdt_).Take()), fdt_addr_, fdt_memsz_,
                                 "device tree", /*digested=*/!(ctx.opt.crash && ctx.opt.hotplug)});
    fdt_.reset();
    return {};
  }

  std::pair<uint64_t, uint64_t> PurgatoryWindow(const LoadContext&) const override {
    return {0, rma_top_};  // real mode: inside the RMA (the free space excludes the rest)
  }

  Result<void> Patch(LoadContext& ctx, link::LinkedImage& image) override {
    if (image.base() != purgatory_addr_) {
      return Fail("internal: purgatory linked at ", Hex(image.base()),
                  ", the device tree reserves ", Hex(purgatory_addr_));
    }
    // The head the old kernel copies to real address 0: the new kernel's first 0x100
    // bytes (its secondary hold loop at 0x60), but our branch to `master` at 0.
    auto head = image.GetSymbol("kexkit_start", kHeadSize);
    if (!head) return std::unexpected(head.error());
    std::vector<uint8_t> h(vm_.bytes.begin(), vm_.bytes.begin() + kHeadSize);
    std::memcpy(h.data(), head->data(), 4);
    if (ctx.opt.crash) {
      // A capture kernel runs where it was loaded instead of copying itself to 0
      // [head_64.S __run_at_load; kexec-tools sets it the same way].
      StoreUnchecked<uint32_t>(h.data() + kRunAtLoadOffset, 1, vm_.endian);
    }
    if (auto r = image.SetSymbol("kexkit_start", h); !r) return r;

    auto stack = image.SymbolAddress("kexkit_stack_top");
    if (!stack) return std::unexpected(stack.error());
    std::vector<uint8_t> e(sizeof(abi::EntryPpc64), 0);
    auto put = [&](size_t off, uint64_t v) {
      StoreUnchecked<uint64_t>(e.data() + off, v, endian_);
    };
    put(offsetof(abi::EntryPpc64, kernel), kernel_addr_ + vm_.entry_offset);
    put(offsetof(abi::EntryPpc64, fdt), fdt_addr_);
    put(offsetof(abi::EntryPpc64, stack), *stack);
    put(offsetof(abi::EntryPpc64, toc), image.toc_base());
    put(offsetof(abi::EntryPpc64, opal_base), opal_base_);
    put(offsetof(abi::EntryPpc64, opal_entry), opal_entry_);
    return image.SetSymbol("kexkit_entry_ppc64", e);
  }

 private:
  // The segments a capture kernel needs beyond a plain kexec: the backup buffer for
  // [0, 64K) and the ELF core header (loader/core-header.h), with elfcorehdr= on the
  // command line. What can go wrong: sysfs crash_notes / vmcoreinfo unreadable, no RAM
  // outside the crash region, no room left in it below the RMA top.
  Result<void> AddCrashSegments(LoadContext& ctx, uint64_t* backup_dst, uint64_t* hdr_addr,
                                uint64_t* hdr_memsz) {
    load::CrashFacts f;
    f.machine = elf::kEmPpc64;
    f.endian = vm_.endian;
    f.elf64 = true;  // ppc64 kernels read only ELF64 core headers
    f.dump = load::Subtract(ctx.map.Ram(), ctx.map.crash);
    if (f.dump.empty() || f.dump.front().start != 0 || f.dump.front().end < kBackupSize) {
      return Fail("kdump: no System RAM at [0, 64K) outside the crash region");
    }
    f.backup_src = {0, kBackupSize, RangeType::kRam};
    f.segment_align = kSegmentAlign;
    f.segment_max = rma_top_;  // the purgatory and the capture kernel's early boot run in real mode
    f.spare_phdrs = kSparePhdrs;
    f.page_offset = kPpc64PageOffset;
    f.hotplug_flag = load::kKexecCrashHotplugSupport;
    auto seg = load::AddCrashSegments(ctx, f);
    if (!seg) return std::unexpected(seg.error());
    ctx.cmdline += seg->cmdline_extra;
    const MemRange& crash = ctx.map.crash.back();
    ctx.plan.notes.push_back(
        Cat("kdump: crash region ", Hex(crash.start), "-", Hex(crash.end - 1)));
    *backup_dst = seg->backup_dst;
    *hdr_addr = seg->elfcorehdr_addr;
    *hdr_memsz = seg->elfcorehdr_memsz;
    return {};
  }

  // --hotplug: room in the tree for the cpu nodes of every core that may still be
  // added: (possible CPUs / threads per core - present cores) times the largest cpu
  // node there is now, plus a page for the properties' strings. What can go wrong:
  // unreadable sysfs CPU lists, a tree without cpu nodes.
  Result<void> AddCpuHotplugRoom(LoadContext& ctx, FdtBuilder& fdt) {
    const std::string dir = ctx.opt.sysfs + "/devices/system/cpu";
    uint64_t counts[2] = {0, 0};
    const char* const names[2] = {"possible", "present"};
    for (int i = 0; i < 2; ++i) {
      const std::string path = dir + "/" + names[i];
      auto text = load::ReadTextFile(path);
      if (!text) return std::unexpected(text.error());
      auto list = load::ParseCpuList(*text, path);
      if (!list) return std::unexpected(list.error());
      counts[i] = list->size();
    }
    const FdtBuilder::CpuNodes cpus = fdt.Cpus();
    if (cpus.count == 0) return Fail("--hotplug: the device tree has no cpu nodes under /cpus");
    const uint64_t threads = std::max<uint64_t>(1, counts[1] / cpus.count);
    const uint64_t max_cores = (counts[0] + threads - 1) / threads;
    const uint64_t extra = max_cores > cpus.count ? max_cores - cpus.count : 0;
    const uint64_t room = extra * cpus.largest + 4096;
    if (auto r = fdt.AddFreeSpace(room); !r) return r;
    ctx.plan.notes.push_back(Cat("kdump: --hotplug: device tree room for ", extra,
                                 " more core(s) (", room,
                                 " bytes); it and the core header are left unverified"));
    return {};
  }

  Endian endian_;
  std::span<const uint8_t> purgatory_;
  Vmlinux vm_;
  uint64_t rma_top_ = kRmaCap;
  uint64_t kernel_addr_ = 0;
  uint64_t fdt_addr_ = 0, fdt_memsz_ = 0;
  uint64_t purgatory_addr_ = 0;
  size_t purg_rsv_ = 0;            // the purgatory's reserve entry in fdt_
  std::optional<FdtBuilder> fdt_;  // between AddSegments and PurgatoryPlaced
  uint64_t opal_base_ = 0, opal_entry_ = 0;
};

}  // namespace

bool WantsHvcConsole(const load::Options& opt, std::string_view cmdline) {
  if (opt.console_serial) return true;
  for (size_t at = cmdline.find("console=hvc"); at != std::string_view::npos;
       at = cmdline.find("console=hvc", at + 1)) {
    if (at == 0 || cmdline[at - 1] == ' ') return true;
  }
  return false;
}

std::unique_ptr<load::ArchLoader> MakePpc64Loader(Endian endian,
                                                  std::span<const uint8_t> purgatory) {
  return std::make_unique<Ppc64Loader>(endian, purgatory);
}

}  // namespace kexkit::ppc64
