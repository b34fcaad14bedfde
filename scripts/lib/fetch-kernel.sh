#!/usr/bin/env bash
# fetch-kernel.sh ARCH [SUITE]   (ARCH = x86_64 | i386 | ppc64le | aarch64)
#
# Gets everything a guest of ARCH needs from Debian, without installing any
# foreign package: the kernel (apt-get download + dpkg-deb -x), a static
# busybox, and makedumpfile with the shared libraries it loads.
#
# SUITE (default bookworm, the host's own) picks the Debian release whose kernel
# and makedumpfile the guest gets: bullseye (5.10), bookworm (6.1), trixie (6.12),
# bookworm-backports, trixie-backports (the newest). KSUITE+USUITE takes the kernel
# from KSUITE and the userland (busybox, makedumpfile) from USUITE. Any suite but the host's is
# read through a private apt configuration in $KK_CACHE/apt/SUITE-DEBARCH (its own
# sources list, lists and status; no lock taken): the machine's own apt never sees
# that suite. Its mirror is the one the host's apt uses for bookworm
# (KK_DEBIAN_MIRROR overrides it), its keys Debian's archive keyring. A backports
# suite is read together with its base release, the backports versions preferred.
# Newer Debian kernels keep the image in a linux-binary-<version> package, under
# /usr/lib/modules/<version>/; older ones in /boot of linux-image-<version>.
#
# `fetch-kernel.sh --kdump-tools ARCH`: Debian's kdump-tools for ARCH, unpacked
# (kk_fetch_kdump_tools below); prints the folder.
#
# Run it: prints the kernel image path on stdout (vmlinuz on x86, the vmlinux
# ELF on ppc64le, on aarch64 vmlinuz, which Debian ships as a plain uncompressed arm64
# Image; QEMU's -kernel takes each). Source it: call
# `kk_fetch_kernel ARCH [SUITE]`, which exports the KK_* variables below.
#
# Results are cached in $KK_CACHE/$ARCH/env.sh ($KK_CACHE/$ARCH-$SUITE for any
# other suite); later runs reuse them without asking apt anything (so they work
# offline). KK_REFRESH=1 re-resolves the packages (picks up a newer Debian kernel).
#
#   KK_KERNEL_IMAGE     host path of the kernel image
#   KK_KERNEL_VERSION   e.g. 6.1.0-56-amd64 (also the /lib/modules dir name)
#   KK_ROOT             $KK_CACHE/$ARCH[-$SUITE]/root, where the debs are unpacked
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
    aarch64) echo "arm64 linux-image-arm64 aarch64-linux-gnu vmlinuz" ;;
    *) kk_die "unknown ARCH '$1' (want x86_64, i386, ppc64le or aarch64)" ;;
  esac
}

# The host's own suite: read with the machine's apt.
KK_HOST_SUITE=bookworm
# Extra options of every apt-get/apt-cache call below: for the host's suite only the
# package cache file (common.sh KK_APT_CACHE_OPTS), for any other the private
# configuration (_kk_use_suite sets _kk_apt_private=1), which keeps its own cache.
_kk_apt=("${KK_APT_CACHE_OPTS[@]}")
_kk_apt_private=0

