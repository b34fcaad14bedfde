#!/usr/bin/env bash
# apt-lock-test.sh: the scripts' apt calls (kk_apt_get in scripts/lib/common.sh) wait while
# another program holds the system's apt/dpkg locks, as apt's daily job does on a freshly
# booted machine, and fail with one clear line when a lock is not freed in time.
#
# Holds the real locks with hold-dpkg-lock.pl (an fcntl lock, as apt and dpkg take them),
# so it needs root (exit 77, skipped, otherwise) and no other apt run at the same time.
# Nothing is installed: the commands are an install of an already installed package and
# an apt-get update with no sources.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$repo/scripts/lib/common.sh"
[[ $(id -u) == 0 ]] || { echo "SKIP: needs root to hold the system's dpkg lock"; exit 77; }

fail() { echo "FAIL: $*"; exit 1; }
holder=
cleanup() { [[ -n $holder ]] && kill "$holder" 2>/dev/null; true; }
trap cleanup EXIT

# hold SECONDS LOCKFILE: starts the holder and waits until it has the lock.
hold() {
  local out
  out=$(mktemp)
  perl "$here/hold-dpkg-lock.pl" "$1" "$2" >"$out" &
  holder=$!
  for _ in $(seq 100); do grep -q locked "$out" && break; sleep 0.1; done
  grep -q locked "$out" || fail "the holder did not get $2"
  rm -f "$out"
}

# An installed package: the install is a no-op once apt has the lock.
pkg=coreutils
no_sources=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=/nonexistent)

# 1. apt-get install waits for the dpkg frontend lock, then succeeds.
hold 6 /var/lib/dpkg/lock-frontend
start=$SECONDS
KK_APT_LOCK_WAIT=60 kk_apt_get install -y -q "$pkg" >/dev/null 2>&1 \
  || fail "install under a lock held for 6 s failed"
((SECONDS - start >= 4)) || fail "install did not wait for the lock ($((SECONDS - start)) s)"
wait "$holder" || true
holder=
echo "ok: install waited $((SECONDS - start)) s for /var/lib/dpkg/lock-frontend"

# 2. apt-get update (which does not wait by itself) is retried until the lists lock frees.
hold 6 /var/lib/apt/lists/lock
start=$SECONDS
KK_APT_LOCK_WAIT=60 kk_apt_get "${no_sources[@]}" update -q >/dev/null 2>&1 \
  || fail "update under a lock held for 6 s failed"
((SECONDS - start >= 4)) || fail "update did not wait for the lock ($((SECONDS - start)) s)"
wait "$holder" || true
holder=
echo "ok: update waited $((SECONDS - start)) s for /var/lib/apt/lists/lock"

# 3. A lock that is never freed in time: a non-zero exit and one line saying so.
for lock in /var/lib/dpkg/lock-frontend /var/lib/apt/lists/lock; do
  hold 30 "$lock"
  start=$SECONDS
  err=$(mktemp)
  if [[ $lock == */lists/* ]]; then cmd=("${no_sources[@]}" update -q); else cmd=(install -y -q "$pkg"); fi
  if KK_APT_LOCK_WAIT=3 kk_apt_get "${cmd[@]}" >/dev/null 2>"$err"; then
    fail "apt-get ${cmd[*]} succeeded while $lock was held"
  fi
  ((SECONDS - start < 25)) || fail "gave up only after $((SECONDS - start)) s (limit 3 s)"
  [[ $(grep -c 'error: the system.s apt/dpkg lock stayed held by another program for 3 s' "$err") == 1 ]] \
    || { cat "$err"; fail "no single clear error line for $lock"; }
  rm -f "$err"
  kill "$holder" 2>/dev/null || true
  wait "$holder" 2>/dev/null || true
  holder=
  echo "ok: gave up on $lock after $((SECONDS - start)) s with one error line"
done
