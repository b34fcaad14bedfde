// libFuzzer target: the ppc64 vmlinux ELF parser (arch/ppc64/vmlinux.h) on an untrusted
// kernel file. Seeds (kk-fuzz-seedgen vmlinux): small synthetic ELF64 EM_PPC64
// executables in both byte orders, one and several PT_LOADs, with and without "run0".
#include <cstddef>
#include <cstdint>
#include <span>

#include "arch/ppc64/vmlinux.h"

using namespace kexkit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto v = ppc64::ParseVmlinux(std::span<const uint8_t>(data, size), "fuzz-vmlinux");
  if (!v) return 0;
  size_t sum = 0;
  for (uint8_t b : v->bytes) sum += b;
  if (v->bytes.size() > v->memsz || v->entry_offset >= v->memsz) __builtin_trap();
  return static_cast<int>(sum & 0);
}
