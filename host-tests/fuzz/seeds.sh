#!/usr/bin/env bash
# seeds.sh SEEDGEN OUTDIR TREE... -- writes every fuzz target's seed corpus to
# OUTDIR/<target>/ from what the builds already have (run at test time, by the CTest
# fixture fuzz.seeds; nothing binary is checked in but the regression inputs):
#   elf-link     TREE/purgatory/*/purgatory.ro and TREE/host-tests/golden/*.o of each build
#                tree, seed-ppc64.s assembled by the ppc64 cross assemblers when present,
#                all re-encoded by SEEDGEN into every class, byte order and machine
#   bzimage, x86-load   Debian's x86_64 vmlinuz from $KEXKIT_CACHE (first 512 KiB) and
#                synthetic headers
#   iomem, memmap  this host's /proc/iomem and /sys/firmware/memmap, and QEMU layouts
#   cmdline      kexec-tools style command lines
#   core-header  a few structured byte patterns
#   kcore        the head of this host's /proc/kcore, synthetic heads; kdump-maps: a CPU
#                list + iomem
#   arm64-image  heads of Debian's arm64 vmlinuz from $KEXKIT_CACHE (a plain Image with
#                the EFI stub's PE header) at three lengths, and one gzipped and in EFI
#                zboot containers (zstd, gzip)
#   vmlinux      synthetic ppc64 vmlinux files; fdt: QEMU's pseries tree (dumpdtb)
#                and synthetic trees with ibm,dynamic-reconfiguration-memory
#   every target: the regression inputs in host-tests/data/regressions/<target>-*
set -euo pipefail
(($# >= 2)) || { echo "usage: seeds.sh SEEDGEN OUTDIR TREE..." >&2; exit 2; }
seedgen=$1 out=$2
shift 2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${KEXKIT_CACHE:-/var/cache/kexkit}
targets=(elf-link bzimage x86-load iomem memmap cmdline core-header kcore kdump-maps vmlinux fdt
         arm64-image)
rm -rf "$out"
for t in "${targets[@]}"; do mkdir -p "$out/$t"; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# -- ELF relocatable objects ------------------------------------------------------------
objs=()
declare -A seen=()
for tree in "$@"; do
  for f in "$tree"/purgatory/*/purgatory.ro "$tree"/host-tests/golden/*.o; do
    [[ -f $f ]] || continue
    sum=$(sha256sum "$f" | cut -c1-16)
    [[ -n ${seen[$sum]:-} ]] && continue
    seen[$sum]=1
    objs+=("$f")
  done
done
for arch in ppc64 ppc64le; do
  as=powerpc64-linux-gnu-as
  [[ $arch == ppc64le ]] && as=powerpc64le-linux-gnu-as
  if command -v "$as" >/dev/null; then
    mkdir -p "$tmp/$arch"
    "$as" -a64 -o "$tmp/$arch/seed-ppc64.o" "$here/seed-ppc64.s" && objs+=("$tmp/$arch/seed-ppc64.o")
  fi
done
"$seedgen" elf "$out/elf-link" "${objs[@]}"

# -- x86 kernels ------------------------------------------------------------------------
vmlinuz=
for f in "$cache"/x86_64/root/boot/vmlinuz-*; do
  [[ -f $f ]] && { vmlinuz=$f; break; }
done
"$seedgen" bzimage "$out/bzimage" ${vmlinuz:+"$vmlinuz"}
"$seedgen" x86load "$out/x86-load" ${vmlinuz:+"$vmlinuz"}

# -- arm64 Images ------------------------------------------------------------------------
for f in "$cache"/aarch64/root/boot/vmlinuz-*; do
  [[ -f $f ]] || continue
  for n in 64 4096 65536; do head -c "$n" "$f" >"$out/arm64-image/debian-head-$n"; done
  # The same head packed as distributions ship kernels (kk_pack_kernel): gzip, and EFI
  # zboot with a zstd and with a gzip payload.
  (
    . "$here/../../scripts/lib/mkinitramfs.sh"
    for how in gzip zboot zboot-gzip; do
      kk_pack_kernel "$how" "$out/arm64-image/debian-head-65536" "$out/arm64-image/head.$how"
    done
  )
  break
done

# -- memory maps ------------------------------------------------------------------------
# /proc/iomem shows zeros to non-root readers; such a copy is a seed all the same.
[[ -r /proc/iomem ]] && cat /proc/iomem >"$out/iomem/host"
cat >"$out/iomem/qemu-pc" <<'MAP'
00000000-00000fff : Reserved
00001000-0009fbff : System RAM
0009fc00-0009ffff : Reserved
000a0000-000bffff : PCI Bus 0000:00
000c0000-000c99ff : Video ROM
000f0000-000fffff : Reserved
  000f0000-000fffff : System ROM
00100000-3ffdffff : System RAM
  01000000-01e00fff : Kernel code
  01e00000-0229ffff : Kernel rodata
  02400000-026fffff : Kernel data
  02c00000-02ffffff : Kernel bss
  2c000000-3bffffff : Crash kernel
3ffe0000-3fffffff : Reserved
fd000000-fdffffff : PCI Bus 0000:00
  fd000000-fdffffff : 0000:00:02.0
feffc000-feffffff : Reserved
fffc0000-ffffffff : Reserved
100000000-13fffffff : System RAM
MAP
printf '%s\n' '00000000-0009ffff : System RAM' '00100000-7fffffff : System RAM' \
  '  20000000-2fffffff : Crash kernel' '  30000000-3fffffff : Crash kernel' \
  'e0000000-efffffff : ACPI Tables' 'f0000000-f00fffff : ACPI Non-volatile Storage' \
  '1000000000-10ffffffff : Persistent Memory' >"$out/iomem/multi-crash"

memmap_host=$out/memmap/host
: >"$memmap_host"
for d in /sys/firmware/memmap/*/; do
  [[ -r $d/start ]] || continue
  printf '%s%s%s\0' "$(cat "$d/start")" $'\n'"$(cat "$d/end")" $'\n'"$(cat "$d/type")" \
    >>"$memmap_host"
done
printf '0x0\n0x9fbff\nSystem RAM\0x9fc00\n0x9ffff\nReserved\0x100000\n0x3ffdffff\nSystem RAM\0x3ffe0000\n0x3fffffff\nReserved\0' \
  >"$out/memmap/qemu-pc"

# -- command lines (argv words separated by NUL; the first word is /proc/cmdline) -----
n=0
cmd() { n=$((n + 1)); printf '%s\0' "$@" | head -c -1 >"$out/cmdline/c$n"; }
cmd 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro crashkernel=256M console=ttyS0,115200' \
  -l /boot/vmlinuz --initrd=/boot/initrd.img --reuse-cmdline --append=quiet
cmd 'root=/dev/vda console=ttyS1' -p /boot/vmlinuz --ramdisk=/i --command-line='irqpoll nr_cpus=1' \
  --elf64-core-headers --serial=ttyS1 --serial-baud=9600 --console-serial -d
cmd '' -s -l k --append='console=ttyS0,57600 "quoted arg" x' --mem-min=16M --mem-max=0x7fffffff
cmd '' -a -p k -i --dry-run --iomem=/proc/iomem --entry-32bit
cmd '' -S -l
cmd '' -u -p -s
cmd '' -e
cmd '' -f k --console-vga --serial=0x2f8
cmd '' -lfp -x --bogus
cmd '' --test-corrupt-digest -l k --dtb=/x.dtb --sysfs=/sys --kcore=/proc/kcore

# -- core header specs (FuzzedDataProvider bytes) ---------------------------------------
for i in 1 2 3 4; do
  head -c $((64 * i)) < <(yes "$((i * 12345))") >"$out/core-header/p$i"
done
printf '\x01\x00\x3e\x00\x02\x00\x10\x00\x00\x00\x00\x00\x04\x00\x00\x01\x00\x00\x00\x00' \
  >"$out/core-header/small"

# -- kdump inputs -----------------------------------------------------------------------
# /proc/kcore: its first 64 KiB hold the ELF header and every program header.
# (Not readable in every container: then the synthetic heads alone.)
head -c 65536 /proc/kcore >"$out/kcore/host" 2>/dev/null && [[ -s $out/kcore/host ]] \
  || rm -f "$out/kcore/host"
"$seedgen" kcore "$out/kcore"
for f in "$out"/iomem/*; do
  { printf '0-3,8,10-11\0'; cat "$f"; } >"$out/kdump-maps/${f##*/}"
done
printf '0\n' >"$out/kdump-maps/one-cpu"

# -- ppc64 --------------------------------------------------------------------------------
"$seedgen" vmlinux "$out/vmlinux"
# QEMU's pseries device tree, as SLOF would hand it to Linux.
if command -v qemu-system-ppc64 >/dev/null; then
  qemu-system-ppc64 -M pseries,dumpdtb="$out/fdt/pseries.dtb" -m 2048 -smp 2 -nographic \
    -display none </dev/null >/dev/null 2>&1 || true
fi
# Only a seedgen built with libfdt knows "fdt".
"$seedgen" fdt "$out/fdt" || echo "seeds.sh: no synthetic fdt seeds (seedgen built without libfdt)"

# -- regressions ----------------------------------------------------------------------------
# Inputs that once crashed or hung a target (host-tests/data/regressions/<target>-*) stay
# in its seeds: the bounded run fails at once if one comes back.
for t in "${targets[@]}"; do
  for f in "$here"/../data/regressions/"$t"-*; do
    [[ -f $f ]] && cp "$f" "$out/$t/regression-${f##*/}"
  done
done

for t in "${targets[@]}"; do
  echo "seeds.sh: $t: $(find "$out/$t" -type f | wc -l) seeds"
done
