#!/usr/bin/env bash
# run-vm.sh ARCH TEST [options] -- one kexkit end-to-end test in QEMU (TCG).
#
#   ARCH   x86_64 | i386 | ppc64le | aarch64
#   TEST   kexec             kexkit -l + -e; the second kernel must boot
#          kexec-bad-digest  the same with --test-corrupt-digest=1: purgatory
#                            must name segment 1 as the plan has it (address,
#                            label, digest) and never start the kernel
#          kexec-shani       kexec under QEMU 10 (bookworm-backports, unpacked
#                            into the cache) with -cpu max: the purgatory must
#                            verify with its SHA-NI path (x86_64)
#          kexec-gzip        kexec of the kernel gzip-compressed, as Ubuntu ships
#                            arm64's vmlinuz (aarch64)
#          kexec-zboot       kexec of the kernel in an EFI zboot container with a
#                            zstd payload, as Fedora's arm64 kernels come (aarch64)
#          kexec-el2         kexec with the kernels entered at EL2 (virt,
#                            virtualization=on; -cpu max has VHE, so the kernels
#                            run at EL2 and so does the purgatory) (aarch64)
#          kexec-el2-nvhe    the same on cortex-a57 (no VHE: the kernels run at EL1
#                            above the hyp stub, whose soft restart enters the
#                            purgatory at EL2, where FP/SIMD is CPTR_EL2's) (aarch64)
#          kdump             kexkit -p, crash, capture kernel reads vmcore
#                            (x86: the core header's ELF class is checked too:
#                            32 on i386, 64 on x86_64 or with --elf64-core-headers)
#          kdump-lmb         kdump on a pseries with a cold-plugged 1 GiB DIMM
#                            (ibm,dynamic-reconfiguration-memory LMBs): the
#                            capture kernel must see no RAM of the DIMM, the
#                            vmcore must cover it (ppc64le)
#          kdump-nothing-lost  kdump, with failed -p and -l loads between the
#                            good ones and the crash: each must leave the
#                            loaded kernels in place
#          kdump-config      kdump, loaded by Debian's kdump-config (kdump-tools,
#                            unmodified) through /sbin/kexec -> kexkit, which
#                            must get --args-linux as on ppc64el (ppc64le)
#          kdump-hotplug     kdump with crash hotplug (Debian 13's 6.12 kernel:
#                            --suite trixie): kexkit -p --hotplug, then QMP
#                            hot-adds a CPU (x86_64: and a DIMM), the guest
#                            onlines them and crashes on the new CPU; the
#                            vmcore must hold the new CPU's note (and a PT_LOAD
#                            at the DIMM), the purgatory must say it left the
#                            rewritten segments unverified (x86_64, ppc64le)
#          kdump-hotplug-control  the same without --hotplug: the vmcore must
#                            show neither (the test above can fail)
#          demo-crash        kexkit -p, the kdump_demo module oopses, the
#                            capture kernel writes the dump to a virtio disk
#                            (left in the work dir as disk.img; scripts/demo
#                            analyses it)
#          smoke             no kexec: the guest tools run (harness check)
#
# Options (each also from the environment):
#   --kexkit PATH      static kexkit for the guest       KEXKIT_E2E_KEXKIT
#                      (default build/bin/kexkit-ARCH-static)
#   --peek PATH        static vmcore-peek for the guest   KEXKIT_E2E_PEEK
#                      (default: built here from vmcore-peek.cc)
#   --loadopts A,B     extra kexkit load options          KK_E2E_LOADOPTS
#   --append TEXT      extra first-kernel command line    KK_E2E_APPEND
#   --crashkernel SZ   crashkernel= for kdump (256M, i386 160M) KK_E2E_CRASHKERNEL
#   --timeout S        bound on the VM run (240)          KK_E2E_TIMEOUT
#   --silence S        bad-digest quiet window (15)       KK_E2E_SILENCE
#   --smp N            guest CPUs (1)                     KK_E2E_SMP
#   --suite SUITE      Debian release of the guest's kernel KK_E2E_SUITE
#                      and makedumpfile (bookworm; bullseye, trixie,
#                      bookworm-backports, trixie-backports: fetch-kernel.sh)
#   --machine M        ppc64le board: pseries (default) or KK_E2E_MACHINE
#                      powernv9 (bare-metal OpenPOWER: skiboot/OPAL firmware,
#                      no hypervisor); aarch64: virt (default) or uefi (virt
#                      with EDK2 and ACPI). The work dir gains the machine's name.
# Also: KK_E2E_WORK (work dirs, default build/e2e), KEXKIT_CACHE (downloads).
#
# Leaves $KK_E2E_WORK/ARCH-TEST/{serial.log,qemu.log,*.cpio.gz}. Prints
# "e2e ARCH TEST: PASS|FAIL (N s)" last; exit 0 on pass, 1 on fail, 2 usage.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=scripts/lib/fetch-kernel.sh
. "$repo/scripts/lib/fetch-kernel.sh"
# shellcheck source=scripts/lib/mkinitramfs.sh
. "$repo/scripts/lib/mkinitramfs.sh"

