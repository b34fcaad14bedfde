#!/usr/bin/env bash
# run-e2e.sh TEST STUB -- the firmware stub boots Debian's x86_64 kernel in QEMU (TCG)
# through the kexkit trampoline, with no Linux kexec underneath.
#
#   TEST  firmware-stub             Linux must boot and print the marker from its
#                                   command line; the plan must have overlaps and a
#                                   bounce (i386 stub: 32-bit entry)
#         firmware-stub-bad-digest  the stub flips one staged byte after taking the
#                                   digest: the trampoline must report the mismatch and
#                                   Linux must never start
#         firmware-stub-footprint   the stub plans without keep-out ranges and aims
#                                   boot_params at the trampoline's own move list: the
#                                   trampoline's own footprint check must refuse before
#                                   the first move
#         firmware-stub64[-bad-digest]  the same with the x86_64 stub (64-bit entry)
#   STUB  the multiboot ELF (<build>/examples/firmware-stub/firmware-stub.elf, or
#         .../firmware-stub-x86_64/firmware-stub-x86_64.elf)
#
# Environment: KK_E2E_WORK (work dirs, default build/e2e), KEXKIT_CACHE (downloads),
# KK_E2E_TIMEOUT (VM bound, 240 s), KK_E2E_SILENCE (bad-digest quiet window, 10 s).
# Leaves $KK_E2E_WORK/x86_64-TEST/{serial.log,qemu.log,initrd.cpio.gz}; prints
# "e2e x86_64 TEST: PASS|FAIL (N s)" last; exit 0 on pass, 1 on fail, 2 usage.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=scripts/lib/fetch-kernel.sh
. "$repo/scripts/lib/fetch-kernel.sh"
# shellcheck source=scripts/lib/mkinitramfs.sh
. "$repo/scripts/lib/mkinitramfs.sh"

(($# == 2)) || { sed -n '2,/^set -e/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" | head -n -1 >&2; exit 2; }
test=$1 stub=$2
case $test in
  firmware-stub | firmware-stub64) bad=0 entry='i386 trampoline, 32-bit' ;;
  firmware-stub-bad-digest | firmware-stub64-bad-digest) bad=1 ;;
  firmware-stub-footprint) bad=2 ;;
  *) exit 2 ;;
esac
[[ $test == firmware-stub64 ]] && entry='x86_64 trampoline, 64-bit'

