// libFuzzer target: the whole x86 load sequence (BuildLoadPlan: memory map, kernel and
// initrd placement, boot_params, purgatory link and patch, segment validation) on an
// untrusted kernel file, with the real embedded x86_64 purgatory.
//
// Input: byte 0 picks options (bit 0 i386 loader, 1 --entry-32bit, 2 an initrd of
// byte 1 x 4 KiB, 3 -p into a 64 MiB crash region, 4 --mem-max=1G-1, 5 a command line of
// byte 1 x 16 bytes); the rest is the kernel file. Seeds (seeds.sh): kk-fuzz-seedgen's
// small complete bzImages (the Debian header with a short protected-mode part).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "arch/x86/x86-loader.h"
#include "fuzz/fuzz-common.h"
#include "loader/load.h"

using namespace kexkit;

namespace {

constexpr std::string_view kIomem =
    "00000000-00000fff : Reserved\n"
    "00001000-0009fbff : System RAM\n"
    "0009fc00-0009ffff : Reserved\n"
    "000f0000-000fffff : Reserved\n"
    "00100000-3ffdffff : System RAM\n"
    "  01000000-01ffffff : Kernel code\n"
    "  2c000000-2fffffff : Crash kernel\n"
    "3ffe0000-3fffffff : Reserved\n"
    "fd000000-fdffffff : PCI Bus 0000:00\n"
    "100000000-13fffffff : System RAM\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t flags = data[0], n = data[1];
  const std::string& dir = kkfuzz::ScratchDir();
  static const bool once = [&] {
    kkfuzz::WriteWhole(dir + "/iomem", kIomem);
    return true;
  }();
  (void)once;
  kkfuzz::WriteWhole(dir + "/kernel",
                     std::string_view(reinterpret_cast<const char*>(data + 2), size - 2));
  load::Options opt;
  opt.action = load::Action::kLoad;
  opt.kernel = dir + "/kernel";
  opt.iomem = dir + "/iomem";
  opt.memmap = dir + "/no-memmap";
  opt.boot_params = dir + "/no-boot-params";
  opt.proc_cmdline = dir + "/no-cmdline";
  opt.sysfs = dir + "/no-sysfs";
  opt.kcore = dir + "/no-kcore";
  opt.entry_32bit = flags & 2;
  if (flags & 4) {
    kkfuzz::WriteWhole(dir + "/initrd", std::string(size_t{n} * 4096 + 1, 'i'));
    opt.initrd = dir + "/initrd";
  }
  opt.crash = flags & 8;
  if (flags & 16) opt.mem_max = 0x3fffffff;
  if (flags & 32) opt.append = std::string(size_t{n} * 16, 'c');
  auto arch = load::MakeArchLoader();
  if (flags & 1) {
    arch = x86::MakeX86Loader(x86::X86Width::k32, arch->purgatory_object());
  }
  auto plan = load::BuildLoadPlan(opt, *arch);
  if (plan) {
    // What the system call would get must satisfy the kernel's own rules.
    if (plan->segments.empty() || plan->segments.size() > load::kMaxSegments) __builtin_trap();
  }
  return 0;
}
