// Malformed and unsupported ELF input: every case must come back as an error naming
// the file (never a crash, never a silent success), and a randomized mutation loop over
// the real purgatory.ro must never crash. The objects are built field by field here
// (MiniElf), so each test breaks exactly one thing of an otherwise valid object.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/elf.h"
#include "kexkit/purgatory-abi.h"
#include "linker/link.h"
#include "linker/object.h"
#include "unit/test-files.h"

namespace {

using kexkit::link::ComputeLayout;
using kexkit::link::Link;
using kexkit::link::RelocatableObject;
namespace elf = kexkit::elf;

// --- a tiny ELF writer ------------------------------------------------------------------

struct Sec {
  std::string name;
  uint32_t type = elf::kShtProgbits;
  uint64_t flags = 0;
  std::vector<uint8_t> data;  // file bytes (PROGBITS-like)
  uint64_t nobits_size = 0;   // size of a NOBITS section
  uint32_t link = 0, info = 0;
  uint64_t align = 1, entsize = 0;
};

struct Sym {
  std::string name;
  uint8_t info;  // bind << 4 | type
  uint16_t shndx;
  uint64_t value = 0, size = 0;
};

struct Rel {
  uint64_t offset;
  uint32_t type;
  uint32_t sym;
  int64_t addend;
};

template <typename T>
void Put(std::vector<uint8_t>& b, uint64_t off, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) b[off + i] = static_cast<uint8_t>(uint64_t{v} >> (8 * i));
}

// Little-endian ET_REL. The default object (x86_64, RELA):
//   [1] .text 16 bytes AX   [2] .data 16 bytes WA   [3] .bss 16 bytes NOBITS
//   [4] .rela.text -> 1    [5] .symtab           [6] .strtab    [7] .shstrtab
// symbols: [1] section .text, [2] value (.data+0, 8), [3] zeroed (.bss+0, 8),
//          [4] func (.text+0, 16), [5] missing (undefined, global)
// one relocation: R_X86_64_PC32 at .text+4 against value - 4.
// Sections appended to `secs` land at index 8 and up; Build() fills 4..7.
class MiniElf {
 public:
  static constexpr uint32_t kText = 1, kData = 2, kBss = 3, kRelaText = 4, kSymtab = 5, kStrtab = 6,
                            kShstrtab = 7;

  explicit MiniElf(bool is64 = true, uint16_t machine = elf::kEmX86_64, bool rela = true)
      : is64_(is64), rela_(rela), machine_(machine) {
    secs.resize(8);
    secs[kText] = {".text",
                   elf::kShtProgbits,
                   elf::kShfAlloc | elf::kShfExecinstr,
                   std::vector<uint8_t>(16, 0x90),
                   0,
                   0,
                   0,
                   16,
                   0};
    secs[kData] = {".data",
                   elf::kShtProgbits,
                   elf::kShfAlloc | elf::kShfWrite,
                   std::vector<uint8_t>(16, 0xdd),
                   0,
                   0,
                   0,
                   8,
                   0};
    secs[kBss] = {".bss", elf::kShtNobits, elf::kShfAlloc | elf::kShfWrite, {}, 16, 0, 0, 8, 0};
    secs[kRelaText] = {rela ? ".rela.text" : ".rel.text",
                       rela ? elf::kShtRela : elf::kShtRel,
                       0,
                       {},
                       0,
                       kSymtab,
                       kText,
                       8,
                       0};
    secs[kSymtab] = {".symtab", elf::kShtSymtab, 0, {}, 0, kStrtab, 0, 8, 0};
    secs[kStrtab] = {".strtab", elf::kShtStrtab, 0, {}, 0, 0, 0, 1, 0};
    secs[kShstrtab] = {".shstrtab", elf::kShtStrtab, 0, {}, 0, 0, 0, 1, 0};
    syms = {{"", 0, 0},
            {"", elf::kSttSection, static_cast<uint16_t>(kText)},
            {"value", elf::kStbGlobal << 4 | elf::kSttObject, kData, 0, 8},
            {"zeroed", elf::kStbGlobal << 4 | elf::kSttObject, kBss, 0, 8},
            {"func", elf::kStbGlobal << 4 | elf::kSttFunc, kText, 0, 16},
            {"missing", elf::kStbGlobal << 4, elf::kShnUndef}};
    rels = {{4, 2 /* R_X86_64_PC32 */, 2, -4}};
  }

