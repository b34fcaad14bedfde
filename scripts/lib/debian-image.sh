# shellcheck shell=bash
# debian-image.sh: a Debian 12 system image, made from Debian's packages with
# mmdebstrap, for the distro e2e tests (host-tests/distro/run-distro.sh). Source it
# after scripts/lib/common.sh.
#
#   kk_debian_image DEB...
#       Sets KK_IMAGE_DIR to a folder holding disk.img (a raw ext4 root file system,
#       sparse), vmlinuz, initrd.img and version (the kernel's /lib/modules name).
#       The system: systemd, Debian's linux-image-amd64, kdump-tools, makedumpfile
#       and the local .debs DEB... (kexkit's packages, which provide kexec-tools:
#       kexec-tools itself is never installed), plus the test unit of
#       host-tests/distro (kk-test.service, run at boot, told what to do by the
#       kernel command line). Cached in $KK_CACHE/debian-image/HASH, HASH covering
#       this file, the guest files and every DEB, so a second run reuses it.
#
# What can go wrong: no network to Debian's mirror, or a DEB that apt cannot
# install beside kdump-tools (one that does not provide kexec-tools); both stop
# with mmdebstrap's own error.

_kk_image_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_kk_image_guest=$_kk_image_lib/../../host-tests/distro/guest

# The base system (mmdebstrap --include), then, once the initramfs is set up for the VM,
# the kernel, kdump-tools and kexkit's DEBs (kk-test.sh --install).
KK_IMAGE_BASE_PKGS=(systemd-sysv udev kmod procps initramfs-tools busybox file
                    bsdextrautils e2fsprogs)
KK_IMAGE_PKGS=(linux-image-amd64 kdump-tools makedumpfile)

_kk_image_build() {
  local dir=$1 root tmp ver
  shift
  tmp=$dir.tmp.$$
  root=$tmp/root
  mkdir -p "$tmp/debs"
  cp "$@" "$tmp/debs/"
  kk_log "mmdebstrap: Debian 12 with systemd, kdump-tools and ${*##*/} (a few minutes)"
  # The second hook installs the kernel after the initramfs configuration is in place,
  # so that mkinitramfs runs once, for the few modules the VM needs.
  # shellcheck disable=SC2016  # the hooks' $1 is mmdebstrap's
  mmdebstrap --mode=root --variant=minbase \
    --include="$(IFS=,; echo "${KK_IMAGE_BASE_PKGS[*]}")" \
    --customize-hook="copy-in $_kk_image_guest/kk-test.sh $_kk_image_guest/kk-test.service $tmp/debs /tmp" \
    --customize-hook="chroot \"\$1\" sh /tmp/kk-test.sh --install ${KK_IMAGE_PKGS[*]}" \
    bookworm "$root" >&2 || kk_die "mmdebstrap failed"
  ver=$(ls "$root/lib/modules")
  [[ $(wc -w <<<"$ver") == 1 ]] || kk_die "want one kernel in the image, found: $ver"
  [[ -e $root/var/lib/kdump/initrd.img-$ver ]] || kk_die "no kdump initramfs in the image"
  cp "$root/boot/vmlinuz-$ver" "$tmp/vmlinuz"
  cp "$root/boot/initrd.img-$ver" "$tmp/initrd.img"
  echo "$ver" >"$tmp/version"
  # ext4 straight from the folder (mkfs.ext4 -d), 4 GiB sparse: room for a dump.
  mkfs.ext4 -q -F -L kkroot -d "$root" "$tmp/disk.img" 4G || kk_die "mkfs.ext4 -d failed"
  rm -rf "$root" "$tmp/debs" "$dir"
  mv "$tmp" "$dir"
}

kk_debian_image() {
  local hash dir f
  kk_need_pkgs mmdebstrap e2fsprogs
  hash=$( {
    cat "${BASH_SOURCE[0]}" "$_kk_image_guest"/*
    for f in "$@"; do sha256sum <"$f"; done
  } | sha256sum | cut -c1-16)
  dir=$KK_CACHE/debian-image/$hash
  mkdir -p "$KK_CACHE/debian-image"
  (
    flock -w 3600 8 || kk_die "timed out waiting for $dir.lock"
    [[ -s $dir/disk.img && -s $dir/version ]] || _kk_image_build "$dir" "$@"
  ) 8>"$dir.lock"
  [[ -s $dir/disk.img ]] || kk_die "no Debian image in $dir"
  KK_IMAGE_DIR=$dir
  export KK_IMAGE_DIR
}
