#include "linker/object.h"

#include <cstring>

#include "base/elf.h"

namespace kexkit::link {
namespace {

// Reads the fields of the record at a file offset, through the class's layout table.
class Reader {
 public:
  Reader(std::span<const uint8_t> b, Endian e) : b_(b), e_(e) {}
  // All callers have checked that the record lies inside the file.
  uint64_t Get(uint64_t rec, elf::Field f) const { return elf::Get(b_.data() + rec, f, e_); }

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
    return FailIn(n, "not an ELF file");
  }
  const uint8_t cls = bytes[4], data = bytes[5];
  if (cls != elf::kClass32 && cls != elf::kClass64) return FailIn(n, "bad ELF class ", cls);
  if (data != elf::kData2Lsb && data != elf::kData2Msb) {
    return FailIn(n, "bad ELF byte order ", data);
  }
  const bool is64 = cls == elf::kClass64;
  const elf::ClassLayout& L = elf::LayoutOf(is64);
  const Endian endian = data == elf::kData2Lsb ? Endian::kLittle : Endian::kBig;
  if (bytes.size() < L.ehdr.size) return FailIn(n, "truncated ELF header");
  Reader r(bytes, endian);

  const uint64_t type = r.Get(0, L.ehdr.type);
  if (type != elf::kEtRel) return FailIn(n, "ELF type ", type, " is not ET_REL (relocatable)");
  obj.format_ = {is64 ? ElfClass::k64 : ElfClass::k32, endian,
                 static_cast<uint16_t>(r.Get(0, L.ehdr.machine)),
                 static_cast<uint32_t>(r.Get(0, L.ehdr.flags))};

  const uint64_t shoff = r.Get(0, L.ehdr.shoff);
  const uint64_t shentsize = r.Get(0, L.ehdr.shentsize);
  const uint32_t shnum = static_cast<uint32_t>(r.Get(0, L.ehdr.shnum));
  const uint32_t shstrndx = static_cast<uint32_t>(r.Get(0, L.ehdr.shstrndx));
  if (shnum == 0) return FailIn(n, "no section headers (or extended numbering, unsupported)");
  if (shentsize != L.shdr.size)
    return FailIn(n, "section header size ", shentsize, ", expected ", L.shdr.size);
  if (!RangeOk(shoff, shnum * shentsize, bytes.size())) {
    return FailIn(n, "section header table (offset ", Hex(shoff), ", ", shnum,
                  " entries) runs past the end");
  }
  if (shstrndx == elf::kShnXindex || shstrndx >= shnum) {
    return FailIn(n, "section name table index ", shstrndx, " out of range");
  }

  std::vector<uint32_t> name_offsets(shnum);
  obj.sections_.resize(shnum);
  for (uint32_t i = 0; i < shnum; ++i) {
    const uint64_t h = shoff + uint64_t{i} * shentsize;
    Section& s = obj.sections_[i];
    name_offsets[i] = static_cast<uint32_t>(r.Get(h, L.shdr.name));
    s.type = static_cast<uint32_t>(r.Get(h, L.shdr.type));
    s.flags = r.Get(h, L.shdr.flags);
    s.offset = r.Get(h, L.shdr.offset);
    s.size = r.Get(h, L.shdr.size_field);
    s.link = static_cast<uint32_t>(r.Get(h, L.shdr.link));
    s.info = static_cast<uint32_t>(r.Get(h, L.shdr.info));
    s.align = r.Get(h, L.shdr.addralign);
    s.entsize = r.Get(h, L.shdr.entsize);
    if (s.align == 0) s.align = 1;
    if ((s.align & (s.align - 1)) != 0) {
      return FailIn(n, "section ", i, " alignment ", s.align, " is not a power of two");
    }
    if (s.type != elf::kShtNobits && s.type != elf::kShtNull &&
        !RangeOk(s.offset, s.size, bytes.size())) {
      return FailIn(n, "section ", i, " (offset ", Hex(s.offset), ", size ", Hex(s.size),
                    ") runs past the end of the file");
    }
  }
  const std::span<const uint8_t> shstrtab = obj.SectionBytes(shstrndx);
  for (uint32_t i = 0; i < shnum; ++i) {
    if (!StringAt(shstrtab, name_offsets[i], &obj.sections_[i].name)) {
      return FailIn(n, "section ", i, " name offset ", name_offsets[i], " out of range");
    }
  }

