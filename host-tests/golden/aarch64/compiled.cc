// What GCC emits with the aarch64 purgatory's code model (arch/arm64/purgatory/
// purgatory.cmake): globals of every access size, calls and tail calls, a pointer table
// in data, a switch, strings. host-tests/aarch64.cmake compiles it with those flags.
#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

uint8_t g_byte = 1;
uint16_t g_half = 2;
uint32_t g_word = 3;
uint64_t g_dword = 4;
struct alignas(16) Quad {
  uint64_t lo, hi;
} g_quad = {5, 6};
uint64_t g_bss[8];
const char* const g_names[] = {"zero", "one", "two", "three"};

[[gnu::noinline]] uint64_t Leaf(uint64_t x) { return x * 3 + g_byte; }

[[gnu::noinline]] uint64_t Pick(unsigned i) {
  switch (i) {
    case 0:
      return g_half;
    case 1:
      return g_word;
    case 2:
      return g_dword;
    case 3:
      return g_quad.hi;
    case 4:
      return g_bss[3];
    case 5:
      return reinterpret_cast<uintptr_t>(g_names[i & 3]);
    default:
      return Leaf(i);
  }
}

extern "C" uint64_t kk_compiled_main(unsigned n) {
  uint64_t sum = 0;
  for (unsigned i = 0; i < n; ++i) {
    sum += Pick(i);
    g_bss[i & 7] = sum;
  }
  g_byte = static_cast<uint8_t>(sum);
  g_half = static_cast<uint16_t>(sum >> 8);
  g_word = static_cast<uint32_t>(sum >> 16);
  g_quad.lo = sum;
  return Leaf(sum);  // a tail call
}

#pragma GCC visibility pop
