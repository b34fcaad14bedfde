# shellcheck shell=bash
# Host side of the kdump demo (scripts/demo, CTest e2e.x86_64.demo-crash):
# the debug vmlinux, the dump rebuilt from the guest's disk, crash(8) on it,
# and the checks. Source it after scripts/lib/common.sh.
#
# (kk_kernel_build_of IMAGE, from demo-guest.sh: "<abi-name> <debian-version>".)
#
#   kk_fetch_debug_vmlinux IMAGE
#       Sets KK_DEBUG_VMLINUX to the vmlinux with debug info that matches the
#       bzImage IMAGE (same ABI name and Debian build), downloading Debian's
#       linux-image-<version>-dbg on first use. Cached in
#       $KK_CACHE/x86_64/dbg/; only the one member is kept, not the .deb.
#   kk_demo_rebuild_dump DISK DUMP
#       makedumpfile -R: the flattened dump the capture kernel wrote to the
#       raw disk image DISK, as a normal compressed kdump file DUMP.
#   kk_demo_crash VMLINUX DUMP OUTDIR
#       Runs crash(8) once with `sys`, `bt`, `log` (and a few more) and
#       splits the output into OUTDIR/crash-{sys,bt,log,...}.txt.
#   kk_demo_check OUTDIR KERNEL_VERSION
#       The assertions of the e2e test; prints one line per check, returns 1
#       if any fails.

_kk_demo_crash_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/demo-guest.sh
. "$_kk_demo_crash_lib/demo-guest.sh"

_kk_fetch_debug_locked() {
  local abi=$1 ver=$2 dir=$3 member deb pkg tmp
  member=./usr/lib/debug/boot/vmlinux-$abi
  [[ -s $dir/vmlinux-$abi-$ver ]] && return 0
  pkg=linux-image-$abi-dbg
  kk_need_pkgs file
  if ! apt-cache show "$pkg=$ver" >/dev/null 2>&1; then
    kk_apt_update
    apt-cache show "$pkg=$ver" >/dev/null 2>&1 \
      || kk_die "apt has no $pkg=$ver (the guest kernel's build); KK_REFRESH=1 scripts/lib/fetch-kernel.sh x86_64 moves the guest to the current kernel"
  fi
  deb=$dir/${pkg}_${ver}_amd64.deb
  if [[ ! -s $deb ]]; then
    kk_log "apt-get download $pkg=$ver (about 860 MB)"
    # apt-get download writes into the current directory; its warning about
    # an unsandboxed download (user _apt cannot write here) is harmless.
    (cd "$dir" && apt-get download -q "$pkg=$ver" >&2) || kk_die "apt-get download $pkg failed"
    [[ -s $deb ]] || kk_die "apt-get download $pkg did not produce $deb"
  fi
  kk_log "extracting ${member#./} from ${deb##*/}"
  tmp=$dir/extract.$$
  rm -rf "$tmp"
  mkdir "$tmp"
  # Only the one member (633 MB of the 4+ GB tree); --occurrence=1 lets tar
  # stop reading once it has it. dpkg-deb then dies of SIGPIPE, so the
  # pipeline's status says nothing: the file and its size decide.
  dpkg-deb --fsys-tarfile "$deb" 2>"$tmp.err" | tar -x -C "$tmp" --occurrence=1 "$member" || true
  if [[ ! -s $tmp/$member || $(file -b "$tmp/$member") != ELF\ 64-bit*with\ debug_info* ]]; then
    cat "$tmp.err" >&2
    rm -rf "$tmp" "$tmp.err"
    kk_die "no usable ${member#./} in ${deb##*/}"
  fi
  mv "$tmp/$member" "$dir/vmlinux-$abi-$ver"
  rm -rf "$tmp" "$tmp.err" "$deb"
}

