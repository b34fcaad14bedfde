# i386 purgatory sources and flags (included by purgatory/CMakeLists.txt). The C++ hooks
# are the x86 ones (arch/x86/purgatory/arch.cc): one implementation for both widths.
set(KK_ARCH_FLAGS
  -m32 -march=i686
  # Code model: absolute addressing. i386 has no PC-relative data references, and PIC
  # would need a GOT base register; the kexkit linker lays the blob out at its final
  # physical address, so R_386_32 is exact. (Debian's GCC defaults to PIE.)
  -fno-pic -fno-pie
  # Calling convention: plain cdecl (no -mregparm), which entry32.asm relies on.
  # No SSE, no x87: the kernel hands over with CR4 cleared (OSFXSR off), and nothing here
  # needs floating point (GCC 12 vectorises at -O2, and an SSE instruction faults while
  # CR4.OSFXSR is clear: that broke kexec-tools' purgatory).
  -mgeneral-regs-only -fno-tree-vectorize
  -fcf-protection=none   # no endbr32: nothing here uses CET
  -fno-common            # every object a real definition the linker can place
)
set(KK_ARCH_SOURCES
  ${KK_ROOT}/arch/i386/purgatory/entry32.asm
  ${KK_ROOT}/arch/x86/purgatory/arch.cc)
# The SHA-NI path, shared with x86_64: SSE4.1 + SHA instructions, compiled without
# -mgeneral-regs-only; arch.cc calls it only when CPUID has SHA, and turns SSE on
# (CR4.OSFXSR) around the call alone.
set(KK_ARCH_SIMD_SOURCES ${KK_ROOT}/arch/x86/purgatory/sha256-x86.cc)
set(KK_ARCH_SIMD_FLAGS
  -m32 -march=i686 -fno-pic -fno-pie -fcf-protection=none -fno-common
  -msse4.1 -msha -fno-tree-vectorize)
set(KK_LD_FLAGS -m elf_i386)
set(KK_ENTRY_SYMBOL kexkit_start)
