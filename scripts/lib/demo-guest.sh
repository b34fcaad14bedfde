# shellcheck shell=bash
# shellcheck disable=SC2034  # the KK_DEMO_* variables are results for the caller
# Guest side of the kdump demo: what run-vm.sh's demo-crash test adds to the
# usual two initramfs images, and the disk the capture kernel writes the dump
# to. Source it after fetch-kernel.sh's kk_fetch_kernel x86_64.
#
#   kk_kernel_build_of IMAGE
#       Prints "<abi-name> <debian-version>" of a Debian bzImage.
#   kk_demo_build_module KVER DIR [DEBVER]
#       Builds examples/kdump-demo-module against Debian's
#       linux-headers-KVER in DIR (a copy: the source tree stays clean).
#       Sets KK_DEMO_KO. Rebuilt only when a source file is newer. Warns
#       when the headers are not of build DEBVER.
#   kk_demo_guest_prepare WORK
#       The module, two overlay archives and an empty disk image in WORK:
#         KK_DEMO_MAIN_OVERLAY   /lib/kdump-demo/kdump_demo.ko (first kernel)
#         KK_DEMO_SMALL_OVERLAY  /lib/kdump-demo/virtio/*.ko plus their load
#                                order in .../virtio/order (capture kernel)
#         KK_DEMO_DISK           raw image, attached as virtio disk /dev/vda
#       An overlay is a gzip'd cpio to append to an image: the kernel unpacks
#       concatenated archives in order [Documentation/driver-api/early-userspace/buffer-format.rst].

_kk_demo_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/mkinitramfs.sh
. "$_kk_demo_lib/mkinitramfs.sh"

# The capture kernel needs these to see the virtio disk: Debian builds them
# as modules. Listed leaves first; _kk_demo_mod_order adds what they depend on.
KK_DEMO_VIRTIO_MODULES=(virtio_pci virtio_blk)

# From the bzImage's kernel_version string [x86 boot protocol 2.00], e.g.
# "6.1.0-56-amd64 6.1.192-2". The ABI name alone is not enough: Debian
# rebuilds one ABI name several times, and crash refuses a vmlinux from
# another build.
kk_kernel_build_of() {
  local desc abi deb
  kk_need_pkgs file
  desc=$(file -bL "$1") || return 1
  abi=$(sed -n 's/.*, version \([^ ]*\) .*/\1/p' <<<"$desc")
  deb=$(sed -n 's/.* Debian \([^ ]*\) .*/\1/p' <<<"$desc")
  [[ -n $abi && -n $deb ]] || return 1
  echo "$abi $deb"
}

kk_demo_build_module() {
  local kver=$1 dir=$2 want=${3:-} have src=$_kk_demo_lib/../../examples/kdump-demo-module f stale=0
  kk_need_pkgs "linux-headers-$kver" make kmod
  # Within one ABI name Debian keeps vermagic and symbol versions stable, so
  # headers of another build of it still make a loadable module: only warn.
  have=$(dpkg-query -W -f='${Version}' "linux-headers-$kver")
  [[ -z $want || $have == "$want" ]] \
    || kk_log "warning: linux-headers-$kver is $have, the guest kernel is $want"
  mkdir -p "$dir"
  for f in kdump_demo.c Kbuild Makefile; do
    if [[ ! -e $dir/$f || $src/$f -nt $dir/$f ]]; then
      cp "$src/$f" "$dir/$f"
      stale=1
    fi
  done
  if ((stale)) || [[ ! -s $dir/kdump_demo.ko ]]; then
    kk_log "building kdump_demo.ko against linux-headers-$kver"
    make -s -C "$dir" KVER="$kver" >&2 || kk_die "building kdump_demo.ko failed"
  fi
  [[ $(modinfo -F vermagic "$dir/kdump_demo.ko") == "$kver "* ]] \
    || kk_die "$dir/kdump_demo.ko was not built for $kver"
  KK_DEMO_KO=$dir/kdump_demo.ko
}

