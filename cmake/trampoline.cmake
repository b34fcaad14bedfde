# The firmware trampoline (docs/trampoline.md): one freestanding library per
# architecture, built by the purgatory's own project (target `trampoline`) with that
# architecture's toolchain, and installed into <build>/trampoline-stage: an install tree
# exactly like the one `cmake --install` makes, so the example firmware stub and the
# install test consume what the package ships, not the build tree.
#
#   KEXKIT_TRAMPOLINE_ARCHES   which libraries (default: all four; each needs its cross
#                              compiler, which scripts/lib/deps.sh installs)
#   firmware-stub(-x86_64)     examples/firmware-stub, multiboot ELFs booting Linux
#                              through the i386 (x86_64) trampoline
include(ExternalProject)
include(CMakePackageConfigHelpers)

set(KEXKIT_TRAMPOLINE_ARCHES "x86_64;i386;ppc64le;ppc64" CACHE STRING
    "Firmware trampoline libraries to build (x86_64, i386, ppc64le, ppc64)")
set(KEXKIT_TRAMPOLINE_STAGE ${CMAKE_BINARY_DIR}/trampoline-stage)

foreach(arch IN LISTS KEXKIT_TRAMPOLINE_ARCHES)
  set(bin ${CMAKE_BINARY_DIR}/trampoline/${arch})
  ExternalProject_Add(trampoline-${arch}
    SOURCE_DIR ${CMAKE_SOURCE_DIR}/purgatory
    BINARY_DIR ${bin}
    CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/toolchain/${arch}-purgatory.cmake
               -DKEXKIT_ARCH=${arch} -DCMAKE_BUILD_TYPE=Release
               -DCMAKE_INSTALL_PREFIX=${KEXKIT_TRAMPOLINE_STAGE}
    BUILD_COMMAND ${CMAKE_COMMAND} --build ${bin} --target trampoline
    INSTALL_COMMAND ${CMAKE_COMMAND} --install ${bin} --component trampoline
    BUILD_ALWAYS ON  # its sources live in this tree; let its own build decide
    BUILD_BYPRODUCTS ${KEXKIT_TRAMPOLINE_STAGE}/lib/kexkit/${arch}/libkexkit-trampoline.a)
endforeach()

# The package files: relocatable (paths from the config file's own location), and
# architecture-independent, since an i386 firmware must find it from a 64-bit host.
configure_file(${CMAKE_SOURCE_DIR}/cmake/kexkitConfig.cmake
               ${KEXKIT_TRAMPOLINE_STAGE}/lib/cmake/kexkit/kexkitConfig.cmake COPYONLY)
write_basic_package_version_file(
  ${KEXKIT_TRAMPOLINE_STAGE}/lib/cmake/kexkit/kexkitConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)

install(DIRECTORY ${KEXKIT_TRAMPOLINE_STAGE}/ DESTINATION . COMPONENT trampoline)
install(FILES ${CMAKE_SOURCE_DIR}/docs/trampoline.md DESTINATION share/doc/kexkit
        COMPONENT trampoline)

# The example firmware: a consumer of the staged package like any other, built once per
# x86 width (examples/firmware-stub/stub.cc says why both).
set(KK_STUB_TOOLCHAIN_i386 i386-purgatory.cmake)
set(KK_STUB_TOOLCHAIN_x86_64 x86_64-purgatory.cmake)
set(KK_STUB_NAME_i386 firmware-stub)
set(KK_STUB_NAME_x86_64 firmware-stub-x86_64)
foreach(arch i386 x86_64)
  if(NOT arch IN_LIST KEXKIT_TRAMPOLINE_ARCHES)
    continue()
  endif()
  set(out ${CMAKE_BINARY_DIR}/examples/${KK_STUB_NAME_${arch}}/${KK_STUB_NAME_${arch}}.elf)
  set(KEXKIT_FIRMWARE_STUB_${arch} ${out})
  ExternalProject_Add(${KK_STUB_NAME_${arch}}
    SOURCE_DIR ${CMAKE_SOURCE_DIR}/examples/firmware-stub
    BINARY_DIR ${CMAKE_BINARY_DIR}/examples/${KK_STUB_NAME_${arch}}
    CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/toolchain/${KK_STUB_TOOLCHAIN_${arch}}
               -DCMAKE_PREFIX_PATH=${KEXKIT_TRAMPOLINE_STAGE} -DCMAKE_BUILD_TYPE=Release
    BUILD_ALWAYS ON
    INSTALL_COMMAND ""
    DEPENDS trampoline-${arch}
    BUILD_BYPRODUCTS ${out})
endforeach()
