// libFuzzer target: the /proc/kcore program-header reader kdump uses to find the kernel
// text and the direct-map base (ReadKcoreLoads -> X86LayoutFromKcore). --kcore makes it
// read any file, so it is outside input. Seeds (seeds.sh): the first 64 KiB of this
// host's /proc/kcore (ELF header and program headers) when readable, and synthetic cores.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "arch/x86/x86-crash.h"
#include "fuzz/fuzz-common.h"
#include "loader/crash.h"

using namespace kexkit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = kkfuzz::ScratchDir() + "/kcore";
  kkfuzz::WriteWhole(path, std::string_view(reinterpret_cast<const char*>(data), size));
  auto loads = load::ReadKcoreLoads(path);
  if (!loads) return 0;
  (void)x86::X86LayoutFromKcore(*loads);
  return 0;
}
