#!/usr/bin/env bash
# guest-sysroot.sh ARCH   (ARCH = i386 | ppc64le | ppc64 | aarch64)
#
# Unpacks the foreign-architecture libraries the static guest loader links into a
# sysroot folder, without installing any foreign package: libssl-dev (libcrypto.a and
# the OpenSSL headers, including the per-architecture
# include/<triplet>/openssl/configuration.h) and, on ppc64le and aarch64, libfdt-dev and
# libfdt1 (libfdt.a, libfdt.h; libfdt-dev is not Multi-Arch, so it cannot be installed
# beside the amd64 one; i386's loader does not use libfdt). The C library comes from the
# cross toolchain (libc6-dev-<arch>-cross), not from here. cmake/guest-loaders.cmake only
# looks the folder up: run this first (scripts/test, scripts/demo and scripts/bench do;
# aarch64's only once it has a guest loader).
#
# Run it: prints the sysroot path. Source it: `kk_guest_sysroot ARCH` sets
# KK_GUEST_SYSROOT. Cached in $KK_CACHE/ARCH/sysroot (a stamp per .deb), so later runs
# ask apt nothing. What can go wrong: no network to Debian's mirror on first use, or
# apt has no candidate for a package; both stop with the failing command.

_kk_sysroot_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/fetch-kernel.sh
. "$_kk_sysroot_here/fetch-kernel.sh"

# ppc64 (big-endian): Debian's archive has no ppc64 packages, so the sysroot holds
# libfdt built here with the powerpc64 cross compiler from the copy of it in Debian's
# linux-source-6.1 (scripts/dtc/libfdt; the tree the big-endian guest kernel is built
# from). Debian's device-tree-compiler source would be the first choice, but the mirror
# here serves no source packages (404). The kernel's copy leaves out fdt_check.c, so
# fdt_check_full comes from arch/ppc64/fdt-check-full.c (KEXKIT_LIBFDT_NO_CHECK_FULL).
# There is no libcrypto for ppc64 either: its loader hashes with the purgatory's own
# SHA-256 (toolchain/ppc64-linux.cmake).
_kk_sysroot_ppc64() {
  local root=$1 lib=$1/usr/lib/powerpc64-linux-gnu inc=$1/usr/include tmp f objs=()
  # shellcheck source=scripts/lib/build-kernel-be.sh
  . "$_kk_sysroot_here/build-kernel-be.sh"
  kk_need_pkgs gcc-powerpc64-linux-gnu binutils-powerpc64-linux-gnu
  kk_linux_source
  [[ -e $root/.kk-complete && $(<"$root/.kk-complete") == "libfdt $KK_LINUX_SOURCE_VERSION" ]] \
    && return 0
  tmp=$root/.libfdt-build
  rm -rf "$tmp"
  mkdir -p "$tmp" "$lib" "$inc"
  kk_log "libfdt from $KK_LINUX_SOURCE_PKG $KK_LINUX_SOURCE_VERSION (scripts/dtc/libfdt)"
  tar -xJf "$KK_LINUX_SOURCE" -C "$tmp" --strip-components=4 --wildcards \
    "$KK_LINUX_SOURCE_PKG/scripts/dtc/libfdt/*" || kk_die "no scripts/dtc/libfdt in $KK_LINUX_SOURCE"
  for f in "$tmp"/*.c; do
    powerpc64-linux-gnu-gcc -O2 -Wall -I"$tmp" -c "$f" -o "${f%.c}.o" \
      || kk_die "libfdt: cannot compile ${f##*/}"
    objs+=("${f%.c}.o")
  done
  rm -f "$lib/libfdt.a"
  powerpc64-linux-gnu-ar rcs "$lib/libfdt.a" "${objs[@]}"
  cp "$tmp"/fdt.h "$tmp"/libfdt.h "$tmp"/libfdt_env.h "$inc/"
  rm -rf "$tmp"
  echo "libfdt $KK_LINUX_SOURCE_VERSION" >"$root/.kk-complete"
}

_kk_sysroot_locked() {
  local arch=$1 debarch triplet pkgs libs root pkg deb lib
  if [[ $arch == ppc64 ]]; then
    mkdir -p "$KK_CACHE/ppc64/sysroot"
    _kk_sysroot_ppc64 "$KK_CACHE/ppc64/sysroot"
    return
  fi
  case $arch in
    i386) debarch=i386 triplet=i386-linux-gnu pkgs=(libssl-dev) libs=(libcrypto.a) ;;
    ppc64le)
      debarch=ppc64el triplet=powerpc64le-linux-gnu
      pkgs=(libfdt-dev libfdt1 libssl-dev) libs=(libfdt.a libcrypto.a)
      ;;
    aarch64)
      debarch=arm64 triplet=aarch64-linux-gnu
      pkgs=(libfdt-dev libfdt1 libssl-dev zlib1g-dev libzstd-dev)
      libs=(libfdt.a libcrypto.a libz.a libzstd.a)
      ;;
    *) kk_die "guest-sysroot.sh: no sysroot recipe for '$arch' (want i386, ppc64le, ppc64 or aarch64)" ;;
  esac
  root=$KK_CACHE/$arch/sysroot
  mkdir -p "$root"
  # The stamp names the packages: a cache made before a recipe gained one is redone.
  if [[ -e $root/.kk-complete && $(<"$root/.kk-complete") == "${pkgs[*]}" ]]; then return 0; fi
  _kk_ensure_dpkg_arch "$debarch" "libssl-dev:$debarch"
  for pkg in "${pkgs[@]}"; do
    deb=$(_kk_download_deb "$pkg:$debarch")
    _kk_unpack_deb "$deb" "$root"
  done
  for lib in "${libs[@]}"; do
    [[ -f $root/usr/lib/$triplet/$lib ]] || kk_die "no $lib in $root/usr/lib/$triplet"
  done
  echo "${pkgs[*]}" >"$root/.kk-complete"
}

kk_guest_sysroot() {
  local arch=$1
  mkdir -p "$KK_CACHE/$arch"
  (
    flock -w 1800 8 || kk_die "timed out waiting for $KK_CACHE/$arch/.sysroot.lock"
    _kk_sysroot_locked "$arch"
  ) 8>"$KK_CACHE/$arch/.sysroot.lock"
  KK_GUEST_SYSROOT=$KK_CACHE/$arch/sysroot
  export KK_GUEST_SYSROOT
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  [[ $# == 1 ]] || { echo "usage: ${0##*/} i386|ppc64le|ppc64|aarch64" >&2; exit 2; }
  kk_guest_sysroot "$1"
  echo "$KK_GUEST_SYSROOT"
fi