usage() {
  sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
  exit 2
}

abspath() { [[ $1 == /* ]] && echo "$1" || echo "$PWD/$1"; }

(($# >= 2)) || usage
arch=$1 test=$2
shift 2
kexkit=${KEXKIT_E2E_KEXKIT:-$repo/build/bin/kexkit-$arch-static}
peek=${KEXKIT_E2E_PEEK:-}
loadopts=${KK_E2E_LOADOPTS:-}
extra_append=${KK_E2E_APPEND:-}
# i386 reserves the crash region below 512 MiB, 16 MiB aligned; with KASLR placing the
# kernel anywhere in that window, only a region under half of it always fits (a 256M
# reservation failed now and then: "crashkernel reservation failed - No suitable area").
if [[ $arch == i386 ]]; then
  crashkernel=${KK_E2E_CRASHKERNEL:-160M}
else
  crashkernel=${KK_E2E_CRASHKERNEL:-256M}
fi
timeout=${KK_E2E_TIMEOUT:-240}
silence=${KK_E2E_SILENCE:-15}
smp=${KK_E2E_SMP:-1}
suite=${KK_E2E_SUITE:-bookworm}
machine=${KK_E2E_MACHINE:-}
while (($#)); do
  (($# >= 2)) || usage
  case $1 in
    --kexkit) kexkit=$2 ;;
    --peek) peek=$2 ;;
    --loadopts) loadopts=$2 ;;
    --append) extra_append=$2 ;;
    --crashkernel) crashkernel=$2 ;;
    --timeout) timeout=$2 ;;
    --silence) silence=$2 ;;
    --smp) smp=$2 ;;
    --suite) suite=$2 ;;
    --machine) machine=$2 ;;
    *) usage ;;
  esac
  shift 2
done

case $arch in
  x86_64) qemu=(qemu-system-x86_64 -M pc -cpu qemu64 -m 1024) console=ttyS0 cxx=g++ ;;
  i386) qemu=(qemu-system-i386 -M pc -cpu qemu32 -m 1024) console=ttyS0 cxx=i686-linux-gnu-g++ ;;
  ppc64le | ppc64)
    case ${machine:-pseries} in
      pseries) qemu=(qemu-system-ppc64 -M pseries -cpu power9 -m 2048) ;;
      # skiboot.lid (qemu-system-data) is the machine's default firmware; Linux talks
      # to it through OPAL, its console (hvc0) is OPAL's too, on the LPC UART that
      # -serial captures together with skiboot's own log.
      powernv9) qemu=(qemu-system-ppc64 -M powernv9 -m 2048) ;;
      *) usage ;;
    esac
    console=hvc0
    cxx=powerpc64le-linux-gnu-g++
    [[ $arch == ppc64 ]] && cxx=powerpc64-linux-gnu-g++
    ;;
  # QEMU's virt board, TCG: GICv2 (TCG's default, no ITS whose LPI tables a kexec'd
  # kernel could not keep without EFI), the kernel entered at EL1 with QEMU's device tree
  # in x0 (no firmware, no ACPI), console on the PL011 at 0x09000000. -cpu max, every
  # feature TCG has (SHA-2, VHE, SVE, pointer authentication...), as issue 18 asks, with
  # QEMU's own pointer-authentication algorithm (pauth-impdef=on; QEMU 10 makes it max's
  # default): the architected QARMA took 12 s to the smoke result where impdef and
  # cortex-a57 take 4-6 s. kexec-el2-nvhe runs on cortex-a57, an ARMv8.0 without VHE.
  # lpa2=off: with FEAT_LPA2 Debian 13's kernels run 52-bit virtual addresses on 4 KiB
  # pages, and then 6.12.117 oopses inside kexec_load itself (machine_kexec_post_load ->
  # trans_pgd_create_copy, paging request at 0xffffffffc0000000; 7.3 does not), and
  # trixie's makedumpfile 1.7.6 refuses the dump ("PAGE SIZE 0x1000 and VA Bits 52 not
  # supported"). The arm64 servers distributions run (Neoverse N1/V1/V2) have no LPA2.
  #
  # --machine uefi: the same board with Debian's EDK2 build (qemu-efi-aarch64) as its
  # firmware, which starts the kernel's EFI stub from QEMU's fw_cfg and hands it ACPI
  # (QEMU's virt default): the configuration of real arm64 servers. The kernel's device
  # tree is then the stub's: /chosen with the linux,uefi-* properties and nothing else.
  aarch64)
    qemu=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on,lpa2=off -m 1024)
    case ${machine:-virt} in
      virt) ;;
      uefi)
        # KK_E2E_AARCH64_EFI: another build of the firmware (then nothing is installed).
        [[ -n ${KK_E2E_AARCH64_EFI:-} ]] || kk_need_pkgs qemu-efi-aarch64
        qemu+=(-bios "${KK_E2E_AARCH64_EFI:-/usr/share/qemu-efi-aarch64/QEMU_EFI.fd}")
        ;;
      *) usage ;;
    esac
    console=ttyAMA0
    cxx=aarch64-linux-gnu-g++
    ;;
  *) usage ;;
esac
[[ -z $machine || $arch == ppc64le || $arch == ppc64 || $arch == aarch64 ]] \
  || kk_die "--machine is for ppc64le, ppc64 and aarch64 only"

# What the first kernel is told to do, and which serial lines decide the test.
# Purgatory output is matched at a line start (after an optional CR).
first_test=$test
packed= required=() forbidden=() fail_fast=("KK-RESULT: FAIL")
qemu_extra=() hotplug_cmds=()
case $test in
  kexec)
    required=($'^\r?kexkit purgatory: ' 'KK-SECOND-BOOT marker=@M@' 'KK-RESULT: PASS kexec')
    fail_fast+=($'^\r?kexkit purgatory: sha256 MISMATCH')
    # With several CPUs, the second kernel must bring its secondaries up too (pseries:
    # from the hold loop at 0x60; PowerNV: from OPAL, which the old kernel gave them to).
    if ((smp > 1)); then
      extra_append="kk.cpus=$smp${extra_append:+ $extra_append}"
      required+=('KK-CPUS-OK')
    fi
    # cortex-a57 has the SHA-2 instructions (ID_AA64ISAR0_EL1.SHA2 = 1): the purgatory
    # must hash with them, FP/SIMD turned on for the hash alone.
    [[ $arch == aarch64 ]] && required+=($'^\r?kexkit purgatory: sha256 ok \\(armv8-ce\\)')
    ;;
  kexec-gzip | kexec-zboot)
    [[ $arch == aarch64 ]] || kk_die "$test is aarch64 only"
    first_test=kexec
    packed=${test#kexec-}
    extra_append="kk.kernel=/boot/vmlinuz.$packed${extra_append:+ $extra_append}"
    required=($'^\r?kexkit purgatory: sha256 ok' "KK-INFO kernel /boot/vmlinuz.$packed"
              'KK-SECOND-BOOT marker=@M@' 'KK-RESULT: PASS kexec')
    fail_fast+=($'^\r?kexkit purgatory: sha256 MISMATCH')
    ;;
  kexec-el2 | kexec-el2-nvhe)
    [[ $arch == aarch64 ]] || kk_die "$test is aarch64 only"
    first_test=kexec
    qemu[2]=virt,virtualization=on
    required=($'^\r?kexkit purgatory: sha256 ok \\(armv8-ce\\)' 'KK-EL2-OK'
              'KK-SECOND-BOOT marker=@M@' 'KK-RESULT: PASS kexec')
    fail_fast+=($'^\r?kexkit purgatory: sha256 MISMATCH')
    if [[ $test == kexec-el2 ]]; then
      # -cpu max has VHE: the kernels run at EL2 with HCR_EL2.E2H = 1.
      required+=('kvm \[[0-9]+\]: VHE mode initialized')
    else
      # cortex-a57 (ARMv8.0) has no VHE: the kernels run at EL1 above the hyp stub, whose
      # soft restart enters the purgatory at EL2 with E2H = 0 (FP/SIMD is CPTR_EL2's).
      qemu[4]=cortex-a57
      required+=('kvm \[[0-9]+\]: Hyp mode initialized')
      forbidden+=('VHE mode initialized')
    fi
    ;;
  kexec-shani)
    [[ $arch == x86_64 ]] || kk_die "kexec-shani is x86_64 only"
    first_test=kexec
    # shellcheck source=scripts/lib/fetch-qemu-bpo.sh
    . "$repo/scripts/lib/fetch-qemu-bpo.sh"
    kk_fetch_qemu_bpo
    kk_log "$("$KK_QEMU_BPO" --version | head -n1), -cpu max"
    qemu=("$KK_QEMU_BPO" "${KK_QEMU_BPO_ARGS[@]}" -M pc -accel tcg -cpu max -m 1024)
    required=($'^\r?kexkit purgatory: sha256 ok \\(sha-ni\\)' 'KK-SECOND-BOOT marker=@M@'
              'KK-RESULT: PASS kexec')
    fail_fast+=($'^\r?kexkit purgatory: sha256 MISMATCH')
    ;;
  kexec-bad-digest)
    # Segment 1's digest is corrupted (the initrd on every arch here); --debug prints
    # the plan, whose line for segment 1 the purgatory's mismatch line must match
    # (checked after the run: destination, label, and the digest it got).
    first_test=kexec
    loadopts=--test-corrupt-digest=1,--debug${loadopts:+,$loadopts}
    required=($'^\r?kexkit purgatory: sha256 MISMATCH segment 1 at 0x[0-9a-f]+ \\([a-z]+\\) expected [0-9a-f]{64} got [0-9a-f]{64}')
    forbidden=('KK-INIT stage=second' 'KK-SECOND-BOOT')
    ;;
  kdump | kdump-nothing-lost | kdump-lmb | kdump-config)
    required=($'^\r?kexkit purgatory: ' 'KK-DMESG-OK' 'KK-BACKUP-MARKER-OK' 'KK-RESULT: PASS kdump')
    # The bad loads (a truncated kernel, a 300M initrd, ...) fail on every arch.
    [[ $test == kdump-nothing-lost ]] && required+=('KK-NOTHING-LOST-OK')
    if [[ $test == kdump-config ]]; then
      # Debian's kdump-config loads the capture kernel through /sbin/kexec (kexkit), with
      # --args-linux as on every ppc64el machine (guest-init.sh load_with_kdump_config).
      [[ $arch == ppc64le ]] || kk_die "kdump-config is ppc64le only (x86_64 runs kdump-tools in e2e.x86_64.debian-kdump-tools)"
      required+=('KK-KDUMP-CONFIG-OK')
    fi
    if [[ $test == kdump-lmb ]]; then
      [[ $arch == ppc64le ]] || kk_die "kdump-lmb is ppc64le only"
      [[ ${machine:-pseries} == pseries ]] || kk_die "kdump-lmb is pseries only (DIMMs)"
      first_test=kdump
      # 2 GiB of boot memory (the memory@0 node) and a 1 GiB DIMM at 0x80000000, which
      # the kernel knows only from ibm,dynamic-memory(-v2) as an assigned LMB set.
      qemu[-1]=2048,slots=2,maxmem=4G
      # shellcheck disable=SC2054  # commas inside QEMU option values
      qemu+=(-object memory-backend-ram,id=kkdimm,size=1G -device pc-dimm,id=dimm0,memdev=kkdimm)
      extra_append="kk.ramtop=0x80000000 kk.covers=0x80000000${extra_append:+ $extra_append}"
      required+=('KK-RAMTOP-OK' 'KK-VMCORE-COVERS-OK')
    fi
    case $arch in
      # Big-endian ppc64: the C init (be/init.c) reads /proc/vmcore whole, a big-endian
      # ELF64 core, and finds the first kernel's command line, with the run's marker, in
      # it. No makedumpfile.
      ppc64)
        [[ $test == kdump ]] || kk_die "$test does not run on big-endian ppc64 (kdump does)"
        required=($'^\r?kexkit purgatory: ' 'KK-VMCORE-CLASS=64'
                  'KK-INFO vmcore ELF data=big-endian' 'KK-VMCORE-MARKER-OK'
                  'KK-RESULT: PASS kdump')
        ;;
      ppc64le | aarch64)
        # The marker probe reads the x86 boot command line at 0x20000; pseries
        # keeps it in the FDT, and the 64 KiB backup would not cover it anyway. The
        # backup is checked whole instead: [0x100, 64K) in the dump must be what the
        # first kernel had there ([0, 0x100) is the purgatory head kexec copies in).
        # aarch64 backs nothing up (its capture kernel stays in the crash region): 64 KiB
        # of old memory that does not change before the crash must reach the dump as
        # they were. With QEMU's direct boot that is the first 64 KiB of RAM (QEMU's
        # device tree). Under UEFI that memory is the running kernel's to write, so the
        # guest takes the first 64 KiB of its own text instead (kk.lowmem=ktext).
        if [[ $arch == ppc64le ]]; then
          lowmem=0x100:0xff00
        elif [[ $machine == uefi ]]; then
          lowmem=ktext
        else
          lowmem=0x40000000:0x10000
        fi
        extra_append="kk.peek=none kk.lowmem=$lowmem${extra_append:+ $extra_append}"
        kept=()
        for r in "${required[@]}"; do
          [[ $r == KK-BACKUP-MARKER-OK ]] && r=KK-BACKUP-LOWMEM-OK
          kept+=("$r")
        done
        required=("${kept[@]}")
        ;;
      # The core header's class: on i386 ELF32 while all RAM is below 4 GiB (as here),
      # unless --elf64-core-headers asks for ELF64; x86_64 always ELF64.
      i386)
        if [[ ,$loadopts, == *,--elf64-core-headers,* ]]; then
          required+=('KK-VMCORE-CLASS=64')
        else
          required+=('KK-VMCORE-CLASS=32')
        fi
        ;;
      x86_64) required+=('KK-VMCORE-CLASS=64') ;;
    esac
    ;;
  kdump-hotplug | kdump-hotplug-control)
    [[ $arch == x86_64 || $arch == ppc64le ]] || kk_die "$test is x86_64 and ppc64le only"
    [[ ${machine:-pseries} == pseries ]] || kk_die "$test is pseries only on ppc64le"
    first_test=kdump-hotplug
    required=($'^\r?kexkit purgatory: ' 'KK-DMESG-OK' 'KK-HOTPLUG-DONE' 'KK-RESULT: PASS kdump')
    if [[ $test == kdump-hotplug ]]; then
      loadopts=--hotplug${loadopts:+,$loadopts}
      hotplug_mode=expect
      required+=('KK-CRASH-HOTPLUG=1' 'KK-HOTPLUG-CPU-OK'
                 $'^\r?kexkit purgatory: crash hotplug: elfcorehdr ')
      [[ $arch == x86_64 ]] && required+=('KK-HOTPLUG-DIMM-OK')
    elif [[ $arch == x86_64 ]]; then
      hotplug_mode=control
      required+=('KK-CRASH-HOTPLUG=0' 'KK-HOTPLUG-CONTROL-OK')
    else
      # ppc64le: the capture kernel starts on the CPU that crashed, the new one; the
      # tree loaded before the hot-add has no node for it, so without --hotplug there
      # is no capture kernel at all (it stops before its first line on the console).
      hotplug_mode=control
      required=($'^\r?kexkit purgatory: entering kernel' 'KK-CRASH-HOTPLUG=0' 'KK-HOTPLUG-DONE')
      forbidden=('KK-INIT stage=capture')
      silence=${KK_E2E_SILENCE:-60}
    fi
    # One CPU of four possible, room for DIMMs; the host hot-adds when the guest says
    # KK-HOTPLUG-READY (below). The low-memory marker is not checked: a header the
    # kernel rewrote describes low memory itself, not through kexkit's backup copy.
    smp=1,maxcpus=4
    qemu_extra+=(-qmp "unix:@WORK@/qmp.sock,server=on,wait=off")
    case $arch in
      x86_64)
        smp+=,sockets=4,cores=1,threads=1
        # Linux 6.12 counts QEMU's disabled MADT entries as hot-pluggable CPUs only
        # under a hypervisor it knows [arch/x86/kernel/acpi/boot.c
        # acpi_is_processor_usable]; TCG's CPUID signature is not one. So the guest
        # is a "VMware" guest: no CPUID hypervisor bit, "VMware" in the DMI serial,
        # and QEMU's vmport answering the backdoor's GETVERSION [arch/x86/kernel/cpu/
        # vmware.c]. Otherwise: "Allowing 1 present CPUs plus 0 hotplug CPUs".
        qemu=(qemu-system-x86_64 -M pc -cpu qemu64,-hypervisor
              -smbios type=1,serial=VMware-kexkit -m 1024,slots=2,maxmem=2G)
        hotplug_cmds=(
          '{"execute": "device_add", "arguments": {"driver": "@CPU@", "id": "kkcpu1", "socket-id": 1, "core-id": 0, "thread-id": 0}}'
          '{"execute": "object-add", "arguments": {"qom-type": "memory-backend-ram", "id": "kkmem1", "size": 268435456}}'
          '{"execute": "device_add", "arguments": {"driver": "pc-dimm", "id": "kkdimm1", "memdev": "kkmem1"}}')
        ;;
      ppc64le)
        hotplug_cmds=(
          '{"execute": "device_add", "arguments": {"driver": "@CPU@", "id": "kkcore1", "core-id": 1}}')
        ;;
    esac
    extra_append="kk.peek=none kk.hotplug=$hotplug_mode${extra_append:+ $extra_append}"
    ;;
  demo-crash)
    [[ $arch == x86_64 ]] || kk_die "demo-crash is x86_64 only"
    first_test=demo
    required=($'^\r?kexkit purgatory: ' 'KK-DUMP-WRITTEN' 'KK-RESULT: PASS demo-crash')
    ;;
  smoke) required=('KK-RESULT: PASS smoke') ;;
  *) usage ;;
esac

# Under UEFI the second (or capture) kernel must have found the EFI memory map and ACPI
# again, through the linux,uefi-* properties kexkit kept in its device tree.
if [[ $arch == aarch64 && $machine == uefi && $test != smoke ]]; then
  required+=('KK-FIRMWARE efi=1 acpi=1')
fi

# A kernel newer than the guest's userland (KSUITE+bookworm: kernel-matrix.txt, where
# trixie's ppc64el libc is not served): bookworm's makedumpfile 1.7.2 fails -d 31 on a
# 6.12 ppc64le dump, so the capture kernel reads the dump's log (--dump-dmesg, which
# works and carries what the checks need) and skips the filtered dump; it says so.
if [[ $arch == ppc64le && $suite == *+bookworm && $test == kdump* ]]; then
  extra_append+="${extra_append:+ }kk.makedumpfile=dmesg-only"
fi
# Debian 13's arm64 kernels are built for 52-bit virtual addresses on 4 KiB pages
# (VA_BITS=52 in vmcoreinfo, whatever the CPU runs), which trixie's makedumpfile 1.7.6
# cannot read ("PAGE SIZE 0x1000 and VA Bits 52 not supported", -d 31 and --dump-dmesg
# alike): the capture kernel reads /proc/vmcore whole instead, and checks the 64 KiB
# whose hash the first kernel put on its command line.
if [[ $arch == aarch64 && $suite == trixie* && $test == kdump* ]]; then
  extra_append+="${extra_append:+ }kk.makedumpfile=none"
  for i in "${!required[@]}"; do
    [[ ${required[i]} == KK-DMESG-OK ]] && required[i]=KK-VMCORE-READ-OK
  done
fi

work=$(abspath "${KK_E2E_WORK:-$repo/build/e2e}")/$arch-${machine:+$machine-}$test
[[ $suite == bookworm ]] || work+=-$suite
mkdir -p "$work"
log=$work/serial.log
start=$(date +%s.%N)
# Seconds since $1 (a `date +%s.%N` stamp), one decimal.
elapsed() { awk -v s="$1" -v n="$(date +%s.%N)" 'BEGIN {printf "%.1f", n - s}'; }

result=FAIL
qemu_pid=
finish() {
  local rc=$?
  if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then
    kill "$qemu_pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 "$qemu_pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -9 "$qemu_pid" 2>/dev/null || true
  fi
  if [[ $result != PASS && -s $work/qemu.log ]]; then
    echo "---- $work/qemu.log ----"
    tail -n 20 "$work/qemu.log"
  fi
  if [[ $result != PASS && -s $log ]]; then
    echo "---- last 60 lines of $log ----"
    tail -n 60 "$log" | tr -d '\r'
    echo "---- end of serial log ----"
  fi
  echo "e2e $arch ${machine:+$machine }$test: $result ($(elapsed "$start" | cut -d. -f1) s)"
  if [[ $result == PASS ]]; then exit 0; fi
  ((rc == 0 || rc == 1)) && exit 1
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

# -- inputs ---------------------------------------------------------------
if [[ $test == smoke && ! -e $kexkit ]]; then
  kexkit= # the smoke test runs no kexkit
elif [[ ! -x $kexkit ]]; then
  kk_die "no static kexkit for the guest at $kexkit (build it, or pass --kexkit)"
else
  kexkit=$(abspath "$kexkit")
fi

if [[ $arch == ppc64 ]]; then
  peek=  # the big-endian guest's init reads the dump itself (be/init.c)
elif [[ -z $peek ]]; then
  # Built per arch from source: the guest has no compiler and the project's
  # CMake build only makes the host's. Rebuilt only when the source changes.
  case $arch in
    x86_64) kk_need_pkgs g++ libc6-dev ;;
    i386) kk_need_pkgs g++-i686-linux-gnu ;;
    ppc64le) kk_need_pkgs g++-powerpc64le-linux-gnu ;;
    aarch64) kk_need_pkgs g++-aarch64-linux-gnu ;;
  esac
  peek=$(abspath "${KK_E2E_WORK:-$repo/build/e2e}")/tools/vmcore-peek-$arch
  if [[ ! -x $peek || $here/vmcore-peek.cc -nt $peek ]]; then
    kk_log "building $peek"
    mkdir -p "${peek%/*}"
    "$cxx" -std=c++17 -O2 -Wall -Wextra -static -s -o "$peek.tmp.$$" "$here/vmcore-peek.cc"
    mv "$peek.tmp.$$" "$peek"
  fi
fi
[[ $arch == ppc64 || -x $peek ]] || kk_die "vmcore-peek not executable: $peek"
qmp_tool=
if ((${#hotplug_cmds[@]})); then
  # The host's QMP client (host-tests/e2e/qmp.cc), rebuilt when its source changes.
  kk_need_pkgs g++ libc6-dev
  qmp_tool=$(abspath "${KK_E2E_WORK:-$repo/build/e2e}")/tools/qmp
  if [[ ! -x $qmp_tool || $here/qmp.cc -nt $qmp_tool ]]; then
    mkdir -p "${qmp_tool%/*}"
    g++ -std=c++17 -O2 -Wall -Wextra -o "$qmp_tool.tmp.$$" "$here/qmp.cc"
    mv "$qmp_tool.tmp.$$" "$qmp_tool"
  fi
  rm -f "$work/qmp.sock"
  qemu_extra=("${qemu_extra[@]//@WORK@/$work}")
fi
[[ -z $peek ]] || peek=$(abspath "$peek")

if [[ $arch == ppc64 ]]; then
  # Debian ships no big-endian kernel: built from Debian's linux-source-6.1 (cached).
  [[ $suite == bookworm ]] || kk_die "big-endian ppc64 runs only its own kernel (no --suite)"
  # shellcheck source=scripts/lib/build-kernel-be.sh
  . "$repo/scripts/lib/build-kernel-be.sh"
  kk_build_kernel_be
  KK_KERNEL_IMAGE=$KK_BE_KERNEL KK_KERNEL_VERSION=$KK_BE_KERNEL_VERSION
else
  kk_fetch_kernel "$arch" "$suite"
fi
kk_log "kernel $KK_KERNEL_VERSION ($suite): $KK_KERNEL_IMAGE"
# The kernel's own banner proves which kernel booted: a kernel matrix test cannot pass
# on another release's kernel.
required+=("Linux version ${KK_KERNEL_VERSION//[.+]/[&]} ")
if [[ $arch == ppc64 ]]; then
  kk_mkinitramfs_be "$work" "$here/be/init.c" "$kexkit"
else
kk_mkinitramfs_small "$work/small.cpio.gz" "$here/guest-init.sh" "$peek"
if [[ $test == demo-crash ]]; then
  # shellcheck source=scripts/lib/demo-guest.sh
  . "$repo/scripts/lib/demo-guest.sh"
  kk_demo_guest_prepare "$work"
  cat "$KK_DEMO_SMALL_OVERLAY" >>"$work/small.cpio.gz"
  qemu_extra+=(-drive "file=$KK_DEMO_DISK,if=virtio,format=raw")
fi
kk_mkinitramfs_main "$work/main.cpio.gz" "$work/small.cpio.gz" "$here/guest-init.sh" \
  "$kexkit" "$peek"
fi
[[ $test != demo-crash ]] || cat "$KK_DEMO_MAIN_OVERLAY" >>"$work/main.cpio.gz"
# KK_E2E_MAIN_OVERLAY: one more gzip'd cpio for the first kernel's initramfs (the
# kernel unpacks concatenated archives in order; scripts/bench adds kexec-tools so).
[[ -z ${KK_E2E_MAIN_OVERLAY:-} ]] || cat "$KK_E2E_MAIN_OVERLAY" >>"$work/main.cpio.gz"
if [[ -n ${packed:-} ]]; then
  # The same kernel, packed on the host as distributions ship it (kk_pack_kernel), in
  # one more archive: the guest loads /boot/vmlinuz.gzip or /boot/vmlinuz.zboot.
  rm -rf "$work/packed.stage"
  mkdir -p "$work/packed.stage/boot"
  kk_pack_kernel "$packed" "$KK_KERNEL_IMAGE" "$work/packed.stage/boot/vmlinuz.$packed"
  kk_pack_cpio "$work/packed.stage" "$work/packed.cpio.gz"
  cat "$work/packed.cpio.gz" >>"$work/main.cpio.gz"
fi
if [[ $test == kdump-config ]]; then
  # Debian's kdump-config and its sysctl file, unmodified, with stand-ins for the two
  # things it needs that a busybox system lacks (host-tests/e2e/kdump-config/).
  kk_fetch_kdump_tools "$arch"
  rm -rf "$work/kdump-config.stage"
  mkdir -p "$work/kdump-config.stage/usr/sbin" "$work/kdump-config.stage/etc/kdump" \
    "$work/kdump-config.stage/lib/lsb" "$work/kdump-config.stage/usr/bin"
  cp "$KK_KDUMP_TOOLS_ROOT/usr/sbin/kdump-config" "$work/kdump-config.stage/usr/sbin/"
  cp "$KK_KDUMP_TOOLS_ROOT/etc/kdump/sysctl.conf" "$work/kdump-config.stage/etc/kdump/"
  cp "$here/kdump-config/init-functions" "$work/kdump-config.stage/lib/lsb/"
  cp "$here/kdump-config/file" "$work/kdump-config.stage/usr/bin/"
  kk_pack_cpio "$work/kdump-config.stage" "$work/kdump-config.cpio.gz"
  cat "$work/kdump-config.cpio.gz" >>"$work/main.cpio.gz"
fi

# -- boot -----------------------------------------------------------------
marker=KKM$(date +%s%N | sha256sum | cut -c1-12)
append="console=$console panic=-1 kk.test=$first_test kk.marker=$marker"
[[ $test == kdump* || $test == demo-crash ]] && append+=" crashkernel=$crashkernel"
[[ -n $loadopts ]] && append+=" kk.loadopts=$loadopts"
[[ -n $extra_append ]] && append+=" $extra_append"
for i in "${!required[@]}"; do required[i]=${required[i]//@M@/$marker}; done

: >"$log"
# -no-reboot and the guests' panic=-1 turn any reboot or panic into a QEMU
# exit, so failures end the run at once instead of at the timeout.
"${qemu[@]}" -smp "$smp" -nographic -no-reboot -monitor none -serial "file:$log" \
  -kernel "$KK_KERNEL_IMAGE" -initrd "$work/main.cpio.gz" -append "$append" \
  "${qemu_extra[@]}" </dev/null >"$work/qemu.log" 2>&1 &
qemu_pid=$!
boot_start=$(date +%s.%N)
SECONDS=0 # --timeout bounds the VM run; fetching and packing come before
kk_log "qemu pid $qemu_pid, marker $marker, log $log"
kk_log "cmdline: $append"

seen() { grep -a -q -E -- "$1" "$log"; }

# kdump-hotplug: the CPU type QEMU offers for hot-add (query-hotpluggable-cpus), then
# hotplug_cmds. Replies go to qmp.log.
hot_add() {
  local cpu_type cmds=()
  cpu_type=$("$qmp_tool" "$work/qmp.sock" '{"execute": "query-hotpluggable-cpus"}' \
    2>>"$work/qmp.log" | tee -a "$work/qmp.log" | grep -o '"type": "[^"]*"' | head -n 1 | cut -d'"' -f4)
  [[ -n $cpu_type ]] || return 1
  cmds=("${hotplug_cmds[@]//@CPU@/$cpu_type}")
  kk_log "[$(elapsed "$boot_start") s] QMP hot-add: $cpu_type${cmds[2]:+ and a 256 MiB pc-dimm}"
  "$qmp_tool" "$work/qmp.sock" "${cmds[@]}" >>"$work/qmp.log" 2>&1
}

# Polls the log until every required line is there, a fail-fast or forbidden
# line shows up, QEMU exits, or the time is up. Milestone lines are logged
# once each with the time since QEMU started.
declare -A noted=()
note() {
  [[ -n ${noted[$1]:-} ]] && return 0
  noted[$1]=1
  kk_log "[$(elapsed "$boot_start") s] $1"
}
why=
mismatch_at=
while :; do
  alive=1
  kill -0 "$qemu_pid" 2>/dev/null || alive=0
  for p in 'KK-INIT stage=[a-z]+' "${required[@]}"; do
    while read -r line; do note "$line"; done < <(grep -a -E -- "$p" "$log" | tr -d '\r')
  done
  for p in "${fail_fast[@]}" "${forbidden[@]}"; do
    if seen "$p"; then why="saw '$(grep -a -m1 -E -- "$p" "$log" | tr -d '\r')'"; break 2; fi
  done
  if [[ -n $qmp_tool && -z ${hotplugged:-} ]] && seen 'KK-HOTPLUG-READY'; then
    hotplugged=1
    if ! hot_add; then why="QMP hot-add failed (see $work/qmp.log)"; break; fi
  fi
  missing=()
  for p in "${required[@]}"; do seen "$p" || missing+=("$p"); done
  if ((${#missing[@]} == 0)); then
    if ((${#forbidden[@]} == 0)); then result=PASS; break; fi
    # Negative test: the required line is there; now nothing forbidden may
    # follow for a while (or QEMU stops on its own, which is fine too).
    [[ -n $mismatch_at ]] || mismatch_at=$SECONDS
    if ((SECONDS - mismatch_at >= silence || alive == 0)); then result=PASS; break; fi
  elif ((alive == 0)); then
    why="QEMU exited; missing: ${missing[*]}"
    break
  fi
  if ((SECONDS >= timeout)); then
    why="timed out after $timeout s; missing: ${missing[*]:-none}"
    break
  fi
  sleep 0.5
done
# kexec-bad-digest: the purgatory named segment 1 as the loader's plan has it. The
# plan's digest is the true one: the purgatory must have computed it ("got") and been
# given it with bit 0 flipped ("expected").
if [[ $result == PASS && $test == kexec-bad-digest ]]; then
  read -r _ _ _ _ _ _ _ p_at p_label _ p_expected _ p_got < <(grep -a -m1 -E \
    $'^\r?kexkit purgatory: sha256 MISMATCH segment 1 ' "$log" | tr -d '\r' | tr '()' '  ')
  read -r _ t_at _ _ t_digest t_what < <(grep -a -m1 -E '^1 +0x[0-9a-f]{16} ' "$log" | tr -d '\r')
  case $t_what in
    boot_params) t_label=bootparams ;;
    "device tree") t_label=fdt ;;
    elfcorehdr) t_label=corehdr ;;
    *) t_label=$t_what ;;
  esac
  flipped=$(printf '%02x' $((0x${t_digest:0:2} ^ 1)))${t_digest:2}
  if [[ -z ${t_at:-} ]]; then
    result=FAIL why="no plan line for segment 1 (kexkit --debug)"
  elif ((p_at != t_at)) || [[ $p_label != "$t_label" || $p_got != "$t_digest" ||
                              $p_expected != "$flipped" ]]; then
    result=FAIL
    why="purgatory named segment 1 at $p_at ($p_label) got $p_got expected $p_expected;"
    why+=" the plan has $t_at ($t_what) sha256 $t_digest"
  else
    kk_log "purgatory named segment 1 at $p_at ($p_label), as the plan has it"
  fi
fi
if [[ $result != PASS ]]; then
  echo "e2e $arch ${machine:+$machine }$test: ${why//$'\r?'/}" >&2
  echo "e2e $arch ${machine:+$machine }$test: full serial log kept at $log" >&2
fi
