// R_PPC64_* hook: filled in with the ppc64 port (issue 5). Until then every ppc64
// relocation is refused by number, so nothing is silently mislinked.
#include "linker/elf.h"
#include "linker/reloc.h"

namespace kexkit::link {
namespace {

const char* TypeName(uint32_t) { return nullptr; }

Result<int64_t> NoImplicit(const RelocSite&) {
  return Fail("REL relocations are not used on ppc64 (RELA only)");
}

Result<void> Apply(const RelocSite& s) {
  return Fail("unsupported relocation R_PPC64_? (type %u): ppc64 linking is not implemented yet",
              s.type);
}

}  // namespace

extern const RelocArch kRelocPpc64 = {elf::kEmPpc64, ElfClass::k64, "ppc64", TypeName,
                                      NoImplicit, Apply};

}  // namespace kexkit::link
