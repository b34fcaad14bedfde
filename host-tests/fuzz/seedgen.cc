// kk-fuzz-seedgen: writes seed inputs for the fuzz targets from what the build already
// has (seeds.sh runs it at test time; nothing binary is checked in).
//
//   kk-fuzz-seedgen elf OUTDIR OBJECT...    each object, and the same tables re-encoded
//                                           as ELF32/ELF64 x LSB/MSB x i386, x86_64,
//                                           ppc64 and an unsupported machine
//   kk-fuzz-seedgen bzimage OUTDIR [VMLINUZ] the first 512 KiB of VMLINUZ (the header is
//                                           in the first few KiB) and synthetic headers
//   kk-fuzz-seedgen x86load OUTDIR [VMLINUZ] fuzz-x86-load inputs: option byte, length
//                                           byte, a complete small bzImage (VMLINUZ's
//                                           setup code with a 4 KiB protected-mode part)
//   kk-fuzz-seedgen vmlinux OUTDIR          small ppc64 vmlinux ELF files, both byte
//                                           orders, one or three PT_LOADs
//   kk-fuzz-seedgen kcore OUTDIR            /proc/kcore heads: ELF32/ELF64, LSB/MSB,
//                                           PN_XNUM
//   kk-fuzz-seedgen fdt OUTDIR              device trees with dynamic (LMB) memory, v1
//                                           and v2 lists (only when built with libfdt)
//
// Exit status 0 even when an input is unusable (it is skipped with a note): seeds are
// best effort, the fuzzers still run on whatever was written.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <string>
#include <tuple>
#include <vector>

#if KK_SEEDGEN_FDT
extern "C" {
#include <libfdt.h>
}
#endif

#include "fuzz/bzimage-writer.h"
#include "fuzz/elf-writer.h"

namespace {

std::vector<uint8_t> ReadAll(const std::string& path) {
  std::vector<uint8_t> out;
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    uint8_t buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.insert(out.end(), buf, buf + n);
    std::fclose(f);
  }
  return out;
}

void Write(const std::string& path, const std::vector<uint8_t>& b) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(b.data(), 1, b.size(), f) != b.size()) {
    std::fprintf(stderr, "kk-fuzz-seedgen: cannot write %s\n", path.c_str());
  }
  if (f) std::fclose(f);
}

// "<n>-<parent directory>_<file name>": stable across runs, unique per input.
std::string Stem(const std::string& path, int n) {
  const size_t slash = path.rfind('/');
  const std::string file = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string parent;
  if (slash != std::string::npos && slash > 0) {
    const size_t p = path.rfind('/', slash - 1);
    parent = path.substr(p == std::string::npos ? 0 : p + 1,
                         slash - (p == std::string::npos ? 0 : p + 1)) +
             "_";
  }
  return std::to_string(n) + "-" + parent + file;
}

int Elf(const std::string& out, int argc, char** argv) {
  using kexkit::Endian;
  using kexkit::link::ElfClass;
  for (int i = 0; i < argc; ++i) {
    const std::string path = argv[i];
    const auto bytes = ReadAll(path);
    auto edit = kktest::ElfEdit::From(bytes);
    if (!edit) {
      std::fprintf(stderr, "kk-fuzz-seedgen: %s: not a relocatable object, skipped\n",
                   path.c_str());
      continue;
    }
    const std::string stem = out + "/" + Stem(path, i);
    Write(stem, bytes);
    for (ElfClass cls : {ElfClass::k32, ElfClass::k64}) {
      for (Endian e : {Endian::kLittle, Endian::kBig}) {
        for (uint16_t machine : {uint16_t{3}, uint16_t{62}, uint16_t{21}, uint16_t{183}}) {
          kktest::ElfEdit v = *edit;
          v.cls = cls;
          v.endian = e;
          v.machine = machine;
          Write(stem + "-" + (cls == ElfClass::k32 ? "32" : "64") +
                    (e == Endian::kLittle ? "lsb" : "msb") + "-em" + std::to_string(machine),
                v.Encode());
        }
      }
    }
  }
  return 0;
}

