#!/bin/sh
# run-cross-package-test.sh ARCH SOURCE WORK   (ARCH = i386 | ppc64el | arm64)
# The cross build a packager runs on an amd64 host: KK_PACKAGE_ARCH=ARCH scripts/package
# (dpkg-buildpackage -a ARCH, lintian with no errors). Then what the packages hold:
# both .debs are for ARCH, and kexkit's /usr/sbin/kexkit is a static ELF executable for
# that machine (EM_386, EM_PPC64 little-endian, EM_AARCH64), with its man page and
# completion.
set -eu
arch=$1 src=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

KK_PACKAGE_ARCH=$arch KK_PACKAGE_WORK="$work/build" KK_DIST="$work/dist" \
  "$src/scripts/package" >"$work/package.log" 2>&1 ||
  { tail -40 "$work/package.log" >&2; echo "KK_PACKAGE_ARCH=$arch scripts/package failed" >&2; exit 1; }

# kexkit, kexkit-kexec, and the automatic kexkit-dbgsym (the cross build keeps the
# loader's debug symbols, which dh_strip moves there).
for deb in "$work"/dist/*.deb; do
  [ "$(dpkg-deb -f "$deb" Architecture)" = "$arch" ] || fail "${deb##*/} is not Architecture: $arch"
done
for p in kexkit kexkit-kexec; do
  [ -f "$(ls "$work"/dist/${p}_*_"$arch".deb 2>/dev/null | head -n1)" ] || fail "no ${p}_*_$arch.deb in dist"
done
kexkit=$(ls "$work"/dist/kexkit_*_"$arch".deb)
root=$work/root
mkdir -p "$root"
dpkg-deb -x "$kexkit" "$root"
for f in usr/sbin/kexkit usr/share/man/man8/kexkit.8.gz usr/share/bash-completion/completions/kexkit; do
  [ -f "$root/$f" ] || fail "kexkit_$arch.deb lacks /$f"
done
case $arch in
  i386) want="Class: ELF32 Data: 2's complement, little endian Machine: Intel 80386" ;;
  ppc64el) want="Class: ELF64 Data: 2's complement, little endian Machine: PowerPC64" ;;
  arm64) want="Class: ELF64 Data: 2's complement, little endian Machine: AArch64" ;;
  *) echo "run-cross-package-test.sh: no check for '$arch'" >&2; exit 2 ;;
esac
got=$(readelf -h "$root/usr/sbin/kexkit" | sed -n 's/^ *\(Class\|Data\|Machine\): *\(.*\)$/\1: \2/p' | tr '\n' ' ')
[ "$got" = "$want " ] || fail "/usr/sbin/kexkit: '$got', want '$want'"
readelf -l "$root/usr/sbin/kexkit" | grep -q 'INTERP' && fail "/usr/sbin/kexkit is not static"
kexec=$(ls "$work"/dist/kexkit-kexec_*_"$arch".deb)
dpkg-deb -c "$kexec" | grep -q ' ./usr/sbin/kexec -> kexkit$' || fail "kexkit-kexec_$arch.deb lacks /usr/sbin/kexec"

[ "$fails" -eq 0 ] || { echo "cross package test ($arch): $fails failures" >&2; exit 1; }
echo "cross package test ($arch): passed ($(ls "$work"/dist/*.deb | sed 's|.*/||' | tr '\n' ' '))"
