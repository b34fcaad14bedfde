# x86 trampoline sources (included by trampoline/trampoline.cmake). The C++
# (and the purgatory's console/SHA/halt hooks) is the same for both widths; only the
# boot stub and the register block differ [managarm eir: one generic source set built
# as 32-bit and 64-bit].
if(KEXKIT_ARCH STREQUAL "x86_64")
  set(KK_TRAMP_ARCH_SOURCES
    ${KK_ROOT}/arch/x86/trampoline/boot64.asm
    ${KK_ROOT}/arch/x86/trampoline/handoff-x86_64.cc)
else()
  set(KK_TRAMP_ARCH_SOURCES
    ${KK_ROOT}/arch/x86/trampoline/boot32.asm
    ${KK_ROOT}/arch/x86/trampoline/handoff-i386.cc)
endif()