# Points _kk_apt at a private apt configuration for suite $1, Debian architecture
# $2, and brings its lists up to date once (again with KK_REFRESH=1).
_kk_use_suite() {
  local suite=$1 debarch=$2 base dir mirror key=/usr/share/keyrings/debian-archive-keyring.gpg s
  _kk_apt=("${KK_APT_CACHE_OPTS[@]}")
  _kk_apt_private=0
  [[ $suite == "$KK_HOST_SUITE" ]] && return 0
  _kk_apt_private=1
  case $suite in
    bullseye | bookworm | trixie | bookworm-backports | trixie-backports) ;;
    *) kk_die "unknown suite '$suite' (want bullseye, bookworm, trixie, bookworm-backports or trixie-backports)" ;;
  esac
  base=${suite%-backports}
  dir=$KK_CACHE/apt/$suite-$debarch
  # From the host's sources configuration (not its downloaded lists, which another
  # program may be rewriting right now).
  mirror=${KK_DEBIAN_MIRROR:-$(apt-get indextargets --no-release-info --format \
    '$(SITE) $(RELEASE) $(COMPONENT) $(TARGET_OF)' 2>/dev/null \
    | awk -v s="$KK_HOST_SUITE" '$2 == s && $3 == "main" && $4 == "deb" {print $1}' | sort -u | head -n 1)}
  [[ -n $mirror ]] || kk_die "no Debian mirror for $KK_HOST_SUITE/main in the host's apt sources (set KK_DEBIAN_MIRROR)"
  mkdir -p "$dir/lists/partial" "$dir/cache" "$dir/archives/partial"
  : >"$dir/status.tmp"
  [[ -e $dir/status ]] || mv "$dir/status.tmp" "$dir/status"
  rm -f "$dir/status.tmp"
  echo "deb [arch=$debarch signed-by=$key] $mirror $base main" >"$dir/sources.list"
  if [[ $suite != "$base" ]]; then
    echo "deb [arch=$debarch signed-by=$key] $mirror $suite main" >>"$dir/sources.list"
  fi
  _kk_apt=(-o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=/nonexistent
           -o "Dir::State::Lists=$dir/lists" -o "Dir::State::Status=$dir/status"
           -o "Dir::Cache=$dir/cache" -o "Dir::Cache::Archives=$dir/archives"
           -o Dir::Cache::pkgcache=pkgcache.bin -o Dir::Cache::srcpkgcache=srcpkgcache.bin
           -o "APT::Architecture=$debarch" -o "APT::Architectures::=$debarch"
           -o "APT::Default-Release=$suite" -o Debug::NoLocking=true)
  if [[ ${KK_REFRESH:-0} == 1 || ! -e $dir/.updated ]]; then
    kk_log "apt-get update ($suite, $debarch; private lists in $dir)"
    apt-get "${_kk_apt[@]}" update -q >&2 || kk_die "apt-get update of $suite ($debarch) failed"
    : >"$dir/.updated"
  fi
}

# Makes apt know packages of Debian architecture $1 (a no-op for the host's, and
# for a private suite configuration, which names its architecture itself).
_kk_ensure_dpkg_arch() {
  local debarch=$1 probe=$2
  if ((_kk_apt_private)); then
    [[ -n $(_kk_pkg_field "$probe" Version) ]] || kk_die "apt has no candidate for $probe"
    return 0
  fi
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
  apt-cache "${_kk_apt[@]}" show --no-all-versions "$1" 2>/dev/null \
    | awk -v f="$2:" '$1 == f {sub(/^[^:]*: */, ""); print; exit}'
}

# Downloads package $1 (NAME:DEBARCH) into $KK_CACHE unless the same version
# is already there; prints the .deb path.
_kk_download_deb() {
  _kk_try_download_deb "$1" || kk_die "apt-get download $1 failed"
}

