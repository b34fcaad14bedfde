# shellcheck shell=bash
# Builds the guest initramfs images for the QEMU end-to-end tests. Source it
# after fetch-kernel.sh's kk_fetch_kernel (for KK_BUSYBOX,
# KK_MAKEDUMPFILE_LIST, KK_KERNEL_IMAGE).
#
#   kk_mkinitramfs_small OUT INIT [PEEK]
#       The capture/second kernel's initrd: busybox, INIT as /init,
#       makedumpfile with its libraries, PEEK as /bin/vmcore-peek.
#   kk_mkinitramfs_main OUT SMALL INIT KEXKIT [PEEK]
#       The first kernel's initrd: the same, plus KEXKIT (if not empty) as
#       /bin/kexkit, the kernel as /boot/kernel and SMALL as
#       /boot/small.cpio.gz. (An image cannot contain itself as the second
#       kernel's initrd, hence two.)
#
# Both are gzip'd cpio newc archives owned by 0:0 (the kernel would otherwise
# give the files the build user's ids) with a /dev/console node: without it
# init starts with no stdin/stdout/stderr and the serial log stays empty.
# mknod needs root.

_kk_mkinitramfs_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/common.sh
. "$_kk_mkinitramfs_lib/common.sh"

# Copies host file $2 to guest path $3 inside staging dir $1, dereferencing
# symlinks (the guest gets plain files).
_kk_stage_file() {
  local stage=$1 src=$2 dst=$3 mode=${4:-0755}
  [[ -f $src ]] || kk_die "missing file for the initramfs: $src"
  mkdir -p "$stage$(dirname "$dst")"
  cp -L "$src" "$stage$dst"
  chmod "$mode" "$stage$dst"
}

# Fills staging dir $1 with the small image's contents.
kk_stage_small() {
  local stage=$1 init=$2 peek=${3:-} host guest d
  [[ -n ${KK_BUSYBOX:-} && -n ${KK_MAKEDUMPFILE_LIST:-} ]] \
    || kk_die "kk_stage_small: run kk_fetch_kernel first"
  for d in bin sbin usr/bin usr/sbin proc sys dev tmp etc root; do
    mkdir -p "$stage/$d"
  done
  mknod -m 600 "$stage/dev/console" c 5 1
  mknod -m 666 "$stage/dev/null" c 1 3
  _kk_stage_file "$stage" "$KK_BUSYBOX" /bin/busybox
  # /init is a #!/bin/sh script; every other applet link is made by
  # `busybox --install -s` in the guest once /proc is mounted.
  ln -s busybox "$stage/bin/sh"
  _kk_stage_file "$stage" "$init" /init
  while read -r host guest; do
    _kk_stage_file "$stage" "$host" "$guest"
  done <"$KK_MAKEDUMPFILE_LIST"
  if [[ -n $peek ]]; then
    _kk_stage_file "$stage" "$peek" /bin/vmcore-peek
  fi
}

# The big-endian ppc64 guest (Debian has no big-endian busybox): init.c $2 built static
# with Debian's powerpc64 cross compiler as /init, alone in $1/small.cpio.gz (the next
# kernel's initramfs); $1/main.cpio.gz adds /bin/kexkit ($3), /boot/kernel
# (KK_KERNEL_IMAGE) and /boot/small.cpio.gz.
kk_mkinitramfs_be() {
  local work=$1 src=$2 kexkit=$3 stage
  kk_need_pkgs gcc-powerpc64-linux-gnu libc6-dev-ppc64-cross
  stage=$work/be.stage
  rm -rf "$stage"
  mkdir -p "$stage/small/proc" "$stage/small/sys" "$stage/small/dev" "$stage/small/tmp"
  powerpc64-linux-gnu-gcc -static -O2 -Wall -Wextra -s -o "$stage/small/init" "$src" \
    || kk_die "cannot build $src for big-endian ppc64"
  kk_pack_cpio "$stage/small" "$work/small.cpio.gz"
  cp -a "$stage/small" "$stage/main"
  mkdir -p "$stage/main/bin" "$stage/main/boot"
  [[ -z $kexkit ]] || cp "$kexkit" "$stage/main/bin/kexkit"
  cp "$KK_KERNEL_IMAGE" "$stage/main/boot/kernel"
  cp "$work/small.cpio.gz" "$stage/main/boot/small.cpio.gz"
  kk_pack_cpio "$stage/main" "$work/main.cpio.gz"
  rm -rf "$stage"
}

