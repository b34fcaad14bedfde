#!/bin/sh
# gen-offsets.sh IN.s OUT.inc OUT.h: "->NAME value" lines to nasm %define / cpp #define.
set -eu
sed -n 's/.*->\([A-Za-z0-9_]*\) \([0-9][0-9]*\).*/%define \1 \2/p' "$1" > "$2.tmp"
sed -n 's/.*->\([A-Za-z0-9_]*\) \([0-9][0-9]*\).*/#define \1 \2/p' "$1" > "$3.tmp"
[ -s "$2.tmp" ] || { echo "gen-offsets.sh: $1: no offsets found" >&2; exit 1; }
mv "$2.tmp" "$2"; mv "$3.tmp" "$3"