# _kk_download_deb that returns 1 instead of stopping when the download fails.
_kk_try_download_deb() {
  local pkg=$1 name=${1%%:*} ver arch deb
  ver=$(_kk_pkg_field "$pkg" Version)
  arch=$(_kk_pkg_field "$pkg" Architecture)
  [[ -n $ver && -n $arch ]] || kk_die "apt-cache knows no $pkg"
  # apt-get download's file name: the epoch colon is URL-encoded.
  deb=$KK_CACHE/${name}_${ver//:/%3a}_${arch}.deb
  if [[ ! -s $deb ]]; then
    # apt-get download writes into the current directory. Its warning that
    # the download runs unsandboxed (user _apt cannot write KK_CACHE) is
    # harmless. One download at a time: fetches of several suites run side by side
    # and may want the same .deb.
    (
      flock -w 1800 7 || kk_die "timed out waiting for $KK_CACHE/.download.lock"
      [[ -s $deb ]] && exit 0
      kk_log "apt-get download $pkg=$ver"
      cd "$KK_CACHE" && apt-get "${_kk_apt[@]}" download -q "$pkg=$ver" >&2
    ) 7>"$KK_CACHE/.download.lock" || return 1
    [[ -s $deb ]] || kk_die "apt-get download $pkg did not produce $deb"
  fi
  echo "$deb"
}

# The kernel package: the one the meta package $1 depends on, else (a mirror that
# lists a build it does not serve yet answers 404) the newest other build of the
# same flavour and kernel series (6.12, 7.3: never another release's) that
# downloads. Prints "PACKAGE DEB".
_kk_download_kernel() {
  local meta=$1 debarch=$2 flavour=${1#linux-image-} kpkg deb p series
  kpkg=$(_kk_pkg_field "$meta:$debarch" Depends | tr ',' '\n' \
    | sed -n 's/^ *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -n 1)
  [[ -n $kpkg ]] || kk_die "cannot resolve the kernel package behind $meta:$debarch"
  if deb=$(_kk_try_download_deb "$kpkg:$debarch"); then
    echo "$kpkg $deb"
    return 0
  fi
  series=$(sed -E 's/^linux-image-([0-9]+[.][0-9]+).*/\1/' <<<"$kpkg")
  for p in $(apt-cache "${_kk_apt[@]}" pkgnames "linux-image-$series" \
    | grep -E "^linux-image-${series//./[.]}[.+-][^ ]*-$flavour\$" | grep -vx "$kpkg" | sort -rV); do
    kk_log "$kpkg did not download; trying $p"
    if deb=$(_kk_try_download_deb "$p:$debarch"); then
      echo "$p $deb"
      return 0
    fi
  done
  kk_die "no build of linux-image-$series*-$flavour:$debarch downloads"
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
    elif [[ -f $root$path ]]; then
      echo "$root$path"
      return 0
    elif [[ $path != /usr/* && -e $root/usr$path ]]; then
      # Merged /usr (trixie on): /lib64 and /lib are links that base-files makes at
      # install time, so an unpacked root has the files under /usr only.
      path=/usr$path
    else
      return 1
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
  local arch=$1 suite=$2 dir=$3 debarch meta triplet image root env kpkg kver busybox mdf list deb
  local bin kimage= ksuite=${2%%+*} usuite=${2#*+}
  read -r debarch meta triplet image <<<"$(_kk_arch_info "$arch")"
  root=$dir/root
  env=$dir/env.sh
  if [[ ${KK_REFRESH:-0} != 1 ]] && _kk_env_complete "$env"; then
    return 0
  fi
  mkdir -p "$root"
  _kk_use_suite "$ksuite" "$debarch"
  _kk_ensure_dpkg_arch "$debarch" "$meta:$debarch"

  # linux-image-amd64 depends on exactly one versioned linux-image-6.1.0-N-amd64.
  read -r kpkg deb <<<"$(_kk_download_kernel "$meta" "$debarch")"
  [[ -n $kpkg && -n $deb ]] || exit 1  # _kk_download_kernel said why
  kver=${kpkg#linux-image-}
  _kk_unpack_deb "$deb" "$root"
  # Newer kernels: the image is in linux-binary-<version>, which linux-image-<version>
  # depends on.
  bin=$(_kk_pkg_field "$kpkg:$debarch" Depends | tr ',' '\n' \
    | sed -n 's/^ *\(linux-binary-[0-9][^ ]*\).*/\1/p' | head -n 1)
  if [[ -n $bin ]]; then
    deb=$(_kk_download_deb "$bin:$debarch")
    _kk_unpack_deb "$deb" "$root"
  fi
  for kimage in "$root/boot/$image-$kver" "$root/usr/lib/modules/$kver/$image"; do
    [[ -f $kimage ]] && break
  done
  [[ -f $kimage ]] \
    || kk_die "no /boot/$image-$kver or /usr/lib/modules/$kver/$image in $kpkg${bin:+ or $bin}"

  list=$dir/makedumpfile.list
  _kk_use_suite "$usuite" "$debarch"
  _kk_ensure_dpkg_arch "$debarch" "busybox-static:$debarch"
  if [[ $arch == x86_64 && $usuite == "$KK_HOST_SUITE" ]]; then
    # The host is amd64: its own static busybox and makedumpfile will do.
    kk_need_pkgs busybox-static makedumpfile binutils
    busybox=$(command -v busybox)
    mdf=$(command -v makedumpfile)
    kk_elf_closure / "$mdf" /usr/bin/makedumpfile "$triplet" >"$list.tmp"
  else
    # The suite's own makedumpfile (a newer kernel wants a newer one), with its C
    # library and every other library it loads, from that suite.
    kk_need_pkgs binutils
    deb=$(_kk_download_deb "busybox-static:$debarch")
    _kk_unpack_deb "$deb" "$root"
    busybox=$root/bin/busybox
    [[ -f $busybox ]] || busybox=$root/usr/bin/busybox
    _kk_fetch_with_libs "makedumpfile:$debarch" "$root"
    mdf=$root/usr/bin/makedumpfile
    [[ -f $mdf ]] || kk_die "no usr/bin/makedumpfile in makedumpfile:$debarch ($usuite)"
    kk_elf_closure "$root" "$mdf" /usr/bin/makedumpfile "$triplet" >"$list.tmp"
  fi
  mv "$list.tmp" "$list"
  cat >"$env.tmp" <<EOF
KK_KERNEL_IMAGE=$kimage
KK_KERNEL_VERSION=$kver
KK_KERNEL_SUITE=$ksuite
KK_ROOT=$root
KK_BUSYBOX=$busybox
KK_MAKEDUMPFILE_LIST=$list
EOF
  mv "$env.tmp" "$env"
}

# The cache folder of ARCH's guest from SUITE (default the host's).
kk_kernel_dir() {
  if [[ ${2:-$KK_HOST_SUITE} == "$KK_HOST_SUITE" ]]; then
    echo "$KK_CACHE/$1"
  else
    echo "$KK_CACHE/$1-$2"
  fi
}

# Sets and exports the KK_* variables above for ARCH's guest from SUITE (default the
# host's, bookworm).
kk_fetch_kernel() {
  local arch=$1 suite=${2:-$KK_HOST_SUITE} dir
  _kk_arch_info "$arch" >/dev/null
  dir=$(kk_kernel_dir "$arch" "$suite")
  mkdir -p "$dir"
  # One fetch per ARCH and SUITE at a time: parallel CTest runs share the cache. (No
  # `|| ...` after the subshell: that would switch off errexit inside it.)
  (
    flock -w 1800 8 || kk_die "timed out waiting for $dir/.lock"
    _kk_fetch_locked "$arch" "$suite" "$dir"
  ) 8>"$dir/.lock"
  # shellcheck source=/dev/null
  . "$dir/env.sh"
  export KK_KERNEL_IMAGE KK_KERNEL_VERSION KK_KERNEL_SUITE KK_ROOT KK_BUSYBOX \
    KK_MAKEDUMPFILE_LIST
}

# Debian's kdump-tools for ARCH, from the host's suite, unpacked (never installed) into
# $KK_CACHE/ARCH/kdump-tools: the e2e test kdump-config runs its kdump-config in the
# busybox guest. Sets and exports KK_KDUMP_TOOLS_ROOT.
kk_fetch_kdump_tools() {
  local arch=$1 debarch dir deb
  read -r debarch _ <<<"$(_kk_arch_info "$arch")"
  dir=$(kk_kernel_dir "$arch")/kdump-tools
  mkdir -p "$dir"
  (
    flock -w 1800 8 || kk_die "timed out waiting for $dir/.lock"
    [[ -f $dir/root/usr/sbin/kdump-config && ${KK_REFRESH:-0} != 1 ]] && exit 0
    _kk_use_suite "$KK_HOST_SUITE" "$debarch"
    _kk_ensure_dpkg_arch "$debarch" "kdump-tools:$debarch"
    deb=$(_kk_download_deb "kdump-tools:$debarch")
    rm -rf "$dir/root"
    _kk_unpack_deb "$deb" "$dir/root"
    [[ -f $dir/root/usr/sbin/kdump-config ]] || kk_die "no usr/sbin/kdump-config in $deb"
  ) 8>"$dir/.lock"
  KK_KDUMP_TOOLS_ROOT=$dir/root
  export KK_KDUMP_TOOLS_ROOT
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  if [[ ${1:-} == --kdump-tools && $# == 2 ]]; then
    kk_fetch_kdump_tools "$2"
    echo "$KK_KDUMP_TOOLS_ROOT"
    exit 0
  fi
  [[ $# == 1 || $# == 2 ]] \
    || { echo "usage: ${0##*/} x86_64|i386|ppc64le|aarch64 [SUITE] | --kdump-tools ARCH" >&2
         exit 2; }
  kk_fetch_kernel "$@"
  echo "$KK_KERNEL_IMAGE"
fi
