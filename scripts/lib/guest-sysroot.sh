#!/usr/bin/env bash
# guest-sysroot.sh ARCH   (ARCH = ppc64le)
#
# Unpacks the foreign-architecture libraries the static guest loader links into a
# sysroot folder, without installing any foreign package: libfdt-dev and libfdt1
# (libfdt.a, libfdt.h; libfdt-dev is not Multi-Arch, so it cannot be installed beside
# the amd64 one) and libssl-dev (libcrypto.a and the OpenSSL headers, including the
# per-architecture include/<triplet>/openssl/configuration.h). The C library comes
# from the cross toolchain (libc6-dev-ppc64el-cross), not from here.
#
# Run it: prints the sysroot path. Source it: `kk_guest_sysroot ARCH` sets
# KK_GUEST_SYSROOT. Cached in $KK_CACHE/ARCH/sysroot (a stamp per .deb), so later runs
# ask apt nothing. What can go wrong: no network to Debian's mirror on first use, or
# apt has no candidate for a package; both stop with the failing command.

_kk_sysroot_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/fetch-kernel.sh
. "$_kk_sysroot_here/fetch-kernel.sh"

_kk_sysroot_locked() {
  local arch=$1 debarch root pkg deb
  case $arch in
    ppc64le) debarch=ppc64el ;;
    *) kk_die "guest-sysroot.sh: no sysroot recipe for '$arch' (want ppc64le)" ;;
  esac
  root=$KK_CACHE/$arch/sysroot
  mkdir -p "$root"
  if [[ -e $root/.kk-complete ]]; then return 0; fi
  _kk_ensure_dpkg_arch "$debarch" "libfdt-dev:$debarch"
  for pkg in libfdt-dev libfdt1 libssl-dev; do
    deb=$(_kk_download_deb "$pkg:$debarch")
    _kk_unpack_deb "$deb" "$root"
  done
  [[ -f $root/usr/lib/powerpc64le-linux-gnu/libfdt.a ]] || kk_die "no libfdt.a in $root"
  [[ -f $root/usr/lib/powerpc64le-linux-gnu/libcrypto.a ]] || kk_die "no libcrypto.a in $root"
  : >"$root/.kk-complete"
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
  [[ $# == 1 ]] || { echo "usage: ${0##*/} ppc64le" >&2; exit 2; }
  kk_guest_sysroot "$1"
  echo "$KK_GUEST_SYSROOT"
fi
