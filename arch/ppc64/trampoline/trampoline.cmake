# ppc64le (ELFv2) and ppc64 big-endian (ELFv1) trampoline sources (included by
# trampoline/trampoline.cmake after arch/ppc64/purgatory/purgatory.cmake,
# whose KK_PPC_ABI_FLAGS pick the ABI and byte order).
set(KK_TRAMP_ARCH_SOURCES
  ${KK_ROOT}/arch/ppc64/trampoline/boot.S
  ${KK_ROOT}/arch/ppc64/trampoline/handoff-ppc64.cc)
enable_language(ASM)
set_source_files_properties(${KK_ROOT}/arch/ppc64/trampoline/boot.S PROPERTIES
  LANGUAGE ASM COMPILE_OPTIONS "-m64;${KK_PPC_ABI_FLAGS};-mcpu=power8;-Wa,--fatal-warnings")
