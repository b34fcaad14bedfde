// The i386 build's loader: the x86 loader in 32-bit mode (kexec_load arch
// KEXEC_ARCH_386 = EM_386 << 16), the i386 purgatory embedded.
#include "arch/x86/x86-loader.h"

extern "C" const uint8_t kexkit_purgatory_i386_begin[];
extern "C" const uint8_t kexkit_purgatory_i386_end[];

namespace kexkit::load {

std::unique_ptr<ArchLoader> MakeArchLoader() {
  return x86::MakeX86Loader(x86::X86Width::k32, {kexkit_purgatory_i386_begin,
                                                 static_cast<size_t>(kexkit_purgatory_i386_end -
                                                                     kexkit_purgatory_i386_begin)});
}

}  // namespace kexkit::load