  std::vector<Sec> secs;
  std::vector<Sym> syms;
  std::vector<Rel> rels;

  // Offsets in the last Build() output, for tests that corrupt one field afterwards.
  uint64_t shoff = 0;
  std::vector<uint64_t> sec_offset;
  uint64_t ShdrOffset(uint32_t i) const { return shoff + i * (is64_ ? 64 : 40); }
  uint64_t SymOffset(uint32_t i) const { return sec_offset[kSymtab] + i * (is64_ ? 24 : 16); }
  uint64_t RelOffset(uint32_t k) const { return sec_offset[kRelaText] + k * RelSize(); }
  uint64_t RelSize() const { return is64_ ? (rela_ ? 24 : 16) : (rela_ ? 12 : 8); }

  std::vector<uint8_t> Build() {
    // String tables.
    std::vector<uint8_t> strtab{0}, shstrtab{0};
    std::vector<uint32_t> sym_name(syms.size()), sec_name(secs.size());
    for (size_t i = 0; i < syms.size(); ++i) sym_name[i] = Intern(strtab, syms[i].name);
    for (size_t i = 0; i < secs.size(); ++i) sec_name[i] = Intern(shstrtab, secs[i].name);
    secs[kStrtab].data = strtab;
    secs[kShstrtab].data = shstrtab;
    // Symbol table.
    const size_t ssz = is64_ ? 24 : 16;
    std::vector<uint8_t> st(syms.size() * ssz, 0);
    for (size_t i = 0; i < syms.size(); ++i) {
      const uint64_t e = i * ssz;
      Put<uint32_t>(st, e, sym_name[i]);
      if (is64_) {
        st[e + 4] = syms[i].info;
        Put<uint16_t>(st, e + 6, syms[i].shndx);
        Put<uint64_t>(st, e + 8, syms[i].value);
        Put<uint64_t>(st, e + 16, syms[i].size);
      } else {
        Put<uint32_t>(st, e + 4, static_cast<uint32_t>(syms[i].value));
        Put<uint32_t>(st, e + 8, static_cast<uint32_t>(syms[i].size));
        st[e + 12] = syms[i].info;
        Put<uint16_t>(st, e + 14, syms[i].shndx);
      }
    }
    secs[kSymtab].data = st;
    secs[kSymtab].entsize = ssz;
    secs[kSymtab].info = 2;  // first non-local
    // Relocations.
    std::vector<uint8_t> rt(rels.size() * RelSize(), 0);
    for (size_t k = 0; k < rels.size(); ++k) {
      const uint64_t e = k * RelSize();
      if (is64_) {
        Put<uint64_t>(rt, e, rels[k].offset);
        Put<uint64_t>(rt, e + 8, uint64_t{rels[k].sym} << 32 | rels[k].type);
        if (rela_) Put<uint64_t>(rt, e + 16, static_cast<uint64_t>(rels[k].addend));
      } else {
        Put<uint32_t>(rt, e, static_cast<uint32_t>(rels[k].offset));
        Put<uint32_t>(rt, e + 4, rels[k].sym << 8 | (rels[k].type & 0xff));
        if (rela_) Put<uint32_t>(rt, e + 8, static_cast<uint32_t>(rels[k].addend));
      }
    }
    secs[kRelaText].data = rt;
    secs[kRelaText].entsize = RelSize();

    // Layout: header, section contents (8-aligned), section header table.
    const uint64_t ehsize = is64_ ? 64 : 52, shsize = is64_ ? 64 : 40;
    std::vector<uint8_t> out(ehsize, 0);
    sec_offset.assign(secs.size(), 0);
    for (size_t i = 1; i < secs.size(); ++i) {
      out.resize((out.size() + 7) & ~size_t{7}, 0);
      sec_offset[i] = out.size();
      if (secs[i].type != elf::kShtNobits)
        out.insert(out.end(), secs[i].data.begin(), secs[i].data.end());
    }
    out.resize((out.size() + 7) & ~size_t{7}, 0);
    shoff = out.size();
    out.resize(out.size() + secs.size() * shsize, 0);
    for (size_t i = 1; i < secs.size(); ++i) {
      const Sec& s = secs[i];
      const uint64_t h = shoff + i * shsize;
      const uint64_t size = s.type == elf::kShtNobits ? s.nobits_size : s.data.size();
      Put<uint32_t>(out, h, sec_name[i]);
      Put<uint32_t>(out, h + 4, s.type);
      if (is64_) {
        Put<uint64_t>(out, h + 8, s.flags);
        Put<uint64_t>(out, h + 24, sec_offset[i]);
        Put<uint64_t>(out, h + 32, size);
        Put<uint32_t>(out, h + 40, s.link);
        Put<uint32_t>(out, h + 44, s.info);
        Put<uint64_t>(out, h + 48, s.align);
        Put<uint64_t>(out, h + 56, s.entsize);
      } else {
        Put<uint32_t>(out, h + 8, static_cast<uint32_t>(s.flags));
        Put<uint32_t>(out, h + 16, static_cast<uint32_t>(sec_offset[i]));
        Put<uint32_t>(out, h + 20, static_cast<uint32_t>(size));
        Put<uint32_t>(out, h + 24, s.link);
        Put<uint32_t>(out, h + 28, s.info);
        Put<uint32_t>(out, h + 32, static_cast<uint32_t>(s.align));
        Put<uint32_t>(out, h + 36, static_cast<uint32_t>(s.entsize));
      }
    }
    // ELF header [gABI: e_ident, e_type, e_machine, ..., e_shoff, e_shentsize, ...].
    std::memcpy(out.data(), elf::kMagic, 4);
    out[4] = is64_ ? elf::kClass64 : elf::kClass32;
    out[5] = elf::kData2Lsb;
    out[6] = 1;
    Put<uint16_t>(out, 16, elf::kEtRel);
    Put<uint16_t>(out, 18, machine_);
    Put<uint32_t>(out, 20, 1);
    if (is64_) {
      Put<uint64_t>(out, 40, shoff);
      Put<uint16_t>(out, 52, 64);
      Put<uint16_t>(out, 58, 64);
      Put<uint16_t>(out, 60, static_cast<uint16_t>(secs.size()));
      Put<uint16_t>(out, 62, kShstrtab);
    } else {
      Put<uint32_t>(out, 32, static_cast<uint32_t>(shoff));
      Put<uint16_t>(out, 40, 52);
      Put<uint16_t>(out, 46, 40);
      Put<uint16_t>(out, 48, static_cast<uint16_t>(secs.size()));
      Put<uint16_t>(out, 50, kShstrtab);
    }
    return out;
  }