kk_fetch_debug_vmlinux() {
  local image=$1 build abi ver dir
  build=$(kk_kernel_build_of "$image") || kk_die "cannot read the kernel version of $image"
  read -r abi ver <<<"$build"
  dir=$KK_CACHE/x86_64/dbg
  mkdir -p "$dir"
  # One download at a time: the demo and the e2e test share the cache.
  (
    flock -w 1800 7 || kk_die "timed out waiting for $dir/.lock"
    _kk_fetch_debug_locked "$abi" "$ver" "$dir"
  ) 7>"$dir/.lock"
  # shellcheck disable=SC2034  # the result, for the caller
  KK_DEBUG_VMLINUX=$dir/vmlinux-$abi-$ver
}

kk_demo_rebuild_dump() {
  local disk=$1 dump=$2
  rm -f "$dump"
  # -R reads the flattened stream up to its end marker; the zeros after it
  # are ignored. A stream cut mid-block can make it spin: hence the bound.
  local rc=0
  timeout 300 makedumpfile -R "$dump" <"$disk" >"$dump.rebuild.log" 2>&1 || rc=$?
  if ((rc)); then
    cat "$dump.rebuild.log" >&2
    kk_die "makedumpfile -R $dump < $disk failed (status $rc; 124: timed out)"
  fi
  [[ -s $dump ]] || kk_die "makedumpfile -R left no $dump"
}

# crash(8) commands of the demo, in order; each one's output goes to
# OUTDIR/crash-NAME.txt (NAME: the first word, or the whole command).
KK_DEMO_CRASH_CMDS=(sys bt "dis kdump_demo_fault" mod log)

kk_demo_crash() {
  local vmlinux=$1 dump=$2 out=$3 cmds=$3/crash.cmds c name
  : >"$cmds"
  for c in "${KK_DEMO_CRASH_CMDS[@]}"; do
    name=${c%% *}
    # A shell escape prints the separator; crash has no echo of its own.
    printf '!echo KK-CRASH-BEGIN %s\n%s\n' "$name" "$c" >>"$cmds"
  done
  echo quit >>"$cmds"
  # -s: no banner; --no_scroll: no pager even on a terminal; stdin from
  # /dev/null so that a command crash does not know cannot hang it.
  local rc=0
  timeout 600 crash -s --no_scroll -i "$cmds" "$vmlinux" "$dump" </dev/null \
    >"$out/crash-all.txt" 2>&1 || rc=$?
  if ((rc)); then
    tail -n 30 "$out/crash-all.txt" >&2
    kk_die "crash $vmlinux $dump failed (status $rc; 124: timed out)"
  fi
  awk -v dir="$out" '
    /^KK-CRASH-BEGIN / { if (f) close(f); f = dir "/crash-" $2 ".txt"; printf "" > f; next }
    f { print > f }' "$out/crash-all.txt"
}

# Prints "ok|FAIL: what" for one check; $1 is the result (0 = ok).
_kk_demo_verdict() {
  local rc=$1
  shift
  if ((rc == 0)); then echo "  ok    $*"; else echo "  FAIL  $*"; fi
  return "$rc"
}

kk_demo_check() {
  local out=$1 kver=$2 bad=0 release
  grep -q 'DUMPFILE:' "$out/crash-sys.txt" 2>/dev/null && grep -q 'PANIC:' "$out/crash-sys.txt"
  _kk_demo_verdict $? "crash opened the dump (sys shows DUMPFILE and PANIC)" || bad=1
  release=$(awk '$1 == "RELEASE:" {print $2; exit}' "$out/crash-sys.txt" 2>/dev/null)
  [[ $release == "$kver" ]]
  _kk_demo_verdict $? "RELEASE '$release' matches the guest kernel '$kver'" || bad=1
  grep -q 'exception RIP: kdump_demo_fault+' "$out/crash-bt.txt" 2>/dev/null
  _kk_demo_verdict $? "bt: the exception frame is in kdump_demo_fault" || bad=1
  grep -q 'BUG: kernel NULL pointer dereference' "$out/crash-log.txt" 2>/dev/null \
    && grep -q 'RIP: 0010:kdump_demo_fault+' "$out/crash-log.txt"
  _kk_demo_verdict $? "log: the module's oops (NULL pointer dereference, RIP in kdump_demo_fault)" || bad=1
  return "$bad"
}
