# shellcheck shell=bash
# The Debian packages kexkit's build and tests need, in one place. Sourced by
# scripts/test, scripts/demo and scripts/bench after scripts/lib/common.sh.

# Host build: compilers, CMake, the libraries the loader links; qemu-user runs the
# ppc64 SHA-256 vector crypto checks (host-tests/ppc64.cmake, ctest -L unit).
KK_BUILD_PKGS=(cmake ninja-build g++ nasm binutils libssl-dev libfdt-dev
               libgtest-dev libgmock-dev googletest libbenchmark-dev qemu-user)
# Purgatory cross toolchains (i386 via Debian's i686 cross compiler: gcc-multilib
# conflicts with the other cross compilers).
KK_CROSS_PKGS=(gcc-i686-linux-gnu g++-i686-linux-gnu binutils-i686-linux-gnu
               gcc-powerpc64le-linux-gnu g++-powerpc64le-linux-gnu
               gcc-powerpc64-linux-gnu g++-powerpc64-linux-gnu)
# Fuzzing (scripts/test's fuzz step, scripts/fuzz): clang with libFuzzer and the
# sanitizer runtimes (libclang-rt), and llvm-symbolizer for readable crash stacks.
# clang 16, not bookworm's default 14: clang 14 cannot compile libstdc++'s
# std::expected (no conditionally trivial special members, P0848), which every
# kexkit header uses.
KK_FUZZ_PKGS=(clang-16 libclang-rt-16-dev llvm-16)
# End-to-end: QEMU, the guest userland, the dump tools.
KK_E2E_PKGS=(qemu-system-x86 qemu-system-ppc busybox-static makedumpfile cpio
             xz-utils zstd file)

kk_install_build_deps() {
  kk_need_pkgs "${KK_BUILD_PKGS[@]}" "${KK_CROSS_PKGS[@]}"
}

kk_install_fuzz_deps() {
  kk_need_pkgs "${KK_FUZZ_PKGS[@]}"
}

kk_install_e2e_deps() {
  kk_need_pkgs "${KK_E2E_PKGS[@]}"
}