 private:
  static uint32_t Intern(std::vector<uint8_t>& tab, const std::string& s) {
    if (s.empty()) return 0;
    const uint32_t at = static_cast<uint32_t>(tab.size());
    tab.insert(tab.end(), s.begin(), s.end());
    tab.push_back(0);
    return at;
  }

  bool is64_, rela_;
  uint16_t machine_;
};

constexpr uint64_t kBase = 0x100000;

// Parse must fail with a message that names the file and contains `what`.
void ExpectParseError(const std::vector<uint8_t>& bytes, const std::string& what) {
  auto obj = RelocatableObject::Parse(bytes, "mini.o");
  ASSERT_FALSE(obj) << "parsed, but must fail with: " << what;
  EXPECT_EQ(obj.error().Line().rfind("mini.o: ", 0), 0u) << obj.error().Line();
  EXPECT_NE(obj.error().Line().find(what), std::string::npos)
      << "'" << what << "' missing from: " << obj.error().Line();
}

// Parse must succeed and Link (or layout) fail naming the file and `what`.
void ExpectLinkError(const std::vector<uint8_t>& bytes, const std::vector<std::string>& what) {
  auto obj = RelocatableObject::Parse(bytes, "mini.o");
  ASSERT_TRUE(obj) << obj.error().Line();
  auto image = Link(*obj, kBase);
  ASSERT_FALSE(image) << "linked, but must fail with: " << what.front();
  EXPECT_EQ(image.error().Line().rfind("mini.o: ", 0), 0u) << image.error().Line();
  for (const std::string& w : what) {
    EXPECT_NE(image.error().Line().find(w), std::string::npos)
        << "'" << w << "' missing from: " << image.error().Line();
  }
}

// --- the valid baselines (each negative test below breaks one thing of these) ---------

TEST(MiniElf, BaselineLinksAndRelocates) {
  MiniElf m;
  const auto bytes = m.Build();
  auto obj = RelocatableObject::Parse(bytes, "mini.o");
  ASSERT_TRUE(obj) << obj.error().Line();
  auto image = Link(*obj, kBase);
  ASSERT_TRUE(image) << image.error().Line();
  // .text at 0, .data at 16: PC32 = (base + 16) - 4 - (base + 4) = 8.
  const auto img = image->bytes();
  ASSERT_EQ(img.size(), 32u);
  EXPECT_EQ(img[4], 8);
  EXPECT_EQ(img[5], 0);
  EXPECT_EQ(image->mem_size(), 48u);
  EXPECT_EQ(*image->SymbolAddress("value"), kBase + 16);
  EXPECT_EQ(*image->SymbolAddress("zeroed"), kBase + 32);
}

