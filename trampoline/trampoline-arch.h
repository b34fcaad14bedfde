// Hooks each trampoline architecture implements (arch/<arch>/trampoline/handoff-*.cc),
// next to the purgatory's own (kexkit/arch.h: console, SHA-256 choice, halt), which the
// trampoline uses too. Called by trampoline.cc in this order:
//   ArchAddressLimit, ArchExtraFootprint (before any move) -> ArchPrepareHandoff (after
//   the digest check, just before the boot stub loads the registers and jumps).
#pragma once

#include <stdint.h>

#include "kexkit/trampoline.h"

namespace kexkit::trampoline {

// One past the highest address this CPU mode reaches (i386, paging off: 4 GiB).
uint64_t ArchAddressLimit();

// Memory the trampoline relies on beyond its own two sections (ppc64: the TOC it
// addresses through r2). Writes up to `max` ranges and names; returns how many.
uint32_t ArchExtraFootprint(kexkit_range* ranges, const char** names, uint32_t max);

// Fills the register block the boot stub loads (the purgatory's abi::Entry* layout,
// so the kernel sees the same machine state from either).
void ArchPrepareHandoff(const kexkit_handoff& handoff);

}  // namespace kexkit::trampoline
