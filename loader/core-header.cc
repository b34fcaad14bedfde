#include "loader/core-header.h"

#include <algorithm>
#include <cstdio>

#include "base/elf.h"

namespace kexkit::load {
namespace {

constexpr Part kCoreHeader{"core header"};

constexpr uint64_t kMaxPhnum = 0xfffe;  // 0xffff is PN_XNUM, which vmcore.c does not read
constexpr uint8_t kEvCurrent = 1;

bool Wraps(uint64_t start, uint64_t size) { return start + size < start; }

}  // namespace

uint64_t CoreHeaderBytes(bool elf64, uint64_t phnum) {
  const elf::ClassLayout& l = elf::LayoutOf(elf64);
  return l.ehdr.size + phnum * l.phdr.size;
}

Result<CoreHeaderPlan> PlanCoreHeader(const CoreHeaderSpec& spec) {
  CoreHeaderPlan plan;
  plan.elf64 = spec.elf64;
  plan.endian = spec.endian;
  plan.machine = spec.machine;
  const uint64_t unknown_vaddr = spec.elf64 ? ~uint64_t{0} : 0xffffffffu;

  auto add_note = [&](const CoreNote& n, std::string what) -> Result<void> {
    if (n.size == 0 || Wraps(n.addr, n.size)) {
      return kCoreHeader.Fail(what, " at ", Hex(n.addr), " has size ", Hex(n.size));
    }
    plan.phdrs.push_back({elf::kPtNote, 0, n.addr, 0, n.addr, n.size, n.size, std::move(what)});
    return {};
  };
  for (const CoreNote& n : spec.cpu_notes) {
    if (auto r = add_note(n, "cpu" + std::to_string(n.cpu) + " crash_notes"); !r) {
      return std::unexpected(r.error());
    }
  }
  if (spec.vmcoreinfo) {
    if (auto r = add_note(*spec.vmcoreinfo, "vmcoreinfo"); !r) return std::unexpected(r.error());
  }

  constexpr uint32_t kRwx = elf::kPfR | elf::kPfW | elf::kPfX;
  if (const auto& t = spec.kernel_text) {
    if (t->size == 0 || Wraps(t->paddr, t->size) || Wraps(t->vaddr, t->size)) {
      return kCoreHeader.Fail("kernel text at ", Hex(t->paddr), " (virtual ", Hex(t->vaddr),
                              ") has size ", Hex(t->size));
    }
    plan.phdrs.push_back(
        {elf::kPtLoad, kRwx, t->paddr, t->vaddr, t->paddr, t->size, t->size, "kernel text"});
  }

  if (const auto& b = spec.backup;
      b && (b->size == 0 || Wraps(b->src, b->size) || Wraps(b->dst, b->size))) {
    return kCoreHeader.Fail("backup ", Hex(b->src), "+", Hex(b->size), " -> ", Hex(b->dst),
                            " is empty or wraps");
  }
  uint64_t prev_end = 0;
  for (size_t i = 0; i < spec.memory.size(); ++i) {
    const MemRange& r = spec.memory[i];
    if (r.start >= r.end) {
      return kCoreHeader.Fail("memory range ", Hex(r.start), "-", Hex(r.end), " is empty");
    }
    if (i != 0 && r.start < prev_end) {
      return kCoreHeader.Fail("memory range at ", Hex(r.start),
                              " overlaps or precedes the one before it");
    }
    prev_end = r.end;
    // Cut points: the linear-map limit and the backup's edges.
    std::vector<uint64_t> cuts{r.start, r.end};
    auto cut = [&](uint64_t at) {
      if (at > r.start && at < r.end) cuts.push_back(at);
    };
    cut(spec.linear_limit);
    if (spec.backup) {
      cut(spec.backup->src);
      cut(spec.backup->src + spec.backup->size);
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    for (size_t k = 0; k + 1 < cuts.size(); ++k) {
      const uint64_t lo = cuts[k], hi = cuts[k + 1];
      CorePhdr p{elf::kPtLoad, kRwx, lo, 0, lo, hi - lo, hi - lo, "memory"};
      if (spec.page_offset)
        p.vaddr = hi <= spec.linear_limit ? lo + *spec.page_offset : unknown_vaddr;
      if (const auto& b = spec.backup; b && lo >= b->src && hi <= b->src + b->size) {
        p.offset = b->dst + (lo - b->src);
        p.what = "memory, read from the backup";
      }
      plan.phdrs.push_back(std::move(p));
    }
  }

  if (plan.phdrs.size() > kMaxPhnum) {
    return kCoreHeader.Fail(plan.phdrs.size(), " program headers, an ELF header counts at most ",
                            kMaxPhnum);
  }
  if (!spec.elf64) {
    for (const CorePhdr& p : plan.phdrs) {
      const uint64_t top = std::max({p.offset + p.filesz, p.paddr + p.memsz});
      if (top > (uint64_t{1} << 32) || p.vaddr > 0xffffffffu) {
        return Fail("ELF32 core header cannot describe ", p.what, " at ", Hex(p.paddr),
                    " (virtual ", Hex(p.vaddr), ", size ", Hex(p.memsz),
                    "): it reaches past 4 GiB; use ELF64 core headers (--elf64-core-headers)");
      }
    }
  }
  return plan;
}

std::vector<uint8_t> EncodeCoreHeader(const CoreHeaderPlan& plan) {
  const elf::ClassLayout& l = elf::LayoutOf(plan.elf64);
  std::vector<uint8_t> b(CoreHeaderBytes(plan.elf64, plan.phdrs.size()), 0);
  const Endian e = plan.endian;
  // Addresses are 8 bytes in ELF64, 4 in ELF32 (PlanCoreHeader checked they fit).
  auto put = [&](size_t rec, elf::Field f, uint64_t v) { elf::Put(b.data() + rec, f, v, e); };

  // e_ident [gABI 4: EI_CLASS 4, EI_DATA 5, EI_VERSION 6, EI_OSABI 7 = ELFOSABI_NONE].
  std::copy(std::begin(elf::kMagic), std::end(elf::kMagic), b.begin());
  b[4] = l.class_id;
  b[5] = e == Endian::kLittle ? elf::kData2Lsb : elf::kData2Msb;
  b[6] = kEvCurrent;
  put(0, l.ehdr.type, elf::kEtCore);
  put(0, l.ehdr.machine, plan.machine);
  put(0, l.ehdr.version, kEvCurrent);
  // e_entry, e_shoff and e_flags stay 0; the program headers follow the ELF header.
  put(0, l.ehdr.phoff, l.ehdr.size);
  put(0, l.ehdr.ehsize, l.ehdr.size);
  put(0, l.ehdr.phentsize, l.phdr.size);
  put(0, l.ehdr.phnum, plan.phdrs.size());
  // e_shentsize, e_shnum, e_shstrndx stay 0: no section headers.

  for (size_t i = 0; i < plan.phdrs.size(); ++i) {
    const CorePhdr& p = plan.phdrs[i];
    const size_t at = l.ehdr.size + i * l.phdr.size;
    put(at, l.phdr.type, p.type);
    put(at, l.phdr.flags, p.flags);
    put(at, l.phdr.offset, p.offset);
    put(at, l.phdr.vaddr, p.vaddr);
    put(at, l.phdr.paddr, p.paddr);
    put(at, l.phdr.filesz, p.filesz);
    put(at, l.phdr.memsz, p.memsz);
    put(at, l.phdr.align, 0);
  }
  return b;
}

Result<std::vector<uint8_t>> BuildCoreHeader(const CoreHeaderSpec& spec) {
  auto plan = PlanCoreHeader(spec);
  if (!plan) return std::unexpected(plan.error());
  return EncodeCoreHeader(*plan);
}

std::vector<std::string> DescribeCoreHeader(const CoreHeaderPlan& plan) {
  std::vector<std::string> out;
  for (const CorePhdr& p : plan.phdrs) {
    out.push_back(Cat("  ", p.type == elf::kPtNote ? "PT_NOTE" : "PT_LOAD", " offset ",
                      Hex(p.offset, 16), " vaddr ", Hex(p.vaddr, 16), " paddr ", Hex(p.paddr, 16),
                      " size ", Hex(p.memsz, 10), "  ", p.what));
  }
  return out;
}

}  // namespace kexkit::load
