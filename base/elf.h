// ELF constants and record layouts for the linker, the image parsers, the core-header
// writer and the test writers [System V gABI 4.1, ch. 4]. Structures are not mirrored as
// C structs: each field is one entry of a layout table (offset and width, per class) and
// is read or written through bytes.h, which works for every class and byte order on any
// host. host-tests/unit/elf_layout_test.cc checks the tables against glibc's <elf.h>.
#pragma once

#include <cstdint>

#include "base/bytes.h"

namespace kexkit::elf {

inline constexpr uint8_t kMagic[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr uint8_t kClass32 = 1, kClass64 = 2;
inline constexpr uint8_t kData2Lsb = 1, kData2Msb = 2;
inline constexpr uint16_t kEtRel = 1, kEtExec = 2, kEtDyn = 3, kEtCore = 4;

inline constexpr uint16_t kEm386 = 3, kEmPpc64 = 21, kEmX86_64 = 62, kEmAarch64 = 183;

inline constexpr uint32_t kShtNull = 0, kShtProgbits = 1, kShtSymtab = 2, kShtStrtab = 3,
                          kShtRela = 4, kShtNobits = 8, kShtRel = 9, kShtInitArray = 14,
                          kShtFiniArray = 15, kShtPreinitArray = 16, kShtGroup = 17,
                          kShtSymtabShndx = 18;
inline constexpr uint64_t kShfWrite = 1, kShfAlloc = 2, kShfExecinstr = 4;

inline constexpr uint16_t kShnUndef = 0, kShnLoreserve = 0xff00, kShnAbs = 0xfff1,
                          kShnCommon = 0xfff2, kShnXindex = 0xffff;

inline constexpr uint8_t kStbLocal = 0, kStbGlobal = 1, kStbWeak = 2;
inline constexpr uint8_t kSttNotype = 0, kSttObject = 1, kSttFunc = 2, kSttSection = 3;

inline constexpr uint32_t kPtLoad = 1, kPtNote = 4;
inline constexpr uint32_t kPfX = 1, kPfW = 2, kPfR = 4;

// Where one field of an ELF record sits, and how wide it is.
struct Field {
  uint8_t offset;
  uint8_t size;  // 1, 2, 4 or 8
};

// The records of one ELF class: their sizes and their fields.
struct ClassLayout {
  bool is64;
  uint8_t class_id;  // e_ident[EI_CLASS]
  struct Ehdr {
    uint8_t size;
    Field type, machine, version, entry, phoff, shoff, flags, ehsize, phentsize, phnum, shentsize,
        shnum, shstrndx;
  } ehdr;
  struct Phdr {
    uint8_t size;
    Field type, offset, vaddr, paddr, filesz, memsz, flags, align;
  } phdr;
  struct Shdr {
    uint8_t size;
    Field name, type, flags, addr, offset, size_field, link, info, addralign, entsize;
  } shdr;
  struct Sym {
    uint8_t size;
    Field name, value, size_field, info, other, shndx;
  } sym;
  struct Rel {
    uint8_t rel_size, rela_size;
    Field offset, info, addend;
    uint8_t sym_shift;  // r_info >> sym_shift is the symbol, the rest the type
  } rel;
};

inline constexpr ClassLayout kLayout32{
    false,
    kClass32,
    {52,
     {16, 2},
     {18, 2},
     {20, 4},
     {24, 4},
     {28, 4},
     {32, 4},
     {36, 4},
     {40, 2},
     {42, 2},
     {44, 2},
     {46, 2},
     {48, 2},
     {50, 2}},
    {32, {0, 4}, {4, 4}, {8, 4}, {12, 4}, {16, 4}, {20, 4}, {24, 4}, {28, 4}},
    {40, {0, 4}, {4, 4}, {8, 4}, {12, 4}, {16, 4}, {20, 4}, {24, 4}, {28, 4}, {32, 4}, {36, 4}},
    {16, {0, 4}, {4, 4}, {8, 4}, {12, 1}, {13, 1}, {14, 2}},
    {8, 12, {0, 4}, {4, 4}, {8, 4}, 8},
};

inline constexpr ClassLayout kLayout64{
    true,
    kClass64,
    {64,
     {16, 2},
     {18, 2},
     {20, 4},
     {24, 8},
     {32, 8},
     {40, 8},
     {48, 4},
     {52, 2},
     {54, 2},
     {56, 2},
     {58, 2},
     {60, 2},
     {62, 2}},
    {56, {0, 4}, {8, 8}, {16, 8}, {24, 8}, {32, 8}, {40, 8}, {4, 4}, {48, 8}},
    {64, {0, 4}, {4, 4}, {8, 8}, {16, 8}, {24, 8}, {32, 8}, {40, 4}, {44, 4}, {48, 8}, {56, 8}},
    {24, {0, 4}, {8, 8}, {16, 8}, {4, 1}, {5, 1}, {6, 2}},
    {16, 24, {0, 8}, {8, 8}, {16, 8}, 32},
};

inline constexpr const ClassLayout& LayoutOf(bool is64) { return is64 ? kLayout64 : kLayout32; }

// A field of the record at `rec`, zero-extended. The caller has checked the record is
// inside its buffer.
inline uint64_t Get(const uint8_t* rec, Field f, Endian e) {
  switch (f.size) {
    case 1:
      return rec[f.offset];
    case 2:
      return LoadUnchecked<uint16_t>(rec + f.offset, e);
    case 4:
      return LoadUnchecked<uint32_t>(rec + f.offset, e);
    default:
      return LoadUnchecked<uint64_t>(rec + f.offset, e);
  }
}

// Stores the low f.size bytes of v into the field.
inline void Put(uint8_t* rec, Field f, uint64_t v, Endian e) {
  switch (f.size) {
    case 1:
      rec[f.offset] = static_cast<uint8_t>(v);
      break;
    case 2:
      StoreUnchecked<uint16_t>(rec + f.offset, static_cast<uint16_t>(v), e);
      break;
    case 4:
      StoreUnchecked<uint32_t>(rec + f.offset, static_cast<uint32_t>(v), e);
      break;
    default:
      StoreUnchecked<uint64_t>(rec + f.offset, v, e);
      break;
  }
}

// Does v fit the field? (An ELF32 address above 4 GiB does not.)
inline bool Fits(Field f, uint64_t v) { return f.size >= 8 || (v >> (8 * f.size)) == 0; }

}  // namespace kexkit::elf