TEST(MiniElf, BaselineI386Rel) {
  MiniElf m(false, elf::kEm386, false);
  m.rels = {{4, 2 /* R_386_PC32 */, 2, 0}};
  m.secs[MiniElf::kText].data[4] = 0xfc;  // implicit addend -4 in the place
  for (int i = 5; i < 8; ++i) m.secs[MiniElf::kText].data[i] = 0xff;
  const auto bytes = m.Build();
  auto obj = RelocatableObject::Parse(bytes, "mini.o");
  ASSERT_TRUE(obj) << obj.error().Line();
  auto image = Link(*obj, kBase);
  ASSERT_TRUE(image) << image.error().Line();
  EXPECT_EQ(image->bytes()[4], 8);
}

// --- header and section table ------------------------------------------------------------

TEST(MalformedElf, EmptyAndNotElf) {
  ExpectParseError({}, "not an ELF file");
  ExpectParseError(std::vector<uint8_t>(100, 0x7f), "not an ELF file");
}

TEST(MalformedElf, TruncatedHeader) {
  auto b = MiniElf().Build();
  ExpectParseError(std::vector<uint8_t>(b.begin(), b.begin() + 40), "truncated ELF header");
  ExpectParseError(std::vector<uint8_t>(b.begin(), b.begin() + 16), "truncated ELF header");
  auto b32 = MiniElf(false, elf::kEm386, false).Build();
  ExpectParseError(std::vector<uint8_t>(b32.begin(), b32.begin() + 51), "truncated ELF header");
}

TEST(MalformedElf, BadClassAndByteOrder) {
  auto b = MiniElf().Build();
  b[4] = 3;
  ExpectParseError(b, "bad ELF class 3");
  b[4] = 0;
  ExpectParseError(b, "bad ELF class 0");
  b = MiniElf().Build();
  b[5] = 3;
  ExpectParseError(b, "bad ELF byte order 3");
}

TEST(MalformedElf, NotRelocatable) {
  auto b = MiniElf().Build();
  Put<uint16_t>(b, 16, elf::kEtExec);
  ExpectParseError(b, "not ET_REL");
}

TEST(MalformedElf, SectionTablePastTheEnd) {
  MiniElf m;
  auto b = m.Build();
  Put<uint64_t>(b, 40, b.size() - 10);
  ExpectParseError(b, "section header table");
  Put<uint64_t>(b, 40, ~uint64_t{0} - 63);  // offset + size wraps around
  ExpectParseError(b, "runs past the end");
  b = m.Build();
  Put<uint16_t>(b, 60, 200);  // more entries than the file holds
  ExpectParseError(b, "section header table");
}

TEST(MalformedElf, SectionHeaderSizeAndCount) {
  auto b = MiniElf().Build();
  Put<uint16_t>(b, 58, 40);
  ExpectParseError(b, "section header size 40, expected 64");
  b = MiniElf().Build();
  Put<uint16_t>(b, 60, 0);
  ExpectParseError(b, "no section headers");
  b = MiniElf().Build();
  Put<uint16_t>(b, 62, 99);
  ExpectParseError(b, "section name table index 99 out of range");
  Put<uint16_t>(b, 62, elf::kShnXindex);
  ExpectParseError(b, "section name table index");
}

TEST(MalformedElf, SectionOffsetPastTheEnd) {
  MiniElf m;
  auto b = m.Build();
  Put<uint64_t>(b, m.ShdrOffset(MiniElf::kData) + 24, b.size() + 100);
  ExpectParseError(b, "section 2 (offset 0x");
  b = m.Build();
  Put<uint64_t>(b, m.ShdrOffset(MiniElf::kData) + 32, ~uint64_t{0});  // size wraps
  ExpectParseError(b, "runs past the end of the file");
  b = m.Build();  // the symbol table itself
  Put<uint64_t>(b, m.ShdrOffset(MiniElf::kSymtab) + 32, b.size());
  ExpectParseError(b, "section 5 (offset 0x");
}

