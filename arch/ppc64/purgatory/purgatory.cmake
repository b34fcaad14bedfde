# ppc64le (ELFv2) and ppc64 big-endian (ELFv1) purgatory sources and flags (included by
# purgatory/CMakeLists.txt). Both are one source set; the ABI and byte order come from
# the flags, the entry code asks the preprocessor (_CALL_ELF, __LITTLE_ENDIAN__).
if(KEXKIT_ARCH STREQUAL "ppc64le")
  set(KK_PPC_ABI_FLAGS -mlittle -mabi=elfv2)
  set(KK_LD_FLAGS -m elf64lppc)
else()
  set(KK_PPC_ABI_FLAGS -mbig -mabi=elfv1)
  set(KK_LD_FLAGS -m elf64ppc)
endif()
set(KK_ARCH_FLAGS
  -m64 ${KK_PPC_ABI_FLAGS}
  # Code model: every symbol is hidden (hidden.h), so with -mcmodel=medium data is
  # reached TOC-relative (addis/addi @toc@ha/@l, 32-bit reach) and calls are `bl`
  # (24-bit PC-relative): nothing absolute, no .toc indirection, no GOT or PLT. The
  # entry code sets r2 = .TOC. itself, so the blob runs wherever kexkit links it.
  -mcmodel=medium -fpie
  # Nothing sets up FP or vector state in real mode between two kernels (MSR[FP],
  # MSR[VEC], MSR[VSX] may be off): an FP/VMX/VSX instruction would trap.
  -msoft-float -mno-altivec -mno-vsx
  # Plain POWER8 (Debian's ppc64el baseline); no prefixed/pc-relative POWER10 code.
  -mcpu=power8 -mno-pcrel
)
# No -mno-red-zone: that is x86-only. The ppc64 ABIs protect 288 bytes below r1
# [ELFv2 ABI 2.2.2.4], and the purgatory runs with external interrupts off anyway.
set(KK_ARCH_SOURCES
  ${KK_ROOT}/arch/ppc64/purgatory/entry.S
  ${KK_ROOT}/arch/ppc64/purgatory/arch.cc)
# The SHA-256 vector crypto path (POWER8 vshasigmaw + VMX/VSX), built apart from the
# soft-float, no-vector objects above. arch.cc calls it only on a POWER8/9/10 PVR and
# only with MSR[FP|VEC|VSX] set for the call; nothing else may use these registers.
set(KK_ARCH_SIMD_SOURCES ${KK_ROOT}/arch/ppc64/purgatory/sha256-ppc64.cc)
set(KK_ARCH_SIMD_FLAGS
  -m64 ${KK_PPC_ABI_FLAGS} -mcmodel=medium -fpie -mcpu=power8 -mno-pcrel
  -mhard-float -maltivec -mvsx -mcrypto)
# The .S file is preprocessed (kexkit-abi-offsets.h) and assembled by the cross GCC.
enable_language(ASM)
set_source_files_properties(${KK_ROOT}/arch/ppc64/purgatory/entry.S PROPERTIES
  LANGUAGE ASM COMPILE_OPTIONS "-m64;${KK_PPC_ABI_FLAGS};-mcpu=power8;-Wa,--fatal-warnings")
set(KK_ENTRY_SYMBOL kexkit_start)
