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
    return FailIn(n, "not an ELF file (ppc64 boots a vmlinux ELF)");
  }
  if (f[4] != elf::kClass64) return FailIn(n, "not a 64-bit ELF file");
  if (f[5] != elf::kData2Lsb && f[5] != elf::kData2Msb) return FailIn(n, "bad ELF byte order");
  Vmlinux vm;
  vm.endian = f[5] == elf::kData2Lsb ? Endian::kLittle : Endian::kBig;
  const elf::ClassLayout& L = elf::kLayout64;
  auto get = [&](uint64_t rec, elf::Field fl) { return elf::Get(f.data() + rec, fl, vm.endian); };
  const uint64_t type = get(0, L.ehdr.type), machine = get(0, L.ehdr.machine);
  if (type != elf::kEtExec && type != elf::kEtDyn) {
    return FailIn(n, "ELF type ", type, " is not an executable");
  }
  if (machine != elf::kEmPpc64) return FailIn(n, "ELF machine ", machine, " is not PowerPC64 (21)");
  if (f[6] != 1 || get(0, L.ehdr.version) != 1)
    return FailIn(n, "unknown ELF version (not EV_CURRENT)");
  vm.abi = static_cast<uint32_t>(get(0, L.ehdr.flags) & 3);
  // [ELFv2 ABI 1.1 / e_flags]: 1 ELFv1, 2 ELFv2, 0 unspecified (old ELFv1 kernels).
  if (vm.abi == 3) return FailIn(n, "e_flags ABI 3 is neither ELFv1 nor ELFv2");
  const uint64_t entry = get(0, L.ehdr.entry), phoff = get(0, L.ehdr.phoff);
  const uint64_t phentsize = get(0, L.ehdr.phentsize), phnum = get(0, L.ehdr.phnum);
  if (phnum == 0) return FailIn(n, "no program headers");
  if (phentsize != L.phdr.size) {
    return FailIn(n, "program header size ", phentsize, ", expected ", L.phdr.size);
  }
  if (phoff > f.size() || phnum * phentsize > f.size() - phoff) {
    return FailIn(n, "program header table runs past the end of the file");
  }

  std::vector<PtLoad> loads;
  for (uint64_t i = 0; i < phnum; ++i) {
    const uint64_t h = phoff + i * phentsize;
    if (get(h, L.phdr.type) != elf::kPtLoad) continue;
    const PtLoad pt{get(h, L.phdr.offset), get(h, L.phdr.vaddr), get(h, L.phdr.paddr),
                    get(h, L.phdr.filesz), get(h, L.phdr.memsz)};
    if (pt.filesz > pt.memsz) return FailIn(n, "PT_LOAD ", i, " has p_filesz > p_memsz");
    if (pt.offset > f.size() || pt.filesz > f.size() - pt.offset) {
      return FailIn(n, "PT_LOAD ", i, " (offset ", Hex(pt.offset), ", size ", Hex(pt.filesz),
                    ") runs past the end of the file");
    }
    if (pt.memsz > kMaxImage) return FailIn(n, "PT_LOAD ", i, " is larger than 1 GiB");
    if (pt.paddr + pt.memsz < pt.paddr || pt.vaddr + pt.memsz < pt.vaddr) {
      return FailIn(n, "PT_LOAD ", i, " wraps the address space");
    }
    if (!loads.empty()) {
      const PtLoad& p = loads.back();
      if (pt.paddr < p.paddr + p.memsz || pt.vaddr - pt.paddr != p.vaddr - p.paddr) {
        return FailIn(n, "PT_LOAD ", i, " overlaps or is out of order with the one before");
      }
    }
    loads.push_back(pt);
  }
  if (loads.empty()) return FailIn(n, "no PT_LOAD segment");
  const PtLoad& first = loads.front();
  const PtLoad& last = loads.back();
  vm.memsz = last.paddr + last.memsz - first.paddr;
  if (vm.memsz > kMaxImage) return FailIn(n, "load image is larger than 1 GiB");
  // The image is placed as a whole at one address [kexec-tools: one hole for the kernel];
  // PT_LOADs keep their distances from the first.
  if (entry < first.vaddr || entry - first.vaddr >= vm.memsz) {
    return FailIn(n, "entry point ", Hex(entry), " is outside the load image");
  }
  if (entry % 4 != 0) {
    return FailIn(n, "entry point ", Hex(entry), " is not on an instruction (4-byte) boundary");
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
    return FailIn(n, "load image has ", vm.bytes.size(),
                  " file bytes, less than its 0x100-byte head");
  }
  uint32_t run_at_load = 0;
  Load<uint32_t>(vm.bytes, kRunAtLoadOffset, vm.endian, &run_at_load);
  vm.relocatable = run_at_load == kRunAtZeroMagic;
  // A kernel that is not relocatable runs only where it was linked: Book3S kernels
  // copy themselves down to 0 at boot, which is where kexkit's plan expects them.
  if (!vm.relocatable && first.paddr != 0) {
    return FailIn(n, "not relocatable, and linked to run at ", Hex(first.paddr), ", not 0");
  }
  return vm;
}

}  // namespace kexkit::ppc64
