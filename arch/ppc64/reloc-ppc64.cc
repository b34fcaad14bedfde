// R_PPC64_* [64-bit ELF V2 ABI (OpenPOWER) 3.5.3 "Relocation Types"; 64-bit PowerPC
// ELF ABI 1.9 4.5.1 for ELFv1], for both byte orders (ppc64le ELFv2, ppc64 ELFv1).
//
// Notation of the ABI: #lo(x) = x & 0xffff, #hi(x) = x >> 16, #ha(x) = (x + 0x8000) >> 16,
// #higher/#highest = bits 32-47 / 48-63 (the A forms add 0x8000 first). Field kinds:
//   half16    16 bits at the place (r_offset already points at the immediate halfword)
//   half16ds  the same with the low two bits kept (DS-form: they are opcode bits), and
//             the value must be a multiple of 4
//   low24     bits 2-25 of a branch word (I-form LI), value a multiple of 4, +-32 MiB
//   low14     bits 2-15 of a conditional branch word (B-form BD), +-32 KiB
// Overflow rules follow GNU ld (elf64-ppc.c howto table): _LO and the HIGHER/HIGHEST
// forms never overflow, _HI/_HA must fit a signed 32-bit value, the plain 16-bit forms a
// signed 16-bit one (ADDR16 and ADDR32: signed or unsigned, "bitfield").
//
// The purgatory (-mcmodel=medium, hidden symbols) emits ADDR64, REL24, REL16_HA/LO (the
// ELFv2 global entry and the entry code's PC-relative TOC), TOC16_HA/LO/LO_DS/DS and, in
// ELFv1, TOC in every .opd descriptor; the rest is here for completeness and tested
// against GNU ld. Anything that needs a GOT, PLT or TLS is refused by name.
#include "base/elf.h"
#include "linker/reloc.h"

