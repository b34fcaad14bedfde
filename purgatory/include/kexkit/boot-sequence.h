// The steps between "everything is staged" and "enter the kernel", shared by the
// purgatory (kexec) and the firmware trampoline: one implementation, each caller
// naming itself at the start of every line it prints ("kexkit purgatory: ").
//
// Sequence (Run): moves (the trampoline's relocation plan) -> SHA-256 of each region
// against its own digest, halting on the first mismatch (named: segment index, address,
// label) before the kernel is ever entered -> moves after the check
// (the kdump backup copy) -> "entering kernel". The caller then loads the hand-off
// registers (arch assembly). Console output goes through kexkit::arch::ConsolePutc, so
// the arch's ConsoleInit must have run first.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kexkit/arch.h"
#include "kexkit/relocate.h"
#include "kexkit/sha256.h"

namespace kexkit::boot {

void Puts(const char* s);
void PutHex(const uint8_t* bytes, size_t n);  // lowercase, no prefix
void PutAddr(uint64_t v);                     // 0x...
void PutDec(uint32_t v);
void Say(const char* who, const char* line);  // who, line, CR LF

// The verdict on one region: returns when got == expected; otherwise prints
// "<who>sha256 MISMATCH segment <segment> at <start> (<label>) expected <hex> got <hex>"
// and "halted, the new kernel was not entered", and halts. label holds at most
// label_size bytes and need not be NUL-terminated.
void CheckDigest(const char* who, uint32_t segment, uint64_t start, const char* label,
                 size_t label_size, const uint8_t expected[sha256::kDigestSize],
                 const uint8_t got[sha256::kDigestSize]);
// "<who>sha256 ok (<path>), <count> segments"
void SayDigestsOk(const char* who, const char* path, uint32_t count);

// SHA-256 of [start, start + len) with `blocks`, then CheckDigest. Not a template, so
// the purgatory carries one copy of the loop body (and no COMDAT group: purgatory.ro
// stays under 16 KiB).
void VerifyRegion(const char* who, sha256::BlocksFn blocks, uint64_t start, uint64_t len,
                  const uint8_t expected[sha256::kDigestSize], uint32_t segment, const char* label,
                  size_t label_size);

template <typename T>
T* Phys(uint64_t addr) {
  // Identity-mapped (x86 long mode) or untranslated (paging off, ppc64 real mode).
  return reinterpret_cast<T*>(static_cast<uintptr_t>(addr));
}

// SHA-256 of each of regions[0..n) (anything with .start, .len, .digest, .segment and
// .label: abi::DigestRegion, kexkit_digest_region) with the fastest compression the CPU
// has, each checked against its own digest; halts at the first mismatch.
// Always inlined (as Run is): an out-of-line template instance would be a COMDAT group
// in purgatory.ro, with a section, a group and long names costing more than the code.
template <typename Region>
[[gnu::always_inline]] inline void VerifyOrHalt(const char* who, const Region* regions,
                                                uint32_t n) {
  const char* path = "?";  // Sha256Blocks names it; "" would be tail-merged by GNU ld
  const sha256::BlocksFn blocks = arch::Sha256Blocks(&path);
  for (uint32_t i = 0; i < n; ++i) {
    const Region& r = regions[i];
    VerifyRegion(who, blocks, r.start, r.len, r.digest, r.segment, r.label, sizeof(r.label));
  }
  SayDigestsOk(who, path, n);
}

template <typename Region>
struct Sequence {
  const char* who = "";
  const kexkit_move* moves = nullptr;  // before the check
  uint32_t move_count = 0;
  bool verify = false;
  const Region* regions = nullptr;
  uint32_t region_count = 0;
  const kexkit_move* after = nullptr;  // after the check (kdump backup)
  uint32_t after_count = 0;
  const char* after_line = nullptr;  // printed once `after` is done
};

// Returns only when the kernel may be entered.
template <typename Region>
[[gnu::always_inline]] inline void Run(const Sequence<Region>& s) {
  if (s.move_count != 0) {
    relocate::Execute(s.moves, s.move_count);
    Puts(s.who);
    Puts("moves done (");
    PutDec(s.move_count);
    Puts(")\r\n");
  }
  if (s.verify) VerifyOrHalt(s.who, s.regions, s.region_count);
  if (s.after_count != 0) {
    relocate::Execute(s.after, s.after_count);
    if (s.after_line != nullptr) Say(s.who, s.after_line);
  }
  Say(s.who, "entering kernel");
}

}  // namespace kexkit::boot
