#!/usr/bin/env bash
# run-fuzzer.sh FUZZER FUZZDIR TARGET SECONDS [libFuzzer options...] -- one bounded run.
#
# Corpus: FUZZDIR/corpus/TARGET (kept between runs, grows), seeded from
# FUZZDIR/seeds/TARGET (seeds.sh). A crash, leak, timeout or out-of-memory input goes to
# FUZZDIR/artifacts/TARGET-*; the exit status is then non-zero and the test fails.
# Also used by scripts/fuzz with a longer SECONDS and -jobs/-workers options.
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
# -rss_limit_mb: a purgatory, kernel header or memory map never needs a large buffer;
# an input that makes kexkit allocate much is itself a finding. -timeout: likewise.
exec "$fuzzer" -max_total_time="$seconds" -rss_limit_mb=1024 -malloc_limit_mb=512 \
  -timeout=10 -print_final_stats=1 -artifact_prefix="$dir/artifacts/$target-" \
  "$@" "$corpus" "$dir/seeds/$target"
