#!/usr/bin/env bash
# bench-kdump.sh OUT.json: the kdump cycle in QEMU, from the crash trigger (the kernel's
# "sysrq: Trigger a crash" line) to the capture kernel's first init line, and the load
# (`-p`, timed inside the guest: guest-init.sh's KK-LOAD-TIME line), with kexkit and
# with Debian's kexec-tools as the loader: same harness, same kernel, same initramfs,
# runs interleaved. kexec-tools is a benchmark dependency only: its .deb is unpacked,
# never installed (installing it would arm kexec-on-reboot of this machine).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$repo/scripts/lib/common.sh"
out_json=$1
runs=${KK_BENCH_VM_RUNS:-3}
work=$(mktemp -d /tmp/kexkit-vmbench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# kexec-tools' /sbin/kexec and the libraries it needs, as an initramfs overlay.
# The .debs come through fetch-kernel.sh's _kk_download_deb: cached in $KK_CACHE by
# version, one download at a time, and a failed download stops the bench.
# shellcheck source=scripts/lib/fetch-kernel.sh
. "$repo/scripts/lib/fetch-kernel.sh"
deb=$(_kk_download_deb kexec-tools:amd64)
mkdir -p "$work/ov/sbin" "$work/ov/bin" "$work/x"
dpkg-deb -x "$deb" "$work/x"
cp "$work/x/sbin/kexec" "$work/ov/sbin/kexec"
# Debian's amd64 kexec links libxenctrl (libxenmisc4.17), which a machine without Xen
# lacks: without it the guest's /sbin/kexec exits 127 before it runs. The package and
# its dependencies this machine does not have are unpacked beside kexec, never installed.
xen=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | grep -o 'libxenmisc[0-9.]*' | head -n1 || true)
if [[ -n $xen ]]; then
  mkdir -p "$work/xen"
  pkgs=("$xen")
  for dep in $(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances "$xen" | awk '/Depends:/ && $2 !~ /^</ {print $2}' |
    sort -u); do
    dpkg-query -W -f='${Status}' "$dep" 2>/dev/null | grep -q 'ok installed' || pkgs+=("$dep")
  done
  for p in "${pkgs[@]}"; do
    dpkg-deb -x "$(_kk_download_deb "$p:amd64")" "$work/xen"
  done
  export LD_LIBRARY_PATH=$work/xen/usr/lib/x86_64-linux-gnu:$work/xen/lib/x86_64-linux-gnu
fi
if ldd "$work/ov/sbin/kexec" | grep 'not found' >&2; then
  kk_die "kexec-tools' kexec: libraries missing (above)"
fi
for lib in $(ldd "$work/ov/sbin/kexec" | awk '/=> \//{print $3} /^\s*\/lib/{print $1}'); do
  case $lib in
    "$work"/xen/*) dest=/lib/x86_64-linux-gnu/${lib##*/} ;;
    *) dest=$lib ;;
  esac
  mkdir -p "$work/ov$(dirname "$dest")"
  cp -L "$lib" "$work/ov$dest"
done
unset LD_LIBRARY_PATH
(cd "$work/ov" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) > "$work/overlay.cpio.gz"
# The guest calls "kexkit -p KERNEL --initrd=... --append=..."; kexec-tools takes the
# same spelling, so the comparison needs only a one-line stand-in.
printf '#!/bin/sh\nexec /sbin/kexec "$@"\n' > "$work/kexec-tools-as-kexkit"
chmod +x "$work/kexec-tools-as-kexkit"

# Runs one kdump, prints the seconds from the crash trigger to the capture init line.
one() {
  local loader=$1 dir=$work/run-$1-$2 log t_crash= t_init= start
  mkdir -p "$dir"
  log=$dir/x86_64-kdump/serial.log
  local env=(KK_E2E_WORK="$dir")
  local kexkit=$repo/build/bin/kexkit-x86_64-static
  if [[ $loader == kexec-tools ]]; then
    env+=(KK_E2E_MAIN_OVERLAY="$work/overlay.cpio.gz")
    kexkit=$work/kexec-tools-as-kexkit
  fi
  env "${env[@]}" bash "$here/run-vm.sh" x86_64 kdump --kexkit "$kexkit" \
    >"$dir/run.log" 2>&1 &
  local pid=$!
  start=$(date +%s.%N)
  while kill -0 "$pid" 2>/dev/null; do
    if [[ -z $t_crash ]] && grep -aq 'sysrq: Trigger a crash' "$log" 2>/dev/null; then
      t_crash=$(date +%s.%N)
    fi
    if [[ -z $t_init ]] && grep -aq 'KK-INIT stage=capture' "$log" 2>/dev/null; then
      t_init=$(date +%s.%N)
    fi
    sleep 0.1
  done
  wait "$pid" || true
  [[ -n $t_crash && -n $t_init ]] || { kk_log "$loader run $2: no capture kernel"; tail -5 "$dir/run.log" >&2; return 1; }
  # Each run must really have gone through the loader it is counted for.
  local ours=0
  grep -aq '^.\{0,1\}kexkit purgatory: entering kernel' "$log" && ours=1
  if [[ $loader == kexkit && $ours == 0 || $loader == kexec-tools && $ours == 1 ]]; then
    kk_log "$loader run $2: purgatory lines do not match the loader"
    return 1
  fi
  # The load itself, timed inside the guest around the loader's command (guest-init.sh).
  local load
  load=$(grep -a -m1 -oE 'KK-LOAD-TIME [0-9.]+' "$log" | cut -d' ' -f2)
  [[ -n $load ]] || { kk_log "$loader run $2: no KK-LOAD-TIME line"; return 1; }
  echo "$(echo "$t_init - $t_crash" | bc -l) $load"
}

kk_need_pkgs bc
: >"$work/kexkit.txt"
: >"$work/kexec-tools.txt"
for i in $(seq "$runs"); do
  one kexkit "$i" >>"$work/kexkit.txt"
  one kexec-tools "$i" >>"$work/kexec-tools.txt"
done
python3 - "$work" "$runs" "$out_json" <<'PY'
import json, statistics, sys
work, runs, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = lambda name: [tuple(map(float, l.split())) for l in open(f"{work}/{name}.txt") if l.strip()]
k, t = rows("kexkit"), rows("kexec-tools")
med = lambda v, i: statistics.median(x[i] for x in v)
json.dump({"runs": runs,
           "kexkit_s": med(k, 0), "kexec_tools_s": med(t, 0),
           "kexkit_all": [x[0] for x in k], "kexec_tools_all": [x[0] for x in t],
           "kexkit_load_s": med(k, 1), "kexec_tools_load_s": med(t, 1),
           "kexkit_load_all": [x[1] for x in k], "kexec_tools_load_all": [x[1] for x in t]},
          open(out, "w"), indent=2)
PY
