# The firmware trampoline (docs/trampoline.md), a top-level part: libkexkit-trampoline.a
# for KEXKIT_ARCH, from this folder (the C ABI, the relocation planner; host/ wraps the
# planner for host code) and the boot core it shares with the purgatory (boot sequence,
# relocation executor, SHA-256, the arch console/halt hooks), plus a boot stub per
# architecture (arch/<name>/trampoline/). Included at the end of
# purgatory/CMakeLists.txt, whose flags (KK_COMMON_FLAGS, KK_ARCH_FLAGS,
# KK_ARCH_SIMD_FLAGS) and generated offsets it reuses. Not part of ALL: the top level's
# trampoline-<arch> projects build target `trampoline` and install component
# `trampoline`.
#
# Packaging: `ld -r` with merge.ld packs every object into one relocatable object whose
# code and data sit in two sections bracketed by marker symbols, so the trampoline can
# name its own footprint wherever a firmware links it. Then every symbol but the C ABI
# (exports.txt) is made local, so the library's memcpy, SHA-256 and C++ names never
# clash with the firmware's own.

if(KEXKIT_ARCH MATCHES "^(x86_64|i386)$")
  set(KK_TRAMP_ARCH_DIR x86)
elseif(KEXKIT_ARCH MATCHES "^ppc64(le)?$")
  set(KK_TRAMP_ARCH_DIR ppc64)
else()
  # No trampoline boot stub for this architecture (arm64) yet: purgatory only.
  return()
endif()
include(${KK_ROOT}/arch/${KK_TRAMP_ARCH_DIR}/trampoline/trampoline.cmake)
# -> KK_TRAMP_ARCH_SOURCES

# The purgatory's arch hooks are its .cc sources; its entry assembly is not wanted here.
set(KK_TRAMP_HOOKS ${KK_ARCH_SOURCES})
list(FILTER KK_TRAMP_HOOKS INCLUDE REGEX "\\.cc$")

set(KK_TRAMP_DIR ${KK_ROOT}/trampoline)
add_library(trampoline_objs OBJECT EXCLUDE_FROM_ALL
  ${KK_TRAMP_DIR}/trampoline.cc ${KK_TRAMP_DIR}/relocate-plan.cc boot-sequence.cc relocate.cc sha256.cc
  string.cc ${KK_TRAMP_HOOKS} ${KK_TRAMP_ARCH_SOURCES})
add_dependencies(trampoline_objs abi_offsets)
target_include_directories(trampoline_objs PRIVATE include ${KK_ABI_INCLUDE} ${KK_GEN}
                                                   ${KK_TRAMP_DIR})
target_compile_options(trampoline_objs PRIVATE
  $<$<COMPILE_LANGUAGE:CXX>:${KK_COMMON_FLAGS} ${KK_ARCH_FLAGS}>
  $<$<COMPILE_LANGUAGE:ASM_NASM>:-I${KK_GEN}/>)
foreach(src IN LISTS KK_TRAMP_ARCH_SOURCES)
  set_property(SOURCE ${src} APPEND PROPERTY OBJECT_DEPENDS ${KK_GEN}/kexkit-abi-offsets.inc)
endforeach()

set(KK_TRAMP_OBJECTS $<TARGET_OBJECTS:trampoline_objs>)
if(KK_ARCH_SIMD_SOURCES)
  add_library(trampoline_simd OBJECT EXCLUDE_FROM_ALL ${KK_ARCH_SIMD_SOURCES})
  target_include_directories(trampoline_simd PRIVATE include ${KK_ABI_INCLUDE})
  target_compile_options(trampoline_simd PRIVATE ${KK_COMMON_FLAGS} ${KK_ARCH_SIMD_FLAGS})
  list(APPEND KK_TRAMP_OBJECTS $<TARGET_OBJECTS:trampoline_simd>)
endif()

add_custom_command(
  OUTPUT libkexkit-trampoline.a kexkit-trampoline.o
  # --force-group-allocation: COMDAT members (template instances) join the bracketed
  # sections instead of staying in groups of their own outside the footprint.
  COMMAND ${CMAKE_LINKER} -r ${KK_LD_FLAGS} --force-group-allocation
          -T ${KK_TRAMP_DIR}/merge.ld -o kexkit-trampoline.r.o ${KK_TRAMP_OBJECTS}
  COMMAND ${CMAKE_OBJCOPY} --keep-global-symbols=${KK_TRAMP_DIR}/exports.txt
          kexkit-trampoline.r.o kexkit-trampoline.o
  COMMAND ${CMAKE_COMMAND} -E rm -f libkexkit-trampoline.a
  COMMAND ${CMAKE_AR} rcs libkexkit-trampoline.a kexkit-trampoline.o
  DEPENDS trampoline_objs ${KK_TRAMP_OBJECTS} ${KK_TRAMP_DIR}/merge.ld
          ${KK_TRAMP_DIR}/exports.txt
  COMMAND_EXPAND_LISTS VERBATIM)
# As for the purgatory: a full static link fails on any undefined symbol (a libgcc
# helper, a missing hook) that the archive alone would leave to the firmware's link.
add_custom_command(
  OUTPUT trampoline.check
  COMMAND ${CMAKE_LINKER} ${KK_LD_FLAGS} -e kexkit_trampoline_boot --no-undefined -static
          -o trampoline.check kexkit-trampoline.o
  DEPENDS libkexkit-trampoline.a VERBATIM)
add_custom_target(trampoline DEPENDS libkexkit-trampoline.a trampoline.check)

install(FILES ${CMAKE_CURRENT_BINARY_DIR}/libkexkit-trampoline.a
        DESTINATION lib/kexkit/${KEXKIT_ARCH} COMPONENT trampoline)
install(FILES ${KK_ABI_INCLUDE}/kexkit/trampoline.h ${KK_ABI_INCLUDE}/kexkit/x86-boot-params.h
        DESTINATION include/kexkit COMPONENT trampoline)
install(FILES ${KK_TRAMP_DIR}/kexkit-trampoline.ld
        DESTINATION lib/kexkit/ldscripts COMPONENT trampoline)