std::vector<kktest::BzSpec> SyntheticSpecs() {
  std::vector<kktest::BzSpec> v;
  kktest::BzSpec s;
  s.kernel_bytes = 4096;
  v.push_back(s);  // a modern 64-bit kernel
  auto t = s;
  t.xloadflags = 0;
  v.push_back(t);  // i386 only
  t = s;
  t.relocatable = 0;
  v.push_back(t);  // not relocatable
  t = s;
  t.version = 0x0209;
  v.push_back(t);  // no init_size
  t = s;
  t.version = 0x0201;
  v.push_back(t);  // too old
  t = s;
  t.cmdline_size = 255;
  v.push_back(t);
  t = s;
  t.setup_sects = 0;
  v.push_back(t);  // 0 means 4
  t = s;
  t.kernel_alignment = 0x1000;
  t.pref_address = 0x100000;
  v.push_back(t);
  return v;
}

int BzImage(const std::string& out, const char* vmlinuz) {
  if (vmlinuz != nullptr) {
    auto b = ReadAll(vmlinuz);
    if (b.size() > (512u << 10)) b.resize(512u << 10);
    if (!b.empty()) Write(out + "/vmlinuz-head", b);
  }
  int i = 0;
  for (const auto& s : SyntheticSpecs())
    Write(out + "/synthetic-" + std::to_string(i++), kktest::MakeBzImage(s));
  return 0;
}

int X86Load(const std::string& out, const char* vmlinuz) {
  std::vector<std::vector<uint8_t>> kernels;
  if (vmlinuz != nullptr) {
    auto b = ReadAll(vmlinuz);
    if (b.size() > 0x1000) {
      const size_t setup = (size_t{b[0x1f1] == 0 ? 4u : b[0x1f1]} + 1) * 512;
      if (setup + 4096 <= b.size()) {
        b.resize(setup + 4096);
        const uint32_t syssize = 4096 / 16;
        std::memcpy(&b[0x1f4], &syssize, 4);  // little-endian host (x86)
        kernels.push_back(b);
      }
    }
  }
  for (const auto& s : SyntheticSpecs()) kernels.push_back(kktest::MakeBzImage(s));
  int i = 0;
  for (const auto& k : kernels) {
    for (uint8_t flags : {0, 1, 2, 4, 8, 12, 16, 32}) {
      std::vector<uint8_t> in{flags, 3};
      in.insert(in.end(), k.begin(), k.end());
      Write(out + "/k" + std::to_string(i) + "-f" + std::to_string(flags), in);
    }
    ++i;
  }
  return 0;
}

// Small ppc64 vmlinux files [gABI ch. 4-5]: an ELF64 EM_PPC64 ET_EXEC header, then
// `loads` PT_LOADs of 0x2000 file bytes (0x3000 in memory) one after the other, "run0"
// at 0x5c of the first when `relocatable`.
std::vector<uint8_t> Vmlinux(kexkit::Endian e, int loads, bool relocatable) {
  namespace elf = kexkit::elf;
  const elf::ClassLayout& L = elf::kLayout64;
  const uint64_t vbase = 0xc000000000000000ull, off0 = 0x1000, step = 0x3000;
  std::vector<uint8_t> b(off0 + loads * step, 0);
  auto put = [&](size_t rec, elf::Field f, uint64_t v) { elf::Put(&b[rec], f, v, e); };
  std::copy(std::begin(elf::kMagic), std::end(elf::kMagic), b.begin());
  b[4] = L.class_id;
  b[5] = e == kexkit::Endian::kLittle ? elf::kData2Lsb : elf::kData2Msb;
  b[6] = 1;
  put(0, L.ehdr.type, elf::kEtExec);
  put(0, L.ehdr.machine, elf::kEmPpc64);
  put(0, L.ehdr.version, 1);
  put(0, L.ehdr.entry, vbase + 0x100);
  put(0, L.ehdr.phoff, L.ehdr.size);
  put(0, L.ehdr.flags, e == kexkit::Endian::kLittle ? 2 : 1);  // ELFv2 / ELFv1
  put(0, L.ehdr.ehsize, L.ehdr.size);
  put(0, L.ehdr.phentsize, L.phdr.size);
  put(0, L.ehdr.phnum, static_cast<uint64_t>(loads));
  for (int i = 0; i < loads; ++i) {
    const size_t h = L.ehdr.size + i * L.phdr.size;
    put(h, L.phdr.type, elf::kPtLoad);
    put(h, L.phdr.flags, 7);
    put(h, L.phdr.offset, off0 + i * step);
    put(h, L.phdr.vaddr, vbase + i * step);
    put(h, L.phdr.paddr, i * step);
    put(h, L.phdr.filesz, 0x2000);
    put(h, L.phdr.memsz, 0x3000);
    put(h, L.phdr.align, 0x1000);
  }
  if (relocatable) kexkit::StoreUnchecked<uint32_t>(&b[off0 + 0x5c], 0x72756e30, e);  // "run0"
  return b;
}

