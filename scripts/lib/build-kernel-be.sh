#!/usr/bin/env bash
# build-kernel-be.sh   the big-endian ppc64 guest kernel, built from Debian's source
#
# Debian ships no big-endian ppc64 kernel, so the big-endian e2e tests boot one built
# here: Debian's linux-source-6.1 (the host suite's, apt-get download, never installed)
# with Debian's powerpc64-linux-gnu cross compiler, configured as `make allnoconfig` plus
# host-tests/e2e/be/kernel.config (pseries and PowerNV, hvc and OPAL consoles, kexec,
# crash dump, /proc/vmcore, virtio). The result, the vmlinux ELF that QEMU's -kernel and
# kexkit take, is cached in $KK_CACHE/ppc64/kernel-KEY/vmlinux, KEY a hash of the source
# package's version, the config fragment and this script; the build folder is removed.
#
# Run it: prints the vmlinux path. Source it: `kk_build_kernel_be` sets KK_BE_KERNEL and
# KK_BE_KERNEL_VERSION; `kk_linux_source` sets KK_LINUX_SOURCE (the source tarball,
# which guest-sysroot.sh ppc64 takes libfdt from). Needs flex, bison and bc (deps.sh).

_kk_be_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/fetch-kernel.sh
. "$_kk_be_here/fetch-kernel.sh"

KK_BE_CONFIG=$_kk_be_here/../../host-tests/e2e/be/kernel.config
KK_LINUX_SOURCE_PKG=linux-source-6.1

# Sets KK_LINUX_SOURCE to linux-source-6.1.tar.xz, taken out of Debian's package.
kk_linux_source() {
  local deb dir=$KK_CACHE/linux-source ver
  mkdir -p "$dir"
  (
    flock -w 1800 8 || kk_die "timed out waiting for $dir/.lock"
    _kk_use_suite "$KK_HOST_SUITE" amd64
    ver=$(_kk_pkg_field "$KK_LINUX_SOURCE_PKG" Version)
    [[ -n $ver ]] || kk_die "apt knows no $KK_LINUX_SOURCE_PKG (run apt-get update)"
    [[ -s $dir/$KK_LINUX_SOURCE_PKG.tar.xz && $(cat "$dir/version" 2>/dev/null) == "$ver" ]] \
      && exit 0
    deb=$(_kk_download_deb "$KK_LINUX_SOURCE_PKG")
    kk_log "unpacking $KK_LINUX_SOURCE_PKG.tar.xz from ${deb##*/}"
    dpkg-deb --fsys-tarfile "$deb" \
      | tar -xO "./usr/src/$KK_LINUX_SOURCE_PKG.tar.xz" >"$dir/$KK_LINUX_SOURCE_PKG.tar.xz.tmp" \
      || kk_die "no usr/src/$KK_LINUX_SOURCE_PKG.tar.xz in $deb"
    mv "$dir/$KK_LINUX_SOURCE_PKG.tar.xz.tmp" "$dir/$KK_LINUX_SOURCE_PKG.tar.xz"
    echo "$ver" >"$dir/version"
    rm -f "$deb"  # 140 MB, and the tarball is what is kept
  ) 8>"$dir/.lock"
  KK_LINUX_SOURCE=$dir/$KK_LINUX_SOURCE_PKG.tar.xz
  KK_LINUX_SOURCE_VERSION=$(cat "$dir/version")
  export KK_LINUX_SOURCE KK_LINUX_SOURCE_VERSION
}

kk_build_kernel_be() {
  local key dir src build make_args jobs
  kk_need_pkgs flex bison bc gcc-powerpc64-linux-gnu binutils-powerpc64-linux-gnu
  kk_linux_source
  key=$(cat <(echo "$KK_LINUX_SOURCE_VERSION") "$KK_BE_CONFIG" "${BASH_SOURCE[0]}" \
    | sha256sum | cut -c1-16)
  dir=$KK_CACHE/ppc64/kernel-$key
  mkdir -p "$dir"
  (
    flock -w 3600 8 || kk_die "timed out waiting for $dir/.lock"
    [[ -s $dir/vmlinux && -s $dir/version ]] && exit 0
    src=$dir/src build=$dir/build
    rm -rf "$src" "$build"
    mkdir -p "$src" "$build"
    kk_log "unpacking $KK_LINUX_SOURCE_PKG $KK_LINUX_SOURCE_VERSION"
    tar -xJf "$KK_LINUX_SOURCE" -C "$src" --strip-components=1
    jobs=$(nproc)
    make_args=(-C "$src" O="$build" ARCH=powerpc CROSS_COMPILE=powerpc64-linux-gnu-
               KBUILD_BUILD_TIMESTAMP="$KK_LINUX_SOURCE_VERSION" KBUILD_BUILD_USER=kexkit
               KBUILD_BUILD_HOST=kexkit)
    kk_log "make allnoconfig + ${KK_BE_CONFIG##*/}"
    make -s "${make_args[@]}" KCONFIG_ALLCONFIG="$KK_BE_CONFIG" allnoconfig >&2 \
      || kk_die "kernel configuration failed"
    # Every line of the fragment must have taken (a dependency Kconfig refused would
    # leave an option off without a word).
    while IFS= read -r line; do
      [[ $line == CONFIG_* ]] || continue
      if [[ $line == *=n ]]; then
        grep -qx "# ${line%=n} is not set" "$build/.config" \
          || kk_die "kernel config: $line did not take"
      else
        grep -qx "$line" "$build/.config" || kk_die "kernel config: $line did not take"
      fi
    done <"$KK_BE_CONFIG"
    kk_log "make vmlinux (-j$jobs; a few minutes)"
    make "${make_args[@]}" -j"$jobs" vmlinux >"$dir/build.log" 2>&1 \
      || { tail -30 "$dir/build.log" >&2; kk_die "kernel build failed (log: $dir/build.log)"; }
    make -s "${make_args[@]}" kernelrelease >"$dir/version"
    cp "$build/vmlinux" "$dir/vmlinux.tmp"
    powerpc64-linux-gnu-strip --strip-debug "$dir/vmlinux.tmp"
    mv "$dir/vmlinux.tmp" "$dir/vmlinux"
    cp "$build/.config" "$dir/config"
    rm -rf "$src" "$build"
  ) 8>"$dir/.lock" || exit 1
  KK_BE_KERNEL=$dir/vmlinux
  KK_BE_KERNEL_VERSION=$(cat "$dir/version")
  export KK_BE_KERNEL KK_BE_KERNEL_VERSION
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  [[ $# == 0 ]] || { echo "usage: ${0##*/}" >&2; exit 2; }
  kk_build_kernel_be
  echo "$KK_BE_KERNEL"
fi
