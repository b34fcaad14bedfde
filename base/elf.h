// ELF constants the linker and the image parsers use [System V gABI 4.1, ch. 4].
// Structures are not mirrored as C structs: fields are read at explicit offsets with
// explicit widths (bytes.h), which works for every class and byte order on any host.
#pragma once

#include <cstdint>

namespace kexkit::elf {

inline constexpr uint8_t kMagic[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr uint8_t kClass32 = 1, kClass64 = 2;
inline constexpr uint8_t kData2Lsb = 1, kData2Msb = 2;
inline constexpr uint16_t kEtRel = 1, kEtExec = 2, kEtDyn = 3, kEtCore = 4;

inline constexpr uint16_t kEm386 = 3, kEmPpc64 = 21, kEmX86_64 = 62;

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

}  // namespace kexkit::elf