TEST(MalformedElf, SectionNameOffsetOutOfRange) {
  MiniElf m;
  auto b = m.Build();
  Put<uint32_t>(b, m.ShdrOffset(MiniElf::kData), 4096);
  ExpectParseError(b, "section 2 name offset 4096 out of range");
  // The last byte of .shstrtab without its NUL: a name that runs off the table.
  b = m.Build();
  const uint64_t shstr_size = m.secs[MiniElf::kShstrtab].data.size();
  b[m.sec_offset[MiniElf::kShstrtab] + shstr_size - 1] = 'x';
  Put<uint32_t>(b, m.ShdrOffset(MiniElf::kData), static_cast<uint32_t>(shstr_size - 1));
  ExpectParseError(b, "section 2 name offset");
}

TEST(MalformedElf, AlignmentNotAPowerOfTwo) {
  MiniElf m;
  m.secs[MiniElf::kData].align = 24;
  ExpectParseError(m.Build(), "section 2 alignment 24 is not a power of two");
}

// --- symbols -----------------------------------------------------------------------------

TEST(MalformedElf, SymbolNameOffsetOutOfRange) {
  MiniElf m;
  auto b = m.Build();
  Put<uint32_t>(b, m.SymOffset(2), 0x10000);
  ExpectParseError(b, "symbol 2 name offset 65536 out of range");
}

TEST(MalformedElf, SymbolSectionIndexOutOfRange) {
  MiniElf m;
  m.syms[2].shndx = 50;
  ExpectParseError(m.Build(), "symbol 'value' section index 50 out of range");
  m.syms[2].shndx = elf::kShnXindex;
  ExpectParseError(m.Build(), "extended section index");
}

TEST(MalformedElf, SymbolTableShape) {
  MiniElf m;
  auto b = m.Build();
  Put<uint64_t>(b, m.ShdrOffset(MiniElf::kSymtab) + 56, 16);
  ExpectParseError(b, "symbol table entry size 16");
  b = m.Build();
  Put<uint32_t>(b, m.ShdrOffset(MiniElf::kSymtab) + 40, 0);
  ExpectParseError(b, "symbol table string table index 0 invalid");
  Put<uint32_t>(b, m.ShdrOffset(MiniElf::kSymtab) + 40, MiniElf::kText);
  ExpectParseError(b, "string table index 1 invalid");
  Put<uint32_t>(b, m.ShdrOffset(MiniElf::kSymtab) + 40, 77);
  ExpectParseError(b, "string table index 77 invalid");
  MiniElf two;
  two.secs.push_back(
      {".symtab2", elf::kShtSymtab, 0, std::vector<uint8_t>(24, 0), 0, MiniElf::kStrtab, 0, 8, 24});
  ExpectParseError(two.Build(), "more than one symbol table");
}

// --- relocation sections -----------------------------------------------------------------

TEST(MalformedElf, RelocationSymbolIndexOutOfRange) {
  MiniElf m;
  m.rels[0].sym = 99;
  ExpectParseError(m.Build(), ".rela.text: entry 0 symbol index 99 out of range (6 symbols)");
}

TEST(MalformedElf, RelocationSectionShape) {
  MiniElf m;
  auto b = m.Build();
  Put<uint64_t>(b, m.ShdrOffset(MiniElf::kRelaText) + 56, 16);
  ExpectParseError(b, ".rela.text: entry size 16, expected 24");
  b = m.Build();
  Put<uint32_t>(b, m.ShdrOffset(MiniElf::kRelaText) + 44, 99);
  ExpectParseError(b, ".rela.text: target section index 99 out of range");
  Put<uint32_t>(b, m.ShdrOffset(MiniElf::kRelaText) + 44, 0);
  ExpectParseError(b, ".rela.text: target section index 0 out of range");
  b = m.Build();
  Put<uint32_t>(b, m.ShdrOffset(MiniElf::kRelaText) + 40, MiniElf::kStrtab);
  ExpectParseError(b, ".rela.text: symbol table index 6 is not the symbol table");
}

// --- link-time refusals --------------------------------------------------------------------