  // Symbol table: exactly one is expected in an `ld -r` output.
  uint32_t symtab = 0;
  for (uint32_t i = 0; i < shnum; ++i) {
    if (obj.sections_[i].type == elf::kShtSymtab) {
      if (symtab != 0) return FailIn(n, "more than one symbol table");
      symtab = i;
    }
  }
  if (symtab != 0) {
    const Section& st = obj.sections_[symtab];
    if (st.entsize != L.sym.size) return FailIn(n, "symbol table entry size ", st.entsize);
    if (st.link == 0 || st.link >= shnum || obj.sections_[st.link].type != elf::kShtStrtab) {
      return FailIn(n, "symbol table string table index ", st.link, " invalid");
    }
    const std::span<const uint8_t> strtab = obj.SectionBytes(st.link);
    const uint64_t count = st.size / L.sym.size;
    obj.symbols_.resize(count);
    for (uint64_t i = 0; i < count; ++i) {
      const uint64_t e = st.offset + i * L.sym.size;
      Symbol& sym = obj.symbols_[i];
      const uint64_t name_off = r.Get(e, L.sym.name);
      sym.info = static_cast<uint8_t>(r.Get(e, L.sym.info));
      sym.other = static_cast<uint8_t>(r.Get(e, L.sym.other));
      sym.shndx = static_cast<uint16_t>(r.Get(e, L.sym.shndx));
      sym.value = r.Get(e, L.sym.value);
      sym.size = r.Get(e, L.sym.size_field);
      if (!StringAt(strtab, name_off, &sym.name)) {
        return FailIn(n, "symbol ", i, " name offset ", name_off, " out of range");
      }
      if (sym.shndx == elf::kShnXindex) {
        return FailIn(n, "symbol ", i, " uses extended section index (unsupported)");
      }
      if (sym.shndx != elf::kShnUndef && sym.shndx < elf::kShnLoreserve && sym.shndx >= shnum) {
        return FailIn(n, "symbol '", std::string_view(sym.name.data(), sym.name.size()),
                      "' section index ", sym.shndx, " out of range");
      }
    }
  }

  for (uint32_t i = 0; i < shnum; ++i) {
    const Section& s = obj.sections_[i];
    if (s.type != elf::kShtRel && s.type != elf::kShtRela) continue;
    const bool rela = s.type == elf::kShtRela;
    const uint64_t esz = rela ? L.rel.rela_size : L.rel.rel_size;
    if (s.entsize != esz)
      return FailIn(n, std::string_view(s.name.data(), s.name.size()), ": entry size ", s.entsize,
                    ", expected ", esz);
    if (s.info == 0 || s.info >= shnum) {
      return FailIn(n, std::string_view(s.name.data(), s.name.size()), ": target section index ",
                    s.info, " out of range");
    }
    if (s.link != symtab) {
      return FailIn(n, std::string_view(s.name.data(), s.name.size()), ": symbol table index ",
                    s.link, " is not the symbol table");
    }
    RelocationSection rs{i, s.info, rela, {}};
    const uint64_t count = s.size / esz;
    rs.entries.reserve(count);
    for (uint64_t k = 0; k < count; ++k) {
      const uint64_t e = s.offset + k * esz;
      Relocation rel{};
      rel.offset = r.Get(e, L.rel.offset);
      const uint64_t info = r.Get(e, L.rel.info);
      rel.type = static_cast<uint32_t>(info & ((uint64_t{1} << L.rel.sym_shift) - 1));
      rel.symbol = static_cast<uint32_t>(info >> L.rel.sym_shift);
      if (rela) {
        // r_addend is signed: sign-extend the ELF32 word.
        const uint64_t a = r.Get(e, L.rel.addend);
        rel.addend =
            is64 ? static_cast<int64_t>(a) : static_cast<int32_t>(static_cast<uint32_t>(a));
      }
      if (rel.symbol >= obj.symbols_.size()) {
        return FailIn(n, std::string_view(s.name.data(), s.name.size()), ": entry ", k,
                      " symbol index ", rel.symbol, " out of range (", obj.symbols_.size(),
                      " symbols)");
      }
      rs.entries.push_back(rel);
    }
    obj.relocations_.push_back(std::move(rs));
  }
  return obj;
}

}  // namespace kexkit::link