# Packs kernel Image $2 as distributions ship it, into $3. $1:
#   gzip        gzip -9 (Ubuntu's arm64 vmlinuz);
#   zboot       an EFI zboot container with a zstd payload (Linux's CONFIG_EFI_ZBOOT, as
#               Fedora's arm64 kernels come): the header of drivers/firmware/efi/libstub/
#               zboot-header.S ("MZ", "zimg", payload offset and size, the compression's
#               name at 0x18, LINUX_PE_MAGIC at 0x38), then the payload and its
#               uncompressed size (le32, outside the size the header gives, as Linux's
#               build appends it). No EFI stub: kexec reads the header and the payload.
#   zboot-gzip  the same with a gzip payload.
kk_pack_kernel() {
  local how=$1 in=$2 out=$3 payload comp
  case $how in
    gzip) gzip -9 -n -c "$in" >"$out.tmp" ;;
    zboot | zboot-gzip)
      payload=$out.payload
      if [[ $how == zboot ]]; then
        comp=zstd
        zstd -q -f -c "$in" >"$payload"
      else
        comp=gzip
        gzip -9 -n -c "$in" >"$payload"
      fi
      {
        printf 'MZ\0\0zimg'
        _kk_le32 64
        _kk_le32 "$(stat -c %s "$payload")"
        printf '\0%.0s' {1..8}
        printf '%s' "$comp"
        printf '\0%.0s' {1..28}
        _kk_le32 $((0x818223cd))  # LINUX_PE_MAGIC (include/linux/pe.h)
        _kk_le32 0
        cat "$payload"
        _kk_le32 "$(stat -c %s "$in")"
      } >"$out.tmp"
      rm -f "$payload"
      ;;
    *) kk_die "kk_pack_kernel: unknown packing '$how' (gzip, zboot, zboot-gzip)" ;;
  esac
  mv "$out.tmp" "$out"
}

_kk_le32() {
  local v=$1
  printf '%b' "$(printf '\\0%03o\\0%03o\\0%03o\\0%03o' $((v & 255)) $((v >> 8 & 255)) \
    $((v >> 16 & 255)) $((v >> 24 & 255)))"
}

# Packs staging dir $1 into gzip'd cpio $2.
kk_pack_cpio() {
  local stage=$1 out=$2
  # Sorted names make the archive order (and so the image) stable.
  (cd "$stage" && find . -mindepth 1 | LC_ALL=C sort \
    | cpio -o -H newc -R 0:0 --quiet) | gzip -n -6 >"$out.tmp"
  mv "$out.tmp" "$out"
}

kk_mkinitramfs_small() {
  local out=$1 init=$2 peek=${3:-} stage
  # A fixed name, so that a run that died half-way leaves no pile behind.
  stage=$out.stage
  rm -rf "$stage"
  mkdir "$stage"
  kk_stage_small "$stage" "$init" "$peek"
  kk_pack_cpio "$stage" "$out"
  rm -rf "$stage"
}

kk_mkinitramfs_main() {
  local out=$1 small=$2 init=$3 kexkit=$4 peek=${5:-} stage
  [[ -n ${KK_KERNEL_IMAGE:-} ]] || kk_die "kk_mkinitramfs_main: run kk_fetch_kernel first"
  stage=$out.stage
  rm -rf "$stage"
  mkdir "$stage"
  kk_stage_small "$stage" "$init" "$peek"
  # No loader is fine for harness checks (run-vm.sh's smoke test).
  [[ -z $kexkit ]] || _kk_stage_file "$stage" "$kexkit" /bin/kexkit
  _kk_stage_file "$stage" "$KK_KERNEL_IMAGE" /boot/kernel 0644
  _kk_stage_file "$stage" "$small" /boot/small.cpio.gz 0644
  kk_pack_cpio "$stage" "$out"
  rm -rf "$stage"
}
