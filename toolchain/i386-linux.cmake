# i386 Linux userland (the static guest loader, kexkit-i386-static): Debian's i686 cross
# GCC and glibc (gcc-i686-linux-gnu, libc6-dev-i386-cross). Used by
# cmake/guest-loaders.cmake; see toolchain/i386-purgatory.cmake for why not -m32.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(CMAKE_C_COMPILER i686-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER i686-linux-gnu-g++)
set(CMAKE_ASM_COMPILER i686-linux-gnu-gcc)
set(CMAKE_LINKER i686-linux-gnu-ld)
set(CMAKE_AR i686-linux-gnu-ar CACHE FILEPATH "")
set(CMAKE_RANLIB i686-linux-gnu-ranlib CACHE FILEPATH "")
# lib/i386-linux-gnu and include/i386-linux-gnu under each root below.
set(CMAKE_LIBRARY_ARCHITECTURE i386-linux-gnu)

# libcrypto.a and the OpenSSL headers for i386 come from KEXKIT_GUEST_SYSROOT, a folder
# holding libssl-dev:i386 unpacked with dpkg-deb -x (cmake/guest-loaders.cmake passes the
# one scripts/lib/guest-sysroot.sh i386 made). Why unpacked and not installed:
# libssl-dev is Multi-Arch: same, so libssl-dev:i386 installs only at exactly the amd64
# version, and Debian's i386 and amd64 indexes are not always in step (bookworm-security
# i386 lagged behind here); installing would then mean moving the host's own OpenSSL.
# Unpacking also keeps the host's amd64 /usr/include off the cross compiler's path.
set(KK_CROSS_TRIPLET i686-linux-gnu)
set(KK_SYSROOT_ARCH i386)
include(${CMAKE_CURRENT_LIST_DIR}/guest-sysroot.cmake)
