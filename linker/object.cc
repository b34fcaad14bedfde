#include "linker/object.h"

#include <cstring>

#include "base/elf.h"

namespace kexkit::link {
namespace {

// Field offsets and widths per class [gABI 4.1: Elf32_Ehdr / Elf64_Ehdr, ...].
struct Layout {
  uint64_t ehdr_size, shdr_size, sym_size, rel_size, rela_size;
};
constexpr Layout kLayout32{52, 40, 16, 8, 12};
constexpr Layout kLayout64{64, 64, 24, 16, 24};

class Reader {
 public:
  Reader(std::span<const uint8_t> b, Endian e) : b_(b), e_(e) {}
  // All callers have checked that the record lies inside the file.
  uint8_t U8(uint64_t off) const { return b_[off]; }
  uint16_t U16(uint64_t off) const { return LoadUnchecked<uint16_t>(b_.data() + off, e_); }
  uint32_t U32(uint64_t off) const { return LoadUnchecked<uint32_t>(b_.data() + off, e_); }
  uint64_t U64(uint64_t off) const { return LoadUnchecked<uint64_t>(b_.data() + off, e_); }
  uint64_t Word(uint64_t off, bool is64) const { return is64 ? U64(off) : U32(off); }

 private:
  std::span<const uint8_t> b_;
  Endian e_;
};

bool RangeOk(uint64_t off, uint64_t size, uint64_t total) {
  return off <= total && size <= total - off;
}

// A NUL-terminated name inside a string table section, or nullopt-like failure.
bool StringAt(std::span<const uint8_t> strtab, uint64_t off, std::string_view* out) {
  if (off >= strtab.size()) return false;
  const auto* start = reinterpret_cast<const char*>(strtab.data() + off);
  const void* nul = std::memchr(start, 0, strtab.size() - off);
  if (nul == nullptr) return false;
  *out = std::string_view(start, static_cast<const char*>(nul) - start);
  return true;
}

}  // namespace

std::span<const uint8_t> RelocatableObject::SectionBytes(uint32_t index) const {
  const Section& s = sections_[index];
  // SHT_NULL headers are inactive and their offset and size undefined [gABI 4.1
  // "Sections"]; Parse does not range-check them, so they have no bytes.
  if (s.type == elf::kShtNobits || s.type == elf::kShtNull) return {};
  return bytes_.subspan(s.offset, s.size);
}

Result<RelocatableObject> RelocatableObject::Parse(std::span<const uint8_t> bytes,
                                                   std::string name) {
  RelocatableObject obj;
  obj.name_ = std::move(name);
  obj.bytes_ = bytes;
  const char* n = obj.name_.c_str();

  if (bytes.size() < 16 || std::memcmp(bytes.data(), elf::kMagic, 4) != 0) {
    return Fail("%s: not an ELF file", n);
  }
  const uint8_t cls = bytes[4], data = bytes[5];
  if (cls != elf::kClass32 && cls != elf::kClass64) return Fail("%s: bad ELF class %u", n, cls);
  if (data != elf::kData2Lsb && data != elf::kData2Msb) {
    return Fail("%s: bad ELF byte order %u", n, data);
  }
  const bool is64 = cls == elf::kClass64;
  const Layout& L = is64 ? kLayout64 : kLayout32;
  const Endian endian = data == elf::kData2Lsb ? Endian::kLittle : Endian::kBig;
  if (bytes.size() < L.ehdr_size) return Fail("%s: truncated ELF header", n);
  Reader r(bytes, endian);

  const uint16_t type = r.U16(16);
  if (type != elf::kEtRel) return Fail("%s: ELF type %u is not ET_REL (relocatable)", n, type);
  obj.format_ = {is64 ? ElfClass::k64 : ElfClass::k32, endian, r.U16(18), r.U32(is64 ? 48 : 36)};

  const uint64_t shoff = r.Word(is64 ? 40 : 32, is64);
  const uint16_t shentsize = r.U16(is64 ? 58 : 46);
  const uint16_t shnum = r.U16(is64 ? 60 : 48);
  const uint16_t shstrndx = r.U16(is64 ? 62 : 50);
  if (shnum == 0) return Fail("%s: no section headers (or extended numbering, unsupported)", n);
  if (shentsize != L.shdr_size)
    return Fail("%s: section header size %u, expected %u", n, shentsize,
                static_cast<unsigned>(L.shdr_size));
  if (!RangeOk(shoff, uint64_t{shnum} * shentsize, bytes.size())) {
    return Fail("%s: section header table (offset 0x%llx, %u entries) runs past the end", n,
                static_cast<unsigned long long>(shoff), shnum);
  }
  if (shstrndx == elf::kShnXindex || shstrndx >= shnum) {
    return Fail("%s: section name table index %u out of range", n, shstrndx);
  }

  std::vector<uint32_t> name_offsets(shnum);
  obj.sections_.resize(shnum);
  for (uint32_t i = 0; i < shnum; ++i) {
    const uint64_t h = shoff + uint64_t{i} * shentsize;
    Section& s = obj.sections_[i];
    name_offsets[i] = r.U32(h);
    s.type = r.U32(h + 4);
    if (is64) {
      s.flags = r.U64(h + 8);
      s.offset = r.U64(h + 24);
      s.size = r.U64(h + 32);
      s.link = r.U32(h + 40);
      s.info = r.U32(h + 44);
      s.align = r.U64(h + 48);
      s.entsize = r.U64(h + 56);
    } else {
      s.flags = r.U32(h + 8);
      s.offset = r.U32(h + 16);
      s.size = r.U32(h + 20);
      s.link = r.U32(h + 24);
      s.info = r.U32(h + 28);
      s.align = r.U32(h + 32);
      s.entsize = r.U32(h + 36);
    }
    if (s.align == 0) s.align = 1;
    if ((s.align & (s.align - 1)) != 0) {
      return Fail("%s: section %u alignment %llu is not a power of two", n, i,
                  static_cast<unsigned long long>(s.align));
    }
    if (s.type != elf::kShtNobits && s.type != elf::kShtNull &&
        !RangeOk(s.offset, s.size, bytes.size())) {
      return Fail("%s: section %u (offset 0x%llx, size 0x%llx) runs past the end of the file", n, i,
                  static_cast<unsigned long long>(s.offset),
                  static_cast<unsigned long long>(s.size));
    }
  }
  const std::span<const uint8_t> shstrtab = obj.SectionBytes(shstrndx);
  for (uint32_t i = 0; i < shnum; ++i) {
    if (!StringAt(shstrtab, name_offsets[i], &obj.sections_[i].name)) {
      return Fail("%s: section %u name offset %u out of range", n, i, name_offsets[i]);
    }
  }

  // Symbol table: exactly one is expected in an `ld -r` output.
  uint32_t symtab = 0;
  for (uint32_t i = 0; i < shnum; ++i) {
    if (obj.sections_[i].type == elf::kShtSymtab) {
      if (symtab != 0) return Fail("%s: more than one symbol table", n);
      symtab = i;
    }
  }
  if (symtab != 0) {
    const Section& st = obj.sections_[symtab];
    if (st.entsize != L.sym_size)
      return Fail("%s: symbol table entry size %llu", n,
                  static_cast<unsigned long long>(st.entsize));
    if (st.link == 0 || st.link >= shnum || obj.sections_[st.link].type != elf::kShtStrtab) {
      return Fail("%s: symbol table string table index %u invalid", n, st.link);
    }
    const std::span<const uint8_t> strtab = obj.SectionBytes(st.link);
    const uint64_t count = st.size / L.sym_size;
    obj.symbols_.resize(count);
    for (uint64_t i = 0; i < count; ++i) {
      const uint64_t e = st.offset + i * L.sym_size;
      Symbol& sym = obj.symbols_[i];
      uint32_t name_off = r.U32(e);
      if (is64) {
        sym.info = r.U8(e + 4);
        sym.other = r.U8(e + 5);
        sym.shndx = r.U16(e + 6);
        sym.value = r.U64(e + 8);
        sym.size = r.U64(e + 16);
      } else {
        sym.value = r.U32(e + 4);
        sym.size = r.U32(e + 8);
        sym.info = r.U8(e + 12);
        sym.other = r.U8(e + 13);
        sym.shndx = r.U16(e + 14);
      }
      if (!StringAt(strtab, name_off, &sym.name)) {
        return Fail("%s: symbol %llu name offset %u out of range", n,
                    static_cast<unsigned long long>(i), name_off);
      }
      if (sym.shndx == elf::kShnXindex) {
        return Fail("%s: symbol %llu uses extended section index (unsupported)", n,
                    static_cast<unsigned long long>(i));
      }
      if (sym.shndx != elf::kShnUndef && sym.shndx < elf::kShnLoreserve && sym.shndx >= shnum) {
        return Fail("%s: symbol '%.*s' section index %u out of range", n,
                    static_cast<int>(sym.name.size()), sym.name.data(), sym.shndx);
      }
    }
  }

  for (uint32_t i = 0; i < shnum; ++i) {
    const Section& s = obj.sections_[i];
    if (s.type != elf::kShtRel && s.type != elf::kShtRela) continue;
    const bool rela = s.type == elf::kShtRela;
    const uint64_t esz = rela ? L.rela_size : L.rel_size;
    if (s.entsize != esz)
      return Fail("%s: %.*s: entry size %llu, expected %llu", n, static_cast<int>(s.name.size()),
                  s.name.data(), static_cast<unsigned long long>(s.entsize),
                  static_cast<unsigned long long>(esz));
    if (s.info == 0 || s.info >= shnum) {
      return Fail("%s: %.*s: target section index %u out of range", n,
                  static_cast<int>(s.name.size()), s.name.data(), s.info);
    }
    if (s.link != symtab) {
      return Fail("%s: %.*s: symbol table index %u is not the symbol table", n,
                  static_cast<int>(s.name.size()), s.name.data(), s.link);
    }
    RelocationSection rs{i, s.info, rela, {}};
    const uint64_t count = s.size / esz;
    rs.entries.reserve(count);
    for (uint64_t k = 0; k < count; ++k) {
      const uint64_t e = s.offset + k * esz;
      Relocation rel{};
      rel.offset = r.Word(e, is64);
      const uint64_t info = r.Word(e + (is64 ? 8 : 4), is64);
      rel.type = static_cast<uint32_t>(is64 ? (info & 0xffffffff) : (info & 0xff));
      rel.symbol = static_cast<uint32_t>(is64 ? (info >> 32) : (info >> 8));
      if (rela) {
        rel.addend = is64 ? static_cast<int64_t>(r.U64(e + 16))
                          : static_cast<int64_t>(static_cast<int32_t>(r.U32(e + 8)));
      }
      if (rel.symbol >= obj.symbols_.size()) {
        return Fail("%s: %.*s: entry %llu symbol index %u out of range (%zu symbols)", n,
                    static_cast<int>(s.name.size()), s.name.data(),
                    static_cast<unsigned long long>(k), rel.symbol, obj.symbols_.size());
      }
      rs.entries.push_back(rel);
    }
    obj.relocations_.push_back(std::move(rs));
  }
  return obj;
}

}  // namespace kexkit::link
