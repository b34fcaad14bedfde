# ppc64 host tests (included from host-tests/CMakeLists.txt): golden objects for the
# ppc64 relocation hook, assembled by the real cross toolchains for ELFv2 little-endian
# and ELFv1 big-endian and linked by GNU ld with kexkit's layout
# (golden/ppc64/link-golden-ppc64.sh); unit/ppc64_*_test.cc compare byte for byte.
# Also the ppc64 purgatories when the build makes them, and the SHA-256 vector crypto
# path run under qemu-user. Without the cross binutils the tests skip themselves
# (KK_PPC64_GOLDEN_DIR stays empty).
set(KK_PPC64_GOLDEN_SRC ${CMAKE_CURRENT_SOURCE_DIR}/golden/ppc64)
set(KK_PPC64_GOLDEN_DIR ${CMAKE_CURRENT_BINARY_DIR}/golden/ppc64)
set(kk_ppc64_outputs "")

# le: ELFv2 little-endian; be: ELFv1 big-endian.
set(kk_ppc64_triplet_le powerpc64le-linux-gnu)
set(kk_ppc64_triplet_be powerpc64-linux-gnu)
set(kk_ppc64_flags_le -mlittle -mabi=elfv2)
set(kk_ppc64_flags_be -mbig -mabi=elfv1)
set(kk_ppc64_emul_le elf64lppc)
set(kk_ppc64_emul_be elf64ppc)
set(kk_ppc64_have_tools ON)
foreach(e le be)
  set(t ${kk_ppc64_triplet_${e}})
  find_program(KK_PPC64_GCC_${e} ${t}-gcc)
  find_program(KK_PPC64_LD_${e} ${t}-ld)
  find_program(KK_PPC64_OBJCOPY_${e} ${t}-objcopy)
  find_program(KK_PPC64_READELF_${e} ${t}-readelf)
  find_program(KK_PPC64_NM_${e} ${t}-nm)
  foreach(tool GCC LD OBJCOPY READELF NM)
    if(NOT KK_PPC64_${tool}_${e})
      set(kk_ppc64_have_tools OFF)
    endif()
  endforeach()
endforeach()

