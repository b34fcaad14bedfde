// R_AARCH64_* [ELF for the Arm 64-bit Architecture (AArch64), aaelf64 2024Q3, 5.7
// "Relocation": 5.7.6 static data, 5.7.8 PC-relative addresses and loads, 5.7.9 control
// flow, 5.7.10 MOVW], for the little-endian LP64 ABI.
//
// Notation of the ABI: S symbol, A addend, P place, Page(x) = x & ~0xfff, X the result.
// Instructions are always little-endian; each relocation replaces one immediate field
// of the instruction at P and keeps the other bits. Overflow rules follow GNU ld
// (elfnn-aarch64.c howto table): the _NC forms and G3 never overflow; a scaled load or
// store offset (LDST16/32/64/128) must be a multiple of the access size, since the
// instruction cannot encode the low bits.
//
// The purgatory (-mcmodel=small -fpie, hidden symbols) emits ADR_PREL_PG_HI21,
// ADD_ABS_LO12_NC, LDST8/16/32/64/128_ABS_LO12_NC, CALL26, JUMP26 and ABS64; the rest is
// here for completeness and tested against GNU ld. Anything that needs a GOT, PLT or TLS
// is refused by name.
#include "base/elf.h"
#include "linker/reloc.h"

namespace kexkit::link {
namespace {

enum : uint32_t {
  kNone = 0,
  kNoneAlias = 256,  // R_AARCH64_NONE's old number ("withdrawn", still accepted)
  kAbs64 = 257,
  kAbs32 = 258,
  kAbs16 = 259,
  kPrel64 = 260,
  kPrel32 = 261,
  kPrel16 = 262,
  kMovwUabsG0 = 263,
  kMovwUabsG0Nc = 264,
  kMovwUabsG1 = 265,
  kMovwUabsG1Nc = 266,
  kMovwUabsG2 = 267,
  kMovwUabsG2Nc = 268,
  kMovwUabsG3 = 269,
  kLdPrelLo19 = 273,
  kAdrPrelLo21 = 274,
  kAdrPrelPgHi21 = 275,
  kAdrPrelPgHi21Nc = 276,
  kAddAbsLo12Nc = 277,
  kLdst8AbsLo12Nc = 278,
  kTstbr14 = 279,
  kCondbr19 = 280,
  kJump26 = 282,
  kCall26 = 283,
  kLdst16AbsLo12Nc = 284,
  kLdst32AbsLo12Nc = 285,
  kLdst64AbsLo12Nc = 286,
  kLdst128AbsLo12Nc = 299,
  kAdrGotPage = 311,
  kLd64GotLo12Nc = 312,
};

const char* TypeName(uint32_t type) {
  switch (type) {
    case kNone:
    case kNoneAlias:
      return "R_AARCH64_NONE";
    case kAbs64:
      return "R_AARCH64_ABS64";
    case kAbs32:
      return "R_AARCH64_ABS32";
    case kAbs16:
      return "R_AARCH64_ABS16";
    case kPrel64:
      return "R_AARCH64_PREL64";
    case kPrel32:
      return "R_AARCH64_PREL32";
    case kPrel16:
      return "R_AARCH64_PREL16";
    case kMovwUabsG0:
      return "R_AARCH64_MOVW_UABS_G0";
    case kMovwUabsG0Nc:
      return "R_AARCH64_MOVW_UABS_G0_NC";
    case kMovwUabsG1:
      return "R_AARCH64_MOVW_UABS_G1";
    case kMovwUabsG1Nc:
      return "R_AARCH64_MOVW_UABS_G1_NC";
    case kMovwUabsG2:
      return "R_AARCH64_MOVW_UABS_G2";
    case kMovwUabsG2Nc:
      return "R_AARCH64_MOVW_UABS_G2_NC";
    case kMovwUabsG3:
      return "R_AARCH64_MOVW_UABS_G3";
    case kLdPrelLo19:
      return "R_AARCH64_LD_PREL_LO19";
    case kAdrPrelLo21:
      return "R_AARCH64_ADR_PREL_LO21";
    case kAdrPrelPgHi21:
      return "R_AARCH64_ADR_PREL_PG_HI21";
    case kAdrPrelPgHi21Nc:
      return "R_AARCH64_ADR_PREL_PG_HI21_NC";
    case kAddAbsLo12Nc:
      return "R_AARCH64_ADD_ABS_LO12_NC";
    case kLdst8AbsLo12Nc:
      return "R_AARCH64_LDST8_ABS_LO12_NC";
    case kTstbr14:
      return "R_AARCH64_TSTBR14";
    case kCondbr19:
      return "R_AARCH64_CONDBR19";
    case kJump26:
      return "R_AARCH64_JUMP26";
    case kCall26:
      return "R_AARCH64_CALL26";
    case kLdst16AbsLo12Nc:
      return "R_AARCH64_LDST16_ABS_LO12_NC";
    case kLdst32AbsLo12Nc:
      return "R_AARCH64_LDST32_ABS_LO12_NC";
    case kLdst64AbsLo12Nc:
      return "R_AARCH64_LDST64_ABS_LO12_NC";
    case kLdst128AbsLo12Nc:
      return "R_AARCH64_LDST128_ABS_LO12_NC";
    case kAdrGotPage:
      return "R_AARCH64_ADR_GOT_PAGE";
    case kLd64GotLo12Nc:
      return "R_AARCH64_LD64_GOT_LO12_NC";
    default:
      return nullptr;
  }
}

Result<int64_t> NoImplicit(const RelocSite&) {
  return Fail("REL relocations are not used on aarch64 (RELA only)");
}

// GNU ld's "bitfield" overflow rule for ABS32/ABS16: the value fits as a signed or as
// an unsigned number of that many bits.
Result<void> CheckBitfield(uint64_t v, int bits, const char* what) {
  const int64_t sv = static_cast<int64_t>(v);
  if (sv >= -(int64_t{1} << (bits - 1)) && sv < (int64_t{1} << bits)) return {};
  return Fail(what, " value ", Hex(v), " overflows a ", bits, "-bit field");
}

// Replaces the bits of `mask` in the instruction at the place with `bits`.
Result<void> Patch(const RelocSite& s, uint32_t mask, uint32_t bits) {
  uint32_t insn = 0;
  if (s.offset > s.section_end || s.section_end - s.offset < 4 ||
      !Load<uint32_t>(s.image, s.offset, Endian::kLittle, &insn)) {
    return Fail("4-byte instruction at image offset ", Hex(s.offset), " runs past the section");
  }
  if (s.offset % 4 != 0) {
    return Fail("instruction at image offset ", Hex(s.offset), " is not 4-byte aligned");
  }
  insn = (insn & ~mask) | (bits & mask);
  StoreUnchecked<uint32_t>(s.image.data() + s.offset, insn, Endian::kLittle);
  return {};
}

// ADR/ADRP immediate: immlo in bits 30:29, immhi in bits 23:5.
Result<void> PatchAdr(const RelocSite& s, uint64_t imm21) {
  const uint32_t lo = static_cast<uint32_t>(imm21 & 3) << 29;
  const uint32_t hi = static_cast<uint32_t>((imm21 >> 2) & 0x7ffff) << 5;
  return Patch(s, (3u << 29) | (0x7ffffu << 5), lo | hi);
}

// A PC-relative branch or literal offset: a multiple of 4 that fits `bits` bits
// (signed), stored as offset / 4 in the field at bit `shift`.
Result<void> PatchPcrel(const RelocSite& s, int64_t x, int bits, int shift, const char* name) {
  if (auto r = CheckAligned(static_cast<uint64_t>(x), 4, name); !r) return r;
  if (auto r = CheckSigned(x, bits, name); !r) return r;
  const uint32_t width = static_cast<uint32_t>(bits - 2);
  const uint32_t field = (width == 32 ? ~0u : (1u << width) - 1) << shift;
  return Patch(s, field, static_cast<uint32_t>(static_cast<uint64_t>(x) >> 2) << shift);
}

// A load/store unsigned offset (imm12 in bits 21:10), scaled by the access size.
Result<void> PatchLdst(const RelocSite& s, uint64_t sa, unsigned size, const char* name) {
  const uint64_t lo12 = sa & 0xfff;
  if (auto r = CheckAligned(lo12, size, name); !r) return r;
  return Patch(s, 0xfffu << 10, static_cast<uint32_t>(lo12 / size) << 10);
}

// MOVZ/MOVK imm16 (bits 20:5) from bits [16 * group, 16 * group + 16) of X; the checked
// forms require X to fit below the next group.
Result<void> PatchMovw(const RelocSite& s, uint64_t x, int group, bool check, const char* name) {
  if (check) {
    if (auto r = CheckUnsigned(x, 16 * (group + 1), name); !r) return r;
  }
  return Patch(s, 0xffffu << 5, static_cast<uint32_t>((x >> (16 * group)) & 0xffff) << 5);
}

Result<void> Apply(const RelocSite& s) {
  const uint64_t sa = s.symbol + static_cast<uint64_t>(s.addend);
  const int64_t pcrel = static_cast<int64_t>(sa - s.place);
  const char* name = TypeName(s.type);
  switch (s.type) {
    case kNone:
    case kNoneAlias:
      return {};
    case kAbs64:
      return StoreAt<uint64_t>(s, sa);
    case kAbs32:
      if (auto r = CheckBitfield(sa, 32, name); !r) return r;
      return StoreAt<uint32_t>(s, static_cast<uint32_t>(sa));
    case kAbs16:
      if (auto r = CheckBitfield(sa, 16, name); !r) return r;
      return StoreAt<uint16_t>(s, static_cast<uint16_t>(sa));
    case kPrel64:
      return StoreAt<uint64_t>(s, static_cast<uint64_t>(pcrel));
    case kPrel32:
      if (auto r = CheckSigned(pcrel, 32, name); !r) return r;
      return StoreAt<uint32_t>(s, static_cast<uint32_t>(pcrel));
    case kPrel16:
      if (auto r = CheckSigned(pcrel, 16, name); !r) return r;
      return StoreAt<uint16_t>(s, static_cast<uint16_t>(pcrel));
    case kMovwUabsG0:
    case kMovwUabsG0Nc:
      return PatchMovw(s, sa, 0, s.type == kMovwUabsG0, name);
    case kMovwUabsG1:
    case kMovwUabsG1Nc:
      return PatchMovw(s, sa, 1, s.type == kMovwUabsG1, name);
    case kMovwUabsG2:
    case kMovwUabsG2Nc:
      return PatchMovw(s, sa, 2, s.type == kMovwUabsG2, name);
    case kMovwUabsG3:
      return PatchMovw(s, sa, 3, false, name);
    case kLdPrelLo19:
    case kCondbr19:
      return PatchPcrel(s, pcrel, 21, 5, name);
    case kTstbr14:
      return PatchPcrel(s, pcrel, 16, 5, name);
    case kJump26:
    case kCall26:
      // No veneers: the purgatory is far smaller than the +-128 MiB a branch reaches.
      return PatchPcrel(s, pcrel, 28, 0, name);
    case kAdrPrelLo21:
      if (auto r = CheckSigned(pcrel, 21, name); !r) return r;
      return PatchAdr(s, static_cast<uint64_t>(pcrel));
    case kAdrPrelPgHi21:
    case kAdrPrelPgHi21Nc: {
      const int64_t pages =
          static_cast<int64_t>((sa & ~uint64_t{0xfff}) - (s.place & ~uint64_t{0xfff}));
      if (s.type == kAdrPrelPgHi21) {
        if (auto r = CheckSigned(pages, 33, name); !r) return r;
      }
      return PatchAdr(s, static_cast<uint64_t>(pages) >> 12);
    }
    case kAddAbsLo12Nc:
      return Patch(s, 0xfffu << 10, static_cast<uint32_t>(sa & 0xfff) << 10);
    case kLdst8AbsLo12Nc:
      return PatchLdst(s, sa, 1, name);
    case kLdst16AbsLo12Nc:
      return PatchLdst(s, sa, 2, name);
    case kLdst32AbsLo12Nc:
      return PatchLdst(s, sa, 4, name);
    case kLdst64AbsLo12Nc:
      return PatchLdst(s, sa, 8, name);
    case kLdst128AbsLo12Nc:
      return PatchLdst(s, sa, 16, name);
    case kAdrGotPage:
    case kLd64GotLo12Nc:
      return Fail("unsupported relocation ", name, " (type ", s.type,
                  "): the purgatory has no GOT (build it with hidden symbols)");
    default:
      return Fail("unsupported relocation ", name ? name : "R_AARCH64_?", " (type ", s.type, ")");
  }
}

}  // namespace

extern const RelocArch kRelocArm64 = {elf::kEmAarch64, ElfClass::k64, "aarch64",
                                      TypeName,        NoImplicit,    Apply};

}  // namespace kexkit::link