TEST(MalformedElf, UnknownRelocationTypeNamesTypeSectionAndOffset) {
  MiniElf m;
  m.rels[0].type = 9;
  ExpectLinkError(m.Build(), {"mini.o: .rela.text offset 0x4: ", "R_X86_64_GOTPCREL", "type 9"});
  m.rels[0].type = 42;
  ExpectLinkError(m.Build(), {".rela.text offset 0x4", "R_X86_64_REX_GOTPCRELX", "type 42"});
  m.rels[0].type = 200;  // no name at all
  ExpectLinkError(m.Build(), {".rela.text offset 0x4", "unsupported relocation", "type 200"});
  MiniElf i386(false, elf::kEm386, false);
  i386.rels[0].type = 10;  // R_386_GOTPC, refused while reading the REL addend
  ExpectLinkError(i386.Build(), {"mini.o: .rel.text offset 0x4: ", "R_386_GOTPC", "type 10"});
}

TEST(MalformedElf, RelocationPlacePastItsSection) {
  MiniElf m;
  m.rels[0].offset = 16;
  ExpectLinkError(m.Build(), {".rela.text offset 0x10", "place is past the end of .text"});
  m.rels[0].offset = ~uint64_t{0} - 1;
  ExpectLinkError(m.Build(), {"place is past the end of .text"});
}

// A 4-byte field that starts inside .text but ends 2 bytes past it would be written
// over the first bytes of .data; GNU ld refuses such a relocation ("bad reloc offset").
TEST(MalformedElf, RelocationFieldStraddlingTheSectionEnd) {
  MiniElf m;
  m.rels[0].offset = 14;  // .text is 16 bytes; R_X86_64_PC32 writes 14..17
  ExpectLinkError(m.Build(), {".rela.text offset 0xe"});
  MiniElf m64;
  m64.rels[0] = {12, 1 /* R_X86_64_64 */, 2, 0};  // writes 12..19
  ExpectLinkError(m64.Build(), {".rela.text offset 0xc"});
  MiniElf i386(false, elf::kEm386, false);
  i386.rels[0] = {14, 1 /* R_386_32 */, 2, 0};  // reads its addend from 14..17, too
  ExpectLinkError(i386.Build(), {".rel.text offset 0xe"});
}

TEST(MalformedElf, UndefinedSymbol) {
  MiniElf m;
  m.rels[0].sym = 5;
  ExpectLinkError(m.Build(), {"mini.o: .rela.text offset 0x4: ", "undefined symbol 'missing'"});
}

TEST(MalformedElf, UndefinedWeakSymbolIsZero) {
  MiniElf m;
  m.syms[5].info = elf::kStbWeak << 4;
  m.rels[0] = {0, 1 /* R_X86_64_64 */, 5, 0x1234};
  const auto b = m.Build();
  auto obj = RelocatableObject::Parse(b, "mini.o");
  ASSERT_TRUE(obj);
  auto image = Link(*obj, kBase);
  ASSERT_TRUE(image) << image.error().Line();
  EXPECT_EQ(image->bytes()[0], 0x34);
  EXPECT_EQ(image->bytes()[1], 0x12);
  EXPECT_EQ(image->bytes()[2], 0);
}

TEST(MalformedElf, SymbolInANonLoadedSection) {
  MiniElf m;
  m.secs.push_back({".comment", elf::kShtProgbits, 0, std::vector<uint8_t>(8, 'c'), 0, 0, 0, 1, 0});
  m.syms.push_back({"note", elf::kStbGlobal << 4, 8, 0, 0});
  m.rels[0].sym = 6;
  ExpectLinkError(m.Build(), {"symbol 'note' is in non-loaded section .comment"});
}

TEST(MalformedElf, CommonSymbol) {
  MiniElf m;
  m.syms[2].shndx = elf::kShnCommon;
  ExpectLinkError(m.Build(), {"common symbol 'value'", "-fno-common"});
}

TEST(MalformedElf, RelocationsAgainstANobitsSection) {
  MiniElf m;
  m.secs[MiniElf::kRelaText].info = MiniElf::kBss;
  ExpectLinkError(m.Build(), {"relocations against NOBITS section .bss"});
}

TEST(MalformedElf, StaticConstructorsAreRefused) {
  MiniElf m;
  m.secs.push_back({".init_array", elf::kShtInitArray, elf::kShfAlloc | elf::kShfWrite,
                    std::vector<uint8_t>(8, 0), 0, 0, 0, 8, 8});
  ExpectLinkError(m.Build(), {"section .init_array", "static constructors"});
}

TEST(MalformedElf, ImplausiblyLargeSection) {
  MiniElf m;
  m.secs[MiniElf::kBss].nobits_size = (uint64_t{1} << 32) + 1;
  ExpectLinkError(m.Build(), {"section .bss is implausibly large"});
  MiniElf a;
  a.secs[MiniElf::kData].align = uint64_t{1} << 31;
  ExpectLinkError(a.Build(), {"section .data is implausibly large or aligned"});
}

