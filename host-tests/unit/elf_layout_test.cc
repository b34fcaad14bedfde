// The ELF layout tables in base/elf.h, checked field by field against glibc's <elf.h>
// structs: every reader and writer of ELF in kexkit goes through these tables.
#include <elf.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <vector>

#include "base/elf.h"

namespace {

using kexkit::elf::Field;

void Same(Field f, size_t offset, size_t size, const char* name) {
  EXPECT_EQ(f.offset, offset) << name;
  EXPECT_EQ(f.size, size) << name;
}

#define KK_FIELD(layout, rec, field, cstruct, cfield) \
  Same(layout.rec.field, offsetof(cstruct, cfield), sizeof(cstruct{}.cfield), #cstruct "." #cfield)

template <typename Ehdr, typename Phdr, typename Shdr, typename Sym, typename Rel, typename Rela>
void Check(const kexkit::elf::ClassLayout& l) {
  EXPECT_EQ(l.ehdr.size, sizeof(Ehdr));
  KK_FIELD(l, ehdr, type, Ehdr, e_type);
  KK_FIELD(l, ehdr, machine, Ehdr, e_machine);
  KK_FIELD(l, ehdr, version, Ehdr, e_version);
  KK_FIELD(l, ehdr, entry, Ehdr, e_entry);
  KK_FIELD(l, ehdr, phoff, Ehdr, e_phoff);
  KK_FIELD(l, ehdr, shoff, Ehdr, e_shoff);
  KK_FIELD(l, ehdr, flags, Ehdr, e_flags);
  KK_FIELD(l, ehdr, ehsize, Ehdr, e_ehsize);
  KK_FIELD(l, ehdr, phentsize, Ehdr, e_phentsize);
  KK_FIELD(l, ehdr, phnum, Ehdr, e_phnum);
  KK_FIELD(l, ehdr, shentsize, Ehdr, e_shentsize);
  KK_FIELD(l, ehdr, shnum, Ehdr, e_shnum);
  KK_FIELD(l, ehdr, shstrndx, Ehdr, e_shstrndx);

  EXPECT_EQ(l.phdr.size, sizeof(Phdr));
  KK_FIELD(l, phdr, type, Phdr, p_type);
  KK_FIELD(l, phdr, offset, Phdr, p_offset);
  KK_FIELD(l, phdr, vaddr, Phdr, p_vaddr);
  KK_FIELD(l, phdr, paddr, Phdr, p_paddr);
  KK_FIELD(l, phdr, filesz, Phdr, p_filesz);
  KK_FIELD(l, phdr, memsz, Phdr, p_memsz);
  KK_FIELD(l, phdr, flags, Phdr, p_flags);
  KK_FIELD(l, phdr, align, Phdr, p_align);

  EXPECT_EQ(l.shdr.size, sizeof(Shdr));
  KK_FIELD(l, shdr, name, Shdr, sh_name);
  KK_FIELD(l, shdr, type, Shdr, sh_type);
  KK_FIELD(l, shdr, flags, Shdr, sh_flags);
  KK_FIELD(l, shdr, addr, Shdr, sh_addr);
  KK_FIELD(l, shdr, offset, Shdr, sh_offset);
  KK_FIELD(l, shdr, size_field, Shdr, sh_size);
  KK_FIELD(l, shdr, link, Shdr, sh_link);
  KK_FIELD(l, shdr, info, Shdr, sh_info);
  KK_FIELD(l, shdr, addralign, Shdr, sh_addralign);
  KK_FIELD(l, shdr, entsize, Shdr, sh_entsize);

  EXPECT_EQ(l.sym.size, sizeof(Sym));
  KK_FIELD(l, sym, name, Sym, st_name);
  KK_FIELD(l, sym, value, Sym, st_value);
  KK_FIELD(l, sym, size_field, Sym, st_size);
  KK_FIELD(l, sym, info, Sym, st_info);
  KK_FIELD(l, sym, other, Sym, st_other);
  KK_FIELD(l, sym, shndx, Sym, st_shndx);

  EXPECT_EQ(l.rel.rel_size, sizeof(Rel));
  EXPECT_EQ(l.rel.rela_size, sizeof(Rela));
  KK_FIELD(l, rel, offset, Rela, r_offset);
  KK_FIELD(l, rel, info, Rela, r_info);
  KK_FIELD(l, rel, addend, Rela, r_addend);
}

TEST(ElfLayout, MatchesGlibcElf32) {
  Check<Elf32_Ehdr, Elf32_Phdr, Elf32_Shdr, Elf32_Sym, Elf32_Rel, Elf32_Rela>(
      kexkit::elf::kLayout32);
  EXPECT_EQ(ELF32_R_SYM(0x1234u << kexkit::elf::kLayout32.rel.sym_shift), 0x1234u);
  EXPECT_FALSE(kexkit::elf::kLayout32.is64);
  EXPECT_EQ(kexkit::elf::kLayout32.class_id, ELFCLASS32);
}

TEST(ElfLayout, MatchesGlibcElf64) {
  Check<Elf64_Ehdr, Elf64_Phdr, Elf64_Shdr, Elf64_Sym, Elf64_Rel, Elf64_Rela>(
      kexkit::elf::kLayout64);
  EXPECT_EQ(ELF64_R_SYM(uint64_t{0x1234} << kexkit::elf::kLayout64.rel.sym_shift), 0x1234u);
  EXPECT_TRUE(kexkit::elf::kLayout64.is64);
  EXPECT_EQ(kexkit::elf::kLayout64.class_id, ELFCLASS64);
}

TEST(ElfLayout, GetAndPutEveryWidthInBothByteOrders) {
  using kexkit::Endian;
  for (Endian e : {Endian::kLittle, Endian::kBig}) {
    for (uint8_t size : {1, 2, 4, 8}) {
      std::vector<uint8_t> rec(16, 0xee);
      const Field f{4, size};
      const uint64_t v = 0x0102030405060708ull;
      kexkit::elf::Put(rec.data(), f, v, e);
      const uint64_t mask = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
      EXPECT_EQ(kexkit::elf::Get(rec.data(), f, e), v & mask);
      EXPECT_EQ(rec[3], 0xee);  // neighbours untouched
      EXPECT_EQ(rec[4 + size], 0xee);
      EXPECT_EQ(rec[4], e == Endian::kLittle ? 0x08 : static_cast<uint8_t>(v >> (8 * (size - 1))));
      EXPECT_TRUE(kexkit::elf::Fits(f, v & mask));
      if (size < 8) {
        EXPECT_FALSE(kexkit::elf::Fits(f, mask + 1));
      }
    }
  }
}

}  // namespace