int VmlinuxSeeds(const std::string& out) {
  for (auto e : {kexkit::Endian::kLittle, kexkit::Endian::kBig}) {
    for (int loads : {1, 3}) {
      for (bool reloc : {false, true}) {
        Write(out + "/vmlinux-" + (e == kexkit::Endian::kLittle ? "le" : "be") + "-" +
                  std::to_string(loads) + (reloc ? "-run0" : ""),
              Vmlinux(e, loads, reloc));
      }
    }
  }
  return 0;
}

// /proc/kcore heads [fs/proc/kcore.c]: an ET_CORE header and program headers (a note,
// the kernel text, a direct-map range, vmalloc with no physical address), ELF64 LSB and
// MSB, an ELF32 one, and one with phnum = PN_XNUM (the count in section header 0).
std::vector<uint8_t> Kcore(bool is64, kexkit::Endian e, bool xnum) {
  namespace elf = kexkit::elf;
  struct Load {
    uint32_t type;
    uint64_t vaddr, paddr, size;
  };
  const std::vector<Load> loads = {{4, 0, 0, 0x1000},
                                   {1, 0xffffffff81000000ull, 0x1000000, 0x2000000},
                                   {1, 0xffff888000000000ull, 0, 0x40000000},
                                   {1, 0xffffc90000000000ull, ~uint64_t{0}, 0x1000000}};
  const elf::ClassLayout& L = elf::LayoutOf(is64);
  const size_t shoff = L.ehdr.size + loads.size() * L.phdr.size;
  std::vector<uint8_t> b(shoff + L.shdr.size, 0);
  auto put = [&](size_t rec, elf::Field f, uint64_t v) { elf::Put(&b[rec], f, v, e); };
  std::copy(std::begin(elf::kMagic), std::end(elf::kMagic), b.begin());
  b[4] = L.class_id;
  b[5] = e == kexkit::Endian::kLittle ? elf::kData2Lsb : elf::kData2Msb;
  b[6] = 1;
  put(0, L.ehdr.type, elf::kEtCore);
  put(0, L.ehdr.machine, is64 ? elf::kEmX86_64 : elf::kEm386);
  put(0, L.ehdr.version, 1);
  put(0, L.ehdr.phoff, L.ehdr.size);
  put(0, L.ehdr.shoff, shoff);
  put(0, L.ehdr.phentsize, L.phdr.size);
  put(0, L.ehdr.phnum, xnum ? 0xffff : loads.size());
  put(shoff, L.shdr.info, loads.size());  // PN_XNUM's real count
  for (size_t i = 0; i < loads.size(); ++i) {
    const size_t h = L.ehdr.size + i * L.phdr.size;
    put(h, L.phdr.type, loads[i].type);
    put(h, L.phdr.vaddr, loads[i].vaddr);
    put(h, L.phdr.paddr, loads[i].paddr);
    put(h, L.phdr.filesz, loads[i].size);
    put(h, L.phdr.memsz, loads[i].size);
  }
  return b;
}

int KcoreSeeds(const std::string& out) {
  Write(out + "/kcore64-lsb", Kcore(true, kexkit::Endian::kLittle, false));
  Write(out + "/kcore64-msb", Kcore(true, kexkit::Endian::kBig, false));
  Write(out + "/kcore32-lsb", Kcore(false, kexkit::Endian::kLittle, false));
  Write(out + "/kcore64-xnum", Kcore(true, kexkit::Endian::kLittle, true));
  return 0;
}

