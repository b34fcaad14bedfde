# aarch64 host tests (included from host-tests/CMakeLists.txt): kexkit's linker against
# GNU ld on objects that Debian's aarch64 cross toolchain makes at build time, and on the
# real aarch64 purgatory.ro:
#   golden/aarch64/relocs.S    every R_AARCH64_* type kexkit applies, across sections
#   golden/aarch64/compiled.cc g++ with the purgatory's code model (purgatory.cmake)
#   combined.ro                `ld -r` of both, the way purgatory.ro is made
#   golden/aarch64/narrow.S    ABS32/ABS16 and the checked MOVW forms, at a low base
# Each is linked by GNU ld at the bases below (golden/link-golden.sh), and
# unit/arm64_link_test.cc compares kexkit's image and symbol addresses with ld's, byte
# for byte. Outputs: <build>/host-tests/golden-aarch64. Without the cross toolchain
# (gcc-aarch64-linux-gnu, binutils-aarch64-linux-gnu) the tests report themselves skipped.
find_program(KK_A64_GXX aarch64-linux-gnu-g++)
find_program(KK_A64_LD aarch64-linux-gnu-ld)
find_program(KK_A64_OBJCOPY aarch64-linux-gnu-objcopy)
find_program(KK_A64_READELF aarch64-linux-gnu-readelf)
find_program(KK_A64_NM aarch64-linux-gnu-nm)

set(KK_A64_SRC ${CMAKE_CURRENT_SOURCE_DIR}/golden/aarch64)
set(KK_A64_OUT ${CMAKE_CURRENT_BINARY_DIR}/golden-aarch64)

set(KK_A64_PURGATORY "")
if(TARGET purgatory-aarch64)
  set(KK_A64_PURGATORY ${CMAKE_BINARY_DIR}/purgatory/aarch64/purgatory.ro)
  add_dependencies(kexkit-unit-tests purgatory-aarch64)
endif()
target_compile_definitions(kexkit-unit-tests PRIVATE KK_A64_PURGATORY="${KK_A64_PURGATORY}")

if(NOT (KK_A64_GXX AND KK_A64_LD AND KK_A64_OBJCOPY AND KK_A64_READELF AND KK_A64_NM))
  message(STATUS "aarch64 golden tests: no aarch64-linux-gnu toolchain; they will skip")
  target_compile_definitions(kexkit-unit-tests PRIVATE KK_A64_GOLDEN_DIR="")
  return()
endif()
file(MAKE_DIRECTORY ${KK_A64_OUT})

# The purgatory's own flags, so compiled.o has the relocations the purgatory gets.
function(kk_a64_purgatory_flags)
  set(KEXKIT_ARCH aarch64)
  set(KK_ROOT ${CMAKE_SOURCE_DIR})
  include(${CMAKE_SOURCE_DIR}/arch/arm64/purgatory/purgatory.cmake)
  set(kk_a64_flags ${KK_ARCH_FLAGS} PARENT_SCOPE)
  set(kk_a64_simd_flags ${KK_ARCH_SIMD_FLAGS} PARENT_SCOPE)
endfunction()
kk_a64_purgatory_flags()
set(KK_A64_CFLAGS -std=c++20 -O2 -ffreestanding -fno-exceptions -fno-rtti
    -fno-asynchronous-unwind-tables -fno-stack-protector ${kk_a64_flags})

add_custom_command(
  OUTPUT ${KK_A64_OUT}/compiled.o
  COMMAND ${KK_A64_GXX} ${KK_A64_CFLAGS} -c -o ${KK_A64_OUT}/compiled.o ${KK_A64_SRC}/compiled.cc
  DEPENDS ${KK_A64_SRC}/compiled.cc ${CMAKE_SOURCE_DIR}/arch/arm64/purgatory/purgatory.cmake
  COMMENT "aarch64 golden: compiled.o" VERBATIM)
foreach(s relocs narrow)
  add_custom_command(
    OUTPUT ${KK_A64_OUT}/${s}.o
    COMMAND ${KK_A64_GXX} -c -x assembler-with-cpp -Wa,--fatal-warnings -o ${KK_A64_OUT}/${s}.o
            ${KK_A64_SRC}/${s}.S
    DEPENDS ${KK_A64_SRC}/${s}.S
    COMMENT "aarch64 golden: ${s}.o" VERBATIM)
endforeach()
add_custom_command(
  OUTPUT ${KK_A64_OUT}/combined.ro
  COMMAND ${KK_A64_LD} -m aarch64elf -r -o ${KK_A64_OUT}/combined.ro ${KK_A64_OUT}/relocs.o
          ${KK_A64_OUT}/compiled.o
  DEPENDS ${KK_A64_OUT}/relocs.o ${KK_A64_OUT}/compiled.o
  COMMENT "aarch64 golden: combined.ro" VERBATIM)

