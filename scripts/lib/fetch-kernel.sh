#!/usr/bin/env bash
# fetch-kernel.sh ARCH   (ARCH = x86_64 | i386 | ppc64le)
#
# Gets everything a guest of ARCH needs from Debian, without installing any
# foreign package: the kernel (apt-get download + dpkg-deb -x), a static
# busybox, and makedumpfile with the shared libraries it loads.
#
# Run it: prints the kernel image path on stdout (vmlinuz on x86, the vmlinux
# ELF on ppc64le; QEMU's -kernel takes either). Source it: call
# `kk_fetch_kernel ARCH`, which exports the KK_* variables below.
#
# Results are cached in $KK_CACHE/$ARCH/env.sh; later runs reuse them without
# asking apt anything (so they work offline). KK_REFRESH=1 re-resolves the
# packages (picks up a newer Debian kernel).
#
#   KK_KERNEL_IMAGE     host path of the kernel image
#   KK_KERNEL_VERSION   e.g. 6.1.0-56-amd64 (also the /lib/modules dir name)
#   KK_ROOT             $KK_CACHE/$ARCH/root, where the debs are unpacked
#   KK_BUSYBOX          host path of a static busybox for ARCH
#   KK_MAKEDUMPFILE_LIST  file of "HOST_PATH GUEST_PATH" lines: makedumpfile,
#                       its ELF interpreter and every DT_NEEDED library

_kk_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/common.sh
. "$_kk_here/common.sh"

# ARCH -> Debian architecture, kernel meta package, multiarch triplet, image.
_kk_arch_info() {
  case $1 in
    x86_64) echo "amd64 linux-image-amd64 x86_64-linux-gnu vmlinuz" ;;
    i386) echo "i386 linux-image-686 i386-linux-gnu vmlinuz" ;;
    ppc64le) echo "ppc64el linux-image-powerpc64le powerpc64le-linux-gnu vmlinux" ;;
    *) kk_die "unknown ARCH '$1' (want x86_64, i386 or ppc64le)" ;;
  esac
}

# Makes apt know packages of Debian architecture $1 (a no-op for the host's).
_kk_ensure_dpkg_arch() {
  local debarch=$1 probe=$2
  if [[ $debarch != "$(dpkg --print-architecture)" ]] \
    && ! dpkg --print-foreign-architectures | grep -qx "$debarch"; then
    kk_log "dpkg --add-architecture $debarch"
    kk_with_apt_lock kk_apt dpkg --add-architecture "$debarch"
  fi
  kk_apt_has_candidate "$probe" || kk_apt_update
  kk_apt_has_candidate "$probe" || kk_die "apt has no candidate for $probe"
}

# Field $2 of the candidate version of package $1 (arch-qualified).
_kk_pkg_field() {
  apt-cache show --no-all-versions "$1" 2>/dev/null \
    | awk -v f="$2:" '$1 == f {sub(/^[^:]*: */, ""); print; exit}'
}

