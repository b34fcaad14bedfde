#!/usr/bin/env bash
# run-distro.sh TEST DEB... -- kexkit inside a real Debian 12 system, in QEMU (TCG).
#
#   TEST  kdump-tools      kdump-tools' own unit loads the capture kernel at boot
#                          through kexkit (the image's /sbin/kexec); kdump-config
#                          status must say it is ready and its journal hold no error.
#                          Then sysrq-c: the capture kernel boots through kexkit's
#                          purgatory, kdump-tools saves /var/crash/<stamp>/dump.<stamp>
#                          and dmesg.<stamp> and reboots. On the host the dump is read
#                          from the disk image and opened with crash(8) and Debian's
#                          debug vmlinux: bt shows the sysrq crash path, log the run's
#                          marker.
#         systemctl-kexec  kexec -l (kexkit) the running kernel with a marker, then
#                          `systemctl kexec`: systemd shuts down, the new kernel boots
#                          through kexkit's purgatory and its /proc/cmdline carries the
#                          marker.
#   DEB   kexkit's packages (scripts/package): the image has them instead of kexec-tools.
#
# The image: scripts/lib/debian-image.sh (mmdebstrap, cached by the hash of its inputs).
# Environment: KK_E2E_WORK (work dirs, default build/e2e), KEXKIT_CACHE, KK_E2E_TIMEOUT
# (bound on the VM run, 1200 s). Prints "distro TEST: PASS|FAIL (N s)" last; exit 0 on
# pass, 1 on fail, 2 usage.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$repo/scripts/lib/common.sh"
. "$repo/scripts/lib/deps.sh"
. "$repo/scripts/lib/debian-image.sh"
. "$repo/scripts/lib/demo-crash.sh"

usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2; }
(($# >= 2)) || usage
test=$1
shift
case $test in kdump-tools | systemctl-kexec) ;; *) usage ;; esac
for deb in "$@"; do [[ -s $deb ]] || kk_die "no package $deb (scripts/package makes them)"; done
timeout=${KK_E2E_TIMEOUT:-1200}
start=$SECONDS

kk_install_e2e_deps
kk_need_pkgs crash e2fsprogs
kk_debian_image "$@"
work=${KK_E2E_WORK:-$repo/build/e2e}/x86_64-debian-$test
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
log=$work/serial.log
cp --sparse=always "$KK_IMAGE_DIR/disk.img" "$work/disk.img"
kver=$(cat "$KK_IMAGE_DIR/version")

marker=KKM$(date +%s%N | sha256sum | cut -c1-12)
append="root=LABEL=kkroot rw console=ttyS0 panic=-1 kk.test=$test kk.marker=$marker"
[[ $test == kdump-tools ]] && append+=" crashkernel=256M"
kk_log "booting Debian $kver from $work/disk.img: $append"
: >"$log"
rc=0
timeout "$timeout" qemu-system-x86_64 -M pc -cpu qemu64 -m 1536 -smp 1 -nographic -no-reboot \
  -monitor none -serial "file:$log" -kernel "$KK_IMAGE_DIR/vmlinuz" \
  -initrd "$KK_IMAGE_DIR/initrd.img" -append "$append" \
  -drive "file=$work/disk.img,if=virtio,format=raw" </dev/null >"$work/qemu.log" 2>&1 || rc=$?
tr -d '\r' <"$log" >"$log.txt"
((rc != 124)) || kk_log "QEMU was still running after $timeout s"

bad=0
# check WHAT REGEX: one verdict line; the log must match REGEX.
check() {
  if grep -a -q -E -- "$2" "$log.txt"; then echo "  ok    $1"; else echo "  FAIL  $1"; bad=1; fi
}
check_not() {
  if grep -a -q -E -- "$2" "$log.txt"; then
    echo "  FAIL  $1: $(grep -a -m1 -E -- "$2" "$log.txt")"
    bad=1
  else
    echo "  ok    $1"
  fi
}

