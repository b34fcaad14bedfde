// An ET_REL object as editable tables, re-encoded in any ELF class, byte order and
// machine. The fuzz seed generator uses it to turn the build's real objects into every
// class x byte order x machine combination; the bad-input tests use it to make a real
// purgatory.ro wrong in one precise way (an unknown relocation type, a symbol index out
// of range, an addend that overflows). Header-only: the unit tests include it as
// "fuzz/elf-writer.h" without a library of their own.
//
// Call order: ElfEdit::From(bytes) (parsed by kexkit's own parser, so the input must be
// valid) -> edit the public vectors -> Encode(). Section indices never move, so symbol
// st_shndx and relocation targets stay meaningful. SYMTAB and REL/RELA sections are
// rebuilt from `symbols` and `relocs` in the output's class and byte order; every other
// section's bytes are copied unchanged (code stays in its original byte order, which is
// fine for parser and relocation tests). Values are not range-checked: a test may write
// a symbol index past the table or a type that does not fit ELF32's 8 bits (it is
// truncated there, as r_info has no room).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/elf.h"
#include "linker/object.h"

namespace kktest {

struct ElfEdit {
  struct Sec {
    std::string name;
    uint32_t name_off = 0;
    uint32_t type = 0;
    uint64_t flags = 0;
    uint64_t size = 0;  // NOBITS only; others take bytes.size()
    uint32_t link = 0, info = 0;
    uint64_t align = 1;
    std::vector<uint8_t> bytes;
  };
  struct Sym {
    std::string name;
    uint32_t name_off = 0;
    uint64_t value = 0, size = 0;
    uint8_t info = 0, other = 0;
    uint16_t shndx = 0;
  };
  struct Rel {
    uint64_t offset = 0;
    uint32_t type = 0;
    uint32_t symbol = 0;
    int64_t addend = 0;
  };

  kexkit::link::ElfClass cls = kexkit::link::ElfClass::k64;
  kexkit::Endian endian = kexkit::Endian::kLittle;
  uint16_t machine = 0;
  uint32_t e_flags = 0;
  uint16_t shstrndx = 0;
  std::vector<Sec> sections;                    // [0] is the null section
  std::vector<Sym> symbols;                     // the SYMTAB's contents
  std::map<uint32_t, std::vector<Rel>> relocs;  // REL/RELA section index -> entries

  static std::optional<ElfEdit> From(std::span<const uint8_t> bytes) {
    using namespace kexkit;
    auto obj = link::RelocatableObject::Parse(bytes, "input");
    if (!obj) return std::nullopt;
    ElfEdit e;
    e.cls = obj->format().cls;
    e.endian = obj->format().endian;
    e.machine = obj->format().machine;
    e.e_flags = obj->format().flags;
    const bool is64 = e.cls == link::ElfClass::k64;
    e.shstrndx = LoadUnchecked<uint16_t>(bytes.data() + (is64 ? 62 : 50), e.endian);
    const auto& secs = obj->sections();
    const auto shstr = obj->SectionBytes(e.shstrndx);
    uint32_t symtab = 0;
    for (uint32_t i = 0; i < secs.size(); ++i) {
      const auto& s = secs[i];
      Sec o;
      o.name = std::string(s.name);
      o.name_off =
          static_cast<uint32_t>(reinterpret_cast<const uint8_t*>(s.name.data()) - shstr.data());
      o.type = s.type;
      o.flags = s.flags;
      o.size = s.size;
      o.link = s.link;
      o.info = s.info;
      o.align = s.align;
      if (s.type != elf::kShtNobits && s.type != elf::kShtNull) {
        const auto b = obj->SectionBytes(i);
        o.bytes.assign(b.begin(), b.end());
      }
      if (s.type == elf::kShtSymtab) symtab = i;
      e.sections.push_back(std::move(o));
    }
    if (symtab != 0) {
      const auto str = obj->SectionBytes(secs[symtab].link);
      for (const auto& s : obj->symbols()) {
        e.symbols.push_back(
            {std::string(s.name),
             static_cast<uint32_t>(reinterpret_cast<const uint8_t*>(s.name.data()) - str.data()),
             s.value, s.size, s.info, s.other, s.shndx});
      }
    }
    for (const auto& rs : obj->relocations()) {
      auto& out = e.relocs[rs.index];
      for (const auto& r : rs.entries) out.push_back({r.offset, r.type, r.symbol, r.addend});
    }
    return e;
  }

