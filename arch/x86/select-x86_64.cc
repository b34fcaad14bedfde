// The x86_64 build's loader: x86 code in 64-bit mode, the x86_64 purgatory embedded.
#include "arch/x86/x86-loader.h"

extern "C" const uint8_t kexkit_purgatory_x86_64_begin[];
extern "C" const uint8_t kexkit_purgatory_x86_64_end[];

namespace kexkit::load {

std::unique_ptr<ArchLoader> MakeArchLoader() {
  return x86::MakeX86Loader(
      x86::X86Width::k64,
      {kexkit_purgatory_x86_64_begin,
       static_cast<size_t>(kexkit_purgatory_x86_64_end - kexkit_purgatory_x86_64_begin)});
}

}  // namespace kexkit::load