[[ -f $stub ]] || kk_die "no firmware stub at $stub (build target firmware-stub)"
timeout=${KK_E2E_TIMEOUT:-240}
silence=${KK_E2E_SILENCE:-10}
work=${KK_E2E_WORK:-$repo/build/e2e}
[[ $work == /* ]] || work=$PWD/$work
work=$work/x86_64-$test
mkdir -p "$work"
log=$work/serial.log
start=$(date +%s)

result=FAIL
qemu_pid=
finish() {
  if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then
    kill "$qemu_pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$qemu_pid" 2>/dev/null || true
  fi
  if [[ $result != PASS ]]; then
    [[ -s $work/qemu.log ]] && { echo "---- qemu.log ----"; tail -n 20 "$work/qemu.log"; }
    [[ -s $log ]] && { echo "---- last 60 lines of $log ----"; tail -n 60 "$log" | tr -d '\r'; }
  fi
  echo "e2e x86_64 $test: $result ($(($(date +%s) - start)) s)"
  [[ $result == PASS ]]
}
trap finish EXIT
trap 'exit 130' INT TERM

kk_need_pkgs qemu-system-x86 busybox-static cpio
kk_fetch_kernel x86_64
kk_log "kernel $KK_KERNEL_VERSION: $KK_KERNEL_IMAGE"

# The guest: busybox and an /init that prints the marker (mkinitramfs.sh's helpers).
stage=$work/initrd.stage
rm -rf "$stage"
mkdir -p "$stage"/{bin,dev,proc}
mknod -m 600 "$stage/dev/console" c 5 1
_kk_stage_file "$stage" "$KK_BUSYBOX" /bin/busybox
ln -s busybox "$stage/bin/sh"  # /init's interpreter
_kk_stage_file "$stage" "$here/init.sh" /init
kk_pack_cpio "$stage" "$work/initrd.cpio.gz"
rm -rf "$stage"

marker=KKS$(date +%s%N | sha256sum | cut -c1-12)
append="console=ttyS0 panic=-1 kk.marker=$marker"
if ((bad == 0)); then
  required=('^kexkit firmware-stub: overlap: ' 'kexkit firmware-stub: plan: .* [1-9][0-9]* bounced'
            "kexkit firmware-stub: handing off to the kexkit $entry entry"
            $'^\r?kexkit trampoline: footprint clear' $'^\r?kexkit trampoline: sha256 ok'
            $'^\r?kexkit trampoline: entering kernel' "KK-STUB-LINUX marker=$marker")
  forbidden=('MISMATCH' 'kexkit firmware-stub: error' 'halted, the new kernel was not entered')
elif ((bad == 2)); then
  append+=" kk.stub.unsafe"
  required=($'^\r?kexkit trampoline: move [0-9]+ \(segment [0-9]+\) to .* touches the trampoline.s '
            $'^\r?kexkit trampoline: footprint check failed' 'halted, the new kernel was not entered')
  forbidden=('moves done' 'entering kernel' 'Linux version' 'KK-STUB-LINUX'
             'kexkit firmware-stub: error')
else
  append+=" kk.stub.flip"
  # The flipped byte is in the kernel, segment 0: the trampoline must name it (and its
  # destination, checked against the stub's own line below).
  required=('kk.stub.flip: flipped'
            $'^\r?kexkit trampoline: sha256 MISMATCH segment 0 at 0x[0-9a-f]+ \\(kernel\\) expected [0-9a-f]{64} got [0-9a-f]{64}'
            'halted, the new kernel was not entered')
  forbidden=('entering kernel' 'Linux version' 'KK-STUB-LINUX' 'kexkit firmware-stub: error')
fi

: >"$log"
qemu-system-x86_64 -M pc -cpu qemu64 -m 1024 -smp 1 -nographic -no-reboot -monitor none \
  -serial "file:$log" -kernel "$stub" -initrd "$KK_KERNEL_IMAGE,$work/initrd.cpio.gz" \
  -append "$append" </dev/null >"$work/qemu.log" 2>&1 &
qemu_pid=$!
kk_log "qemu pid $qemu_pid, marker $marker, log $log"

seen() { grep -a -q -E -- "$1" "$log"; }
why= quiet_since=
SECONDS=0
while :; do
  alive=1
  kill -0 "$qemu_pid" 2>/dev/null || alive=0
  for p in "${forbidden[@]}"; do
    if seen "$p"; then why="saw '$(grep -a -m1 -E -- "$p" "$log" | tr -d '\r')'"; break 2; fi
  done
  missing=()
  for p in "${required[@]}"; do seen "$p" || missing+=("$p"); done
  if ((${#missing[@]} == 0)); then
    if ((bad == 0)); then result=PASS; break; fi
    # Negative: the refusal is there; nothing forbidden may follow for a while.
    [[ -n $quiet_since ]] || quiet_since=$SECONDS
    if ((SECONDS - quiet_since >= silence || alive == 0)); then result=PASS; break; fi
  elif ((alive == 0)); then
    why="QEMU exited; missing: ${missing[*]}"
    break
  fi
  if ((SECONDS >= timeout)); then why="timed out after $timeout s; missing: ${missing[*]}"; break; fi
  sleep 0.5
done
if [[ $result == PASS && $bad == 1 ]]; then
  # The address the trampoline names is the kernel's destination the stub planned.
  dst=$(grep -a -m1 -oE '^kexkit firmware-stub: kernel: staged .* -> \[0x[0-9a-f]+' "$log" \
    | sed 's/.*\[//')
  named=$(grep -a -m1 -oE 'sha256 MISMATCH segment 0 at 0x[0-9a-f]+' "$log" | sed 's/.* at //')
  if [[ -z $dst || -z $named ]] || (( dst != named )); then
    result=FAIL why="mismatch names ${named:-nothing}, the kernel's destination is ${dst:-unknown}"
  fi
fi
[[ $result == PASS ]] || echo "e2e x86_64 $test: $why" >&2
grep -a -E '^kexkit (firmware-stub: (plan|overlap)|trampoline: (sha256|footprint|moves))' "$log" \
  | tr -d '\r' || true
