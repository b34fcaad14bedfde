// Relocation: planning (which bytes move where, in which order, through which bounce
// buffers) and execution (the moves themselves). Freestanding: no heap, no libc; the
// same sources run in the trampoline, the purgatory (the kdump backup copy), the
// firmware stub and the host (loader, property tests). The types are the C ABI's
// (kexkit/trampoline.h), so a plan made on one side runs unchanged on the other.
//
// The plan's contract: executing moves[0..n) in order, each COPY with memmove
// semantics and each ZERO as a fill, leaves every segment's `size` bytes (as they were
// before the first move) at its destination followed by `memsz - size` zeros, touches
// nothing outside the sources, destinations and bounce buffers, and never touches a
// keep-out range.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kexkit/trampoline.h"

namespace kexkit::relocate {

inline constexpr uint32_t kMaxSegments = KEXKIT_MAX_SEGMENTS;
inline constexpr uint32_t kMaxRanges = 128;  // RAM ranges and keep-out ranges, each

// One line of text built without libc, for messages that must work freestanding.
class Message {
 public:
  Message(char* buf, size_t size) : buf_(buf), size_(size) {
    if (size_ != 0) buf_[0] = '\0';
  }
  Message& Str(const char* s);
  Message& Hex(uint64_t v);  // 0x...
  Message& Dec(uint64_t v);
  Message& Range(uint64_t start, uint64_t end);  // [0x..., 0x...)

 private:
  void Put(char c);
  char* buf_;
  size_t size_;
  size_t len_ = 0;
};

// Plans in->segments (see kexkit_plan_moves in trampoline.h for the arguments).
//
// What can go wrong, each with its own status and a message naming the segment(s):
// a malformed segment (size > memsz, address wrap, beyond max_address), two overlapping
// destinations, a destination outside RAM, a source or destination inside a keep-out
// range, a dependency cycle with too little free memory to bounce through, more moves
// than `capacity` (*count then says how many are needed), more segments or ranges than
// kMaxSegments / kMaxRanges.
//
// Algorithm: segment j *clobbers* segment i when j's destination (including its zero
// tail) overlaps i's source, so i must be copied first. Segments are emitted in a
// topological order of that relation (Kahn, lowest index first, so the plan is
// deterministic). A segment's overlap with its *own* destination needs no order: its
// pieces run high-to-low when the destination is above the source, low-to-high
// otherwise, each with memmove semantics. When every remaining segment waits on
// another (a cycle), the one whose clobbered source bytes are fewest has exactly those
// bytes copied to free memory (RAM minus every source, destination and keep-out range)
// before any other move, and reads them from there; that breaks all its edges. The
// bounce copies run first, while memory is still as staged.
int Plan(const kexkit_plan_input& in, kexkit_move* moves, uint32_t capacity, uint32_t* count,
         kexkit_plan_stats* stats, Message& message);

// Performs moves[0..count) in order: COPY with memmove semantics, ZERO as a fill, in
// machine words where source and destination are co-aligned. Addresses are pointers.
void Execute(const kexkit_move* moves, uint32_t count);

// The first move (index) whose source or destination intersects one of ranges[0..n),
// or -1; *range gets that range's index. Empty ranges never intersect.
int32_t FirstConflict(const kexkit_move* moves, uint32_t count, const kexkit_range* ranges,
                      uint32_t n, uint32_t* range);

inline bool Intersects(uint64_t a_start, uint64_t a_end, uint64_t b_start, uint64_t b_end) {
  return a_start < b_end && b_start < a_end;
}

}  // namespace kexkit::relocate
