// The per-architecture relocation hook. The generic linker (link.cc) resolves S, A and
// P and hands them over with the location; the arch code computes the value, checks its
// range and alignment, and stores it with an explicit width and byte order. Each
// architecture defines its RelocArch in arch/<arch>/reloc-*.cc.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base/bytes.h"
#include "base/diag.h"
#include "linker/object.h"

namespace kexkit::link {

struct RelocSite {
  uint32_t type;
  std::span<uint8_t> image;  // the whole linked image (host buffer)
  uint64_t offset;           // of the place within image
  uint64_t place;            // P: the place's final physical address
  uint64_t symbol;           // S: the symbol's final address
  int64_t addend;            // A: explicit (RELA) or read by ImplicitAddend (REL)
  uint8_t symbol_other;      // st_other (ppc64 ELFv2 local entry offset)
  uint64_t toc_base;         // .TOC. (ppc64): TOC section + 0x8000
  Endian endian;
  std::string_view symbol_section = {};  // S's section name ("" if undefined or absolute):
                                         // ppc64 ELFv1 calls resolve through ".opd"
  uint64_t section_end = ~uint64_t{0};   // image offset where the place's section ends:
                                         // a field must not straddle it (StoreAt checks)
};

struct RelocArch {
  uint16_t machine;
  ElfClass cls;
  const char* name;
  // Name of a relocation type, for messages ("R_X86_64_PC32"); nullptr if unknown.
  const char* (*type_name)(uint32_t type);
  // REL targets only: reads the addend stored at the place.
  Result<int64_t> (*implicit_addend)(const RelocSite& site);
  // Applies one relocation. The message of an error is the problem alone; the caller
  // prefixes the file, relocation section and offset.
  Result<void> (*apply)(const RelocSite& site);
};

// The hook table for a machine and class, or nullptr when kexkit does not link it.
const RelocArch* FindRelocArch(uint16_t machine, ElfClass cls);

// Helpers shared by the arch hooks: range checks with one message format.
Result<void> CheckSigned(int64_t v, int bits, const char* what);
Result<void> CheckUnsigned(uint64_t v, int bits, const char* what);
Result<void> CheckAligned(uint64_t v, uint64_t align, const char* what);
template <typename T>
Result<void> StoreAt(const RelocSite& s, T v) {
  if (s.offset > s.section_end || s.section_end - s.offset < sizeof(T) ||
      !Store<T>(s.image, s.offset, v, s.endian)) {
    return Fail(sizeof(T), "-byte store at image offset ", Hex(s.offset), " runs past the section");
  }
  return {};
}

}  // namespace kexkit::link
