#include "linker/link.h"

#include <algorithm>
#include <cstring>

#include "base/elf.h"
#include "linker/reloc.h"

namespace kexkit::link {
namespace {

constexpr uint64_t kPpc64TocAlign = 256;
// The largest layout kexkit links. A purgatory or trampoline is kilobytes (the ppc64
// range tests link 48 MiB objects, REL24 reaches +-32 MiB); a damaged object claiming
// gigabytes of .bss must not make the loader allocate them.
constexpr uint64_t kMaxImageSize = uint64_t{64} << 20;
constexpr uint64_t kPpc64TocBias = 0x8000;  // [ELFv2 ABI 3.3: TOC pointer = .toc + 0x8000]

uint64_t AlignUp(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

std::string SectionLabel(const RelocatableObject& obj, uint32_t index) {
  return std::string(obj.sections()[index].name);
}

}  // namespace

Result<void> CheckSigned(int64_t v, int bits, const char* what) {
  const int64_t lo = -(int64_t{1} << (bits - 1)), hi = (int64_t{1} << (bits - 1)) - 1;
  if (v < lo || v > hi) {
    return Fail(what, " value ", v, " overflows a signed ", bits, "-bit field");
  }
  return {};
}

Result<void> CheckUnsigned(uint64_t v, int bits, const char* what) {
  if (bits < 64 && (v >> bits) != 0) {
    return Fail(what, " value ", Hex(v), " overflows an unsigned ", bits, "-bit field");
  }
  return {};
}

Result<void> CheckAligned(uint64_t v, uint64_t align, const char* what) {
  if ((v & (align - 1)) != 0) {
    return Fail(what, " value ", Hex(v), " is not ", align, "-byte aligned");
  }
  return {};
}

Result<Layout> ComputeLayout(const RelocatableObject& obj) {
  const auto& secs = obj.sections();
  Layout L;
  L.section_offset.assign(secs.size(), kNotAllocated);
  const bool ppc64 = obj.format().machine == elf::kEmPpc64;
  uint64_t at = 0;
  for (int pass = 0; pass < 2; ++pass) {
    const bool want_nobits = pass == 1;
    for (uint32_t i = 1; i < secs.size(); ++i) {
      const Section& s = secs[i];
      if (!(s.flags & elf::kShfAlloc) || (s.type == elf::kShtNobits) != want_nobits) continue;
      if (s.type == elf::kShtInitArray || s.type == elf::kShtFiniArray ||
          s.type == elf::kShtPreinitArray) {
        return FailIn(obj.name(), "section ", std::string_view(s.name.data(), s.name.size()),
                      ": static constructors/destructors never run in a purgatory");
      }
      uint64_t align = s.align;
      if (ppc64 && (s.name == ".toc" || (s.name == ".got" && L.toc_section == 0))) {
        align = std::max(align, kPpc64TocAlign);
        L.toc_section = i;
      }
      if (align > (uint64_t{1} << 30) || s.size > (uint64_t{1} << 32)) {
        return FailIn(obj.name(), "section ", std::string_view(s.name.data(), s.name.size()),
                      " is implausibly large or aligned");
      }
      at = AlignUp(at, align);
      L.section_offset[i] = at;
      at += s.size;
      L.align = std::max(L.align, align);
      if (!want_nobits) L.file_size = at;
    }
  }
  // Checked here, not in Link: the loader places (Allocate) the layout before it links.
  if (at > kMaxImageSize) {
    return FailIn(obj.name(), "image of ", Hex(at), " bytes is larger than the ",
                  kMaxImageSize >> 20, " MiB kexkit links");
  }
  L.mem_size = at;
  return L;
}

Result<LinkedImage> Link(const RelocatableObject& obj, uint64_t base) {
  const char* n = obj.name().c_str();
  const RelocArch* arch = FindRelocArch(obj.format().machine, obj.format().cls);
  if (arch == nullptr) {
    return FailIn(n, "ELF machine ", obj.format().machine, " (",
                  obj.format().cls == ElfClass::k64 ? "64-bit" : "32-bit",
                  ") is not supported by the kexkit linker");
  }
  auto layout = ComputeLayout(obj);
  if (!layout) return std::unexpected(layout.error());
  if ((base & (layout->align - 1)) != 0) {
    return FailIn(n, "load address ", Hex(base), " is not ", layout->align, "-byte aligned");
  }
  if (base + layout->mem_size < base ||
      (obj.format().cls == ElfClass::k32 && base + layout->mem_size > (uint64_t{1} << 32))) {
    return FailIn(n, "image at ", Hex(base), " does not fit the address space");
  }

  LinkedImage img;
  img.obj_ = &obj;
  img.layout_ = std::move(*layout);
  img.base_ = base;
  // The buffer covers the NOBITS part too, so a relocation that targets .bss is caught
  // by the same bounds check; bytes() only exposes file_size of it.
  img.bytes_.assign(img.layout_.mem_size, 0);
  const auto& secs = obj.sections();
  for (uint32_t i = 1; i < secs.size(); ++i) {
    const uint64_t off = img.layout_.section_offset[i];
    if (off == kNotAllocated || secs[i].type == elf::kShtNobits) continue;
    const auto src = obj.SectionBytes(i);
    if (!src.empty()) std::memcpy(img.bytes_.data() + off, src.data(), src.size());
  }
  if (img.layout_.toc_section != 0) {
    img.toc_base_ = base + img.layout_.section_offset[img.layout_.toc_section] + kPpc64TocBias;
  }

  const Endian endian = obj.format().endian;
  // ppc64 ELFv1: a call to a function goes through its .opd descriptor, whose words are
  // themselves relocated; patch .opd first so the hook reads final entry addresses.
  std::vector<const RelocationSection*> order;
  for (const RelocationSection& rs : obj.relocations()) order.push_back(&rs);
  if (obj.format().machine == elf::kEmPpc64) {
    std::stable_partition(order.begin(), order.end(), [&](const RelocationSection* rs) {
      return secs[rs->target].name == ".opd";
    });
  }
  for (const RelocationSection* rsp : order) {
    const RelocationSection& rs = *rsp;
    const uint64_t target_off = img.layout_.section_offset[rs.target];
    if (target_off == kNotAllocated) continue;  // debug info etc.: not loaded, not patched
    const Section& target = secs[rs.target];
    if (target.type == elf::kShtNobits) {
      return FailIn(n, SectionLabel(obj, rs.index), ": relocations against NOBITS section ",
                    std::string_view(target.name.data(), target.name.size()));
    }
    for (const Relocation& rel : rs.entries) {
      const std::string where =
          Cat(n, ": ", SectionLabel(obj, rs.index), " offset ", Hex(rel.offset));
      if (rel.offset >= target.size) {
        return FailIn(where, "place is past the end of ",
                      std::string_view(target.name.data(), target.name.size()), " (size ",
                      Hex(target.size), ")");
      }
      const Symbol& sym = obj.symbols()[rel.symbol];
      uint64_t s_value = 0;
      std::string_view s_section;
      if (sym.shndx == elf::kShnUndef && sym.name == ".TOC." &&
          obj.format().machine == elf::kEmPpc64) {
        // The ppc64 linker-defined TOC pointer [ELFv2 ABI 3.3, 64-bit ELF ABI 3.2.3].
        if (img.layout_.toc_section == 0) {
          return FailIn(where, ".TOC. referenced but the object has no .toc or .got section");
        }
        s_value = img.toc_base_;
      } else if (sym.shndx == elf::kShnUndef) {
        if (rel.symbol != 0 && sym.bind() != elf::kStbWeak) {
          return FailIn(where, "undefined symbol '",
                        std::string_view(sym.name.data(), sym.name.size()), "'");
        }
      } else if (sym.shndx == elf::kShnAbs) {
        s_value = sym.value;
      } else if (sym.shndx == elf::kShnCommon) {
        return FailIn(where, "common symbol '", std::string_view(sym.name.data(), sym.name.size()),
                      "' (build with -fno-common)");
      } else if (sym.shndx >= elf::kShnLoreserve) {
        return FailIn(where, "symbol '", std::string_view(sym.name.data(), sym.name.size()),
                      "' has reserved section index ", Hex(sym.shndx));
      } else {
        const uint64_t sec_off = img.layout_.section_offset[sym.shndx];
        if (sec_off == kNotAllocated) {
          return FailIn(where, "symbol '", std::string_view(sym.name.data(), sym.name.size()),
                        "' is in non-loaded section ",
                        std::string_view(secs[sym.shndx].name.data(), secs[sym.shndx].name.size()));
        }
        s_value = base + sec_off + sym.value;
        s_section = secs[sym.shndx].name;
      }
      RelocSite site{rel.type,
                     img.bytes_,
                     target_off + rel.offset,
                     base + target_off + rel.offset,
                     s_value,
                     rel.addend,
                     sym.other,
                     img.toc_base_,
                     endian,
                     s_section,
                     target_off + target.size};
      if (!rs.rela) {
        auto a = arch->implicit_addend(site);
        if (!a) return Wrap(where, a.error());
        site.addend = *a;
      }
      if (auto r = arch->apply(site); !r) return Wrap(where, r.error());
    }
  }
  return img;
}

Result<std::pair<const Symbol*, uint64_t>> LinkedImage::Find(std::string_view name,
                                                             uint64_t size) const {
  const char* n = obj_->name().c_str();
  const Symbol* found = nullptr;
  for (const Symbol& s : obj_->symbols()) {
    if (s.name == name && s.shndx != elf::kShnUndef && s.type() != elf::kSttSection) {
      if (found != nullptr && found->bind() != elf::kStbLocal && s.bind() != elf::kStbLocal) {
        return FailIn(n, "symbol '", std::string_view(name.data(), name.size()),
                      "' is defined twice");
      }
      if (found == nullptr || found->bind() == elf::kStbLocal) found = &s;
    }
  }
  if (found == nullptr) {
    return FailIn(n, "no symbol '", std::string_view(name.data(), name.size()), "'");
  }
  if (found->shndx >= elf::kShnLoreserve || found->shndx >= obj_->sections().size()) {
    return FailIn(n, "symbol '", std::string_view(name.data(), name.size()),
                  "' is not in a loaded section");
  }
  const uint64_t sec_off = layout_.section_offset[found->shndx];
  const Section& sec = obj_->sections()[found->shndx];
  if (sec_off == kNotAllocated) {
    return FailIn(n, "symbol '", std::string_view(name.data(), name.size()),
                  "' is not in a loaded section");
  }
  if (size != kNotAllocated) {
    if (sec.type == elf::kShtNobits) {
      return FailIn(n, "symbol '", std::string_view(name.data(), name.size()),
                    "' is in NOBITS section ", std::string_view(sec.name.data(), sec.name.size()),
                    "; its value would be lost");
    }
    if (found->size != size) {
      return FailIn(n, "symbol '", std::string_view(name.data(), name.size()), "' has size ",
                    found->size, ", the loader writes ", size);
    }
    if (found->value > sec.size || sec.size - found->value < size) {
      return FailIn(n, "symbol '", std::string_view(name.data(), name.size()),
                    "' runs past the end of ", std::string_view(sec.name.data(), sec.name.size()));
    }
  }
  return std::make_pair(found, sec_off + found->value);
}

Result<uint64_t> LinkedImage::SymbolAddress(std::string_view name) const {
  auto f = Find(name, kNotAllocated);
  if (!f) return std::unexpected(f.error());
  return base_ + f->second;
}

Result<void> LinkedImage::SetSymbol(std::string_view name, std::span<const uint8_t> value) {
  auto f = Find(name, value.size());
  if (!f) return std::unexpected(f.error());
  if (!value.empty()) std::memcpy(bytes_.data() + f->second, value.data(), value.size());
  return {};
}

Result<std::span<const uint8_t>> LinkedImage::GetSymbol(std::string_view name,
                                                        uint64_t size) const {
  auto f = Find(name, size);
  if (!f) return std::unexpected(f.error());
  return std::span<const uint8_t>(bytes_).subspan(f->second, size);
}

}  // namespace kexkit::link
