#!/usr/bin/env bash
# selftest.sh RUN_FUZZER PLANTED SCRATCH FAULT [fork] -- proves that run-fuzzer.sh (the
# bounded fuzz step and scripts/fuzz alike) fails when a target has a planted FAULT
# (hang, crash, leak, oom; planted-fault.cc), in plain mode and, with "fork", in
# libFuzzer's fork mode as scripts/fuzz runs it with KK_FUZZ_FORK. Passes only if the run
# exits non-zero, leaves an artifact, and says which kind of fault it found.
set -uo pipefail
(($# >= 4)) || { echo "usage: selftest.sh RUN_FUZZER PLANTED SCRATCH FAULT [fork]" >&2; exit 2; }
run=$1 planted=$2 scratch=$3 fault=$4 mode=${5:-plain}
dir=$scratch/$fault-$mode
rm -rf "$dir"
mkdir -p "$dir/seeds/planted"
printf 'ok' >"$dir/seeds/planted/quiet"  # mutation finds the trigger ('!') by itself
if [[ $mode == fork ]]; then export KK_FUZZ_FORK=1; else unset KK_FUZZ_FORK; fi
# Short enough for a test: a 2 s timeout, 30 s of fuzzing at most (the fault fires in
# the first seconds; a run that then goes on to exit 0 is the failure tested for).
# The fault fires once in the whole run (KK_PLANTED_ONCE), so a mode that only fails
# when the last of its jobs failed is caught too.
KK_PLANTED_FAULT=$fault KK_PLANTED_ONCE=$dir/fired "$run" "$planted" "$dir" planted 30 \
  -timeout=2 >"$dir/log" 2>&1
status=$?
case $fault in
  hang) want='ERROR: libFuzzer: timeout' ;;
  crash) want='ERROR: libFuzzer: deadly signal' ;;
  leak) want='ERROR: LeakSanitizer: detected memory leaks' ;;
  oom) want='ERROR: libFuzzer: out-of-memory' ;;
  *) echo "selftest.sh: unknown fault '$fault'" >&2; exit 2 ;;
esac
fail=0
if ((status == 0)); then
  echo "selftest.sh: $fault ($mode): run-fuzzer.sh exited 0 with a planted $fault" >&2
  fail=1
fi
if ! compgen -G "$dir/artifacts/planted-*" >/dev/null; then
  echo "selftest.sh: $fault ($mode): no artifact in $dir/artifacts" >&2
  fail=1
fi
if ! grep -q "$want" "$dir/log" "$dir"/fuzz-*.log 2>/dev/null; then
  echo "selftest.sh: $fault ($mode): no '$want' in the log" >&2
  fail=1
fi
if [[ ! -e $dir/fired ]]; then
  echo "selftest.sh: $fault ($mode): the planted fault never fired" >&2
  fail=1
fi
if ((fail)); then
  tail -30 "$dir/log" >&2
  exit 1
fi
echo "selftest.sh: $fault ($mode): run-fuzzer.sh failed (exit $status) and kept $(ls "$dir/artifacts" | head -1)"