  // Index of the first section / symbol with this name; -1 if none.
  int SectionIndex(std::string_view name) const {
    for (size_t i = 0; i < sections.size(); ++i) {
      if (sections[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }
  int SymbolIndex(std::string_view name) const {
    for (size_t i = 0; i < symbols.size(); ++i) {
      if (symbols[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }

  std::vector<uint8_t> Encode() const {
    using namespace kexkit;
    const bool is64 = cls == link::ElfClass::k64;
    const size_t ehdr = is64 ? 64 : 52, shdr = is64 ? 64 : 40;
    const size_t sym_size = is64 ? 24 : 16;
    const size_t rel_size = is64 ? 16 : 8, rela_size = is64 ? 24 : 12;
    std::vector<uint8_t> out(ehdr, 0);
    auto put = [&](std::vector<uint8_t>& b, size_t off, auto v) {
      if (b.size() < off + sizeof(v)) b.resize(off + sizeof(v), 0);
      StoreUnchecked<decltype(v)>(b.data() + off, v, endian);
    };
    auto word = [&](std::vector<uint8_t>& b, size_t off, uint64_t v) {
      if (is64)
        put(b, off, v);
      else
        put(b, off, static_cast<uint32_t>(v));
    };
    struct Placed {
      uint64_t offset, size, entsize;
    };
    std::vector<Placed> placed(sections.size(), {0, 0, 0});
    for (size_t i = 1; i < sections.size(); ++i) {
      const Sec& s = sections[i];
      std::vector<uint8_t> body;
      uint64_t entsize = 0;
      if (s.type == elf::kShtSymtab) {
        entsize = sym_size;
        for (size_t k = 0; k < symbols.size(); ++k) {
          const Sym& y = symbols[k];
          const size_t e = k * sym_size;
          put(body, e, y.name_off);
          if (is64) {
            put(body, e + 4, y.info);
            put(body, e + 5, y.other);
            put(body, e + 6, y.shndx);
            put(body, e + 8, y.value);
            put(body, e + 16, y.size);
          } else {
            put(body, e + 4, static_cast<uint32_t>(y.value));
            put(body, e + 8, static_cast<uint32_t>(y.size));
            put(body, e + 12, y.info);
            put(body, e + 13, y.other);
            put(body, e + 14, y.shndx);
          }
        }
      } else if ((s.type == elf::kShtRel || s.type == elf::kShtRela) && relocs.count(i)) {
        const bool rela = s.type == elf::kShtRela;
        entsize = rela ? rela_size : rel_size;
        const auto& entries = relocs.at(static_cast<uint32_t>(i));
        for (size_t k = 0; k < entries.size(); ++k) {
          const Rel& r = entries[k];
          const size_t e = k * entsize;
          word(body, e, r.offset);
          if (is64)
            put(body, e + 8, (uint64_t{r.symbol} << 32) | r.type);
          else
            put(body, e + 4, static_cast<uint32_t>((r.symbol << 8) | (r.type & 0xff)));
          if (rela) word(body, e + (is64 ? 16 : 8), static_cast<uint64_t>(r.addend));
        }
      } else {
        body = s.bytes;
        if (s.type == elf::kShtRel) entsize = rel_size;
        if (s.type == elf::kShtRela) entsize = rela_size;
      }
      if (s.type == elf::kShtNobits || s.type == elf::kShtNull) {
        placed[i] = {0, s.type == elf::kShtNobits ? s.size : 0, entsize};
        continue;
      }
      const uint64_t at = (out.size() + 7) & ~uint64_t{7};
      out.resize(at, 0);
      out.insert(out.end(), body.begin(), body.end());
      placed[i] = {at, body.size(), entsize};
    }
    const uint64_t shoff = (out.size() + 7) & ~uint64_t{7};
    out.resize(shoff + shdr * sections.size(), 0);
    for (size_t i = 1; i < sections.size(); ++i) {
      const Sec& s = sections[i];
      const size_t h = shoff + i * shdr;
      put(out, h, s.name_off);
      put(out, h + 4, s.type);
      if (is64) {
        put(out, h + 8, s.flags);
        put(out, h + 24, placed[i].offset);
        put(out, h + 32, placed[i].size);
        put(out, h + 40, s.link);
        put(out, h + 44, s.info);
        put(out, h + 48, s.align);
        put(out, h + 56, placed[i].entsize);
      } else {
        put(out, h + 8, static_cast<uint32_t>(s.flags));
        put(out, h + 16, static_cast<uint32_t>(placed[i].offset));
        put(out, h + 20, static_cast<uint32_t>(placed[i].size));
        put(out, h + 24, s.link);
        put(out, h + 28, s.info);
        put(out, h + 32, static_cast<uint32_t>(s.align));
        put(out, h + 36, static_cast<uint32_t>(placed[i].entsize));
      }
    }
    // ELF header [gABI 4.1 "ELF Header"].
    out[0] = 0x7f, out[1] = 'E', out[2] = 'L', out[3] = 'F';
    out[4] = is64 ? elf::kClass64 : elf::kClass32;
    out[5] = endian == Endian::kLittle ? elf::kData2Lsb : elf::kData2Msb;
    out[6] = 1;  // EI_VERSION
    put(out, 16, elf::kEtRel);
    put(out, 18, machine);
    put(out, 20, uint32_t{1});
    word(out, is64 ? 40 : 32, shoff);
    put(out, is64 ? 48 : 36, e_flags);
    put(out, is64 ? 52 : 40, static_cast<uint16_t>(ehdr));
    put(out, is64 ? 58 : 46, static_cast<uint16_t>(shdr));
    put(out, is64 ? 60 : 48, static_cast<uint16_t>(sections.size()));
    put(out, is64 ? 62 : 50, shstrndx);
    return out;
  }

  // File offset of section `index`'s header in Encode()'s output (for tests that corrupt
  // a header field in place).
  static uint64_t SectionHeaderOffset(std::span<const uint8_t> encoded, uint32_t index) {
    using namespace kexkit;
    const bool is64 = encoded[4] == elf::kClass64;
    const Endian e = encoded[5] == elf::kData2Lsb ? Endian::kLittle : Endian::kBig;
    const uint64_t shoff = is64 ? LoadUnchecked<uint64_t>(encoded.data() + 40, e)
                                : LoadUnchecked<uint32_t>(encoded.data() + 32, e);
    return shoff + uint64_t{index} * (is64 ? 64 : 40);
  }
};

}  // namespace kktest
