// Shared by the kdump unit tests: the sample inputs under host-tests/data and a writer
// for small /proc/kcore look-alikes (ELF core headers only, as `head -c 16K /proc/kcore`
// saves them), so no binary sample is checked in. Header-only.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/elf.h"

namespace kktest {

inline std::string DataPath(const std::string& name) {
  return std::string(KK_TEST_DATA_DIR) + "/" + name;
}

struct KcorePhdr {
  uint32_t type;  // 1 PT_LOAD, 4 PT_NOTE
  uint64_t vaddr, paddr, size;
};

// An ELF64 (or ELF32) ET_CORE header with `phdrs`, in the given byte order.
inline std::vector<uint8_t> KcoreBytes(const std::vector<KcorePhdr>& phdrs, bool elf64 = true,
                                       kexkit::Endian e = kexkit::Endian::kLittle) {
  namespace elf = kexkit::elf;
  const elf::ClassLayout& L = elf::LayoutOf(elf64);
  std::vector<uint8_t> b(L.ehdr.size + L.phdr.size * phdrs.size(), 0);
  auto put = [&](size_t rec, elf::Field f, uint64_t v) { elf::Put(b.data() + rec, f, v, e); };
  std::copy(std::begin(elf::kMagic), std::end(elf::kMagic), b.begin());
  b[4] = L.class_id;
  b[5] = e == kexkit::Endian::kLittle ? elf::kData2Lsb : elf::kData2Msb;
  b[6] = 1;
  put(0, L.ehdr.type, elf::kEtCore);
  put(0, L.ehdr.machine, elf::kEmX86_64);
  put(0, L.ehdr.version, 1);
  put(0, L.ehdr.phoff, L.ehdr.size);
  put(0, L.ehdr.ehsize, L.ehdr.size);
  put(0, L.ehdr.phentsize, L.phdr.size);
  put(0, L.ehdr.phnum, phdrs.size());
  for (size_t i = 0; i < phdrs.size(); ++i) {
    const size_t p = L.ehdr.size + i * L.phdr.size;
    const KcorePhdr& h = phdrs[i];
    put(p, L.phdr.type, h.type);
    put(p, L.phdr.flags, 7);
    put(p, L.phdr.offset, 0x1000 + i * 0x1000);
    put(p, L.phdr.vaddr, h.vaddr);
    put(p, L.phdr.paddr, h.paddr);
    put(p, L.phdr.filesz, h.size);
    put(p, L.phdr.memsz, h.size);
    put(p, L.phdr.align, 0x1000);
  }
  return b;
}

// The kdump e2e guest's kcore (Debian 6.1, KASLR): text, direct map, vmalloc, vmemmap.
inline std::vector<KcorePhdr> QemuGuestKcore() {
  constexpr uint64_t kNone = ~uint64_t{0};
  return {{4, 0, 0, 0x273c},
          {1, 0xffffffffadc00000, 0x1e600000, 0x3430000},
          {1, 0xffffce2d00000000, kNone, 0x1fffffffffff},
          {1, 0xffffffffc0000000, kNone, 0x3f000000},
          {1, 0xffff89c0c0001000, 0x1000, 0x9e000},
          {1, 0xfffff4d280000000, kNone, 0x3000},
          {1, 0xffff89c0c0100000, 0x100000, 0x3fee0000},
          {1, 0xfffff4d280004000, kNone, 0xffc000}};
}

// A file in a fresh temporary directory; removed with the object.
class TempFile {
 public:
  explicit TempFile(const std::vector<uint8_t>& bytes) {
    char dir[] = "/tmp/kexkit-test-XXXXXX";
    if (::mkdtemp(dir) != nullptr) dir_ = dir;
    path_ = dir_ + "/kcore";
    std::ofstream(path_, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }
  ~TempFile() {
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
};

}  // namespace kktest