#if KK_SEEDGEN_FDT
// A pseries-like tree with ibm,dynamic-reconfiguration-memory (QEMU adds the node only
// after client-architecture-support, so its dumpdtb has none): 256 MiB LMBs, reserved
// boot memory, an assigned DIMM and unassigned space, as a v2 list or as a v1 list.
std::vector<uint8_t> DrconfTree(bool v2) {
  auto be32 = [](std::string& s, uint32_t v) {
    uint8_t x[4];
    kexkit::StoreUnchecked<uint32_t>(x, v, kexkit::Endian::kBig);
    s.append(reinterpret_cast<char*>(x), 4);
  };
  auto be64 = [&](std::string& s, uint64_t v) {
    be32(s, static_cast<uint32_t>(v >> 32));
    be32(s, static_cast<uint32_t>(v));
  };
  std::string list;
  if (v2) {  // entries: LMB count, base, drc index, associativity index, flags
    be32(list, 3);
    for (auto [n, base, flags] : {std::tuple<uint32_t, uint64_t, uint32_t>{8, 0, 0xa0},
                                  {4, 0x80000000, 0x108},
                                  {4, 0xc0000000, 0}}) {
      be32(list, n);
      be64(list, base);
      be32(list, 0x80000000u | static_cast<uint32_t>(base >> 28));
      be32(list, 0xffffffff);
      be32(list, flags);
    }
  } else {  // entries: base, drc index, reserved, associativity index, flags
    be32(list, 6);
    for (uint64_t i = 0; i < 6; ++i) {
      be64(list, 0x80000000 + (i << 28));
      be32(list, 0x80000008u + static_cast<uint32_t>(i));
      be32(list, 0);
      be32(list, 0);
      be32(list, i % 3 == 1 ? 0 : 0x8);  // every third LMB unassigned
    }
  }
  std::string reg, lmb;
  be64(reg, 0);
  be64(reg, 0x80000000);
  be64(lmb, 0x10000000);
  std::vector<uint8_t> b(8192);
  void* fdt = b.data();
  fdt_create(fdt, static_cast<int>(b.size()));
  fdt_finish_reservemap(fdt);
  fdt_begin_node(fdt, "");
  fdt_property_u32(fdt, "#address-cells", 2);
  fdt_property_u32(fdt, "#size-cells", 2);
  fdt_begin_node(fdt, "chosen");
  fdt_property_u64(fdt, "linux,crashkernel-base", 0x20000000);
  fdt_property_u64(fdt, "linux,crashkernel-size", 0x10000000);
  fdt_end_node(fdt);
  fdt_begin_node(fdt, "memory@0");
  fdt_property_string(fdt, "device_type", "memory");
  fdt_property(fdt, "reg", reg.data(), static_cast<int>(reg.size()));
  fdt_end_node(fdt);
  fdt_begin_node(fdt, "ibm,dynamic-reconfiguration-memory");
  fdt_property(fdt, "ibm,lmb-size", lmb.data(), static_cast<int>(lmb.size()));
  fdt_property(fdt, v2 ? "ibm,dynamic-memory-v2" : "ibm,dynamic-memory", list.data(),
               static_cast<int>(list.size()));
  fdt_end_node(fdt);
  fdt_end_node(fdt);
  if (fdt_finish(fdt) != 0) return {};
  b.resize(fdt_totalsize(fdt));
  return b;
}

int FdtSeeds(const std::string& out) {
  Write(out + "/drconf-v2.dtb", DrconfTree(true));
  Write(out + "/drconf-v1.dtb", DrconfTree(false));
  return 0;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: kk-fuzz-seedgen elf|bzimage|x86load OUTDIR [INPUT...]\n");
    return 2;
  }
  const std::string mode = argv[1], out = argv[2];
  if (mode == "elf") return Elf(out, argc - 3, argv + 3);
  if (mode == "bzimage") return BzImage(out, argc > 3 ? argv[3] : nullptr);
  if (mode == "x86load") return X86Load(out, argc > 3 ? argv[3] : nullptr);
  if (mode == "vmlinux") return VmlinuxSeeds(out);
  if (mode == "kcore") return KcoreSeeds(out);
#if KK_SEEDGEN_FDT
  if (mode == "fdt") return FdtSeeds(out);
#endif
  std::fprintf(stderr, "kk-fuzz-seedgen: unknown mode %s\n", mode.c_str());
  return 2;
}
