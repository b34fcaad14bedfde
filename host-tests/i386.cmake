# i386 host tests (included from host-tests/CMakeLists.txt): kexkit's linker against GNU
# ld on objects that the i386 toolchain itself makes at build time, and on the real i386
# purgatory.ro. The hand-written relocation goldens (golden/i386-*.s, nasm-i386.asm) are
# in the generic x86 golden set; these add what a compiler and the purgatory build emit:
#   golden/i386/compiled.cc  i686-linux-gnu-g++ with the purgatory's code model
#   golden/i386/far.asm      nasm: the entry-code constructs (lgdt, far jmp, jmp [abs])
#   combined.ro              `ld -r` of both, the way purgatory.ro is made
# Each is linked by GNU ld at the bases below (golden/i386/link-i386.sh, which wraps
# golden/link-golden.sh), and unit/i386_link_test.cc compares kexkit's image and symbol
# addresses with ld's, byte for byte. Outputs: <build>/host-tests/golden-i386.
#
# Needs Debian's i686 cross toolchain (gcc-i686-linux-gnu, binutils-i686-linux-gnu) and
# nasm; without them the tests report themselves skipped.
find_program(KK_I386_GXX i686-linux-gnu-g++)
find_program(KK_I386_LD i686-linux-gnu-ld)
find_program(KK_I386_OBJCOPY i686-linux-gnu-objcopy)
find_program(KK_I386_READELF i686-linux-gnu-readelf)
find_program(KK_I386_NM i686-linux-gnu-nm)
find_program(KK_I386_NASM nasm)

set(KK_I386_SRC ${CMAKE_CURRENT_SOURCE_DIR}/golden/i386)
set(KK_I386_OUT ${CMAKE_CURRENT_BINARY_DIR}/golden-i386)

# The real i386 purgatory (also read by i386_loader_test.cc), when this build makes it.
set(KK_I386_PURGATORY "")
if(TARGET purgatory-i386)
  set(KK_I386_PURGATORY ${CMAKE_BINARY_DIR}/purgatory/i386/purgatory.ro)
  add_dependencies(kexkit-unit-tests purgatory-i386)
endif()
target_compile_definitions(kexkit-unit-tests PRIVATE KK_I386_PURGATORY="${KK_I386_PURGATORY}")

if(NOT (KK_I386_GXX AND KK_I386_LD AND KK_I386_OBJCOPY AND KK_I386_READELF AND KK_I386_NM
        AND KK_I386_NASM))
  message(STATUS "i386 golden tests: no i686-linux-gnu toolchain or nasm; they will skip")
  target_compile_definitions(kexkit-unit-tests PRIVATE KK_I386_GOLDEN_DIR="")
  return()
endif()
file(MAKE_DIRECTORY ${KK_I386_OUT})
get_filename_component(KK_I386_TOOLPREFIX ${KK_I386_LD} NAME)
string(REGEX REPLACE "ld$" "" KK_I386_TOOLPREFIX ${KK_I386_TOOLPREFIX})
get_filename_component(KK_I386_TOOLDIR ${KK_I386_LD} DIRECTORY)
set(KK_I386_TOOLPREFIX ${KK_I386_TOOLDIR}/${KK_I386_TOOLPREFIX})

# The purgatory's code model, so the golden object has the relocations the purgatory
# gets (arch/i386/purgatory/purgatory.cmake says why each flag).
set(KK_I386_CFLAGS -std=c++20 -m32 -march=i686 -fno-pic -fno-pie -O2 -ffreestanding
    -fno-exceptions -fno-rtti -fno-asynchronous-unwind-tables -fno-stack-protector
    -fcf-protection=none -fno-common -mgeneral-regs-only -fno-tree-vectorize)
add_custom_command(
  OUTPUT ${KK_I386_OUT}/compiled.o
  COMMAND ${KK_I386_GXX} ${KK_I386_CFLAGS} -c -o ${KK_I386_OUT}/compiled.o
          ${KK_I386_SRC}/compiled.cc
  DEPENDS ${KK_I386_SRC}/compiled.cc
  COMMENT "i386 golden: compiled.o" VERBATIM)
add_custom_command(
  OUTPUT ${KK_I386_OUT}/far.o
  COMMAND ${KK_I386_NASM} -f elf32 -o ${KK_I386_OUT}/far.o ${KK_I386_SRC}/far.asm
  DEPENDS ${KK_I386_SRC}/far.asm
  COMMENT "i386 golden: far.o" VERBATIM)
add_custom_command(
  OUTPUT ${KK_I386_OUT}/combined.ro
  COMMAND ${KK_I386_LD} -m elf_i386 -r -o ${KK_I386_OUT}/combined.ro
          ${KK_I386_OUT}/compiled.o ${KK_I386_OUT}/far.o
  DEPENDS ${KK_I386_OUT}/compiled.o ${KK_I386_OUT}/far.o
  COMMENT "i386 golden: combined.ro" VERBATIM)

set(KK_I386_GOLDEN_OUTPUTS)
# kk_i386_golden(<object> <stem> <base>): <stem>-<base>.{bin,syms} from GNU ld.
function(kk_i386_golden obj stem base)
  set(out ${KK_I386_OUT}/${stem}-${base})
  add_custom_command(
    OUTPUT ${out}.bin ${out}.syms
    BYPRODUCTS ${out}.ld ${out}.elf ${out}.nomerge.o
    COMMAND sh ${KK_I386_SRC}/link-i386.sh ${KK_I386_TOOLPREFIX} ${obj} ${base} ${out}
    DEPENDS ${obj} ${KK_I386_SRC}/link-i386.sh ${CMAKE_CURRENT_SOURCE_DIR}/golden/link-golden.sh
    COMMENT "i386 golden: GNU ld ${stem} at ${base}" VERBATIM)
  set(KK_I386_GOLDEN_OUTPUTS ${KK_I386_GOLDEN_OUTPUTS} ${out}.bin ${out}.syms PARENT_SCOPE)
endfunction()

# Bases (i386_link_test.cc lists the same): low memory where a plain kexec puts the
# purgatory, a crash-region address, and the top of the 32-bit space.
foreach(base 0x3000 0x1ff00000 0xfff00000)
  kk_i386_golden(${KK_I386_OUT}/combined.ro combined ${base})
endforeach()
if(KK_I386_PURGATORY)  # else i386 is not in KEXKIT_PURGATORY_ARCHES: those tests skip
  foreach(base 0x5000 0x1ff00000 0xfff00000)
    kk_i386_golden(${KK_I386_PURGATORY} purgatory ${base})
  endforeach()
endif()

add_custom_target(kexkit-golden-i386 DEPENDS ${KK_I386_GOLDEN_OUTPUTS})
if(TARGET purgatory-i386)
  add_dependencies(kexkit-golden-i386 purgatory-i386)
endif()
add_dependencies(kexkit-unit-tests kexkit-golden-i386)
target_compile_definitions(kexkit-unit-tests PRIVATE KK_I386_GOLDEN_DIR="${KK_I386_OUT}")
