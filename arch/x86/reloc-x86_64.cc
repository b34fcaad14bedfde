// R_X86_64_* [System V AMD64 psABI 4.4, table "Relocation Types"].
// The purgatory is built -fpie with hidden symbols, so the build emits PC32, PLT32
// (calls; there is no PLT, it resolves like PC32) and one R_X86_64_64 (the GDT base).
// Anything needing a GOT is refused by name.
#include "base/elf.h"
#include "linker/reloc.h"

namespace kexkit::link {
namespace {

enum : uint32_t {
  kNone = 0,
  k64 = 1,
  kPc32 = 2,
  kGot32 = 3,
  kPlt32 = 4,
  kGotPcRel = 9,
  k32 = 10,
  k32S = 11,
  k16 = 12,
  kPc16 = 13,
  k8 = 14,
  kPc8 = 15,
  kPc64 = 24,
  kGotPcRelX = 41,
  kRexGotPcRelX = 42,
};

const char* TypeName(uint32_t type) {
  switch (type) {
    case kNone:
      return "R_X86_64_NONE";
    case k64:
      return "R_X86_64_64";
    case kPc32:
      return "R_X86_64_PC32";
    case kGot32:
      return "R_X86_64_GOT32";
    case kPlt32:
      return "R_X86_64_PLT32";
    case kGotPcRel:
      return "R_X86_64_GOTPCREL";
    case k32:
      return "R_X86_64_32";
    case k32S:
      return "R_X86_64_32S";
    case k16:
      return "R_X86_64_16";
    case kPc16:
      return "R_X86_64_PC16";
    case k8:
      return "R_X86_64_8";
    case kPc8:
      return "R_X86_64_PC8";
    case kPc64:
      return "R_X86_64_PC64";
    case kGotPcRelX:
      return "R_X86_64_GOTPCRELX";
    case kRexGotPcRelX:
      return "R_X86_64_REX_GOTPCRELX";
    default:
      return nullptr;
  }
}

Result<int64_t> NoImplicit(const RelocSite&) {
  return Fail("REL relocations are not used on x86_64 (RELA only)");
}

Result<void> Apply(const RelocSite& s) {
  const uint64_t sa = s.symbol + static_cast<uint64_t>(s.addend);
  const int64_t pcrel = static_cast<int64_t>(sa - s.place);
  const char* name = TypeName(s.type);
  switch (s.type) {
    case kNone:
      return {};
    case k64:
      return StoreAt<uint64_t>(s, sa);
    case kPc64:
      return StoreAt<uint64_t>(s, static_cast<uint64_t>(pcrel));
    case kPc32:
    case kPlt32:
      if (auto r = CheckSigned(pcrel, 32, name); !r) return r;
      return StoreAt<uint32_t>(s, static_cast<uint32_t>(pcrel));
    case k32:
      if (auto r = CheckUnsigned(sa, 32, name); !r) return r;
      return StoreAt<uint32_t>(s, static_cast<uint32_t>(sa));
    case k32S:
      if (auto r = CheckSigned(static_cast<int64_t>(sa), 32, name); !r) return r;
      return StoreAt<uint32_t>(s, static_cast<uint32_t>(sa));
    case k16:
      if (auto r = CheckUnsigned(sa, 16, name); !r) return r;
      return StoreAt<uint16_t>(s, static_cast<uint16_t>(sa));
    case kPc16:
      if (auto r = CheckSigned(pcrel, 16, name); !r) return r;
      return StoreAt<uint16_t>(s, static_cast<uint16_t>(pcrel));
    case k8:
      if (auto r = CheckUnsigned(sa, 8, name); !r) return r;
      return StoreAt<uint8_t>(s, static_cast<uint8_t>(sa));
    case kPc8:
      if (auto r = CheckSigned(pcrel, 8, name); !r) return r;
      return StoreAt<uint8_t>(s, static_cast<uint8_t>(pcrel));
    default:
      return Fail("unsupported relocation ", name ? name : "R_X86_64_?", " (type ", s.type, ")");
  }
}

}  // namespace

extern const RelocArch kRelocX86_64 = {elf::kEmX86_64, ElfClass::k64, "x86_64",
                                       TypeName,       NoImplicit,    Apply};

}  // namespace kexkit::link
