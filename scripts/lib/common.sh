# shellcheck shell=bash
# Shared helpers for kexkit's host-side scripts. Source it; it sets nothing
# but the KK_* variables and kk_* functions below, and makes $KK_CACHE/apt/host
# (apt's package cache, KK_APT_CACHE_OPTS).
#
#   KK_CACHE      download/unpack cache, ${KEXKIT_CACHE:-/var/cache/kexkit}
#   kk_log MSG    progress to stderr (stdout stays free for results)
#   kk_die MSG    message to stderr, exit 1
#   kk_need_pkgs PKG...   apt-get install only the missing Debian packages

# shellcheck disable=SC2034  # used by the scripts that source this file
KK_CACHE=${KEXKIT_CACHE:-/var/cache/kexkit}
# Children (CTest, the unit tests that parse Debian's kernels, the e2e runner) read
# the same cache.
export KEXKIT_CACHE=$KK_CACHE

kk_log() {
  printf '%s: %s\n' "${0##*/}" "$*" >&2
}

kk_die() {
  printf '%s: error: %s\n' "${0##*/}" "$*" >&2
  exit 1
}

# Serialises apt/dpkg work between concurrently running scripts (CTest may run
# several e2e tests at once): apt-get fails at once on a held lock instead of
# waiting. The lock lives outside KK_CACHE because it guards the system.
kk_with_apt_lock() {
  (
    flock -w 900 9 || kk_die "timed out waiting for /run/lock/kexkit-apt.lock"
    "$@"
  ) 9>/run/lock/kexkit-apt.lock
}

# Runs an apt-get or dpkg command, waiting for the system's own locks
# (/var/lib/dpkg/lock-frontend, /var/lib/dpkg/lock, /var/lib/apt/lists/lock) when
# another program holds them: a fresh Debian machine runs apt's daily job at first
# boot, and kexkit's flock above does not cover other programs. apt-get waits by
# itself through DPkg::Lock::Timeout (install, remove); apt-get update and dpkg do
# not, so any lock refusal is retried every 5 s until KK_APT_LOCK_WAIT seconds
# (default 900) have passed, then the command fails with one line saying so. The
# command's stderr is passed on once it has finished.
kk_apt() {
  local wait=${KK_APT_LOCK_WAIT:-900} start=$SECONDS err rc said=0
  err=$(mktemp)
  while :; do
    rc=0
    "$@" 2>"$err" || rc=$?
    if ((rc != 0)) && grep -Eq 'Could not get lock|Unable to (acquire|lock)|lock was locked|is locked by another process' "$err"; then
      if ((SECONDS - start < wait)); then
        ((said)) || kk_log "waiting for the apt/dpkg lock: $(grep -m1 -E 'lock' "$err")"
        said=1
        sleep 5
        continue
      fi
      rm -f "$err"
      kk_die "the system's apt/dpkg lock stayed held by another program for ${wait} s; not running: $*"
    fi
    cat "$err" >&2
    rm -f "$err"
    ((said)) && kk_log "the apt/dpkg lock was freed after $((SECONDS - start)) s"
    return "$rc"
  done
}

# apt-get with kk_apt's lock handling and kexkit's flock.
kk_apt_get() {
  kk_with_apt_lock kk_apt env DEBIAN_FRONTEND=noninteractive \
    apt-get -o DPkg::Lock::Timeout="${KK_APT_LOCK_WAIT:-900}" "$@"
}

_kk_apt_updated=0

# apt-get update, at most once per process. A partial failure only warns:
# mirrors do serve a stale index now and then (seen here for
# bookworm-security i386), and the lists that did arrive are still usable;
# callers check for the candidate they need afterwards.
kk_apt_update() {
  [[ $_kk_apt_updated == 1 ]] && return 0
  _kk_apt_updated=1
  kk_log "apt-get update"
  kk_apt_get update -q >&2 \
    || kk_log "warning: apt-get update reported errors; going on with the lists it has"
}

# apt's package cache, kept on disk in KK_CACHE: Debian's docker images turn it off, and
# each apt-cache call would then parse every list again (2.5 s with the four
# architectures of the host's lists, against 0.07 s). apt rebuilds it whenever the
# lists or dpkg's status changed.
KK_APT_CACHE_OPTS=(-o "Dir::Cache::pkgcache=$KK_CACHE/apt/host/pkgcache.bin"
                   -o "Dir::Cache::srcpkgcache=$KK_CACHE/apt/host/srcpkgcache.bin")
mkdir -p "$KK_CACHE/apt/host" 2>/dev/null || true

# True when apt knows a candidate for PKG (which may be arch-qualified).
kk_apt_has_candidate() {
  local cand
  cand=$(apt-cache "${KK_APT_CACHE_OPTS[@]}" policy "$1" 2>/dev/null \
    | awk '/Candidate:/ {print $2; exit}')
  [[ -n $cand && $cand != "(none)" ]]
}

kk_pkg_installed() {
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

kk_need_pkgs() {
  local missing=() p
  for p in "$@"; do
    kk_pkg_installed "$p" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  # A fresh machine may have empty or stale package lists: update only then.
  for p in "${missing[@]}"; do
    kk_apt_has_candidate "$p" || { kk_apt_update; break; }
  done
  kk_log "installing: ${missing[*]}"
  # makedumpfile recommends kexec-tools, whose default arms kexec-on-reboot of this
  # machine: never pull recommends, and preseed that choice off in case anything does.
  echo 'kexec-tools kexec-tools/load_kexec boolean false' | debconf-set-selections 2>/dev/null || true
  kk_apt_get install -y -q --no-install-recommends "${missing[@]}" >&2 \
    || kk_die "apt-get install ${missing[*]} failed"
}