TEST(MalformedElf, RelSectionInAnX86_64Object) {
  MiniElf m(true, elf::kEmX86_64, /*rela=*/false);
  ExpectLinkError(m.Build(), {".rel.text offset 0x4", "REL relocations are not used on x86_64"});
}

TEST(MalformedElf, UnsupportedMachineOrClass) {
  ExpectLinkError(MiniElf(true, 40 /* EM_ARM */).Build(),
                  {"ELF machine 40 (64-bit) is not supported"});
  ExpectLinkError(MiniElf(true, elf::kEm386).Build(), {"ELF machine 3 (64-bit) is not supported"});
  ExpectLinkError(MiniElf(false, elf::kEmX86_64, false).Build(),
                  {"ELF machine 62 (32-bit) is not supported"});
}

// --- SetSymbol / GetSymbol ---------------------------------------------------------------

class MiniImage : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(Make(MiniElf())); }
  void Make(MiniElf m) {
    image_.reset();
    obj_.reset();
    bytes_ = m.Build();
    auto obj = RelocatableObject::Parse(bytes_, "mini.o");
    ASSERT_TRUE(obj) << obj.error().Line();
    obj_.emplace(std::move(*obj));
    auto image = Link(*obj_, kBase);
    ASSERT_TRUE(image) << image.error().Line();
    image_.emplace(std::move(*image));
  }
  void ExpectSetError(const std::string& name, size_t size, const std::string& what) {
    std::vector<uint8_t> v(size, 0xab);
    auto r = image_->SetSymbol(name, v);
    ASSERT_FALSE(r) << "SetSymbol(" << name << ", " << size << ") must fail";
    EXPECT_EQ(r.error().Line().rfind("mini.o: ", 0), 0u) << r.error().Line();
    EXPECT_NE(r.error().Line().find(what), std::string::npos)
        << "'" << what << "' missing from: " << r.error().Line();
    auto g = image_->GetSymbol(name, size);
    EXPECT_FALSE(g) << "GetSymbol has the same checks";
  }

  std::vector<uint8_t> bytes_;
  std::optional<RelocatableObject> obj_;
  std::optional<kexkit::link::LinkedImage> image_;
};

TEST_F(MiniImage, SetSymbolWritesOnlyTheSymbol) {
  const std::vector<uint8_t> before(image_->bytes().begin(), image_->bytes().end());
  const std::vector<uint8_t> v = {1, 2, 3, 4, 5, 6, 7, 8};
  ASSERT_TRUE(image_->SetSymbol("value", v));
  const auto after = image_->bytes();
  for (size_t i = 0; i < after.size(); ++i) {
    const bool in = i >= 16 && i < 24;
    EXPECT_EQ(after[i], in ? v[i - 16] : before[i]) << "image offset " << i;
  }
}

TEST_F(MiniImage, SetSymbolInNobitsIsRefused) {
  ExpectSetError("zeroed", 8, "symbol 'zeroed' is in NOBITS section .bss");
}

TEST_F(MiniImage, SetSymbolSizeMismatchIsRefused) {
  ExpectSetError("value", 4, "symbol 'value' has size 8, the loader writes 4");
  ExpectSetError("value", 9, "has size 8, the loader writes 9");
}

TEST_F(MiniImage, SetSymbolUnknownOrUndefinedIsRefused) {
  ExpectSetError("nope", 8, "no symbol 'nope'");
  ExpectSetError("missing", 0, "no symbol 'missing'");
}

TEST_F(MiniImage, SetSymbolRunningPastItsSectionIsRefused) {
  MiniElf m;
  m.syms[2].value = 12;  // 8 bytes from .data+12: 4 past the end
  ASSERT_NO_FATAL_FAILURE(Make(m));
  ExpectSetError("value", 8, "symbol 'value' runs past the end of .data");
}

TEST_F(MiniImage, SetSymbolOnAnAbsoluteSymbolIsRefused) {
  MiniElf m;
  m.syms[2].shndx = elf::kShnAbs;
  m.rels.clear();
  ASSERT_NO_FATAL_FAILURE(Make(m));
  ExpectSetError("value", 8, "symbol 'value' is not in a loaded section");
}

