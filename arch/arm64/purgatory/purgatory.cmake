# arm64 (aarch64, little-endian) purgatory sources and flags (included by
# purgatory/CMakeLists.txt).
set(KK_ARCH_FLAGS
  # Code model: every symbol is hidden (hidden.h), so with the small model and -fpie
  # addresses are adrp + add/ldr :lo12: (±4 GiB, PC-relative) and calls are bl: nothing
  # absolute, no GOT. The blob runs wherever kexkit links it.
  -mcmodel=small -fpie
  # The purgatory runs with the MMU off: all memory is Device-nGnRnE, where an unaligned
  # access faults on hardware (QEMU does not check it) [ARM ARM D8.2.10].
  -mstrict-align
  # Nothing enables FP/SIMD for C code (CPACR_EL1.FPEN may trap it): general registers
  # only; the Crypto Extensions hash path enables FP/SIMD around its own call.
  -mgeneral-regs-only
  # No pointer authentication or BTI landing pads (Debian's GCC may default to them):
  # the keys are the old kernel's, and nothing here is reached indirectly but the entry.
  -mbranch-protection=none
  # No calls to libgcc's out-of-line LSE atomics helpers (there are no atomics anyway).
  -mno-outline-atomics
)
set(KK_ARCH_SOURCES
  ${KK_ROOT}/arch/arm64/purgatory/entry.S
  ${KK_ROOT}/arch/arm64/purgatory/arch.cc)
# The Crypto Extensions SHA-256 path, built apart from the general-registers-only objects
# above: arch.cc calls it only when ID_AA64ISAR0_EL1.SHA2 is set, and only with FP/SIMD
# access enabled for the call; nothing else may use these registers.
set(KK_ARCH_SIMD_SOURCES ${KK_ROOT}/arch/arm64/purgatory/sha256-arm64.cc)
set(KK_ARCH_SIMD_FLAGS -mcmodel=small -fpie -mstrict-align -mbranch-protection=none
    -mno-outline-atomics -march=armv8-a+crypto)
set(KK_LD_FLAGS -m aarch64elf)
enable_language(ASM)
set_source_files_properties(${KK_ROOT}/arch/arm64/purgatory/entry.S PROPERTIES
  LANGUAGE ASM COMPILE_OPTIONS "-Wa,--fatal-warnings")
set(KK_ENTRY_SYMBOL kexkit_start)
