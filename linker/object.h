// A parsed ELF relocatable object (ET_REL), any class, any byte order.
//
// Parse() validates everything it will later index: the header, the section table,
// every section's file range, the symbol and string tables, and every relocation's
// symbol index and target section. After it succeeds, accessors need no checks of their
// own. What can go wrong: not ELF, not ET_REL, an unsupported class/machine, a table
// or name that runs past the end of the file, an index out of range; each returns an
// Error naming the file and the offending table, section or index.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/diag.h"

namespace kexkit::link {

enum class ElfClass : uint8_t { k32 = 1, k64 = 2 };

struct ElfFormat {
  ElfClass cls;
  Endian endian;
  uint16_t machine;
  uint32_t flags;  // e_flags (ppc64: 1 = ELFv1, 2 = ELFv2)
};

struct Section {
  std::string_view name;
  uint32_t type;
  uint64_t flags;
  uint64_t offset;
  uint64_t size;
  uint32_t link;
  uint32_t info;
  uint64_t align;
  uint64_t entsize;
};

struct Symbol {
  std::string_view name;
  uint64_t value;
  uint64_t size;
  uint8_t info;
  uint8_t other;
  uint16_t shndx;
  uint8_t bind() const { return info >> 4; }
  uint8_t type() const { return info & 0xf; }
};

struct Relocation {
  uint64_t offset;  // within the target section
  uint32_t type;
  uint32_t symbol;  // index into symbols()
  int64_t addend;   // RELA only; REL addends are read from the place at link time
};

struct RelocationSection {
  uint32_t index;   // the SHT_REL(A) section
  uint32_t target;  // the section it patches (sh_info)
  bool rela;
  std::vector<Relocation> entries;
};

class RelocatableObject {
 public:
  // `bytes` must outlive the object: sections and names are views into it.
  static Result<RelocatableObject> Parse(std::span<const uint8_t> bytes, std::string name);

  const std::string& name() const { return name_; }
  const ElfFormat& format() const { return format_; }
  const std::vector<Section>& sections() const { return sections_; }
  const std::vector<Symbol>& symbols() const { return symbols_; }
  const std::vector<RelocationSection>& relocations() const { return relocations_; }
  // File bytes of a section that is not SHT_NOBITS (validated by Parse).
  std::span<const uint8_t> SectionBytes(uint32_t index) const;

 private:
  RelocatableObject() = default;

  std::string name_;
  std::span<const uint8_t> bytes_;
  ElfFormat format_{};
  std::vector<Section> sections_;
  std::vector<Symbol> symbols_;
  std::vector<RelocationSection> relocations_;
};

}  // namespace kexkit::link
