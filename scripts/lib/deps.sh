# shellcheck shell=bash
# The Debian packages kexkit's build and tests need, in one place. Sourced by
# scripts/test, scripts/demo and scripts/bench after scripts/lib/common.sh.

# Host build: compilers, CMake, the libraries the loader links; qemu-user runs the
# ppc64 SHA-256 vector crypto checks (host-tests/ppc64.cmake, ctest -L unit); clang-format
# (Debian 12's 14) checks the sources' format (scripts.clang-format).
KK_BUILD_PKGS=(cmake ninja-build g++ nasm binutils libssl-dev libfdt-dev zlib1g-dev libzstd-dev
               libgtest-dev libgmock-dev googletest libbenchmark-dev qemu-user
               clang-format)
# Purgatory cross toolchains (i386 via Debian's i686 cross compiler: gcc-multilib
# conflicts with the other cross compilers).
KK_CROSS_PKGS=(gcc-i686-linux-gnu g++-i686-linux-gnu binutils-i686-linux-gnu
               gcc-powerpc64le-linux-gnu g++-powerpc64le-linux-gnu
               gcc-powerpc64-linux-gnu g++-powerpc64-linux-gnu
               gcc-aarch64-linux-gnu g++-aarch64-linux-gnu binutils-aarch64-linux-gnu)
# Fuzzing (scripts/test's fuzz step, scripts/fuzz): clang with libFuzzer and the
# sanitizer runtimes (libclang-rt), and llvm-symbolizer for readable crash stacks.
# clang 16, not bookworm's default 14: clang 14 cannot compile libstdc++'s
# std::expected (no conditionally trivial special members, P0848), which every
# kexkit header uses.
KK_FUZZ_PKGS=(clang-16 libclang-rt-16-dev llvm-16)
# End-to-end: QEMU (qemu-system-arm provides qemu-system-aarch64; qemu-efi-aarch64 is
# the EDK2 firmware of the arm64 UEFI tests), the guest userland, the dump tools.
# flex, bison and bc build the big-endian ppc64 guest kernel (build-kernel-be.sh).
KK_E2E_PKGS=(qemu-system-x86 qemu-system-ppc qemu-system-arm qemu-efi-aarch64 busybox-static
             makedumpfile cpio xz-utils zstd file flex bison bc)

_kk_deps_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Everything `cmake --preset default` needs before it configures: the host and cross
# packages, and the sysroots of Debian's foreign libraries the static guest loaders link
# (cmake/guest-loaders.cmake only looks them up, so that configuring never changes the
# machine).
kk_install_build_deps() {
  kk_need_pkgs "${KK_BUILD_PKGS[@]}" "${KK_CROSS_PKGS[@]}"
  local arch
  for arch in i386 ppc64le ppc64 aarch64; do
    bash "$_kk_deps_lib/guest-sysroot.sh" "$arch" >/dev/null
  done
}

# Debian's kernels, busybox and makedumpfile for every guest architecture, into
# $KK_CACHE: the unit tests parse the x86_64 and ppc64le kernels, the fuzz seeds start
# from the x86_64 one, and the e2e VMs boot all four, plus every kernel of the e2e
# kernel matrix (host-tests/e2e/kernel-matrix.txt) and the big-endian ppc64 kernel
# built from Debian's source (build-kernel-be.sh). Fetched before any test runs, so
# no test depends on the order the tests run in or on an earlier run's cache.
#
# The host suite's kernels come first, one after the other (they may add a dpkg
# architecture and update the machine's lists); the matrix kernels then three at a time,
# each through its own private apt configuration (mostly waiting on the network and
# dpkg-deb, not on each other), while the big-endian kernel builds. Any failure fails
# the whole step.
kk_fetch_test_kernels() {
  local arch suite status failed=0
  # The big-endian ppc64 kernel is built from Debian's source (build-kernel-be.sh, about
  # 7 minutes of two cores, cached): alongside the downloads, which mostly wait.
  bash "$_kk_deps_lib/build-kernel-be.sh" >/dev/null &
  for arch in x86_64 i386 ppc64le aarch64; do
    bash "$_kk_deps_lib/fetch-kernel.sh" "$arch" >/dev/null
  done
  # e2e.ppc64le.kdump-config runs Debian's kdump-config in the guest.
  bash "$_kk_deps_lib/fetch-kernel.sh" --kdump-tools ppc64le >/dev/null
  while read -r arch suite _; do
    [[ -z $arch || $arch == \#* ]] && continue
    while (($(jobs -rp | wc -l) >= 4)); do  # three downloads and the kernel build
      wait -n && status=0 || status=$?
      ((status == 0)) || failed=1
    done
    bash "$_kk_deps_lib/fetch-kernel.sh" "$arch" "$suite" >/dev/null &
  done <"$_kk_deps_lib/../../host-tests/e2e/kernel-matrix.txt"
  for _ in $(jobs -p); do
    wait -n && status=0 || status=$?
    ((status == 0 || status == 127)) || failed=1
  done
  ((failed == 0)) || kk_die "fetching a kernel of the e2e kernel matrix, or building the big-endian one, failed (see above)"
}

kk_install_fuzz_deps() {
  kk_need_pkgs "${KK_FUZZ_PKGS[@]}"
}

kk_install_e2e_deps() {
  kk_need_pkgs "${KK_E2E_PKGS[@]}"
}
