#include "loader/core-header.h"

#include <algorithm>
#include <cstdio>

#include "base/elf.h"

namespace kexkit::load {
namespace {

// Field offsets [gABI ch. 4, 5]; the two classes order the phdr fields differently.
struct ClassLayout {
  uint16_t ehsize, phentsize;
  // Program header field offsets.
  size_t type, flags, offset, vaddr, paddr, filesz, memsz, align;
};
constexpr ClassLayout kElf32{52, 32, 0, 24, 4, 8, 12, 16, 20, 28};
constexpr ClassLayout kElf64{64, 56, 0, 4, 8, 16, 24, 32, 40, 48};

constexpr uint64_t kMaxPhnum = 0xfffe;  // 0xffff is PN_XNUM, which vmcore.c does not read
constexpr uint8_t kEvCurrent = 1;

using ull = unsigned long long;

bool Wraps(uint64_t start, uint64_t size) { return start + size < start; }

}  // namespace

uint64_t CoreHeaderBytes(bool elf64, uint64_t phnum) {
  const ClassLayout& l = elf64 ? kElf64 : kElf32;
  return l.ehsize + phnum * l.phentsize;
}

Result<CoreHeaderPlan> PlanCoreHeader(const CoreHeaderSpec& spec) {
  CoreHeaderPlan plan;
  plan.elf64 = spec.elf64;
  plan.endian = spec.endian;
  plan.machine = spec.machine;
  const uint64_t unknown_vaddr = spec.elf64 ? ~uint64_t{0} : 0xffffffffu;

  auto add_note = [&](const CoreNote& n, std::string what) -> Result<void> {
    if (n.size == 0 || Wraps(n.addr, n.size)) {
      return Fail("core header: %s at 0x%llx has size 0x%llx", what.c_str(), (ull)n.addr,
                  (ull)n.size);
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
      return Fail("core header: kernel text at 0x%llx (virtual 0x%llx) has size 0x%llx",
                  (ull)t->paddr, (ull)t->vaddr, (ull)t->size);
    }
    plan.phdrs.push_back(
        {elf::kPtLoad, kRwx, t->paddr, t->vaddr, t->paddr, t->size, t->size, "kernel text"});
  }

  if (const auto& b = spec.backup;
      b && (b->size == 0 || Wraps(b->src, b->size) || Wraps(b->dst, b->size))) {
    return Fail("core header: backup 0x%llx+0x%llx -> 0x%llx is empty or wraps", (ull)b->src,
                (ull)b->size, (ull)b->dst);
  }
  uint64_t prev_end = 0;
  for (size_t i = 0; i < spec.memory.size(); ++i) {
    const MemRange& r = spec.memory[i];
    if (r.start >= r.end) {
      return Fail("core header: memory range 0x%llx-0x%llx is empty", (ull)r.start, (ull)r.end);
    }
    if (i != 0 && r.start < prev_end) {
      return Fail("core header: memory range at 0x%llx overlaps or precedes the one before it",
                  (ull)r.start);
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
    return Fail("core header: %zu program headers, an ELF header counts at most %llu",
                plan.phdrs.size(), (ull)kMaxPhnum);
  }
  if (!spec.elf64) {
    for (const CorePhdr& p : plan.phdrs) {
      const uint64_t top = std::max({p.offset + p.filesz, p.paddr + p.memsz});
      if (top > (uint64_t{1} << 32) || p.vaddr > 0xffffffffu) {
        return Fail(
            "ELF32 core header cannot describe %s at 0x%llx (virtual 0x%llx, size "
            "0x%llx): it reaches past 4 GiB; use ELF64 core headers "
            "(--elf64-core-headers)",
            p.what.c_str(), (ull)p.paddr, (ull)p.vaddr, (ull)p.memsz);
      }
    }
  }
  return plan;
}

std::vector<uint8_t> EncodeCoreHeader(const CoreHeaderPlan& plan) {
  const ClassLayout& l = plan.elf64 ? kElf64 : kElf32;
  std::vector<uint8_t> b(CoreHeaderBytes(plan.elf64, plan.phdrs.size()), 0);
  const Endian e = plan.endian;
  // Addresses are 8 bytes in ELF64, 4 in ELF32 (PlanCoreHeader checked they fit).
  auto put_addr = [&](size_t off, uint64_t v) {
    if (plan.elf64) {
      StoreUnchecked<uint64_t>(b.data() + off, v, e);
    } else {
      StoreUnchecked<uint32_t>(b.data() + off, static_cast<uint32_t>(v), e);
    }
  };
  auto put16 = [&](size_t off, uint16_t v) { StoreUnchecked<uint16_t>(b.data() + off, v, e); };
  auto put32 = [&](size_t off, uint32_t v) { StoreUnchecked<uint32_t>(b.data() + off, v, e); };

  // e_ident [gABI 4: EI_CLASS 4, EI_DATA 5, EI_VERSION 6, EI_OSABI 7 = ELFOSABI_NONE].
  std::copy(std::begin(elf::kMagic), std::end(elf::kMagic), b.begin());
  b[4] = plan.elf64 ? elf::kClass64 : elf::kClass32;
  b[5] = e == Endian::kLittle ? elf::kData2Lsb : elf::kData2Msb;
  b[6] = kEvCurrent;
  put16(16, elf::kEtCore);  // e_type
  put16(18, plan.machine);  // e_machine
  put32(20, kEvCurrent);    // e_version
  // e_entry (24) = 0; e_phoff right after the ELF header; e_shoff = 0; e_flags = 0.
  const size_t phoff_at = plan.elf64 ? 32 : 28;
  const size_t tail = plan.elf64 ? 52 : 40;  // e_ehsize, then e_phentsize, e_phnum, ...
  put_addr(phoff_at, l.ehsize);
  put16(tail, l.ehsize);
  put16(tail + 2, l.phentsize);
  put16(tail + 4, static_cast<uint16_t>(plan.phdrs.size()));
  // e_shentsize, e_shnum, e_shstrndx stay 0: no section headers.

  for (size_t i = 0; i < plan.phdrs.size(); ++i) {
    const CorePhdr& p = plan.phdrs[i];
    const size_t at = l.ehsize + i * l.phentsize;
    put32(at + l.type, p.type);
    put32(at + l.flags, p.flags);
    put_addr(at + l.offset, p.offset);
    put_addr(at + l.vaddr, p.vaddr);
    put_addr(at + l.paddr, p.paddr);
    put_addr(at + l.filesz, p.filesz);
    put_addr(at + l.memsz, p.memsz);
    put_addr(at + l.align, 0);
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
    char line[256];
    std::snprintf(line, sizeof(line),
                  "  %-7s offset 0x%016llx vaddr 0x%016llx paddr 0x%016llx "
                  "size 0x%010llx  %s",
                  p.type == elf::kPtNote ? "PT_NOTE" : "PT_LOAD", (ull)p.offset, (ull)p.vaddr,
                  (ull)p.paddr, (ull)p.memsz, p.what.c_str());
    out.emplace_back(line);
  }
  return out;
}

}  // namespace kexkit::load