TEST_F(MiniImage, DuplicateGlobalDefinitionIsRefused) {
  MiniElf m;
  m.syms.push_back({"value", elf::kStbGlobal << 4 | elf::kSttObject, MiniElf::kData, 8, 8});
  ASSERT_NO_FATAL_FAILURE(Make(m));
  ExpectSetError("value", 8, "symbol 'value' is defined twice");
}

// --- randomized mutations of the real purgatory --------------------------------------------

// Parse -> layout -> link -> the loader's symbol accesses, on thousands of mutants of
// purgatory.ro. Nothing may crash, and every error must name the file. Half the
// mutations hit the ELF header, section header table and symbol/relocation tables
// (where the parser's decisions are), the rest land anywhere; some write a 0x00/0xff
// run instead of one byte to reach the size and offset overflows.
TEST(MalformedElf, PurgatoryMutationsNeverCrash) {
  auto orig = kktest::ReadFile(kktest::PurgatoryPath());
  ASSERT_TRUE(orig) << kktest::PurgatoryPath();
  auto clean = RelocatableObject::Parse(*orig, "purgatory.ro");
  ASSERT_TRUE(clean) << clean.error().Line();
  std::vector<std::pair<uint64_t, uint64_t>> hot = {{0, 64}};
  const uint64_t shoff =
      kexkit::LoadUnchecked<uint64_t>(orig->data() + 40, kexkit::Endian::kLittle);
  hot.push_back({shoff, clean->sections().size() * 64});
  for (const auto& s : clean->sections()) {
    if (s.type == elf::kShtSymtab || s.type == elf::kShtRela) hot.push_back({s.offset, s.size});
  }

  std::mt19937_64 rng(0x6b65786b6974);
  size_t parsed = 0, linked = 0, rejected = 0;
  constexpr int kIterations = 4000;
  for (int it = 0; it < kIterations; ++it) {
    std::vector<uint8_t> b = *orig;
    const int mutations = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < mutations; ++k) {
      uint64_t off;
      if (rng() % 2 == 0) {
        const auto& [start, len] = hot[rng() % hot.size()];
        off = start + rng() % len;
      } else {
        off = rng() % b.size();
      }
      switch (rng() % 4) {
        case 0:
          b[off] ^= static_cast<uint8_t>(1u << (rng() % 8));
          break;
        case 1:
          b[off] = static_cast<uint8_t>(rng());
          break;
        case 2:
        case 3: {
          const uint8_t fill = (rng() % 2) ? 0xff : 0x00;
          for (uint64_t i = off; i < std::min<uint64_t>(b.size(), off + 1 + rng() % 8); ++i)
            b[i] = fill;
          break;
        }
      }
    }
    if (rng() % 16 == 0) b.resize(rng() % b.size());  // truncation too

    auto obj = RelocatableObject::Parse(b, "purgatory.ro");
    if (!obj) {
      ++rejected;
      ASSERT_EQ(obj.error().Line().rfind("purgatory.ro: ", 0), 0u) << obj.error().Line();
      continue;
    }
    ++parsed;
    auto layout = ComputeLayout(*obj);
    if (!layout) {
      ASSERT_EQ(layout.error().Line().rfind("purgatory.ro: ", 0), 0u) << layout.error().Line();
      continue;
    }
    // Link allocates mem_size bytes of host memory, and ComputeLayout accepts a NOBITS
    // section of up to 4 GiB: keep the mutants that only grew .bss from eating the host.
    if (layout->mem_size > (64u << 20)) continue;
    for (uint64_t base : {uint64_t{0x5000}, uint64_t{0x123456000}}) {
      auto image = Link(*obj, base);
      if (!image) {
        ASSERT_EQ(image.error().Line().rfind("purgatory.ro: ", 0), 0u) << image.error().Line();
        continue;
      }
      ++linked;
      (void)image->SymbolAddress("kexkit_start");
      std::vector<uint8_t> params(sizeof(kexkit::abi::PurgatoryParams), 0x5a);
      (void)image->SetSymbol("kexkit_params", params);
      (void)image->GetSymbol("kexkit_entry_x86_64", 144);
      (void)image->SetSymbol("kexkit_stack_top", {});
    }
  }
  // The loop must have exercised both outcomes, or it tested nothing.
  EXPECT_GT(rejected, 100u);
  EXPECT_GT(linked, 100u);
  RecordProperty("parsed", static_cast<int>(parsed));
  RecordProperty("linked", static_cast<int>(linked));
  RecordProperty("rejected", static_cast<int>(rejected));
}

}  // namespace
