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

#include <algorithm>
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
    const elf::ClassLayout& L = elf::LayoutOf(cls == link::ElfClass::k64);
    std::vector<uint8_t> out(L.ehdr.size, 0);
    // Stores one field of the record at `rec`, growing the buffer to hold the record.
    auto put = [&](std::vector<uint8_t>& b, size_t rec, elf::Field f, uint64_t v) {
      if (b.size() < rec + f.offset + f.size) b.resize(rec + f.offset + f.size, 0);
      elf::Put(b.data() + rec, f, v, endian);
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
        entsize = L.sym.size;
        for (size_t k = 0; k < symbols.size(); ++k) {
          const Sym& y = symbols[k];
          const size_t e = k * L.sym.size;
          put(body, e, L.sym.name, y.name_off);
          put(body, e, L.sym.info, y.info);
          put(body, e, L.sym.other, y.other);
          put(body, e, L.sym.shndx, y.shndx);
          put(body, e, L.sym.value, y.value);
          put(body, e, L.sym.size_field, y.size);
          if (body.size() < e + L.sym.size) body.resize(e + L.sym.size, 0);
        }
      } else if ((s.type == elf::kShtRel || s.type == elf::kShtRela) && relocs.count(i)) {
        const bool rela = s.type == elf::kShtRela;
        entsize = rela ? L.rel.rela_size : L.rel.rel_size;
        const auto& entries = relocs.at(static_cast<uint32_t>(i));
        const uint64_t type_mask = (uint64_t{1} << L.rel.sym_shift) - 1;
        for (size_t k = 0; k < entries.size(); ++k) {
          const Rel& r = entries[k];
          const size_t e = k * entsize;
          put(body, e, L.rel.offset, r.offset);
          put(body, e, L.rel.info, (uint64_t{r.symbol} << L.rel.sym_shift) | (r.type & type_mask));
          if (rela) put(body, e, L.rel.addend, static_cast<uint64_t>(r.addend));
        }
      } else {
        body = s.bytes;
        if (s.type == elf::kShtRel) entsize = L.rel.rel_size;
        if (s.type == elf::kShtRela) entsize = L.rel.rela_size;
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
    out.resize(shoff + L.shdr.size * sections.size(), 0);
    for (size_t i = 1; i < sections.size(); ++i) {
      const Sec& s = sections[i];
      const size_t h = shoff + i * L.shdr.size;
      put(out, h, L.shdr.name, s.name_off);
      put(out, h, L.shdr.type, s.type);
      put(out, h, L.shdr.flags, s.flags);
      put(out, h, L.shdr.offset, placed[i].offset);
      put(out, h, L.shdr.size_field, placed[i].size);
      put(out, h, L.shdr.link, s.link);
      put(out, h, L.shdr.info, s.info);
      put(out, h, L.shdr.addralign, s.align);
      put(out, h, L.shdr.entsize, placed[i].entsize);
    }
    // ELF header [gABI 4.1 "ELF Header"].
    std::copy(std::begin(elf::kMagic), std::end(elf::kMagic), out.begin());
    out[4] = L.class_id;
    out[5] = endian == Endian::kLittle ? elf::kData2Lsb : elf::kData2Msb;
    out[6] = 1;  // EI_VERSION
    put(out, 0, L.ehdr.type, elf::kEtRel);
    put(out, 0, L.ehdr.machine, machine);
    put(out, 0, L.ehdr.version, 1);
    put(out, 0, L.ehdr.shoff, shoff);
    put(out, 0, L.ehdr.flags, e_flags);
    put(out, 0, L.ehdr.ehsize, L.ehdr.size);
    put(out, 0, L.ehdr.shentsize, L.shdr.size);
    put(out, 0, L.ehdr.shnum, sections.size());
    put(out, 0, L.ehdr.shstrndx, shstrndx);
    return out;
  }

  // File offset of section `index`'s header in Encode()'s output (for tests that corrupt
  // a header field in place).
  static uint64_t SectionHeaderOffset(std::span<const uint8_t> encoded, uint32_t index) {
    using namespace kexkit;
    const elf::ClassLayout& L = elf::LayoutOf(encoded[4] == elf::kClass64);
    const Endian e = encoded[5] == elf::kData2Lsb ? Endian::kLittle : Endian::kBig;
    return elf::Get(encoded.data(), L.ehdr.shoff, e) + uint64_t{index} * L.shdr.size;
  }
};

}  // namespace kktest