# Downloads package $1 (NAME:DEBARCH) into $KK_CACHE unless the same version
# is already there; prints the .deb path.
_kk_download_deb() {
  local pkg=$1 name=${1%%:*} ver arch deb
  ver=$(_kk_pkg_field "$pkg" Version)
  arch=$(_kk_pkg_field "$pkg" Architecture)
  [[ -n $ver && -n $arch ]] || kk_die "apt-cache knows no $pkg"
  # apt-get download's file name: the epoch colon is URL-encoded.
  deb=$KK_CACHE/${name}_${ver//:/%3a}_${arch}.deb
  if [[ ! -s $deb ]]; then
    kk_log "apt-get download $pkg=$ver"
    # apt-get download writes into the current directory. Its warning that
    # the download runs unsandboxed (user _apt cannot write KK_CACHE) is
    # harmless.
    (cd "$KK_CACHE" && apt-get download -q "$pkg=$ver" >&2) \
      || kk_die "apt-get download $pkg failed"
    [[ -s $deb ]] || kk_die "apt-get download $pkg did not produce $deb"
  fi
  echo "$deb"
}

# Unpacks a .deb into root $2 once (a stamp per .deb file).
_kk_unpack_deb() {
  local deb=$1 root=$2 stamp
  stamp=$root/.kk-unpacked/${deb##*/}
  [[ -e $stamp ]] && return 0
  kk_log "dpkg-deb -x ${deb##*/}"
  mkdir -p "$root/.kk-unpacked"
  dpkg-deb -x "$deb" "$root" || kk_die "dpkg-deb -x $deb failed"
  : >"$stamp"
}

# Follows symlinks of $2 as the target system would, treating absolute link
# targets as relative to root $1 (Debian's /lib64/ld64.so.2 ->
# /lib/powerpc64le-linux-gnu/ld64.so.2 would otherwise point into the host).
# Directory symlinks in the middle of a path are not followed (none in the
# debs used here). Prints the host path of the final file.
kk_resolve_in_root() {
  local root=${1%/} path=$2 target i
  for ((i = 0; i < 40; i++)); do
    if [[ -L $root$path ]]; then
      target=$(readlink "$root$path")
      if [[ $target == /* ]]; then path=$target; else path=${path%/*}/$target; fi
    else
      [[ -f $root$path ]] || return 1
      echo "$root$path"
      return 0
    fi
  done
  return 1
}

# Writes "HOST_PATH GUEST_PATH" lines for ELF $2 (guest path $3), its
# interpreter and all DT_NEEDED libraries, found inside root $1 in the
# directories the target's ld.so searches by default. readelf instead of ldd:
# ldd runs the binary, which cannot work for a foreign one.
kk_elf_closure() {
  local root=${1%/} triplet=$4 queue=() item host guest soname dir found interp
  local -A seen=()
  local dirs=("/lib/$triplet" "/usr/lib/$triplet" /lib /usr/lib /lib64 /usr/lib64)
  echo "$2 $3"
  queue=("$2")
  interp=$(readelf -lW "$2" | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p')
  if [[ -n $interp ]]; then
    host=$(kk_resolve_in_root "$root" "$interp") || kk_die "interpreter $interp not in $root"
    echo "$host $interp"
  fi
  while ((${#queue[@]})); do
    item=${queue[0]}
    queue=("${queue[@]:1}")
    for soname in $(readelf -dW "$item" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
      [[ -n ${seen[$soname]:-} ]] && continue
      seen[$soname]=1
      found=
      for dir in "${dirs[@]}"; do
        if host=$(kk_resolve_in_root "$root" "$dir/$soname"); then
          found=1
          guest=$dir/$soname
          break
        fi
      done
      [[ -n $found ]] || kk_die "$soname (needed by ${item##*/}) not found in $root"
      echo "$host $guest"
      queue+=("$host")
    done
  done
}

# Downloads and unpacks package $1 (NAME:DEBARCH) and, breadth first, the
# library packages it depends on (first alternative of each Depends entry;
# only lib*/zlib* names: the rest, like perl, is not needed to run the binary).
_kk_fetch_with_libs() {
  local root=$2 queue=("$1") pkg deps dep deb
  local -A seen=()
  while ((${#queue[@]})); do
    pkg=${queue[0]}
    queue=("${queue[@]:1}")
    [[ -n ${seen[$pkg]:-} ]] && continue
    seen[$pkg]=1
    deb=$(_kk_download_deb "$pkg")
    _kk_unpack_deb "$deb" "$root"
    deps=$(_kk_pkg_field "$pkg" Pre-Depends)", "$(_kk_pkg_field "$pkg" Depends)
    while read -r dep; do
      dep=${dep%%|*}
      dep=${dep%%[ (]*}
      dep=${dep%%:*}
      [[ $dep == lib* || $dep == zlib* ]] && queue+=("$dep:${pkg##*:}")
    done < <(tr ',' '\n' <<<"$deps" | sed 's/^ *//')
  done
}

_kk_env_complete() {
  local env=$1
  [[ -s $env ]] || return 1
  # shellcheck source=/dev/null
  (. "$env" && [[ -f $KK_KERNEL_IMAGE && -x $KK_BUSYBOX && -s $KK_MAKEDUMPFILE_LIST ]] \
    && while read -r h _; do [[ -f $h ]] || exit 1; done <"$KK_MAKEDUMPFILE_LIST")
}

_kk_fetch_locked() {
  local arch=$1 debarch meta triplet image dir root env kpkg kver busybox mdf list deb
  read -r debarch meta triplet image <<<"$(_kk_arch_info "$arch")"
  dir=$KK_CACHE/$arch
  root=$dir/root
  env=$dir/env.sh
  if [[ ${KK_REFRESH:-0} != 1 ]] && _kk_env_complete "$env"; then
    return 0
  fi
  mkdir -p "$root"
  _kk_ensure_dpkg_arch "$debarch" "$meta:$debarch"

  # linux-image-amd64 depends on exactly one versioned linux-image-6.1.0-N-amd64.
  kpkg=$(_kk_pkg_field "$meta:$debarch" Depends | tr ',' '\n' \
    | sed -n 's/^ *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -n 1)
  [[ -n $kpkg ]] || kk_die "cannot resolve the kernel package behind $meta:$debarch"
  kver=${kpkg#linux-image-}
  deb=$(_kk_download_deb "$kpkg:$debarch")
  _kk_unpack_deb "$deb" "$root"
  [[ -f $root/boot/$image-$kver ]] || kk_die "no /boot/$image-$kver in $kpkg"

  list=$dir/makedumpfile.list
  if [[ $arch == x86_64 ]]; then
    # The host is amd64: its own static busybox and makedumpfile will do.
    kk_need_pkgs busybox-static makedumpfile binutils
    busybox=$(command -v busybox)
    mdf=$(command -v makedumpfile)
    kk_elf_closure / "$mdf" /usr/bin/makedumpfile "$triplet" >"$list.tmp"
  else
    kk_need_pkgs binutils
    deb=$(_kk_download_deb "busybox-static:$debarch")
    _kk_unpack_deb "$deb" "$root"
    busybox=$root/bin/busybox
    _kk_fetch_with_libs "makedumpfile:$debarch" "$root"
    mdf=$root/usr/bin/makedumpfile
    [[ -f $mdf ]] || kk_die "no usr/bin/makedumpfile in makedumpfile:$debarch"
    kk_elf_closure "$root" "$mdf" /usr/bin/makedumpfile "$triplet" >"$list.tmp"
  fi
  mv "$list.tmp" "$list"
  cat >"$env.tmp" <<EOF
KK_KERNEL_IMAGE=$root/boot/$image-$kver
KK_KERNEL_VERSION=$kver
KK_ROOT=$root
KK_BUSYBOX=$busybox
KK_MAKEDUMPFILE_LIST=$list
EOF
  mv "$env.tmp" "$env"
}

# Sets and exports the KK_* variables above for ARCH.
kk_fetch_kernel() {
  local arch=$1
  _kk_arch_info "$arch" >/dev/null
  mkdir -p "$KK_CACHE/$arch"
  # One fetch per ARCH at a time: parallel CTest runs share the cache. (No
  # `|| ...` after the subshell: that would switch off errexit inside it.)
  (
    flock -w 1800 8 || kk_die "timed out waiting for $KK_CACHE/$arch/.lock"
    _kk_fetch_locked "$arch"
  ) 8>"$KK_CACHE/$arch/.lock"
  # shellcheck source=/dev/null
  . "$KK_CACHE/$arch/env.sh"
  export KK_KERNEL_IMAGE KK_KERNEL_VERSION KK_ROOT KK_BUSYBOX KK_MAKEDUMPFILE_LIST
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  [[ $# == 1 ]] || { echo "usage: ${0##*/} x86_64|i386|ppc64le" >&2; exit 2; }
  kk_fetch_kernel "$1"
  echo "$KK_KERNEL_IMAGE"
fi
