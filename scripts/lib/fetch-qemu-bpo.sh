# shellcheck shell=bash
# fetch-qemu-bpo.sh: QEMU 10 (qemu-system-x86 and qemu-system-data from Debian's
# bookworm-backports) unpacked into $KK_CACHE/qemu-bpo/root, beside Debian 12's QEMU,
# which everything else keeps using. Its TCG offers SHA-NI with -cpu max (QEMU 7.2's
# does not), so the x86_64 purgatory's SHA-NI path can run in a VM (e2e.x86_64.kexec-shani).
#
# The download uses its own apt configuration (its own sources list, lists and archive
# directories, passed with -o): the machine's apt sources never gain the suite, and
# nothing is installed. Source it, then call kk_fetch_qemu_bpo; it sets
#   KK_QEMU_BPO        the qemu-system-x86_64 binary
#   KK_QEMU_BPO_ARGS   the options it needs (-L for its firmware; no system modules)
# Run directly, it prints the binary's path.

# shellcheck source=scripts/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

kk_fetch_qemu_bpo() {
  local d=$KK_CACHE/qemu-bpo
  KK_QEMU_BPO=$d/root/usr/bin/qemu-system-x86_64
  # Modules (display, audio) are not needed; an empty directory keeps QEMU 10 from
  # loading Debian 12's, which it refuses.
  KK_QEMU_BPO_ARGS=(-L "$d/root/usr/share/qemu" -L /usr/share/seabios)
  mkdir -p "$d/modules"
  export QEMU_MODULE_DIR=$d/modules
  [[ -x $KK_QEMU_BPO ]] && return 0
  kk_need_pkgs seabios
  mkdir -p "$d/etc" "$d/lists/partial" "$d/archives/partial" "$d/debs" "$d/root"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
    "http://deb.debian.org/debian bookworm-backports main" >"$d/etc/sources.list"
  local apt=(-o "Dir::Etc::SourceList=$d/etc/sources.list" -o Dir::Etc::SourceParts=/nonexistent
             -o "Dir::State::Lists=$d/lists" -o "Dir::Cache::Archives=$d/archives"
             -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
             -o APT::Default-Release=bookworm-backports)
  kk_log "apt-get update (bookworm-backports, own lists in $d/lists)"
  apt-get "${apt[@]}" update -q >&2 || kk_die "apt-get update of bookworm-backports failed"
  (cd "$d/debs" && apt-get "${apt[@]}" download -q qemu-system-x86/bookworm-backports \
    qemu-system-data/bookworm-backports >&2) || kk_die "apt-get download of QEMU failed"
  local deb
  for deb in "$d"/debs/qemu-system-{x86,data}_*.deb; do dpkg-deb -x "$deb" "$d/root"; done
  [[ -x $KK_QEMU_BPO ]] || kk_die "no $KK_QEMU_BPO after unpacking"
  kk_log "$("$KK_QEMU_BPO" --version | head -n1)"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  kk_fetch_qemu_bpo
  echo "$KK_QEMU_BPO"
fi
