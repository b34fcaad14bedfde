#!/bin/sh
# run-install-test.sh BUILD WORK CONSUMER I386_TOOLCHAIN CMAKE
# Installs BUILD into WORK/prefix and builds CONSUMER against it (see CMakeLists.txt).
set -eu
build=$1 work=$2 consumer=$3 toolchain=$4 cmake=$5
rm -rf "$work"
mkdir -p "$work"
"$cmake" --install "$build" --prefix "$work/prefix"
echo "installed:"
(cd "$work/prefix" && find . -type f | LC_ALL=C sort)

# Host side: hosted C program, x86_64 library, picked as kexkit::trampoline.
"$cmake" -S "$consumer" -B "$work/host" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release
"$cmake" --build "$work/host"
"$work/host/consumer"

# Firmware side: freestanding i386 image, kexkit::trampoline is the i386 library.
"$cmake" -S "$consumer" -B "$work/i386" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_BUILD_TYPE=Release
"$cmake" --build "$work/i386"
file_out=$(od -An -tx1 -N5 "$work/i386/firmware.elf" | tr -d ' \n')
[ "$file_out" = "7f454c4601" ] || { echo "firmware.elf is not ELF32" >&2; exit 1; }
echo "install test: 2 passed, 0 failed"
