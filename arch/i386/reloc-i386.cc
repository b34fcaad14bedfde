// R_386_* [System V i386 psABI, "Relocation Types"]. i386 objects use REL: the addend
// is the value already stored at the place, read with the relocation's own width.
#include "base/elf.h"
#include "linker/reloc.h"

namespace kexkit::link {
namespace {

enum : uint32_t {
  kNone = 0,
  k32 = 1,
  kPc32 = 2,
  kGot32 = 3,
  kPlt32 = 4,
  kGotOff = 9,
  kGotPc = 10,
  k16 = 20,
  kPc16 = 21,
  k8 = 22,
  kPc8 = 23
};

const char* TypeName(uint32_t type) {
  switch (type) {
    case kNone:
      return "R_386_NONE";
    case k32:
      return "R_386_32";
    case kPc32:
      return "R_386_PC32";
    case kGot32:
      return "R_386_GOT32";
    case kPlt32:
      return "R_386_PLT32";
    case kGotOff:
      return "R_386_GOTOFF";
    case kGotPc:
      return "R_386_GOTPC";
    case k16:
      return "R_386_16";
    case kPc16:
      return "R_386_PC16";
    case k8:
      return "R_386_8";
    case kPc8:
      return "R_386_PC8";
    default:
      return nullptr;
  }
}

int Width(uint32_t type) {
  switch (type) {
    case k32:
    case kPc32:
    case kPlt32:
      return 4;
    case k16:
    case kPc16:
      return 2;
    case k8:
    case kPc8:
      return 1;
    default:
      return 0;
  }
}

Result<int64_t> ImplicitAddend(const RelocSite& s) {
  const int w = Width(s.type);
  if (s.type == kNone) return 0;
  if (w == 0) {
    const char* name = TypeName(s.type);
    return Fail("unsupported relocation ", name ? name : "R_386_?", " (type ", s.type, ")");
  }
  std::span<const uint8_t> img(s.image);
  if (w == 4) {
    uint32_t v;
    if (!Load<uint32_t>(img, s.offset, s.endian, &v)) return Fail("place runs past the section");
    return static_cast<int32_t>(v);
  }
  if (w == 2) {
    uint16_t v;
    if (!Load<uint16_t>(img, s.offset, s.endian, &v)) return Fail("place runs past the section");
    return static_cast<int16_t>(v);
  }
  uint8_t v;
  if (!Load<uint8_t>(img, s.offset, s.endian, &v)) return Fail("place runs past the section");
  return static_cast<int8_t>(v);
}

// GNU ld's overflow rules for the narrow types [binutils bfd/elf32-i386.c howto table;
// bfd/reloc.c complain_overflow_bitfield], so kexkit accepts and refuses exactly what
// ld does: R_386_16, R_386_PC16 and R_386_8 are "bitfield" fields, which take any value
// whose bits above the field, within the 32-bit address, are all zero or all one
// (-2^n .. 2^n-1: signed, unsigned, or an address that wraps); R_386_PC8 is signed.
Result<void> CheckBitfield(uint32_t v, int bits, const char* what) {
  const uint32_t above = v >> bits;
  if (above != 0 && above != (0xffffffffu >> bits)) {
    return Fail(what, " value ", Hex(v), " overflows a ", bits, "-bit field");
  }
  return {};
}

Result<void> Apply(const RelocSite& s) {
  // 32-bit arithmetic: addresses wrap modulo 2^32 like the CPU's.
  const uint32_t sa = static_cast<uint32_t>(s.symbol + static_cast<uint64_t>(s.addend));
  const uint32_t pcrel = sa - static_cast<uint32_t>(s.place);
  const char* name = TypeName(s.type);
  switch (s.type) {
    case kNone:
      return {};
    case k32:
      return StoreAt<uint32_t>(s, sa);
    case kPc32:
    case kPlt32:
      return StoreAt<uint32_t>(s, pcrel);  // no PLT: a call goes straight there
    case k16:
      if (auto r = CheckBitfield(sa, 16, name); !r) return r;
      return StoreAt<uint16_t>(s, static_cast<uint16_t>(sa));
    case kPc16:
      if (auto r = CheckBitfield(pcrel, 16, name); !r) return r;
      return StoreAt<uint16_t>(s, static_cast<uint16_t>(pcrel));
    case k8:
      if (auto r = CheckBitfield(sa, 8, name); !r) return r;
      return StoreAt<uint8_t>(s, static_cast<uint8_t>(sa));
    case kPc8:
      if (auto r = CheckSigned(static_cast<int32_t>(pcrel), 8, name); !r) return r;
      return StoreAt<uint8_t>(s, static_cast<uint8_t>(pcrel));
    default:
      return Fail("unsupported relocation ", name ? name : "R_386_?", " (type ", s.type, ")");
  }
}

}  // namespace

extern const RelocArch kRelocI386 = {elf::kEm386, ElfClass::k32,  "i386",
                                     TypeName,    ImplicitAddend, Apply};

}  // namespace kexkit::link