if(kk_ppc64_have_tools)
  file(MAKE_DIRECTORY ${KK_PPC64_GOLDEN_DIR})
  # kk_ppc64_object(<le|be> <name> <source> [defines...]): golden/ppc64/<name>-<e>.o
  function(kk_ppc64_object e name src)
    set(out ${KK_PPC64_GOLDEN_DIR}/${name}-${e}.o)
    add_custom_command(OUTPUT ${out}
      COMMAND ${KK_PPC64_GCC_${e}} -c ${kk_ppc64_flags_${e}} ${ARGN}
              -x assembler-with-cpp -Wa,--fatal-warnings -o ${out} ${KK_PPC64_GOLDEN_SRC}/${src}
      DEPENDS ${KK_PPC64_GOLDEN_SRC}/${src}
      COMMENT "Assembling ppc64 golden object ${name}-${e}.o" VERBATIM)
    set(kk_ppc64_outputs ${kk_ppc64_outputs} ${out} PARENT_SCOPE)
  endfunction()
  # kk_ppc64_link(<le|be> <object> <stem> <base>): golden/ppc64/<stem>-<base>.{bin,syms}
  function(kk_ppc64_link e obj stem base)
    set(out ${KK_PPC64_GOLDEN_DIR}/${stem}-${base})
    add_custom_command(OUTPUT ${out}.bin ${out}.syms
      BYPRODUCTS ${out}.ld ${out}.elf
      COMMAND sh ${KK_PPC64_GOLDEN_SRC}/link-golden-ppc64.sh ${KK_PPC64_LD_${e}}
              ${kk_ppc64_emul_${e}} ${KK_PPC64_OBJCOPY_${e}} ${KK_PPC64_READELF_${e}}
              ${KK_PPC64_NM_${e}} ${obj} ${base} ${out}
      DEPENDS ${obj} ${KK_PPC64_GOLDEN_SRC}/link-golden-ppc64.sh
      COMMENT "GNU ld (ppc64): ${stem} at ${base}" VERBATIM)
    set(kk_ppc64_outputs ${kk_ppc64_outputs} ${out}.bin ${out}.syms PARENT_SCOPE)
  endfunction()

  foreach(e le be)
    kk_ppc64_object(${e} relocs relocs.S)
    kk_ppc64_object(${e} relocs-low relocs.S -DKK_LOW)
    kk_ppc64_object(${e} narrow narrow.S)
    foreach(c 1 2 3 4 5)
      kk_ppc64_object(${e} error${c} errors.S -DKK_CASE=${c})
    endforeach()
    # Bases: the 32-bit absolute forms need a low one; the 64-bit forms get two high
    # ones (one with a carry from #highera / #highesta). ppc64_reloc_test.cc names them.
    kk_ppc64_link(${e} ${KK_PPC64_GOLDEN_DIR}/relocs-low-${e}.o relocs-low-${e} 0x10000)
    kk_ppc64_link(${e} ${KK_PPC64_GOLDEN_DIR}/relocs-${e}.o relocs-${e} 0x123456780000)
    kk_ppc64_link(${e} ${KK_PPC64_GOLDEN_DIR}/relocs-${e}.o relocs-${e} 0xfedcba987fff0000)
    kk_ppc64_link(${e} ${KK_PPC64_GOLDEN_DIR}/narrow-${e}.o narrow-${e} 0x100)
  endforeach()
  # The real purgatories: low, as a plain kexec places them, and at 1 GiB - 64 KiB.
  set(kk_ppc64_purgatory_le ppc64le)
  set(kk_ppc64_purgatory_be ppc64)
  foreach(e le be)
    set(a ${kk_ppc64_purgatory_${e}})
    if(TARGET purgatory-${a})
      set(ro ${CMAKE_BINARY_DIR}/purgatory/${a}/purgatory.ro)
      kk_ppc64_link(${e} ${ro} purgatory-${a} 0x3000000)
      kk_ppc64_link(${e} ${ro} purgatory-${a} 0x3fff0000)
    endif()
  endforeach()
  add_custom_target(kexkit-golden-ppc64 DEPENDS ${kk_ppc64_outputs})
  foreach(a ppc64le ppc64)
    if(TARGET purgatory-${a})
      add_dependencies(kexkit-golden-ppc64 purgatory-${a})
    endif()
  endforeach()
  add_dependencies(kexkit-unit-tests kexkit-golden-ppc64)

  # SHA-256 vector crypto path under qemu-user: the purgatory's own sha256.cc and
  # sha256-ppc64.cc, compiled with the purgatory's flags (from purgatory.cmake), linked
  # static with qemu-user/sha256-vcrypto-check.cc; CTest runs it on a POWER9 (ELFv2
  # little-endian) and a POWER8 (ELFv1 big-endian) user-mode CPU. Skipped without
  # the cross g++ or qemu-user.
  function(kk_ppc64_purgatory_flags arch)
    set(KEXKIT_ARCH ${arch})
    set(KK_ROOT ${CMAKE_SOURCE_DIR})
    include(${CMAKE_SOURCE_DIR}/arch/ppc64/purgatory/purgatory.cmake)
    set(kk_generic_flags ${KK_ARCH_FLAGS} PARENT_SCOPE)
    set(kk_simd_flags ${KK_ARCH_SIMD_FLAGS} PARENT_SCOPE)
  endfunction()
  set(kk_ppc64_qemu_le qemu-ppc64le)
  set(kk_ppc64_qemu_be qemu-ppc64)
  set(kk_ppc64_qemu_cpu_le power9)
  set(kk_ppc64_qemu_cpu_be power8)
  set(kk_vc_outputs "")
  foreach(e le be)
    find_program(KK_PPC64_GXX_${e} ${kk_ppc64_triplet_${e}}-g++)
    find_program(KK_QEMU_USER_${e} ${kk_ppc64_qemu_${e}})
    # The check is a cross-built ppc64 program, the same in every host configuration:
    # the sanitizer tree (build-asan, which builds only the host test binaries) skips it.
    if(KEXKIT_SANITIZE)
      break()
    endif()
    if(NOT KK_PPC64_GXX_${e} OR NOT KK_QEMU_USER_${e})
      message(STATUS "no ${kk_ppc64_triplet_${e}}-g++ or ${kk_ppc64_qemu_${e}}: sha256_vcrypto_qemu_${e} skipped")
      continue()
    endif()
    kk_ppc64_purgatory_flags(${kk_ppc64_purgatory_${e}})
    set(dir ${CMAKE_CURRENT_BINARY_DIR}/ppc64-qemu-user)
    set(exe ${dir}/sha256-vcrypto-check-${e})
    set(cxx ${KK_PPC64_GXX_${e}} -std=c++20 -O2 -Wall -Wextra -Werror
            -I${CMAKE_SOURCE_DIR}/abi/include -I${CMAKE_SOURCE_DIR}/purgatory/include)
    set(sha ${CMAKE_SOURCE_DIR}/purgatory/sha256.cc)
    set(vc ${CMAKE_SOURCE_DIR}/arch/ppc64/purgatory/sha256-ppc64.cc)
    set(check ${CMAKE_CURRENT_SOURCE_DIR}/qemu-user/sha256-vcrypto-check.cc)
    add_custom_command(OUTPUT ${exe}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
      COMMAND ${cxx} ${kk_generic_flags} -fno-builtin-memcpy -fno-builtin-memset
              -c ${sha} -o ${exe}-sha256.o
      COMMAND ${cxx} ${kk_simd_flags} -c ${vc} -o ${exe}-vcrypto.o
      COMMAND ${cxx} -static -o ${exe} ${check} ${exe}-sha256.o ${exe}-vcrypto.o
      DEPENDS ${sha} ${vc} ${check} ${CMAKE_SOURCE_DIR}/purgatory/include/kexkit/sha256.h
              ${CMAKE_SOURCE_DIR}/arch/ppc64/purgatory/purgatory.cmake
      COMMENT "ppc64 (${e}) SHA-256 vcrypto check for qemu-user" VERBATIM)
    list(APPEND kk_vc_outputs ${exe})
    add_test(NAME sha256_vcrypto_qemu_${e}
             COMMAND ${KK_QEMU_USER_${e}} -cpu ${kk_ppc64_qemu_cpu_${e}} ${exe})
    set_tests_properties(sha256_vcrypto_qemu_${e} PROPERTIES LABELS unit TIMEOUT 120
                         FAIL_REGULAR_EXPRESSION "FAIL")
  endforeach()
  if(kk_vc_outputs)
    add_custom_target(kexkit-sha256-vcrypto-qemu ALL DEPENDS ${kk_vc_outputs})
  endif()
  target_compile_definitions(kexkit-unit-tests PRIVATE
    KK_PPC64_GOLDEN_DIR="${KK_PPC64_GOLDEN_DIR}")
