// The aarch64 build's loader: the arm64 ArchLoader with the aarch64 purgatory embedded.
#include "arch/arm64/arm64-loader.h"

extern "C" const uint8_t kexkit_purgatory_aarch64_begin[];
extern "C" const uint8_t kexkit_purgatory_aarch64_end[];

namespace kexkit::load {

std::unique_ptr<ArchLoader> MakeArchLoader() {
  return arm64::MakeArm64Loader(
      {kexkit_purgatory_aarch64_begin,
       static_cast<size_t>(kexkit_purgatory_aarch64_end - kexkit_purgatory_aarch64_begin)});
}

}  // namespace kexkit::load
