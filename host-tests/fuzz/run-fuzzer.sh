#!/usr/bin/env bash
# run-fuzzer.sh FUZZER FUZZDIR TARGET SECONDS [libFuzzer options...] -- one bounded run.
#
# Corpus: FUZZDIR/corpus/TARGET (kept between runs, grows), seeded from
# FUZZDIR/seeds/TARGET (seeds.sh). KK_FUZZ_FORK=N: N fuzzing processes (libFuzzer -fork).
# Used by the fuzz.* CTest tests and by scripts/fuzz with a longer SECONDS.
#
# A crash, leak, timeout or out-of-memory input fails the run, in every mode: its input
# goes to FUZZDIR/artifacts/TARGET-* and the exit status is non-zero. In fork mode
# libFuzzer ignores timeouts and OOMs by default (and exits 0 after writing their
# artifacts), so -ignore_crashes/-ignore_timeouts/-ignore_ooms=0 are passed last, where
# no caller's option can undo them, and any artifact this run wrote fails it as well.
# fuzz.selftest.* (selftest.sh) proves it with a planted fault in each mode.
set -euo pipefail
(($# >= 4)) || { echo "usage: run-fuzzer.sh FUZZER FUZZDIR TARGET SECONDS [options]" >&2; exit 2; }
fuzzer=$1 dir=$2 target=$3 seconds=$4
shift 4
corpus=$dir/corpus/$target
# Symbolized stacks in the report: the symbolizer that matches clang-16 first.
if [[ -z ${ASAN_SYMBOLIZER_PATH:-} ]]; then
  for s in /usr/lib/llvm-16/bin/llvm-symbolizer llvm-symbolizer-16 llvm-symbolizer; do
    if command -v "$s" >/dev/null; then
      ASAN_SYMBOLIZER_PATH=$(command -v "$s")
      export ASAN_SYMBOLIZER_PATH
      break
    fi
  done
fi
mkdir -p "$corpus" "$dir/artifacts" "$dir/seeds/$target"
fork=()
[[ -n ${KK_FUZZ_FORK:-} ]] && fork=(-fork="$KK_FUZZ_FORK")
# Artifacts of this run: anything newer than this stamp.
stamp=$(mktemp "$dir/artifacts/.run-$target.XXXXXX")
trap 'rm -f "$stamp"' EXIT
# -rss_limit_mb: a purgatory, kernel header or memory map never needs a large buffer;
# an input that makes kexkit allocate much is itself a finding. -timeout: likewise.
status=0
"$fuzzer" -max_total_time="$seconds" -rss_limit_mb=1024 -malloc_limit_mb=512 \
  -timeout=10 -print_final_stats=1 -artifact_prefix="$dir/artifacts/$target-" \
  "${fork[@]}" "$@" -ignore_crashes=0 -ignore_timeouts=0 -ignore_ooms=0 \
  "$corpus" "$dir/seeds/$target" || status=$?
found=$(find "$dir/artifacts" -maxdepth 1 -type f -name "$target-*" -newer "$stamp" | sort)
if [[ -n $found ]]; then
  echo "run-fuzzer.sh: $target: the run wrote artifacts (exit $status):" >&2
  printf '  %s\n' $found >&2
  ((status != 0)) || status=1
fi
if ((status != 0)); then
  echo "run-fuzzer.sh: $target: FAILED (exit $status)" >&2
fi
exit "$status"