else()
  message(STATUS "ppc64 cross binutils not found: ppc64 golden tests will skip")
  target_compile_definitions(kexkit-unit-tests PRIVATE KK_PPC64_GOLDEN_DIR="")
endif()

# The ppc64 loader (vmlinux, libfdt device tree, ArchLoader) when the host has libfdt.
if(TARGET kexkit_ppc64)
  target_link_libraries(kexkit-unit-tests PRIVATE kexkit_ppc64)
  target_include_directories(kexkit-unit-tests PRIVATE ${KEXKIT_LIBFDT_INCLUDE})
  target_compile_definitions(kexkit-unit-tests PRIVATE KK_HAVE_PPC64_LOADER=1)
  # arch/ppc64/fdt-check-full.c (the big-endian loader's fdt_check_full) under another
  # name, tested against libfdt's own (unit/fdt_check_full_test.cc).
  add_library(kexkit_fdt_check_full_fallback STATIC
    ${CMAKE_SOURCE_DIR}/arch/ppc64/fdt-check-full.c)
  target_compile_definitions(kexkit_fdt_check_full_fallback PRIVATE
    fdt_check_full=kexkit_fallback_fdt_check_full)
  target_include_directories(kexkit_fdt_check_full_fallback PRIVATE ${KEXKIT_LIBFDT_INCLUDE})
  target_link_libraries(kexkit-unit-tests PRIVATE kexkit_fdt_check_full_fallback)
  if(TARGET purgatory-ppc64le)
    add_dependencies(kexkit-unit-tests purgatory-ppc64le)
  endif()
else()
  target_compile_definitions(kexkit-unit-tests PRIVATE KK_HAVE_PPC64_LOADER=0)
endif()
