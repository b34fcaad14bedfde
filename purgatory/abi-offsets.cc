// Compiled with -S only: each KK_DEFINE leaves "->NAME value" in the assembly output,
// which the build turns into kexkit-abi-offsets.inc (nasm) and kexkit-abi-offsets.h
// (GNU as). The entry code thus takes its offsets from purgatory-abi.h itself.
#include "kexkit/purgatory-abi.h"

#define KK_DEFINE(sym, val) asm volatile("\n.ascii \"->" #sym " %c0\"" : : "i"(val))
#define KK_OFF(prefix, type, field) KK_DEFINE(prefix##_##field, offsetof(kexkit::abi::type, field))

using namespace kexkit::abi;

void KexkitAbiOffsets() {
  KK_DEFINE(ENTRY64_SIZE, sizeof(EntryX86_64));
  KK_OFF(ENTRY64, EntryX86_64, rax);
  KK_OFF(ENTRY64, EntryX86_64, rbx);
  KK_OFF(ENTRY64, EntryX86_64, rcx);
  KK_OFF(ENTRY64, EntryX86_64, rdx);
  KK_OFF(ENTRY64, EntryX86_64, rsi);
  KK_OFF(ENTRY64, EntryX86_64, rdi);
  KK_OFF(ENTRY64, EntryX86_64, rsp);
  KK_OFF(ENTRY64, EntryX86_64, rbp);
  KK_OFF(ENTRY64, EntryX86_64, r8);
  KK_OFF(ENTRY64, EntryX86_64, r9);
  KK_OFF(ENTRY64, EntryX86_64, r10);
  KK_OFF(ENTRY64, EntryX86_64, r11);
  KK_OFF(ENTRY64, EntryX86_64, r12);
  KK_OFF(ENTRY64, EntryX86_64, r13);
  KK_OFF(ENTRY64, EntryX86_64, r14);
  KK_OFF(ENTRY64, EntryX86_64, r15);
  KK_OFF(ENTRY64, EntryX86_64, rip);
  KK_OFF(ENTRY64, EntryX86_64, entry32);

  KK_DEFINE(ENTRY32_SIZE, sizeof(EntryI386));
  KK_OFF(ENTRY32, EntryI386, eax);
  KK_OFF(ENTRY32, EntryI386, ebx);
  KK_OFF(ENTRY32, EntryI386, ecx);
  KK_OFF(ENTRY32, EntryI386, edx);
  KK_OFF(ENTRY32, EntryI386, esi);
  KK_OFF(ENTRY32, EntryI386, edi);
  KK_OFF(ENTRY32, EntryI386, esp);
  KK_OFF(ENTRY32, EntryI386, ebp);
  KK_OFF(ENTRY32, EntryI386, eip);

  KK_DEFINE(ENTRYPPC_SIZE, sizeof(EntryPpc64));
  KK_OFF(ENTRYPPC, EntryPpc64, kernel);
  KK_OFF(ENTRYPPC, EntryPpc64, fdt);
  KK_OFF(ENTRYPPC, EntryPpc64, stack);
  KK_OFF(ENTRYPPC, EntryPpc64, opal_base);
  KK_OFF(ENTRYPPC, EntryPpc64, opal_entry);

  KK_DEFINE(ENTRYARM64_SIZE, sizeof(EntryArm64));
  KK_OFF(ENTRYARM64, EntryArm64, kernel);
  KK_OFF(ENTRYARM64, EntryArm64, dtb);
}
