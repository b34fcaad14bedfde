# x86_64 purgatory sources and flags (included by purgatory/CMakeLists.txt).
set(KK_ARCH_FLAGS
  -m64 -march=x86-64
  # Code model: -fpie with -mcmodel=small and every symbol hidden makes every reference
  # rip-relative (R_X86_64_PC32/PLT32), so the blob runs at any physical address in the
  # 64-bit space as long as it spans < 2 GiB; -mcmodel=large would also work anywhere but
  # costs movabs everywhere and drifted to .ltext sections with newer compilers.
  -fpie -mcmodel=small
  -mno-red-zone          # a fault or NMI on our stack must not clobber live locals
  # The kernel hands over with CR4.OSFXSR clear: any SSE instruction faults, so none
  # may be generated (GCC 12 auto-vectorisation broke kexec-tools this way).
  -mgeneral-regs-only -fno-tree-vectorize
  -fcf-protection=none   # no endbr64 padding: nothing here uses CET
)
set(KK_ARCH_SOURCES
  ${KK_ROOT}/arch/x86/purgatory/entry64.asm
  ${KK_ROOT}/arch/x86/purgatory/arch.cc)
# The SHA-NI path: SSE4.1 + SHA instructions, compiled without -mgeneral-regs-only.
# arch.cc calls it only when CPUID has SHA and only with CR4.OSFXSR set for the call.
set(KK_ARCH_SIMD_SOURCES ${KK_ROOT}/arch/x86/purgatory/sha256-x86.cc)
set(KK_ARCH_SIMD_FLAGS
  -m64 -march=x86-64 -fpie -mcmodel=small -mno-red-zone -fcf-protection=none
  -msse4.1 -msha -fno-tree-vectorize)
# -x: local symbols go (relocations then name their sections), which keeps purgatory.ro
# under 16 KiB; nothing on x86 needs a local symbol's own attributes at link time.
set(KK_LD_FLAGS -m elf_x86_64 -x)
# Size over speed for the code that runs once (purgatory/CMakeLists.txt): with one
# digest per segment in kexkit_params, purgatory.ro stays under 16 KiB only so.
set(KK_COLD_FLAGS -Os)
set(KK_ENTRY_SYMBOL kexkit_start)