set(KK_A64_GOLDEN_OUTPUTS)
# kk_a64_golden(<object> <stem> <base>): <stem>-<base>.{bin,syms} from GNU ld.
function(kk_a64_golden obj stem base)
  set(out ${KK_A64_OUT}/${stem}-${base})
  add_custom_command(
    OUTPUT ${out}.bin ${out}.syms
    BYPRODUCTS ${out}.ld ${out}.elf ${out}.nomerge.o
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/golden/link-golden.sh ${KK_A64_LD} aarch64elf
            ${KK_A64_OBJCOPY} ${KK_A64_READELF} ${KK_A64_NM} ${obj} ${base} ${out}
    DEPENDS ${obj} ${CMAKE_CURRENT_SOURCE_DIR}/golden/link-golden.sh
    COMMENT "aarch64 golden: GNU ld ${stem} at ${base}" VERBATIM)
  set(KK_A64_GOLDEN_OUTPUTS ${KK_A64_GOLDEN_OUTPUTS} ${out}.bin ${out}.syms PARENT_SCOPE)
endfunction()

# Bases (arm64_link_test.cc lists the same): QEMU virt's first RAM page, a crash-region
# address near 4 GiB (ADRP pages straddle it), and one far above 4 GiB.
foreach(base 0x40000000 0xfff00000 0x8123456000)
  kk_a64_golden(${KK_A64_OUT}/combined.ro combined ${base})
endforeach()
kk_a64_golden(${KK_A64_OUT}/narrow.o narrow 0x1000)
if(KK_A64_PURGATORY)
  foreach(base 0x40000000 0xfff00000 0x8123456000)
    kk_a64_golden(${KK_A64_PURGATORY} purgatory ${base})
  endforeach()
endif()

add_custom_target(kexkit-golden-aarch64 DEPENDS ${KK_A64_GOLDEN_OUTPUTS})
if(TARGET purgatory-aarch64)
  add_dependencies(kexkit-golden-aarch64 purgatory-aarch64)
endif()
add_dependencies(kexkit-unit-tests kexkit-golden-aarch64)
target_compile_definitions(kexkit-unit-tests PRIVATE KK_A64_GOLDEN_DIR="${KK_A64_OUT}")

# SHA-256 Crypto Extensions path under qemu-user (qemu-aarch64, cortex-a57 has SHA2): the
# purgatory's own sha256.cc and sha256-arm64.cc with the purgatory's flags, linked static
# with qemu-user/sha256-vcrypto-check.cc (NIST vectors, then against the scalar code).
# The sanitizer tree skips it, as it skips the ppc64 one.
find_program(KK_QEMU_AARCH64_USER qemu-aarch64)
if(KK_QEMU_AARCH64_USER AND NOT KEXKIT_SANITIZE)
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/aarch64-qemu-user)
  set(exe ${dir}/sha256-armce-check)
  set(cxx ${KK_A64_GXX} -std=c++20 -O2 -Wall -Wextra -Werror -I${CMAKE_SOURCE_DIR}/abi/include
          -I${CMAKE_SOURCE_DIR}/purgatory/include)
  set(sha ${CMAKE_SOURCE_DIR}/purgatory/sha256.cc)
  set(ce ${CMAKE_SOURCE_DIR}/arch/arm64/purgatory/sha256-arm64.cc)
  set(check ${CMAKE_CURRENT_SOURCE_DIR}/qemu-user/sha256-vcrypto-check.cc)
  add_custom_command(OUTPUT ${exe}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
    COMMAND ${cxx} ${kk_a64_flags} -fno-builtin-memcpy -fno-builtin-memset -c ${sha}
            -o ${exe}-sha256.o
    COMMAND ${cxx} ${kk_a64_simd_flags} -c ${ce} -o ${exe}-ce.o
    COMMAND ${cxx} -static -DKK_HW_BLOCKS=BlocksArmCe "-DKK_HW_NAME=\"armv8-ce\"" -o ${exe}
            ${check} ${exe}-sha256.o ${exe}-ce.o
    DEPENDS ${sha} ${ce} ${check} ${CMAKE_SOURCE_DIR}/purgatory/include/kexkit/sha256.h
            ${CMAKE_SOURCE_DIR}/arch/arm64/purgatory/purgatory.cmake
    COMMENT "aarch64 SHA-256 Crypto Extensions check for qemu-user" VERBATIM)
  add_custom_target(kexkit-sha256-armce-qemu ALL DEPENDS ${exe})
  add_test(NAME sha256_armce_qemu COMMAND ${KK_QEMU_AARCH64_USER} -cpu cortex-a57 ${exe})
  set_tests_properties(sha256_armce_qemu PROPERTIES LABELS unit TIMEOUT 120
                       FAIL_REGULAR_EXPRESSION "FAIL")
else()
  message(STATUS "no qemu-aarch64 (or a sanitizer build): sha256_armce_qemu skipped")
endif()
