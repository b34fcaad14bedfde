// Golden object compiled by the i386 cross GCC with the purgatory's code model
// (-m32 -fno-pic, every symbol hidden): what GCC emits for ordinary freestanding code,
// rather than hand-picked relocations. Jump tables (.rodata, R_386_32 per case),
// string literals (SHF_MERGE .rodata.str*), function pointers in .data, calls across
// sections and objects (R_386_PC32), a weak function that stays undefined, and
// zero-initialised data (.bss). far.asm refers to some of these, and the test also links
// the `ld -r` of both, as the purgatory build does.
#include <stdint.h>

#pragma GCC visibility push(hidden)

extern "C" {
void golden_far_target();             // far.asm
[[gnu::weak]] void golden_missing();  // never defined: resolves to 0
uint32_t golden_counter;              // .bss
uint32_t golden_words[4] = {1, 2, 3, 4};
const char* golden_names[3] = {"alpha", "beta", "gamma"};
uint32_t (*golden_dispatch)(uint32_t);

[[gnu::noinline]] uint32_t golden_classify(uint32_t v) {
  switch (v) {  // dense cases: a jump table of absolute addresses
    case 0:
      return 11;
    case 1:
      return golden_words[1] * 7;
    case 2:
      return 13 + golden_counter;
    case 3:
      return 17;
    case 4:
      return static_cast<uint32_t>(golden_names[v % 3][0]);
    case 5:
      return 23;
    case 6:
      return 29;
    default:
      return 0;
  }
}

[[gnu::noinline, gnu::section(".text.golden")]] uint32_t golden_sum(const char* s) {
  uint32_t sum = 0;
  while (*s) sum = sum * 31 + static_cast<uint8_t>(*s++);
  return sum;
}

uint32_t golden_entry(uint32_t v) {
  golden_dispatch = golden_classify;
  golden_counter += golden_sum("kexkit golden i386") + golden_sum("i386");
  if (golden_missing) golden_missing();
  golden_far_target();
  return golden_dispatch(v) + static_cast<uint32_t>(reinterpret_cast<uintptr_t>(&golden_words[2]));
}
}
