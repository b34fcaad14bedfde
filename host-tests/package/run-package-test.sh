#!/bin/sh
# run-package-test.sh SOURCE WORK
# scripts/package twice, from two different folders: the .debs and the purgatory objects
# must be bit-identical. Then what the packages hold: kexkit has /usr/sbin/kexkit,
# kexkit(8) and the completion; kexkit-kexec has /usr/sbin/kexec, Provides, Conflicts
# and Replaces kexec-tools, no maintainer scripts and nothing under /etc (so nothing
# can arm kexec-on-reboot); on a merged-/usr root (Debian 12: /sbin -> usr/sbin),
# kdump-tools' `[ -x /sbin/kexec ]` holds. Slow: two package builds (about 4 minutes
# each here, 2 cores).
set -eu
src=$1 work=$2
rm -rf "$work"
mkdir -p "$work"
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# One commit for both runs, even if HEAD moves meanwhile.
commit=$(git -C "$src" rev-parse HEAD)
for run in a b; do
  KK_PACKAGE_COMMIT=$commit KK_PACKAGE_WORK="$work/build-$run/some/deeper/folder-$run" KK_DIST="$work/dist-$run" \
    "$src/scripts/package" >"$work/package-$run.log" 2>&1 ||
    { tail -40 "$work/package-$run.log" >&2; echo "scripts/package run $run failed" >&2; exit 1; }
done

n=0
for deb in "$work"/dist-a/*.deb; do
  name=${deb##*/}
  n=$((n + 1))
  cmp "$deb" "$work/dist-b/$name" || fail "$name differs between the two builds"
done
[ "$n" -ge 2 ] || fail "only $n .deb files in dist"
pa=$(find "$work/build-a" -name purgatory.ro | head -1)
pb=$(find "$work/build-b" -name purgatory.ro | head -1)
[ -n "$pa" ] && [ -n "$pb" ] || fail "no purgatory.ro in the build folders"
[ -n "$pa" ] && [ -n "$pb" ] && { cmp "$pa" "$pb" || fail "purgatory.ro differs"; }

kexkit=$(ls "$work"/dist-a/kexkit_*.deb)
kexec=$(ls "$work"/dist-a/kexkit-kexec_*.deb)
for f in ./usr/sbin/kexkit ./usr/share/man/man8/kexkit.8.gz \
         ./usr/share/bash-completion/completions/kexkit; do
  dpkg-deb -c "$kexkit" | grep -q " $f\$" || fail "kexkit.deb lacks $f"
done
dpkg-deb -c "$kexec" | grep -q ' ./usr/sbin/kexec -> kexkit$' || fail "kexkit-kexec.deb lacks /usr/sbin/kexec"
dpkg-deb -c "$kexec" | grep -q ' ./etc/' && fail "kexkit-kexec.deb installs files in /etc"
for field in Provides Conflicts Replaces; do
  [ "$(dpkg-deb -f "$kexec" "$field")" = kexec-tools ] || fail "kexkit-kexec: $field is not kexec-tools"
done
mkdir -p "$work/ctrl"
dpkg-deb -e "$kexec" "$work/ctrl"
for s in preinst postinst prerm postrm config; do
  [ -e "$work/ctrl/$s" ] && fail "kexkit-kexec has a $s script"
done
# A merged-/usr root, as Debian 12 has it.
root=$work/root
mkdir -p "$root/usr/sbin"
ln -s usr/sbin "$root/sbin"
dpkg-deb -x "$kexkit" "$root"
dpkg-deb -x "$kexec" "$root"
[ -x "$root/sbin/kexec" ] || fail "[ -x /sbin/kexec ] does not hold on a merged-/usr root"
"$root/sbin/kexec" --version | grep -q '^kexkit ' || fail "/sbin/kexec --version is not kexkit's"

[ "$fails" -eq 0 ] || { echo "package test: $fails failures" >&2; exit 1; }
echo "package test: passed ($n identical .debs, identical purgatory.ro)"