namespace kexkit::link {
namespace {

enum : uint32_t {
  kNone = 0,
  kAddr32 = 1,
  kAddr24 = 2,
  kAddr16 = 3,
  kAddr16Lo = 4,
  kAddr16Hi = 5,
  kAddr16Ha = 6,
  kAddr14 = 7,
  kAddr14BrTaken = 8,
  kAddr14BrNTaken = 9,
  kRel24 = 10,
  kRel14 = 11,
  kRel14BrTaken = 12,
  kRel14BrNTaken = 13,
  kGot16 = 14,
  kGot16Lo = 15,
  kGot16Hi = 16,
  kGot16Ha = 17,
  kRel32 = 26,
  kGot16Ds = 58,
  kGot16LoDs = 59,
  kAddr64 = 38,
  kAddr16Higher = 39,
  kAddr16HigherA = 40,
  kAddr16Highest = 41,
  kAddr16HighestA = 42,
  kUAddr64 = 43,
  kRel64 = 44,
  kToc16 = 47,
  kToc16Lo = 48,
  kToc16Hi = 49,
  kToc16Ha = 50,
  kToc = 51,
  kAddr16Ds = 56,
  kAddr16LoDs = 57,
  kToc16Ds = 63,
  kToc16LoDs = 64,
  kTls = 67,
  kTlsGd = 107,
  kTlsLd = 108,
  kTocSave = 109,
  kAddr16High = 110,
  kAddr16HighA = 111,
  kRel24NoToc = 116,
  kRel16 = 249,
  kRel16Lo = 250,
  kRel16Hi = 251,
  kRel16Ha = 252,
};

const char* TypeName(uint32_t type) {
  switch (type) {
    case kNone:
      return "R_PPC64_NONE";
    case kAddr32:
      return "R_PPC64_ADDR32";
    case kAddr24:
      return "R_PPC64_ADDR24";
    case kAddr16:
      return "R_PPC64_ADDR16";
    case kAddr16Lo:
      return "R_PPC64_ADDR16_LO";
    case kAddr16Hi:
      return "R_PPC64_ADDR16_HI";
    case kAddr16Ha:
      return "R_PPC64_ADDR16_HA";
    case kAddr14:
      return "R_PPC64_ADDR14";
    case kAddr14BrTaken:
      return "R_PPC64_ADDR14_BRTAKEN";
    case kAddr14BrNTaken:
      return "R_PPC64_ADDR14_BRNTAKEN";
    case kRel24:
      return "R_PPC64_REL24";
    case kRel14:
      return "R_PPC64_REL14";
    case kRel14BrTaken:
      return "R_PPC64_REL14_BRTAKEN";
    case kRel14BrNTaken:
      return "R_PPC64_REL14_BRNTAKEN";
    case kGot16:
      return "R_PPC64_GOT16";
    case kGot16Lo:
      return "R_PPC64_GOT16_LO";
    case kGot16Hi:
      return "R_PPC64_GOT16_HI";
    case kGot16Ha:
      return "R_PPC64_GOT16_HA";
    case kGot16Ds:
      return "R_PPC64_GOT16_DS";
    case kGot16LoDs:
      return "R_PPC64_GOT16_LO_DS";
    case kRel32:
      return "R_PPC64_REL32";
    case kAddr64:
      return "R_PPC64_ADDR64";
    case kAddr16Higher:
      return "R_PPC64_ADDR16_HIGHER";
    case kAddr16HigherA:
      return "R_PPC64_ADDR16_HIGHERA";
    case kAddr16Highest:
      return "R_PPC64_ADDR16_HIGHEST";
    case kAddr16HighestA:
      return "R_PPC64_ADDR16_HIGHESTA";
    case kUAddr64:
      return "R_PPC64_UADDR64";
    case kRel64:
      return "R_PPC64_REL64";
    case kToc16:
      return "R_PPC64_TOC16";
    case kToc16Lo:
      return "R_PPC64_TOC16_LO";
    case kToc16Hi:
      return "R_PPC64_TOC16_HI";
    case kToc16Ha:
      return "R_PPC64_TOC16_HA";
    case kToc:
      return "R_PPC64_TOC";
    case kAddr16Ds:
      return "R_PPC64_ADDR16_DS";
    case kAddr16LoDs:
      return "R_PPC64_ADDR16_LO_DS";
    case kToc16Ds:
      return "R_PPC64_TOC16_DS";
    case kToc16LoDs:
      return "R_PPC64_TOC16_LO_DS";
    case kTls:
      return "R_PPC64_TLS";
    case kTlsGd:
      return "R_PPC64_TLSGD";
    case kTlsLd:
      return "R_PPC64_TLSLD";
    case kTocSave:
      return "R_PPC64_TOCSAVE";
    case kAddr16High:
      return "R_PPC64_ADDR16_HIGH";
    case kAddr16HighA:
      return "R_PPC64_ADDR16_HIGHA";
    case kRel24NoToc:
      return "R_PPC64_REL24_NOTOC";
    case kRel16:
      return "R_PPC64_REL16";
    case kRel16Lo:
      return "R_PPC64_REL16_LO";
    case kRel16Hi:
      return "R_PPC64_REL16_HI";
    case kRel16Ha:
      return "R_PPC64_REL16_HA";
    default:
      return nullptr;
  }
}

constexpr uint64_t Lo(uint64_t v) { return v & 0xffff; }
constexpr uint64_t Hi(uint64_t v) { return (v >> 16) & 0xffff; }
constexpr uint64_t Ha(uint64_t v) { return ((v + 0x8000) >> 16) & 0xffff; }
constexpr uint64_t Higher(uint64_t v) { return (v >> 32) & 0xffff; }
constexpr uint64_t HigherA(uint64_t v) { return ((v + 0x8000) >> 32) & 0xffff; }
constexpr uint64_t Highest(uint64_t v) { return (v >> 48) & 0xffff; }
constexpr uint64_t HighestA(uint64_t v) { return ((v + 0x8000) >> 48) & 0xffff; }

// [ELFv2 ABI 3.4.1: st_other bits 5-7 give the distance from the global to the local
// entry point; 0 and 1 mean none]. Same as binutils' PPC64_LOCAL_ENTRY_OFFSET.
constexpr uint64_t LocalEntryOffset(uint8_t other) {
  return ((uint64_t{1} << ((other >> 5) & 7)) >> 2) << 2;
}

Result<void> Half16(const RelocSite& s, uint64_t v) {
  return StoreAt<uint16_t>(s, static_cast<uint16_t>(v));
}

// DS form: the low two bits of the halfword are part of the opcode.
Result<void> Half16Ds(const RelocSite& s, uint64_t v, const char* name) {
  if (auto r = CheckAligned(v, 4, name); !r) return r;
  uint16_t old = 0;
  if (!Load<uint16_t>(s.image, s.offset, s.endian, &old)) {
    return Fail("2-byte load at image offset ", Hex(s.offset), " runs past the section");
  }
  return StoreAt<uint16_t>(s, static_cast<uint16_t>((v & 0xfffc) | (old & 3)));
}

// Replaces `mask` bits of the instruction word at the place.
Result<void> InsnField(const RelocSite& s, uint32_t mask, uint64_t v) {
  uint32_t insn = 0;
  if (!Load<uint32_t>(s.image, s.offset, s.endian, &insn)) {
    return Fail("4-byte load at image offset ", Hex(s.offset), " runs past the section");
  }
  return StoreAt<uint32_t>(s, (insn & ~mask) | (static_cast<uint32_t>(v) & mask));
}

// A 16-bit field that may hold a signed or an unsigned value (GNU ld "bitfield").
Result<void> CheckBitfield(uint64_t v, int bits, const char* name) {
  if (CheckUnsigned(v, bits, name)) return {};
  return CheckSigned(static_cast<int64_t>(v), bits, name);
}

// The branch target of a call: ELFv1 symbols of functions are .opd descriptors, whose
// first doubleword (already relocated, link.cc applies .opd first) is the code address
// [64-bit PowerPC ELF ABI 1.9 3.2.5]; ELFv2 calls enter past the global entry's TOC
// setup, at the local entry [ELFv2 ABI 2.3.2.1].
Result<uint64_t> CallTarget(const RelocSite& s) {
  if (s.symbol_section == ".opd") {
    // S + A names the descriptor (ld -r often leaves `.opd + 0x18`), not an offset
    // into the function.
    const uint64_t base = s.place - s.offset;
    const uint64_t desc = s.symbol + static_cast<uint64_t>(s.addend);
    uint64_t entry = 0;
    if (desc < base || !Load<uint64_t>(s.image, desc - base, s.endian, &entry)) {
      return Fail("call target descriptor at ", Hex(desc), " is outside the image");
    }
    return entry;
  }
  return s.symbol + static_cast<uint64_t>(s.addend) + LocalEntryOffset(s.symbol_other);
}

Result<void> Apply(const RelocSite& s) {
  const char* name = TypeName(s.type);
  const uint64_t sa = s.symbol + static_cast<uint64_t>(s.addend);
  const uint64_t rel = sa - s.place;
  const uint64_t toc = sa - s.toc_base;
  const bool needs_toc = s.type == kToc || s.type == kToc16 || s.type == kToc16Lo ||
                         s.type == kToc16Hi || s.type == kToc16Ha || s.type == kToc16Ds ||
                         s.type == kToc16LoDs;
  if (needs_toc && s.toc_base == 0) {
    return Fail(name, " needs a TOC, but the object has no .toc or .got section");
  }
  auto signed_fits = [&](uint64_t v, int bits) {
    return CheckSigned(static_cast<int64_t>(v), bits, name);
  };
  switch (s.type) {
    case kNone:
    case kTocSave:  // a hint for the linker's TOC-save optimisation: nothing to patch
      return {};

    case kAddr64:
    case kUAddr64:
      return StoreAt<uint64_t>(s, sa);
    case kRel64:
      return StoreAt<uint64_t>(s, rel);
    case kToc:
      return StoreAt<uint64_t>(s, s.toc_base + static_cast<uint64_t>(s.addend));
    case kAddr32:
      if (auto r = CheckBitfield(sa, 32, name); !r) return r;
      return StoreAt<uint32_t>(s, static_cast<uint32_t>(sa));
    case kRel32:
      if (auto r = signed_fits(rel, 32); !r) return r;
      return StoreAt<uint32_t>(s, static_cast<uint32_t>(rel));

    case kAddr16:
      if (auto r = CheckBitfield(sa, 16, name); !r) return r;
      return Half16(s, sa);
    case kAddr16Lo:
      return Half16(s, Lo(sa));
    case kAddr16Hi:
      if (auto r = signed_fits(sa, 32); !r) return r;
      return Half16(s, Hi(sa));
    case kAddr16Ha:
      if (auto r = signed_fits(sa + 0x8000, 32); !r) return r;
      return Half16(s, Ha(sa));
    case kAddr16High:
      return Half16(s, Hi(sa));
    case kAddr16HighA:
      return Half16(s, Ha(sa));
    case kAddr16Higher:
      return Half16(s, Higher(sa));
    case kAddr16HigherA:
      return Half16(s, HigherA(sa));
    case kAddr16Highest:
      return Half16(s, Highest(sa));
    case kAddr16HighestA:
      return Half16(s, HighestA(sa));
    case kAddr16Ds:
      if (auto r = signed_fits(sa, 16); !r) return r;
      return Half16Ds(s, sa, name);
    case kAddr16LoDs:
      return Half16Ds(s, Lo(sa), name);

    case kToc16:
      if (auto r = signed_fits(toc, 16); !r) return r;
      return Half16(s, toc);
    case kToc16Lo:
      return Half16(s, Lo(toc));
    case kToc16Hi:
      if (auto r = signed_fits(toc, 32); !r) return r;
      return Half16(s, Hi(toc));
    case kToc16Ha:
      if (auto r = signed_fits(toc + 0x8000, 32); !r) return r;
      return Half16(s, Ha(toc));
    case kToc16Ds:
      if (auto r = signed_fits(toc, 16); !r) return r;
      return Half16Ds(s, toc, name);
    case kToc16LoDs:
      return Half16Ds(s, Lo(toc), name);

    case kRel16:
      if (auto r = signed_fits(rel, 16); !r) return r;
      return Half16(s, rel);
    case kRel16Lo:
      return Half16(s, Lo(rel));
    case kRel16Hi:
      if (auto r = signed_fits(rel, 32); !r) return r;
      return Half16(s, Hi(rel));
    case kRel16Ha:
      if (auto r = signed_fits(rel + 0x8000, 32); !r) return r;
      return Half16(s, Ha(rel));

    case kRel24:
    case kRel24NoToc: {
      auto target = CallTarget(s);
      if (!target) return std::unexpected(target.error());
      const uint64_t v = *target - s.place;
      if (auto r = CheckAligned(v, 4, name); !r) return r;
      if (auto r = signed_fits(v, 26); !r) return r;
      return InsnField(s, 0x03fffffc, v);
    }
    case kRel14:
    case kRel14BrTaken:
    case kRel14BrNTaken:
      // The branch-prediction (y) bit is left as assembled: GNU ld only rewrites it for
      // POWER4-style hints it can prove, which the purgatory never relies on.
      if (auto r = CheckAligned(rel, 4, name); !r) return r;
      if (auto r = signed_fits(rel, 16); !r) return r;
      return InsnField(s, 0xfffc, rel);
    case kAddr24:
      if (auto r = CheckAligned(sa, 4, name); !r) return r;
      if (auto r = signed_fits(sa, 26); !r) return r;
      return InsnField(s, 0x03fffffc, sa);
    case kAddr14:
    case kAddr14BrTaken:
    case kAddr14BrNTaken:
      if (auto r = CheckAligned(sa, 4, name); !r) return r;
      if (auto r = signed_fits(sa, 16); !r) return r;
      return InsnField(s, 0xfffc, sa);

    default:
      return Fail("unsupported relocation ", name ? name : "R_PPC64_?", " (type ", s.type,
                  "): the purgatory has no GOT, PLT or TLS");
  }
}

Result<int64_t> NoImplicit(const RelocSite&) {
  return Fail("REL relocations are not used on ppc64 (RELA only)");
}

}  // namespace

extern const RelocArch kRelocPpc64 = {elf::kEmPpc64, ElfClass::k64, "ppc64",
                                      TypeName,      NoImplicit,    Apply};

}  // namespace kexkit::link
