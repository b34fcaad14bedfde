// The ppc64 builds' loader: the ppc64 ArchLoader with the purgatory of this build's byte
// order embedded (ppc64le: ELFv2 little-endian; ppc64: ELFv1 big-endian).
#include "arch/ppc64/ppc64-loader.h"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
extern "C" const uint8_t kexkit_purgatory_ppc64le_begin[];
extern "C" const uint8_t kexkit_purgatory_ppc64le_end[];
#define KK_PURGATORY_BEGIN kexkit_purgatory_ppc64le_begin
#define KK_PURGATORY_END kexkit_purgatory_ppc64le_end
#define KK_ENDIAN kexkit::Endian::kLittle
#else
extern "C" const uint8_t kexkit_purgatory_ppc64_begin[];
extern "C" const uint8_t kexkit_purgatory_ppc64_end[];
#define KK_PURGATORY_BEGIN kexkit_purgatory_ppc64_begin
#define KK_PURGATORY_END kexkit_purgatory_ppc64_end
#define KK_ENDIAN kexkit::Endian::kBig
#endif

namespace kexkit::load {

std::unique_ptr<ArchLoader> MakeArchLoader() {
  return ppc64::MakePpc64Loader(
      KK_ENDIAN, {KK_PURGATORY_BEGIN, static_cast<size_t>(KK_PURGATORY_END - KK_PURGATORY_BEGIN)});
}

}  // namespace kexkit::load
