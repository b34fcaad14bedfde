// The steps between "everything is staged" and "enter the kernel", shared by the
// purgatory (kexec) and the firmware trampoline: one implementation, each caller
// naming itself at the start of every line it prints ("kexkit purgatory: ").
//
// Sequence (Run): moves (the trampoline's relocation plan) -> SHA-256 of the regions,
// halting on a mismatch before the kernel is ever entered -> moves after the check
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

// Prints "<who>sha256 ok (<path>)" when got == expected; otherwise prints both digests
// and "halted, the new kernel was not entered", and halts.
void CheckDigest(const char* who, const uint8_t expected[sha256::kDigestSize],
                 const uint8_t got[sha256::kDigestSize], const char* path);

template <typename T>
T* Phys(uint64_t addr) {
  // Identity-mapped (x86 long mode) or untranslated (paging off, ppc64 real mode).
  return reinterpret_cast<T*>(static_cast<uintptr_t>(addr));
}

// SHA-256 over regions[0..n) (anything with .start and .len) with the fastest
// compression the CPU has, then CheckDigest.
template <typename Region>
void VerifyOrHalt(const char* who, const Region* regions, uint32_t n,
                  const uint8_t expected[sha256::kDigestSize]) {
  const char* path = "";
  sha256::Context ctx;
  sha256::Init(ctx, arch::Sha256Blocks(&path));
  for (uint32_t i = 0; i < n; ++i) {
    sha256::Update(ctx, Phys<const uint8_t>(regions[i].start), static_cast<size_t>(regions[i].len));
  }
  uint8_t got[sha256::kDigestSize];
  sha256::Final(ctx, got);
  CheckDigest(who, expected, got, path);
}

template <typename Region>
struct Sequence {
  const char* who = "";
  const kexkit_move* moves = nullptr;  // before the check
  uint32_t move_count = 0;
  bool verify = false;
  const Region* regions = nullptr;
  uint32_t region_count = 0;
  const uint8_t* digest = nullptr;
  const kexkit_move* after = nullptr;  // after the check (kdump backup)
  uint32_t after_count = 0;
  const char* after_line = nullptr;    // printed once `after` is done
};

// Returns only when the kernel may be entered.
template <typename Region>
void Run(const Sequence<Region>& s) {
  if (s.move_count != 0) {
    relocate::Execute(s.moves, s.move_count);
    Puts(s.who);
    Puts("moves done (");
    PutDec(s.move_count);
    Puts(")\r\n");
  }
  if (s.verify) VerifyOrHalt(s.who, s.regions, s.region_count, s.digest);
  if (s.after_count != 0) {
    relocate::Execute(s.after, s.after_count);
    if (s.after_line != nullptr) Say(s.who, s.after_line);
  }
  Say(s.who, "entering kernel");
}

}  // namespace kexkit::boot
