// The one place that maps an ELF machine to its relocation hook. A switch, not a
// registry: adding a machine means adding a case here and a file in arch/.
#include "base/elf.h"
#include "linker/reloc.h"

namespace kexkit::link {

extern const RelocArch kRelocX86_64;
extern const RelocArch kRelocI386;
extern const RelocArch kRelocPpc64;
extern const RelocArch kRelocArm64;

const RelocArch* FindRelocArch(uint16_t machine, ElfClass cls) {
  const RelocArch* arch = nullptr;
  switch (machine) {
    case elf::kEmX86_64:
      arch = &kRelocX86_64;
      break;
    case elf::kEm386:
      arch = &kRelocI386;
      break;
    case elf::kEmPpc64:
      arch = &kRelocPpc64;
      break;
    case elf::kEmAarch64:
      arch = &kRelocArm64;
      break;
    default:
      return nullptr;
  }
  return arch->cls == cls ? arch : nullptr;
}

}  // namespace kexkit::link
