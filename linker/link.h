// Lays out a relocatable object at a physical address and applies its relocations.
//
// Call order: Parse the object (object.h) -> ComputeLayout (size and alignment, so the
// caller can choose an address) -> Link at that address -> SetSymbol / SymbolAddress on
// the result. SHF_ALLOC sections go in section-header order, PROGBITS-like first, then
// NOBITS, each at its own alignment [the kexec-tools / kexec_file_load convention];
// ppc64's .toc alignment is raised to 256 so .TOC. = .toc + 0x8000 stays reachable.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/diag.h"
#include "linker/object.h"

namespace kexkit::link {

inline constexpr uint64_t kNotAllocated = ~uint64_t{0};

struct Layout {
  std::vector<uint64_t> section_offset;  // per section index; kNotAllocated if not loaded
  uint64_t file_size = 0;                // PROGBITS extent: bytes the loader must copy
  uint64_t mem_size = 0;                 // including NOBITS
  uint64_t align = 1;                    // the largest section alignment
  uint32_t toc_section = 0;              // ppc64 .toc (or .got); 0 if none
};

Result<Layout> ComputeLayout(const RelocatableObject& obj);

class LinkedImage {
 public:
  uint64_t base() const { return base_; }
  uint64_t mem_size() const { return layout_.mem_size; }
  // The bytes the loader copies (file_size of them); NOBITS follow as zero fill.
  std::span<const uint8_t> bytes() const {
    return std::span<const uint8_t>(bytes_).first(layout_.file_size);
  }
  uint64_t toc_base() const { return toc_base_; }

  // Final address of a defined, global-or-local named symbol.
  Result<uint64_t> SymbolAddress(std::string_view name) const;
  // Overwrites a symbol's bytes. Refuses a symbol that is undefined, in NOBITS, or whose
  // st_size is not value.size() [kexec-tools' rule: a size mismatch is a layout bug].
  Result<void> SetSymbol(std::string_view name, std::span<const uint8_t> value);
  // Reads a symbol's current bytes (same checks as SetSymbol).
  Result<std::span<const uint8_t>> GetSymbol(std::string_view name, uint64_t size) const;

 private:
  friend Result<LinkedImage> Link(const RelocatableObject&, uint64_t);
  Result<std::pair<const Symbol*, uint64_t>> Find(std::string_view name, uint64_t size) const;

  const RelocatableObject* obj_ = nullptr;
  Layout layout_;
  uint64_t base_ = 0;
  uint64_t toc_base_ = 0;
  std::vector<uint8_t> bytes_;
};

// Links `obj` at physical address `base` (which must honour Layout::align). `obj` must
// outlive the result.
Result<LinkedImage> Link(const RelocatableObject& obj, uint64_t base);

}  // namespace kexkit::link
