#include "arch/ppc64/vmlinux.h"

#include <cstring>

#include "base/elf.h"

namespace kexkit::ppc64 {
namespace {

constexpr uint64_t kMaxImage = 1ull << 30;

struct PtLoad {
  uint64_t offset, vaddr, paddr, filesz, memsz;
};

}  // namespace

Result<Vmlinux> ParseVmlinux(std::span<const uint8_t> f, const std::string& name) {
  const char* n = name.c_str();
  if (f.size() < 64 || std::memcmp(f.data(), elf::kMagic, 4) != 0) {
    return Fail("%s: not an ELF file (ppc64 boots a vmlinux ELF)", n);
  }
  if (f[4] != elf::kClass64) return Fail("%s: not a 64-bit ELF file", n);
  if (f[5] != elf::kData2Lsb && f[5] != elf::kData2Msb) return Fail("%s: bad ELF byte order", n);
  Vmlinux vm;
  vm.endian = f[5] == elf::kData2Lsb ? Endian::kLittle : Endian::kBig;
  auto u16 = [&](uint64_t o) { return LoadUnchecked<uint16_t>(f.data() + o, vm.endian); };
  auto u32 = [&](uint64_t o) { return LoadUnchecked<uint32_t>(f.data() + o, vm.endian); };
  auto u64 = [&](uint64_t o) { return LoadUnchecked<uint64_t>(f.data() + o, vm.endian); };
  const uint16_t type = u16(16), machine = u16(18);
  if (type != elf::kEtExec && type != elf::kEtDyn) {
    return Fail("%s: ELF type %u is not an executable", n, type);
  }
  if (machine != elf::kEmPpc64) return Fail("%s: ELF machine %u is not PowerPC64 (21)", n, machine);
  if (f[6] != 1 || u32(20) != 1) return Fail("%s: unknown ELF version (not EV_CURRENT)", n);
  vm.abi = u32(48) & 3;
  // [ELFv2 ABI 1.1 / e_flags]: 1 ELFv1, 2 ELFv2, 0 unspecified (old ELFv1 kernels).
  if (vm.abi == 3) return Fail("%s: e_flags ABI 3 is neither ELFv1 nor ELFv2", n);
  const uint64_t entry = u64(24), phoff = u64(32);
  const uint16_t phentsize = u16(54), phnum = u16(56);
  if (phnum == 0) return Fail("%s: no program headers", n);
  if (phentsize != 56) return Fail("%s: program header size %u, expected 56", n, phentsize);
  if (phoff > f.size() || uint64_t{phnum} * phentsize > f.size() - phoff) {
    return Fail("%s: program header table runs past the end of the file", n);
  }

  std::vector<PtLoad> loads;
  for (uint16_t i = 0; i < phnum; ++i) {
    const uint64_t h = phoff + uint64_t{i} * phentsize;
    if (u32(h) != elf::kPtLoad) continue;
    const PtLoad l{u64(h + 8), u64(h + 16), u64(h + 24), u64(h + 32), u64(h + 40)};
    if (l.filesz > l.memsz) return Fail("%s: PT_LOAD %u has p_filesz > p_memsz", n, i);
    if (l.offset > f.size() || l.filesz > f.size() - l.offset) {
      return Fail("%s: PT_LOAD %u (offset 0x%llx, size 0x%llx) runs past the end of the file", n, i,
                  static_cast<unsigned long long>(l.offset),
                  static_cast<unsigned long long>(l.filesz));
    }
    if (l.memsz > kMaxImage) return Fail("%s: PT_LOAD %u is larger than 1 GiB", n, i);
    if (l.paddr + l.memsz < l.paddr || l.vaddr + l.memsz < l.vaddr) {
      return Fail("%s: PT_LOAD %u wraps the address space", n, i);
    }
    if (!loads.empty()) {
      const PtLoad& p = loads.back();
      if (l.paddr < p.paddr + p.memsz || l.vaddr - l.paddr != p.vaddr - p.paddr) {
        return Fail("%s: PT_LOAD %u overlaps or is out of order with the one before", n, i);
      }
    }
    loads.push_back(l);
  }
  if (loads.empty()) return Fail("%s: no PT_LOAD segment", n);
  const PtLoad& first = loads.front();
  const PtLoad& last = loads.back();
  vm.memsz = last.paddr + last.memsz - first.paddr;
  if (vm.memsz > kMaxImage) return Fail("%s: load image is larger than 1 GiB", n);
  // The image is placed as a whole at one address [kexec-tools: one hole for the kernel];
  // PT_LOADs keep their distances from the first.
  if (entry < first.vaddr || entry - first.vaddr >= vm.memsz) {
    return Fail("%s: entry point 0x%llx is outside the load image", n,
                static_cast<unsigned long long>(entry));
  }
  if (entry % 4 != 0) {
    return Fail("%s: entry point 0x%llx is not on an instruction (4-byte) boundary", n,
                static_cast<unsigned long long>(entry));
  }
  vm.entry_offset = entry - first.vaddr;
  if (loads.size() == 1) {
    vm.bytes = f.subspan(first.offset, first.filesz);
  } else {
    const uint64_t filesz = last.paddr - first.paddr + last.filesz;
    vm.joined.assign(filesz, 0);
    for (const PtLoad& l : loads) {
      // filesz 0 may leave `joined` empty: memcpy must not see its null data().
      if (l.filesz != 0) {
        std::memcpy(vm.joined.data() + (l.paddr - first.paddr), f.data() + l.offset, l.filesz);
      }
    }
    vm.bytes = vm.joined;
  }
  if (vm.bytes.size() < kHeadSize) {
    return Fail("%s: load image has %zu file bytes, less than its 0x100-byte head", n,
                vm.bytes.size());
  }
  uint32_t run_at_load = 0;
  Load<uint32_t>(vm.bytes, kRunAtLoadOffset, vm.endian, &run_at_load);
  vm.relocatable = run_at_load == kRunAtZeroMagic;
  // A kernel that is not relocatable runs only where it was linked: Book3S kernels
  // copy themselves down to 0 at boot, which is where kexkit's plan expects them.
  if (!vm.relocatable && first.paddr != 0) {
    return Fail("%s: not relocatable, and linked to run at 0x%llx, not 0", n,
                static_cast<unsigned long long>(first.paddr));
  }
  return vm;
}

}  // namespace kexkit::ppc64
