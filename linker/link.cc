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
    return Fail("%s value %lld overflows a signed %d-bit field", what, static_cast<long long>(v),
                bits);
  }
  return {};
}

Result<void> CheckUnsigned(uint64_t v, int bits, const char* what) {
  if (bits < 64 && (v >> bits) != 0) {
    return Fail("%s value 0x%llx overflows an unsigned %d-bit field", what,
                static_cast<unsigned long long>(v), bits);
  }
  return {};
}

Result<void> CheckAligned(uint64_t v, uint64_t align, const char* what) {
  if ((v & (align - 1)) != 0) {
    return Fail("%s value 0x%llx is not %llu-byte aligned", what,
                static_cast<unsigned long long>(v), static_cast<unsigned long long>(align));
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
        return Fail(
            "%s: section %.*s: static constructors/destructors never run in a "
            "purgatory",
            obj.name().c_str(), static_cast<int>(s.name.size()), s.name.data());
      }
      uint64_t align = s.align;
      if (ppc64 && (s.name == ".toc" || (s.name == ".got" && L.toc_section == 0))) {
        align = std::max(align, kPpc64TocAlign);
        L.toc_section = i;
      }
      if (align > (uint64_t{1} << 30) || s.size > (uint64_t{1} << 32)) {
        return Fail("%s: section %.*s is implausibly large or aligned", obj.name().c_str(),
                    static_cast<int>(s.name.size()), s.name.data());
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
    return Fail("%s: image of 0x%llx bytes is larger than the %llu MiB kexkit links",
                obj.name().c_str(), static_cast<unsigned long long>(at),
                static_cast<unsigned long long>(kMaxImageSize >> 20));
  }
  L.mem_size = at;
  return L;
}

Result<LinkedImage> Link(const RelocatableObject& obj, uint64_t base) {
  const char* n = obj.name().c_str();
  const RelocArch* arch = FindRelocArch(obj.format().machine, obj.format().cls);
  if (arch == nullptr) {
    return Fail("%s: ELF machine %u (%s) is not supported by the kexkit linker", n,
                obj.format().machine, obj.format().cls == ElfClass::k64 ? "64-bit" : "32-bit");
  }
  auto layout = ComputeLayout(obj);
  if (!layout) return std::unexpected(layout.error());
  if ((base & (layout->align - 1)) != 0) {
    return Fail("%s: load address 0x%llx is not %llu-byte aligned", n,
                static_cast<unsigned long long>(base),
                static_cast<unsigned long long>(layout->align));
  }
  if (base + layout->mem_size < base ||
      (obj.format().cls == ElfClass::k32 && base + layout->mem_size > (uint64_t{1} << 32))) {
    return Fail("%s: image at 0x%llx does not fit the address space", n,
                static_cast<unsigned long long>(base));
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
      return Fail("%s: %s: relocations against NOBITS section %.*s", n,
                  SectionLabel(obj, rs.index).c_str(), static_cast<int>(target.name.size()),
                  target.name.data());
    }
    for (const Relocation& rel : rs.entries) {
      std::string where = std::string(n) + ": " + SectionLabel(obj, rs.index) + " offset 0x";
      char hex[32];
      std::snprintf(hex, sizeof(hex), "%llx", static_cast<unsigned long long>(rel.offset));
      where += hex;
      if (rel.offset >= target.size) {
        return Fail("%s: place is past the end of %.*s (size 0x%llx)", where.c_str(),
                    static_cast<int>(target.name.size()), target.name.data(),
                    static_cast<unsigned long long>(target.size));
      }
      const Symbol& sym = obj.symbols()[rel.symbol];
      uint64_t s_value = 0;
      std::string_view s_section;
      if (sym.shndx == elf::kShnUndef && sym.name == ".TOC." &&
          obj.format().machine == elf::kEmPpc64) {
        // The ppc64 linker-defined TOC pointer [ELFv2 ABI 3.3, 64-bit ELF ABI 3.2.3].
        if (img.layout_.toc_section == 0) {
          return Fail("%s: .TOC. referenced but the object has no .toc or .got section",
                      where.c_str());
        }
        s_value = img.toc_base_;
      } else if (sym.shndx == elf::kShnUndef) {
        if (rel.symbol != 0 && sym.bind() != elf::kStbWeak) {
          return Fail("%s: undefined symbol '%.*s'", where.c_str(),
                      static_cast<int>(sym.name.size()), sym.name.data());
        }
      } else if (sym.shndx == elf::kShnAbs) {
        s_value = sym.value;
      } else if (sym.shndx == elf::kShnCommon) {
        return Fail("%s: common symbol '%.*s' (build with -fno-common)", where.c_str(),
                    static_cast<int>(sym.name.size()), sym.name.data());
      } else if (sym.shndx >= elf::kShnLoreserve) {
        return Fail("%s: symbol '%.*s' has reserved section index 0x%x", where.c_str(),
                    static_cast<int>(sym.name.size()), sym.name.data(), sym.shndx);
      } else {
        const uint64_t sec_off = img.layout_.section_offset[sym.shndx];
        if (sec_off == kNotAllocated) {
          return Fail("%s: symbol '%.*s' is in non-loaded section %.*s", where.c_str(),
                      static_cast<int>(sym.name.size()), sym.name.data(),
                      static_cast<int>(secs[sym.shndx].name.size()), secs[sym.shndx].name.data());
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
        return Fail("%s: symbol '%.*s' is defined twice", n, static_cast<int>(name.size()),
                    name.data());
      }
      if (found == nullptr || found->bind() == elf::kStbLocal) found = &s;
    }
  }
  if (found == nullptr) {
    return Fail("%s: no symbol '%.*s'", n, static_cast<int>(name.size()), name.data());
  }
  if (found->shndx >= elf::kShnLoreserve || found->shndx >= obj_->sections().size()) {
    return Fail("%s: symbol '%.*s' is not in a loaded section", n, static_cast<int>(name.size()),
                name.data());
  }
  const uint64_t sec_off = layout_.section_offset[found->shndx];
  const Section& sec = obj_->sections()[found->shndx];
  if (sec_off == kNotAllocated) {
    return Fail("%s: symbol '%.*s' is not in a loaded section", n, static_cast<int>(name.size()),
                name.data());
  }
  if (size != kNotAllocated) {
    if (sec.type == elf::kShtNobits) {
      return Fail("%s: symbol '%.*s' is in NOBITS section %.*s; its value would be lost", n,
                  static_cast<int>(name.size()), name.data(), static_cast<int>(sec.name.size()),
                  sec.name.data());
    }
    if (found->size != size) {
      return Fail("%s: symbol '%.*s' has size %llu, the loader writes %llu", n,
                  static_cast<int>(name.size()), name.data(),
                  static_cast<unsigned long long>(found->size),
                  static_cast<unsigned long long>(size));
    }
    if (found->value > sec.size || sec.size - found->value < size) {
      return Fail("%s: symbol '%.*s' runs past the end of %.*s", n, static_cast<int>(name.size()),
                  name.data(), static_cast<int>(sec.name.size()), sec.name.data());
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