# Prints the host path of module $2 (name with _ or -) of kernel tree root
# $1, from modules.order (the package ships no modules.dep: depmod makes it
# at install time). Debian may compress them (.ko.xz); that name is tried too.
_kk_demo_mod_path() {
  local moddir=$1 name=${2//-/_} rel
  rel=$(awk -v n="$name" '{b = $0; sub(/.*\//, "", b); sub(/\.ko.*/, "", b);
        gsub(/-/, "_", b); if (b == n) {print; exit}}' "$moddir/modules.order")
  [[ -n $rel ]] || return 1
  rel=${rel%.ko*}.ko
  local f
  for f in "$moddir/$rel" "$moddir/$rel.xz" "$moddir/$rel.zst"; do
    [[ -f $f ]] && { echo "$f"; return 0; }
  done
  return 1
}

# Depth first from module $2 of tree $1: prints its dependencies, then it.
# Marks visited names in the caller's associative array `visited`.
_kk_demo_mod_visit() {
  local moddir=$1 name=${2//-/_} path dep
  [[ -n ${visited[$name]:-} ]] && return 0
  visited[$name]=1
  path=$(_kk_demo_mod_path "$moddir" "$name") || kk_die "no module $name in $moddir"
  for dep in $(modinfo -F depends "$path" | tr ',' ' '); do
    _kk_demo_mod_visit "$moddir" "$dep"
  done
  echo "$name"
}

# Prints module names of tree $1 in a valid load order for the names in $2...:
# every module after the ones it depends on (modinfo's depends=, the relation
# depmod writes to modules.dep).
_kk_demo_mod_order() {
  local moddir=$1 m
  shift
  local -A visited=()
  for m in "$@"; do _kk_demo_mod_visit "$moddir" "$m"; done
}

kk_demo_guest_prepare() {
  local work=$1 moddir stage m path n=0
  [[ -n ${KK_KERNEL_VERSION:-} && -n ${KK_ROOT:-} ]] \
    || kk_die "kk_demo_guest_prepare: run kk_fetch_kernel x86_64 first"
  local build
  kk_need_pkgs kmod xz-utils zstd
  build=$(kk_kernel_build_of "$KK_KERNEL_IMAGE") || kk_die "cannot read the version of $KK_KERNEL_IMAGE"
  kk_demo_build_module "$KK_KERNEL_VERSION" "$work/module" "${build#* }"

  stage=$work/demo-main.stage
  rm -rf "$stage"
  mkdir -p "$stage/lib/kdump-demo"
  cp "$KK_DEMO_KO" "$stage/lib/kdump-demo/kdump_demo.ko"
  kk_pack_cpio "$stage" "$work/demo-main.cpio.gz"
  rm -rf "$stage"
  KK_DEMO_MAIN_OVERLAY=$work/demo-main.cpio.gz

  moddir=$KK_ROOT/lib/modules/$KK_KERNEL_VERSION
  stage=$work/demo-small.stage
  rm -rf "$stage"
  mkdir -p "$stage/lib/kdump-demo/virtio"
  # Decompressed here: busybox's insmod may lack xz/zstd support, and the
  # kernel's own in-kernel decompression is a config option.
  for m in $(_kk_demo_mod_order "$moddir" "${KK_DEMO_VIRTIO_MODULES[@]}"); do
    path=$(_kk_demo_mod_path "$moddir" "$m")
    case $path in
      *.xz) xz -dc "$path" ;;
      *.zst) zstd -qdc "$path" ;;
      *) cat "$path" ;;
    esac >"$stage/lib/kdump-demo/virtio/$m.ko"
    echo "$m" >>"$stage/lib/kdump-demo/virtio/order"
    n=$((n + 1))
  done
  kk_log "capture initramfs gets $n virtio modules: $(tr '\n' ' ' <"$stage/lib/kdump-demo/virtio/order")"
  kk_pack_cpio "$stage" "$work/demo-small.cpio.gz"
  rm -rf "$stage"
  KK_DEMO_SMALL_OVERLAY=$work/demo-small.cpio.gz

  # Sparse; the compressed -d 31 dump of this 1 GiB guest is a few tens of MB.
  KK_DEMO_DISK=$work/disk.img
  rm -f "$KK_DEMO_DISK"
  truncate -s 512M "$KK_DEMO_DISK"
}
