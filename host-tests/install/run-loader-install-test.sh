#!/bin/sh
# run-loader-install-test.sh BUILD WORK SOURCE CMAKE
# What `cmake --install` puts in place for the loader, with a custom prefix and with
# DESTDIR: sbin/kexkit (runs, and is the build's binary), kexkit(8) (renders with man,
# names every option the binary's --help lists and every kexec-tools 2.0.32 option kexkit
# reads), the bash completion (sources, completes options), and no purgatory files (the
# loader embeds its purgatory).
set -eu
build=$1 work=$2 source=$3 cmake=$4
rm -rf "$work"
mkdir -p "$work"
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

check_tree() {  # check_tree ROOT (the prefix as seen on disk)
  root=$1
  [ -x "$root/sbin/kexkit" ] || fail "$root/sbin/kexkit missing or not executable"
  cmp -s "$root/sbin/kexkit" "$build/bin/kexkit" || fail "sbin/kexkit is not the build's kexkit"
  "$root/sbin/kexkit" --version | grep -q '^kexkit [0-9]' || fail "installed kexkit --version"
  man8=$root/share/man/man8/kexkit.8
  [ -f "$man8" ] || { fail "$man8 missing"; return; }
  grep -q '@KEXKIT_VERSION@' "$man8" && fail "kexkit.8: version not substituted"
  text=$(MANWIDTH=100 man -l "$man8" 2>"$work/man.err") || fail "man -l kexkit.8 failed"
  [ -s "$work/man.err" ] && fail "man warnings: $(cat "$work/man.err")"
  # Every long option of --help, and every kexec-tools option, appears in the page.
  opts=$("$root/sbin/kexkit" --help | grep -o -- '--[a-z0-9-]*[a-z0-9]' | sort -u)
  kexec_tools_opts='--help --version --force --no-checks --no-ifdown --no-sync --load --unload
    --exec --exec-live-update --load-preserve-context --load-jump-back-helper
    --load-live-update --entry --type --load-panic --mem-min --mem-max --reuseinitrd
    --kexec-file-syscall --kexec-syscall --kexec-syscall-auto --debug --status
    --print-ckr-size --hotplug --no-cma --force-dtb --reset-vga --serial --serial-baud
    --console-vga --console-serial --elf32-core-headers --elf64-core-headers
    --pass-memmap-cmdline --noefi --reuse-video-type --command-line --append
    --reuse-cmdline --initrd --ramdisk --args-elf --args-linux --args-none --module
    --real-mode --entry-32bit --dtb --devicetreeblob --dt-no-old-root'
  for o in $opts $kexec_tools_opts; do
    printf '%s\n' "$text" | grep -q -- "$o" || fail "kexkit.8 does not mention $o"
  done
  for section in "EXIT STATUS" FILES "PURGATORY CONSOLE" LOCKDOWN; do
    printf '%s\n' "$text" | grep -q "^$section" || fail "kexkit.8 has no $section section"
  done
  printf '%s\n' "$text" | grep -q "kexkit purgatory: sha256 MISMATCH" ||
    fail "kexkit.8 lacks the purgatory's console lines"
  comp=$root/share/bash-completion/completions/kexkit
  [ -f "$comp" ] || { fail "$comp missing"; return; }
  got=$(bash -c '_init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; split=false; }
                 . "$1"; COMP_WORDS=(kexkit --dt-no); COMP_CWORD=1; _kexkit; echo "${COMPREPLY[*]}"' _ "$comp") ||
    fail "completion does not source"
  [ "$got" = "--dt-no-old-root" ] || fail "completion of --dt-no gave '$got'"
  if find "$root" -name 'purgatory*' | grep -q .; then
    fail "purgatory files installed, but the loader embeds its purgatory"
  fi
}

# A custom prefix.
"$cmake" --install "$build" --prefix "$work/prefix" --component loader >/dev/null
check_tree "$work/prefix"
# DESTDIR with the packagers' prefix.
DESTDIR="$work/destdir" "$cmake" --install "$build" --prefix /usr --component loader >/dev/null
check_tree "$work/destdir/usr"
[ -e "$work/destdir/usr/sbin/kexkit" ] || fail "DESTDIR install did not land under DESTDIR"
# The whole install (trampoline component too) still holds the loader.
"$cmake" --install "$build" --prefix "$work/all" >/dev/null
[ -x "$work/all/sbin/kexkit" ] || fail "a full install lacks sbin/kexkit"

echo "installed:"
(cd "$work/prefix" && find . -type f | LC_ALL=C sort)
[ "$fails" -eq 0 ] || { echo "loader install test: $fails failures" >&2; exit 1; }
echo "loader install test: passed"