echo "checks ($log.txt):"
check "the Debian kernel $kver booted" "Linux version ${kver//[.+]/[&]} "
case $test in
  kdump-tools)
    check "/sbin/kexec is kexkit (kexkit-kexec's link to kexkit's loader), not kexec-tools'" \
      '^KK-KEXEC-PATH /usr/sbin/kexkit kexkit-kexec kexkit$'
    check "kdump-config status: ready to kdump" '^KK-STATUS: .*ready to kdump'
    check_not "kdump-tools' journal holds no error" '^KK-JOURNAL: .*([Ee]rror|[Ff]ail|[Ii]nvalid|[Uu]nknown option)'
    check "the capture kernel is loaded" '^KK-CRASH-LOADED 1'
    check "sysrq-c" "KK-CRASHING marker=$marker"
    check "kexkit's purgatory checked the segments" '^kexkit purgatory: sha256 ok'
    check "kexkit's purgatory entered the capture kernel" '^kexkit purgatory: entering kernel'
    check "kdump-tools saved the dump" 'kdump-tools.*(saved vmcore|[Ss]aving vmcore)'
    ((bad)) || {
      # /var/crash from the disk image, read with debugfs (no mount).
      debugfs -R 'ls -p /var/crash' "$work/disk.img" 2>/dev/null >"$work/var-crash.ls"
      stamp=$(awk -F/ 'length($6) == 12 && $6 ~ /^[0-9]+$/ {print $6}' "$work/var-crash.ls" \
        | sort | tail -n 1)
      mkdir -p "$work/crash"
      if [[ -n $stamp ]]; then
        debugfs -R "rdump /var/crash/$stamp $work/crash" "$work/disk.img" 2>/dev/null
      fi
      dump=$work/crash/$stamp/dump.$stamp
      [[ -n $stamp && -s $dump && -s $work/crash/$stamp/dmesg.$stamp ]] \
        && echo "  ok    /var/crash/$stamp holds dump.$stamp and dmesg.$stamp" \
        || { echo "  FAIL  no /var/crash/<stamp>/dump.<stamp> and dmesg.<stamp> on the disk"; bad=1; }
    }
    ((bad)) || {
      # kdump-tools pipes makedumpfile -F into its compressor: the flattened format,
      # which crash reads once makedumpfile -R has rebuilt it.
      if [[ $(head -c 12 "$dump") == makedumpfile ]]; then
        kk_demo_rebuild_dump "$dump" "$work/dump.kdump"
        dump=$work/dump.kdump
      fi
      kk_fetch_debug_vmlinux "$KK_IMAGE_DIR/vmlinuz"
      KK_DEMO_CRASH_CMDS=(sys bt log)
      kk_demo_crash "$KK_DEBUG_VMLINUX" "$dump" "$work"
      grep -q 'PANIC: .*sysrq triggered crash' "$work/crash-sys.txt" \
        && echo "  ok    crash: sys shows the sysrq panic" \
        || { echo "  FAIL  crash: no sysrq PANIC in sys"; bad=1; }
      grep -q 'sysrq_handle_crash' "$work/crash-bt.txt" \
        && echo "  ok    crash: bt goes through sysrq_handle_crash" \
        || { echo "  FAIL  crash: bt has no sysrq_handle_crash"; bad=1; }
      grep -q "KK-CRASHING marker=$marker" "$work/crash-log.txt" \
        && echo "  ok    crash: log holds this run's marker" \
        || { echo "  FAIL  crash: log lacks the marker"; bad=1; }
    }
    ;;
  systemctl-kexec)
    check "kexkit loaded the kernel (kexec_loaded = 1)" '^KK-KEXEC-LOADED 1'
    check "systemd shut down and rebooted with kexec" 'systemd-shutdown.*[Rr]ebooting with kexec'
    check "kexkit's purgatory checked the segments" '^kexkit purgatory: sha256 ok'
    check "kexkit's purgatory entered the new kernel" '^kexkit purgatory: entering kernel'
    check "the new kernel's /proc/cmdline carries this run's marker" "^KK-SECOND-BOOT marker=$marker"
    ;;
esac
if ((bad)); then
  echo "distro $test: FAIL ($((SECONDS - start)) s); serial log: $log.txt" >&2
  exit 1
fi
echo "distro $test: PASS ($((SECONDS - start)) s)"
