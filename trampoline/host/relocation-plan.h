// The firmware trampoline's relocation planner (trampoline/relocate-plan.cc, the very
// code that runs freestanding in a firmware) for host code: from a memory map and a
// segment list to an ordered list of moves that is right whatever the overlaps, or an
// error naming the segments and addresses. The plan can be executed by the trampoline
// (kexkit_trampoline_boot), by relocate::Execute, or checked by hand (--dry-run style).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/diag.h"
#include "kexkit/trampoline.h"
#include "loader/memory-map.h"

namespace kexkit::load {

struct RelocationSegment {
  uint64_t src = 0;    // where the bytes are staged now
  uint64_t dst = 0;    // where they must run
  uint64_t size = 0;   // bytes copied
  uint64_t memsz = 0;  // bytes at dst when done (zero tail after size)
  std::string what;    // "kernel", "initrd", ... (messages only)
};

struct RelocationOptions {
  std::vector<MemRange> keep_out;  // the trampoline's footprint, its plan, its stack
  uint64_t max_address = 0;        // 0: none; 1 << 32 for the i386 trampoline
  uint64_t bounce_align = 4096;
};

struct RelocationPlan {
  std::vector<kexkit_move> moves;
  kexkit_plan_stats stats{};
};

// RAM is map.ranges of type kRam. What can go wrong: everything kexkit_plan_moves
// refuses (malformed or overlapping destinations, a destination outside RAM, a keep-out
// range touched, a cycle with too little free memory to bounce through), reported as
// "relocation plan: <why> (segment 0 = kernel, ...)".
Result<RelocationPlan> PlanRelocation(const MemoryMap& map,
                                      const std::vector<RelocationSegment>& segments,
                                      const RelocationOptions& options = {});

}  // namespace kexkit::load
