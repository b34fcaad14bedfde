#!/bin/sh
# link-i386.sh TOOLPREFIX OBJECT BASE OUT: GNU ld's image of OBJECT at BASE in kexkit's
# layout (../link-golden.sh writes OUT.{ld,elf,bin,syms}), after one adjustment:
#
# GNU ld merges SHF_MERGE sections in a final link (duplicate strings, and a string
# that is the tail of another: "i386" inside "... i386"), which shrinks them and moves
# everything after. kexkit, like kexec-tools and the kernel's kexec_file_load, lays each
# section out as it is. So the object GNU ld sees has the merge flags cleared
# (objcopy --set-section-flags; contents, sizes and alignment unchanged): both linkers
# then lay out the same bytes, and the comparison is about relocations alone.
set -eu
[ $# -eq 4 ] || { echo "usage: $0 TOOLPREFIX OBJECT BASE OUT" >&2; exit 2; }
tp=$1 obj=$2 base=$3 out=$4
here=$(cd "$(dirname "$0")" && pwd)

# readelf -SW rows after "[ n] ": name type addr off size es flags lk inf al.
flags=$(LC_ALL=C "${tp}readelf" -SW "$obj" | sed -n 's/^ *\[ *[0-9][0-9]*\] //p' | awk '
  NF == 10 && $7 ~ /A/ && $7 ~ /M/ {
    f = "alloc,load,readonly"
    f = f ($7 ~ /X/ ? ",code" : ",data")
    if ($7 ~ /W/) sub(",readonly", "", f)
    printf " --set-section-flags %s=%s", $1, f
  }')
# shellcheck disable=SC2086  # $flags is a list of options
"${tp}objcopy" $flags "$obj" "$out.nomerge.o"
sh "$here/../link-golden.sh" "${tp}ld" elf_i386 "${tp}objcopy" "${tp}readelf" "${tp}nm" \
  "$out.nomerge.o" "$base" "$out"
