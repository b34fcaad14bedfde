// Shared by the kdump unit tests: the sample inputs under host-tests/data and a writer
// for small /proc/kcore look-alikes (ELF core headers only, as `head -c 16K /proc/kcore`
// saves them), so no binary sample is checked in. Header-only.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "base/bytes.h"

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
  const size_t eh = elf64 ? 64 : 52, ph = elf64 ? 56 : 32;
  std::vector<uint8_t> b(eh + ph * phdrs.size(), 0);
  auto u16 = [&](size_t o, uint16_t v) { kexkit::StoreUnchecked<uint16_t>(b.data() + o, v, e); };
  auto u32 = [&](size_t o, uint32_t v) { kexkit::StoreUnchecked<uint32_t>(b.data() + o, v, e); };
  auto u64 = [&](size_t o, uint64_t v) { kexkit::StoreUnchecked<uint64_t>(b.data() + o, v, e); };
  b[0] = 0x7f, b[1] = 'E', b[2] = 'L', b[3] = 'F';
  b[4] = elf64 ? 2 : 1;
  b[5] = e == kexkit::Endian::kLittle ? 1 : 2;
  b[6] = 1;
  u16(16, 4);   // ET_CORE
  u16(18, 62);  // EM_X86_64
  u32(20, 1);
  if (elf64) {
    u64(32, eh);
    u16(52, static_cast<uint16_t>(eh));
    u16(54, static_cast<uint16_t>(ph));
    u16(56, static_cast<uint16_t>(phdrs.size()));
  } else {
    u32(28, static_cast<uint32_t>(eh));
    u16(40, static_cast<uint16_t>(eh));
    u16(42, static_cast<uint16_t>(ph));
    u16(44, static_cast<uint16_t>(phdrs.size()));
  }
  for (size_t i = 0; i < phdrs.size(); ++i) {
    const size_t p = eh + i * ph;
    const KcorePhdr& h = phdrs[i];
    u32(p, h.type);
    if (elf64) {
      u32(p + 4, 7);
      u64(p + 8, 0x1000 + i * 0x1000);
      u64(p + 16, h.vaddr);
      u64(p + 24, h.paddr);
      u64(p + 32, h.size);
      u64(p + 40, h.size);
      u64(p + 48, 0x1000);
    } else {
      u32(p + 4, static_cast<uint32_t>(0x1000 + i * 0x1000));
      u32(p + 8, static_cast<uint32_t>(h.vaddr));
      u32(p + 12, static_cast<uint32_t>(h.paddr));
      u32(p + 16, static_cast<uint32_t>(h.size));
      u32(p + 20, static_cast<uint32_t>(h.size));
      u32(p + 24, 7);
      u32(p + 28, 0x1000);
    }
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
