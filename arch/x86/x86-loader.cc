#include "arch/x86/x86-loader.h"

#include <sys/mman.h>
#include <sys/random.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "arch/x86/bzimage.h"
#include "arch/x86/x86-crash.h"
#include "base/bytes.h"
#include "base/elf.h"
#include "loader/crash.h"

namespace kexkit::x86 {
namespace {

using load::kPageSize;
using load::LoadContext;
using load::MemRange;
using load::PageAlign;
using load::RangeType;
using load::Segment;

constexpr uint64_t k1M = 1ull << 20;  // LOADED_HIGH: protected-mode code at 0x100000 and up
constexpr uint64_t k16M = 16ull << 20;
constexpr uint64_t k4G = 1ull << 32;
// i386 kernels run only from lowmem: the decompressor stops with "Destination address
// too large" when its heap (inside init_size) reaches 896 MiB (1 GiB of kernel space
// less 128 MiB of vmalloc)
// [arch/x86/boot/compressed/misc.c, (-__PAGE_OFFSET - (128 << 20) - 1) & 0x7fffffff].
constexpr uint64_t kI386KernelTop = 0x38000000;
constexpr uint64_t kLowMemTop = 0xa0000;   // 640K: top of conventional memory
constexpr uint64_t kBootDataMin = 0x3000;  // below it: real-mode IVT, BDA, trampolines
constexpr size_t kRngSeedSize = 32;

uint32_t E820Type(RangeType t) {
  switch (t) {
    case RangeType::kRam:
      return kE820Ram;
    case RangeType::kAcpi:
      return kE820Acpi;
    case RangeType::kNvs:
      return kE820Nvs;
    case RangeType::kUnusable:
      return kE820Unusable;
    case RangeType::kPmem:
      return kE820Pmem;
    case RangeType::kReserved:
    case RangeType::kOther:
      return kE820Reserved;
  }
  return kE820Reserved;
}

uint64_t Align16(uint64_t v) { return (v + 15) & ~uint64_t{15}; }

template <typename T>
void Put(std::vector<uint8_t>& b, size_t off, T v) {
  StoreUnchecked<T>(b.data() + off, v, Endian::kLittle);
}

}  // namespace

std::vector<E820Entry> E820FromMap(const std::vector<MemRange>& ranges) {
  std::vector<E820Entry> out;
  for (const MemRange& r : ranges) {
    if (r.type == RangeType::kOther) continue;  // PCI windows etc. are not e820 memory
    out.push_back({r.start, r.size(), E820Type(r.type)});
  }
  return out;
}

bool ChooseSerialConsole(const load::Options& opt, std::string_view cmdline, uint64_t* port,
                         uint32_t* divisor, bool* program_uart) {
  static constexpr uint64_t kPorts[] = {0x3f8, 0x2f8, 0x3e8, 0x2e8};
  bool on = opt.console_serial || opt.serial_port.has_value();
  uint64_t p = opt.serial_port.value_or(kPorts[0]);
  uint32_t baud = opt.serial_baud.value_or(0);
  // console=ttyS<n>[,<baud>...]: the new kernel's own serial console.
  for (size_t at = cmdline.find("console=ttyS"); at != std::string_view::npos;
       at = cmdline.find("console=ttyS", at + 1)) {
    if (at != 0 && cmdline[at - 1] != ' ') continue;
    const std::string_view rest = cmdline.substr(at + 12);
    if (rest.empty() || rest[0] < '0' || rest[0] > '3') continue;
    on = true;
    if (!opt.serial_port) p = kPorts[rest[0] - '0'];
    if (!opt.serial_baud && rest.size() > 2 && rest[1] == ',') {
      uint32_t b = 0;
      for (size_t i = 2; i < rest.size() && rest[i] >= '0' && rest[i] <= '9'; ++i) {
        b = b * 10 + static_cast<uint32_t>(rest[i] - '0');
        if (b > 115200) break;
      }
      if (b != 0 && b <= 115200 && 115200 % b == 0) baud = b;
    }
    break;
  }
  if (!on) return false;
  *port = p;
  *program_uart = baud != 0;  // keep the firmware's/kernel's speed unless told one
  *divisor = baud != 0 ? 115200 / baud : 1;
  return true;
}

uint64_t BootParamsSize(const BzImage& bz, size_t e820_count) {
  uint64_t size = sizeof(BootParams) + Align16(uint64_t{bz.cmdline_size} + 1);
  if (e820_count > kE820MaxEntriesZeroPage) {
    size += Align16(sizeof(SetupDataHeader) + (e820_count - kE820MaxEntriesZeroPage) * 20);
  }
  size += Align16(sizeof(SetupDataHeader) + kRngSeedSize);
  return size;
}

std::vector<uint8_t> BuildBootParams(const BzImage& bz, uint64_t addr, std::string_view cmdline,
                                     uint64_t kernel_addr, uint64_t initrd_addr,
                                     uint64_t initrd_size, const std::vector<E820Entry>& e820,
                                     std::span<const uint8_t> base_params,
                                     std::span<const uint8_t> rng_seed) {
  std::vector<uint8_t> b(BootParamsSize(bz, e820.size()), 0);
  constexpr size_t kHdr = offsetof(BootParams, hdr);
  // The setup header as the kernel image carries it [boot.rst: "copy the setup header"].
  std::memcpy(b.data() + kHdr, bz.setup_header.data(),
              std::min(bz.setup_header.size(), sizeof(SetupHeader)));
  if (base_params.size() >= sizeof(BootParams)) {
    std::memcpy(b.data(), base_params.data(), sizeof(BootParams::screen_info));
    if (bz.version >= 0x020e) {
      Put<uint64_t>(b, offsetof(BootParams, acpi_rsdp_addr),
                    Le<uint64_t>(base_params, offsetof(BootParams, acpi_rsdp_addr)));
    }
  }
  b[kHdr + offsetof(SetupHeader, type_of_loader)] = kTypeOfLoaderKexec;
  b[kHdr + offsetof(SetupHeader, loadflags)] |= kLoadedHigh;
  Put<uint32_t>(b, kHdr + offsetof(SetupHeader, code32_start), static_cast<uint32_t>(kernel_addr));
  Put<uint32_t>(b, kHdr + offsetof(SetupHeader, ramdisk_image), static_cast<uint32_t>(initrd_addr));
  Put<uint32_t>(b, kHdr + offsetof(SetupHeader, ramdisk_size), static_cast<uint32_t>(initrd_size));
  Put<uint32_t>(b, offsetof(BootParams, ext_ramdisk_image),
                static_cast<uint32_t>(initrd_addr >> 32));
  Put<uint32_t>(b, offsetof(BootParams, ext_ramdisk_size),
                static_cast<uint32_t>(initrd_size >> 32));

  const uint64_t cmd_off = sizeof(BootParams);
  std::memcpy(b.data() + cmd_off, cmdline.data(), cmdline.size());
  const uint64_t cmd_addr = addr + cmd_off;
  Put<uint32_t>(b, kHdr + offsetof(SetupHeader, cmd_line_ptr), static_cast<uint32_t>(cmd_addr));
  Put<uint32_t>(b, offsetof(BootParams, ext_cmd_line_ptr), static_cast<uint32_t>(cmd_addr >> 32));

  const size_t in_page = std::min<size_t>(e820.size(), kE820MaxEntriesZeroPage);
  b[offsetof(BootParams, e820_entries)] = static_cast<uint8_t>(in_page);
  auto put_e820 = [&](size_t off, const E820Entry& e) {
    Put<uint64_t>(b, off, e.addr);
    Put<uint64_t>(b, off + 8, e.size);
    Put<uint32_t>(b, off + 16, e.type);
  };
  for (size_t i = 0; i < in_page; ++i) put_e820(offsetof(BootParams, e820_table) + i * 20, e820[i]);

  // setup_data chain [boot.rst: setup_data]: extra e820 entries, then the RNG seed.
  uint64_t node = cmd_off + Align16(uint64_t{bz.cmdline_size} + 1);
  uint64_t* prev_next = nullptr;
  size_t prev_next_off = kHdr + offsetof(SetupHeader, setup_data);
  (void)prev_next;
  auto link_node = [&](uint64_t off, uint32_t type, uint32_t len) {
    Put<uint64_t>(b, prev_next_off, addr + off);
    Put<uint64_t>(b, off, 0);
    Put<uint32_t>(b, off + 8, type);
    Put<uint32_t>(b, off + 12, len);
    prev_next_off = off;
  };
  if (e820.size() > kE820MaxEntriesZeroPage) {
    const uint32_t len = static_cast<uint32_t>((e820.size() - in_page) * 20);
    link_node(node, kSetupE820Ext, len);
    for (size_t i = in_page; i < e820.size(); ++i)
      put_e820(node + 16 + (i - in_page) * 20, e820[i]);
    node += Align16(16 + len);
  }
  if (bz.version >= 0x0209 && rng_seed.size() == kRngSeedSize) {
    link_node(node, kSetupRngSeed, kRngSeedSize);
    std::memcpy(b.data() + node + 16, rng_seed.data(), kRngSeedSize);
  }
  return b;
}

namespace {

// The running kernel's paging levels: 5 when a mapping hint above the 47-bit user address
// space is honoured, which the kernel does only with 5-level paging on
// [Documentation/arch/x86/x86_64/5level-paging.rst: "User-space and large virtual
// address space"]; else 4. A 32-bit process cannot ask: 4.
int RunningPagingLevels() {
  if constexpr (sizeof(void*) < 8) {
    return 4;
  } else {
    void* hint = reinterpret_cast<void*>(uintptr_t{1} << 52);
    void* p = mmap(hint, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 4;
    const bool high = reinterpret_cast<uintptr_t>(p) >= (uintptr_t{1} << 47);
    munmap(p, 4096);
    return high ? 5 : 4;
  }
}

class X86Loader final : public load::ArchLoader {
 public:
  X86Loader(bool bits64, std::span<const uint8_t> purgatory)
      : bits64_(bits64), purgatory_(purgatory) {}

  const char* name() const override { return bits64_ ? "x86_64" : "i386"; }
  uint16_t elf_machine() const override { return bits64_ ? elf::kEmX86_64 : elf::kEm386; }
  Result<void> CheckOptions(const load::Options& opt) const override {
    const char* type = bits64_ ? "bzImage64" : "bzImage";
    if (!opt.type.empty() && opt.type != type) {
      return Fail("--type=", opt.type, ": kexkit loads bzImage kernels on ", name(), " (type ",
                  type, ")");
    }
    if (opt.args_linux) {
      return Fail("--args-linux: kexkit loads bzImage kernels on ", name(),
                  ", not ELF vmlinux; drop the option");
    }
    if (opt.dt_no_old_root) return Fail("--dt-no-old-root: a ppc64 option");
    if (!opt.dtb.empty()) {
      return Fail("--dtb=", opt.dtb, ": kexkit passes no device tree to an x86 kernel");
    }
    return {};
  }
  std::span<const uint8_t> purgatory_object() const override { return purgatory_; }
  Endian endian() const override { return Endian::kLittle; }

  Result<void> AddSegments(LoadContext& ctx) override {
    const load::Options& opt = ctx.opt;
    auto bz = ParseBzImage(ctx.kernel.bytes(), opt.kernel);
    if (!bz) return std::unexpected(bz.error());
    bz_ = *bz;
    const char* kn = opt.kernel.c_str();
    // Every header field that says how or where the kernel may be loaded is honoured
    // or the kernel is refused here, with one line, before anything is placed
    // [boot.rst, "The real-mode kernel header"; the kernel's bzImage64_probe and
    // kexec-tools' bzImage probes refuse the same].
    if (!(bz_.loadflags & kLoadedHigh)) {
      return FailIn(kn,
                    "a zImage (LOADED_HIGH clear in loadflags): its protected-mode code must run "
                    "at 0x10000; kexkit loads bzImages at 1 MiB and above");
    }
    if (bits64_ && !opt.entry_32bit) {
      if (bz_.version < 0x020c || !(bz_.xloadflags & kXlfKernel64)) {
        return FailIn(kn, "no 64-bit entry point (boot protocol ", bz_.version >> 8, ".",
                      Dec(bz_.version & 0xff, 2),
                      ", needs 2.12 with XLF_KERNEL_64); try --entry-32bit");
      }
      if (!(bz_.xloadflags & kXlfCanBeLoadedAbove4G)) {
        return FailIn(kn, "kernel cannot be loaded above 4 GiB (no XLF_CAN_BE_LOADED_ABOVE_4G)");
      }
      // The 64-bit entry runs on the paging the old kernel left: relocate_kernel keeps
      // CR4.LA57, which long mode cannot drop. A kernel without XLF_5LEVEL cannot start
      // that way [boot.rst: xloadflags; the kernel's bzImage64_probe refuses the same].
      const int levels = opt.paging_levels != 0 ? opt.paging_levels : RunningPagingLevels();
      if (levels == 5 && !(bz_.xloadflags & kXlf5Level)) {
        return FailIn(kn,
                      "the running kernel uses 5-level paging and this kernel cannot be entered "
                      "with it (no XLF_5LEVEL); try --entry-32bit");
      }
    }
    if (bz_.init_size == 0 || bz_.version < 0x020a) {
      return FailIn(kn, "boot protocol ", bz_.version >> 8, ".", Dec(bz_.version & 0xff, 2),
                    " has no init_size; kexkit needs 2.10 or later");
    }
    if (opt.crash && !bz_.relocatable) {
      return FailIn(kn,
                    "kernel is not relocatable; a capture kernel must run from the crash region");
    }
    if (ctx.cmdline.size() > bz_.cmdline_size) {
      return Fail("command line is ", ctx.cmdline.size(), " bytes; ", kn, " takes at most ",
                  bz_.cmdline_size);
    }

    // Kernel: init_size bytes from its runtime start [boot.rst: init_size]. A
    // relocatable kernel runs where it is loaded, aligned up to kernel_alignment, but
    // never below pref_address (LOAD_PHYSICAL_ADDR: the decompressor's startup_32 moves
    // a lower load up to it [arch/x86/boot/compressed/head_64.S]); so kexkit loads it
    // aligned (at least as aligned as min_alignment says it must be), at pref_address
    // when that is free, else at the lowest aligned fit above it, in the crash region
    // too. A non-relocatable one moves itself to pref_address: loaded there or refused.
    const uint64_t kmemsz = PageAlign(std::max<uint64_t>(bz_.init_size, bz_.kernel.size()));
    const uint64_t kmax = !bits64_ ? kI386KernelTop : opt.entry_32bit ? k4G : ~uint64_t{0};
    const auto pref = static_cast<unsigned long long>(bz_.pref_address);
    if (!bz_.relocatable) {
      if (bz_.pref_address < k1M || bz_.pref_address % kPageSize != 0) {
        return FailIn(kn, "not relocatable, and its pref_address ", Hex(pref), " is ",
                      bz_.pref_address < k1M ? "below 1 MiB" : "not page-aligned");
      }
      if (bz_.pref_address > kmax || kmax - bz_.pref_address < kmemsz) {
        return FailIn(kn, "not relocatable, and its pref_address ", Hex(pref), " + init_size ",
                      Hex(kmemsz), " is above the ", Hex(kmax), " this entry can reach");
      }
      if (!ctx.space.Claim(bz_.pref_address, kmemsz)) {
        return FailIn(kn, "not relocatable, and ", Hex(pref), " is not free RAM");
      }
      kernel_addr_ = bz_.pref_address;
    } else {
      if (bz_.kernel_alignment == 0) {
        return FailIn(kn, "relocatable, but kernel_alignment is 0 (no alignment to load it at)");
      }
      if (bz_.min_alignment >= 32) {
        return FailIn(kn, "min_alignment 2^", bz_.min_alignment,
                      " is not an alignment kexkit can honour");
      }
      const uint64_t kalign =
          std::max({uint64_t{bz_.kernel_alignment}, uint64_t{1} << bz_.min_alignment, kPageSize});
      const bool pref_ok = bz_.pref_address >= k1M && bz_.pref_address % kalign == 0 &&
                           bz_.pref_address <= kmax && kmax - bz_.pref_address >= kmemsz;
      if (pref_ok && ctx.space.Claim(bz_.pref_address, kmemsz)) {
        kernel_addr_ = bz_.pref_address;
      } else {
        auto a = ctx.space.Allocate(kmemsz, kalign, std::max(bz_.pref_address, k1M), kmax, false);
        if (!a) {
          return FailIn(kn, "no room for init_size ", Hex(kmemsz), " at or above its pref_address ",
                        Hex(pref), " (", a.error().Line(), ")");
        }
        kernel_addr_ = *a;
      }
    }
    ctx.plan.segments.push_back({bz_.kernel, kernel_addr_, kmemsz, "kernel"});

    uint64_t initrd_addr = 0, initrd_size = 0;
    if (!ctx.initrd.bytes().empty()) {
      initrd_size = ctx.initrd.bytes().size();
      const bool above4g = bits64_ && !opt.entry_32bit && (bz_.xloadflags & kXlfCanBeLoadedAbove4G);
      const uint64_t imax = above4g ? ~uint64_t{0} : uint64_t{bz_.initrd_addr_max} + 1;
      // [boot.rst: initrd_addr_max, the highest byte the initrd may occupy; ignored
      // with XLF_CAN_BE_LOADED_ABOVE_4G and the 64-bit entry, as the kernel's own
      // kexec_file loader does.]
      auto a = ctx.space.Allocate(PageAlign(initrd_size), kPageSize, opt.crash ? 0 : k16M, imax,
                                  /*top_down=*/true);
      if (!a && !above4g) {
        return FailIn(opt.initrd, "no room for the initrd below the kernel's initrd_addr_max ",
                      Hex(bz_.initrd_addr_max), " (", a.error().Line(), ")");
      }
      if (!a) return Wrap(opt.initrd, a.error());
      initrd_addr = *a;
      ctx.plan.segments.push_back(
          {ctx.initrd.bytes(), initrd_addr, PageAlign(initrd_size), "initrd"});
    }

    std::vector<E820Entry> e820;
    if (opt.crash) {
      auto crash = AddX86CrashSegments(ctx, bits64_);
      if (!crash) return std::unexpected(crash.error());
      e820 = E820FromMap(crash->capture_map);
      // Capture kernel command line additions [kexec-tools x86 crashdump].
      ctx.cmdline += crash->cmdline_extra;
      if (ctx.cmdline.size() > bz_.cmdline_size) {
        return Fail("command line with the kdump additions is ", ctx.cmdline.size(), " bytes; ", kn,
                    " takes at most ", bz_.cmdline_size);
      }
    } else {
      e820 = E820FromMap(ctx.map.ranges);
    }

    // Zero page + command line + setup_data, low (>= 0x3000) for a plain kexec, in the crash
    // region for -p; below 4 GiB so a 32-bit entry can reach it, except that a 64-bit
    // capture kernel takes it anywhere (lowest first): with crashkernel=X,high the only
    // region kexec_load accepts is above 4 GiB [kexec-tools bzImage64 does the same].
    const uint64_t bp_size = PageAlign(BootParamsSize(bz_, e820.size()));
    const bool entry64 = bits64_ && !opt.entry_32bit;
    auto bp = opt.crash
                  ? ctx.space.Allocate(bp_size, kPageSize, 0, entry64 ? ~uint64_t{0} : k4G, false)
                  : ctx.space.Allocate(bp_size, kPageSize, kBootDataMin, k4G, false);
    if (!bp) return Wrap("boot_params", bp.error());
    bp_addr_ = *bp;

    std::vector<uint8_t> base;
    if (auto f = load::ReadTextFile(opt.boot_params); f) base.assign(f->begin(), f->end());
    // A UEFI boot loader leaves acpi_rsdp_addr at 0 (the kernel found the RSDP in the EFI
    // configuration table); the new kernel gets no EFI runtime from kexkit, so hand it
    // the RSDP directly [boot.rst: acpi_rsdp_addr, protocol 2.14].
    base.resize(std::max(base.size(), sizeof(BootParams)), 0);
    if (Le<uint64_t>(base, offsetof(BootParams, acpi_rsdp_addr)) == 0) {
      StoreUnchecked<uint64_t>(base.data() + offsetof(BootParams, acpi_rsdp_addr),
                               ReadEfiAcpiRsdp(opt.sysfs).value_or(0), Endian::kLittle);
    }
    // A SETUP_RNG_SEED for the new kernel, only from an initialized CRNG and never by
    // waiting for one: a blocking getrandom() early after boot held the load for the
    // rest of the CRNG's initialization (1.5 s of a 2 s `-p` in a TCG guest). Without
    // one the entry is left out, as the kernel's own kexec_file (setup_rng_seed:
    // rng_is_initialized) and kexec-tools (GRND_NONBLOCK) do.
    uint8_t seed[kRngSeedSize];
    const bool seeded =
        getrandom(seed, sizeof(seed), GRND_NONBLOCK) == static_cast<ssize_t>(sizeof(seed));
    auto bytes =
        BuildBootParams(bz_, bp_addr_, ctx.cmdline, kernel_addr_, initrd_addr, initrd_size, e820,
                        base, seeded ? std::span<const uint8_t>(seed) : std::span<const uint8_t>());
    ctx.plan.segments.push_back({ctx.plan.Own(std::move(bytes)), bp_addr_, bp_size, "boot_params"});

    uint64_t port;
    uint32_t divisor;
    bool program;
    if (ChooseSerialConsole(opt, ctx.cmdline, &port, &divisor, &program)) {
      ctx.params.flags |= abi::kFlagConsoleSerial | (program ? abi::kFlagSerialInit : 0);
      ctx.params.serial_port = port;
      ctx.params.serial_divisor = divisor;
    }
    return {};
  }

  std::pair<uint64_t, uint64_t> PurgatoryWindow(const LoadContext& ctx) const override {
    // Low memory for a plain kexec, as kexec-tools does; anywhere in the crash region
    // for -p. Below 4 GiB where the 32-bit hand-off runs with paging off; the 64-bit
    // one (position-independent, identity-mapped) may sit in a crash region above 4 GiB.
    if (ctx.opt.crash) return {0, bits64_ && !ctx.opt.entry_32bit ? ~uint64_t{0} : k4G};
    return {kBootDataMin, kLowMemTop};
  }

  Result<void> Patch(LoadContext& ctx, link::LinkedImage& image) override {
    if (bits64_) {
      auto stack = image.SymbolAddress("kexkit_stack_top");
      if (!stack) return std::unexpected(stack.error());
      std::vector<uint8_t> regs(sizeof(abi::EntryX86_64), 0);
      Put<uint64_t>(regs, offsetof(abi::EntryX86_64, rsi), bp_addr_);
      Put<uint64_t>(regs, offsetof(abi::EntryX86_64, rsp), *stack);
      Put<uint64_t>(regs, offsetof(abi::EntryX86_64, rip), kernel_addr_ + 0x200);
      if (ctx.opt.entry_32bit)
        Put<uint64_t>(regs, offsetof(abi::EntryX86_64, entry32), kernel_addr_);
      return image.SetSymbol("kexkit_entry_x86_64", regs);
    }
    auto stack = image.SymbolAddress("kexkit_stack_top");
    if (!stack) return std::unexpected(stack.error());
    std::vector<uint8_t> regs(sizeof(abi::EntryI386), 0);  // ebx = ebp = edi = 0
    Put<uint32_t>(regs, offsetof(abi::EntryI386, esi), static_cast<uint32_t>(bp_addr_));
    Put<uint32_t>(regs, offsetof(abi::EntryI386, esp), static_cast<uint32_t>(*stack));
    Put<uint32_t>(regs, offsetof(abi::EntryI386, eip), static_cast<uint32_t>(kernel_addr_));
    return image.SetSymbol("kexkit_entry_i386", regs);
  }

 private:
  bool bits64_;
  std::span<const uint8_t> purgatory_;
  BzImage bz_;
  uint64_t kernel_addr_ = 0;
  uint64_t bp_addr_ = 0;
};

}  // namespace

std::unique_ptr<load::ArchLoader> MakeX86Loader(X86Width width,
                                                std::span<const uint8_t> purgatory) {
  return std::make_unique<X86Loader>(width == X86Width::k64, purgatory);
}

}  // namespace kexkit::x86
