# aarch64 Linux userland (the static guest loader, kexkit-aarch64-static): Debian's
# aarch64 cross GCC and its glibc (libc6-dev-arm64-cross, /usr/aarch64-linux-gnu).
# Used by cmake/guest-loaders.cmake with KEXKIT_LOADER_ONLY.
#
# libfdt.a and libcrypto.a for arm64 come from KEXKIT_GUEST_SYSROOT, a folder holding
# libfdt-dev, libfdt1 and libssl-dev:arm64 unpacked with dpkg-deb -x (libfdt-dev is not
# Multi-Arch, so it cannot be installed beside the host's); cmake/guest-loaders.cmake
# passes the one scripts/lib/guest-sysroot.sh aarch64 made.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_ASM_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_LINKER aarch64-linux-gnu-ld)
set(CMAKE_AR aarch64-linux-gnu-ar CACHE FILEPATH "")
set(CMAKE_RANLIB aarch64-linux-gnu-ranlib CACHE FILEPATH "")
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(KK_CROSS_TRIPLET aarch64-linux-gnu)
set(KK_SYSROOT_ARCH aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/guest-sysroot.cmake)
