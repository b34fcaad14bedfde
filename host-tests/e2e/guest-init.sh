#!/bin/sh
# /init of every kexkit e2e guest (busybox ash, POSIX sh). The host runner
# (run-vm.sh) steers it with kernel command line parameters and reads the
# serial console; every line meant for the runner starts with "KK-".
#
#   kk.test=kexec  kk.marker=M   first kernel: kexkit -l, then kexkit -e
#   kk.kernel=F                  kexec: load F instead of /boot/kernel
#   kk.test=kdump  kk.marker=M   first kernel: kexkit -p, then crash
#   kk.test=kdump-nothing-lost   first kernel: kexkit -p and -l, then failed
#                  kk.marker=M   -p and -l loads that must leave both loaded
#                                kernels in place, then crash (as kdump)
#   kk.test=kdump-config         first kernel: Debian's kdump-config load (through
#                  kk.marker=M   /sbin/kexec -> kexkit), then crash (as kdump)
#   kk.test=kdump-hotplug        first kernel: kexkit -p (kk.loadopts: --hotplug or
#                  kk.marker=M   not), "KK-HOTPLUG-READY", wait for the host to hot-add
#                  kk.hotplug=   a CPU (and on x86 a DIMM) through QMP, online them,
#                    expect|control  log what was added, then crash on the new CPU
#   kk.test=demo                 first kernel: kexkit -p, then the kdump_demo
#                                module oopses (panic_on_oops=1)
#   kk.test=smoke                first kernel: check the tools run, no kexec
#   kk.test=shell                first kernel: a shell on the console
#   kk.stage=second kk.marker=M  kernel started by kexkit -e
#   kk.stage=capture kk.expect=M capture kernel started by the crash
#   kk.stage=capture kk.dump=DEV capture kernel: write the dump to disk DEV
#                                (makedumpfile -F) instead of checking it
#   kk.loadopts=A,B              extra kexkit load options (commas -> spaces)
#   kk.peek=ADDR|none            kdump: where the capture kernel looks for the
#                                marker (default 0x20000, the x86 boot
#                                command line); passed on to the capture kernel
#   kk.lowmem=ADDR:LEN|ktext     kdump: the first kernel hashes [ADDR, ADDR+LEN)
#                                (ktext: the first 64 KiB of its own text)
#                                of its own memory (/proc/kcore) just before the
#                                crash; the capture kernel must find the same bytes
#                                there in /proc/vmcore (ppc64: the backed-up 64 KiB
#                                without the 0x100 bytes kexec overwrites)
#   kk.ramtop=ADDR               kdump: the capture kernel must see no System
#                                RAM at or above ADDR (memory it was told is not
#                                its own); passed on to the capture kernel
#   kk.covers=ADDR               kdump: /proc/vmcore must have ADDR in a PT_LOAD;
#                                passed on to the capture kernel
#   kk.hotplug=expect|control    kdump-hotplug: the capture kernel checks the
#                                vmcore for the hot-added CPU's note and DIMM
#                                (expect: both there; control: neither); passed on
#   kk.makedumpfile=none         kdump: no makedumpfile at all (it cannot read this
#                                kernel's dump): /proc/vmcore is read whole, and the
#                                kk.lowmem hash comes as kk.lowmemsum= (taken before
#                                the load) instead of through the dump's log
#   kk.makedumpfile=dmesg-only   kdump: no -d 31 dump (an older makedumpfile than the
#                                kernel needs); passed on to the capture kernel
#   kk.cpus=N                    kexec: the second kernel must run N CPUs (its
#                                secondaries came up after the hand-over); passed
#                                on to the second kernel
#
# kk.* parameters contain a dot, so the kernel passes them neither as init
# arguments nor as environment: they are read from /proc/cmdline.

PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH

/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
# Applet links need /proc (busybox finds itself through /proc/self/exe).
/bin/busybox --install -s

CMDLINE=$(cat /proc/cmdline)

# Prints the value of the last NAME=value word of the command line.
param() {
  _v=
  for _w in $CMDLINE; do
    case $_w in "$1="*) _v=${_w#*=} ;; esac
  done
  printf '%s' "$_v"
}

STAGE=$(param kk.stage)
TEST=$(param kk.test)
MARKER=$(param kk.marker)
[ -n "$STAGE" ] || STAGE=first
echo "KK-INIT stage=$STAGE"
echo "KK-INFO kernel=$(uname -r) machine=$(uname -m) cmdline=$CMDLINE"

# The console the next kernel should use: the one this kernel was given (the
# last console= is /dev/console), else the platform default.
CONSOLE=$(param console)
if [ -z "$CONSOLE" ]; then
  case $(uname -m) in ppc*) CONSOLE=hvc0 ;; aarch64) CONSOLE=ttyAMA0 ;; *) CONSOLE=ttyS0 ;; esac
fi

finish() {
  sync
  poweroff -f
  # Only reached if poweroff is unavailable: sysrq 'o' powers off too.
  echo o >/proc/sysrq-trigger
  sleep 3600
}

fail() {
  echo "KK-RESULT: FAIL $*"
  finish
}

# Prints a command, runs it, and fails the test if it fails.
run() {
  echo "KK-RUN: $*"
  "$@" || fail "'$*' exited with status $?"
}

# kk.loadopts with commas turned into spaces; callers split it into words
# under `set -f` so that option text is never globbed.
loadopts() {
  param kk.loadopts | tr ',' ' '
}

first_kexec() {
  [ -n "$MARKER" ] || fail "no kk.marker= on the command line"
  cpus=$(param kk.cpus)
  kernel=$(param kk.kernel)
  # kk.kernel=F: the same kernel packed as distributions ship it (run-vm.sh kexec-gzip).
  if [ -n "$kernel" ]; then
    echo "KK-INFO kernel $kernel: $(stat -c %s "$kernel") bytes, /boot/kernel $(stat -c %s /boot/kernel)"
  fi
  kernel=${kernel:-/boot/kernel}
  set -f
  # shellcheck disable=SC2046  # loadopts must split into words
  run kexkit -l "$kernel" --initrd=/boot/small.cpio.gz \
    --append="console=$CONSOLE panic=-1 kk.stage=second kk.marker=$MARKER${cpus:+ kk.cpus=$cpus}" $(loadopts)
  set +f
  echo "KK-INFO kexec_loaded=$(cat /sys/kernel/kexec_loaded 2>/dev/null)"
  sync
  run kexkit -e
  fail "kexkit -e returned"
}

# Hashes kk.lowmem's range $1 (ADDR:LEN) of this kernel's memory (/proc/kcore) into
# $lowmemsum, and says so.
hash_lowmem() {
  lowmemsum=$(vmcore-peek /proc/kcore "${1%%:*}" "${1#*:}" | sha256sum | cut -c1-64)
  echo "KK-INFO lowmem $1 sha256 $lowmemsum"
  [ ${#lowmemsum} = 64 ] || fail "cannot hash $1 of /proc/kcore"
}

first_kdump() {
  [ -n "$MARKER" ] || fail "no kk.marker= on the command line"
  peek=$(param kk.peek)
  ramtop=$(param kk.ramtop)
  covers=$(param kk.covers)
  lowmem=$(param kk.lowmem)
  hotplug=$(param kk.hotplug)
  mdf=$(param kk.makedumpfile)
  grep "System RAM" /proc/iomem | sed 's/^/KK-INFO first kernel: /'
  drconf=/proc/device-tree/ibm,dynamic-reconfiguration-memory
  if [ -d $drconf ]; then
    for p in ibm,lmb-size ibm,dynamic-memory ibm,dynamic-memory-v2; do
      [ -e "$drconf/$p" ] && echo "KK-INFO $p: $(od -An -tx1 -v "$drconf/$p" | tr -s ' \n' ' ' | cut -c1-400)"
    done
  fi
  if [ "$lowmem" = ktext ]; then
    # The first 64 KiB of this kernel's text ("Kernel code" in /proc/iomem).
    start=$(grep -m 1 "Kernel code" /proc/iomem | sed 's/^ *\([0-9a-f]*\)-.*/\1/')
    [ -n "$start" ] || fail "no 'Kernel code' in /proc/iomem"
    lowmem=0x$start:0x10000
  fi
  lowmemsum=
  if [ -n "$lowmem" ] && [ "$mdf" = none ]; then
    # No makedumpfile to read this kernel's log out of the dump: the hash goes on the
    # capture kernel's command line, taken before the load (the load writes only the
    # crash region; the memory hashed does not change before the crash).
    hash_lowmem "$lowmem"
  fi
  set -f
  # The load's wall time, for scripts/bench (kexkit against kexec-tools in this same
  # guest): /proc/uptime has centiseconds, enough for a load of about a second.
  t0=$(cut -d' ' -f1 /proc/uptime)
  capture_cmdline="console=$CONSOLE irqpoll nr_cpus=1 reset_devices panic=-1 kk.stage=capture kk.expect=$MARKER${peek:+ kk.peek=$peek}${ramtop:+ kk.ramtop=$ramtop}${covers:+ kk.covers=$covers}${lowmem:+ kk.lowmem=$lowmem}${lowmemsum:+ kk.lowmemsum=$lowmemsum}${hotplug:+ kk.hotplug=$hotplug}${mdf:+ kk.makedumpfile=$mdf}"
  # A capture kernel that finds the hot-added DIMM in ACPI would online it and run on
  # the old kernel's memory (and refuse to read it as vmcore: "ioremap on RAM"); RHEL's
  # and Fedora's kdump pass acpi_no_memhotplug for that.
  if [ -n "$hotplug" ]; then
    case $(uname -m) in x86_64 | i?86) capture_cmdline="$capture_cmdline acpi_no_memhotplug" ;; esac
  fi
  if [ "$TEST" = kdump-config ]; then
    load_with_kdump_config "$capture_cmdline"
  else
    # shellcheck disable=SC2046  # loadopts must split into words
    run kexkit -p /boot/kernel --initrd=/boot/small.cpio.gz --append="$capture_cmdline" $(loadopts)
  fi
  t1=$(cut -d' ' -f1 /proc/uptime)
  echo "KK-LOAD-TIME $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
  set +f
  loaded=$(cat /sys/kernel/kexec_crash_loaded)
  echo "KK-INFO kexec_crash_loaded=$loaded"
  [ "$loaded" = 1 ] || fail "kexec_crash_loaded is '$loaded' after kexkit -p"
  [ "$TEST" = kdump-nothing-lost ] && nothing_lost
  [ "$TEST" = kdump-hotplug ] && hotplug_and_crash "$hotplug"
  if [ -n "$lowmem" ] && [ -z "$lowmemsum" ]; then
    # Last before the crash. The capture kernel's command line was fixed at load
    # time, so the hash reaches it through this kernel's log, which the dump holds.
    hash_lowmem "$lowmem"
    echo "kk-lowmem $lowmem $lowmemsum" >/dev/kmsg
  fi
  sync
  echo "KK-RUN: echo c > /proc/sysrq-trigger"
  echo c >/proc/sysrq-trigger
  sleep 10
  fail "still running 10 s after the crash"
}

# kk.test=kdump-hotplug, after the load: the kernel's crash hotplug state, then the
# host's hot-add (run-vm.sh waits for KK-HOTPLUG-READY), then the crash on the new CPU.
# What was added reaches the capture kernel through this kernel's log (in the dump).
# $1: expect (loaded with --hotplug) or control (without).
hotplug_and_crash() {
  cpu_state=$(cat /sys/devices/system/cpu/crash_hotplug 2>/dev/null)
  mem_state=$(cat /sys/devices/system/memory/crash_hotplug 2>/dev/null)
  echo "KK-INFO crash_hotplug cpu=$cpu_state memory=$mem_state"
  echo "KK-CRASH-HOTPLUG=$cpu_state"
  ram_before=$(grep "System RAM" /proc/iomem | tr -d ' ')
  cpus_before=$(ls -d /sys/devices/system/cpu/cpu[0-9]* | wc -l)
  want_dimm=
  case $(uname -m) in x86_64 | i?86) want_dimm=1 ;; esac
  echo "KK-HOTPLUG-READY cpus=$cpus_before"
  i=0 newcpu= dimm=
  while [ $i -lt 240 ]; do
    for d in /sys/devices/system/cpu/cpu[0-9]*; do
      [ -e "$d/online" ] || continue
      [ "$(cat "$d/online")" = 0 ] && echo 1 >"$d/online" 2>/dev/null
    done
    for m in /sys/devices/system/memory/memory*; do
      [ "$(cat "$m/state" 2>/dev/null)" = offline ] && echo online >"$m/state" 2>/dev/null
    done
    online=$(grep -c '^processor' /proc/cpuinfo)
    for d in /sys/devices/system/cpu/cpu[1-9]*; do
      [ "$(cat "$d/online" 2>/dev/null)" = 1 ] && newcpu=${d##*/cpu}
    done
    dimm=$(grep "System RAM" /proc/iomem | tr -d ' ' | grep -v -x -F "$ram_before" | head -n 1)
    if [ -n "$newcpu" ] && { [ -z "$want_dimm" ] || [ -n "$dimm" ]; }; then break; fi
    sleep 0.5
    i=$((i + 1))
  done
  [ -n "$newcpu" ] || fail "no hot-added CPU came online"
  [ -z "$want_dimm" ] || [ -n "$dimm" ] || fail "no hot-added memory came online"
  # The kernel's crash hotplug handler runs in the onlining path; give it a moment.
  sleep 1
  dimm=${dimm%%:*}
  echo "KK-INFO hot-added: cpu$newcpu online ($online CPUs)${dimm:+, System RAM $dimm}"
  echo "kk-hotplug cpus=$online dimm=${dimm:-none}" >/dev/kmsg
  echo "KK-HOTPLUG-DONE"
  sync
  # On the new CPU: a ppc64 capture kernel must find the CPU it starts on in its tree.
  echo "KK-RUN: taskset -c $newcpu sh -c 'echo c > /proc/sysrq-trigger'"
  taskset -c "$newcpu" sh -c 'echo c >/proc/sysrq-trigger'
  sleep 10
  fail "still running 10 s after the crash"
}

# kk.test=kdump-config: Debian's kdump-config (kdump-tools), unmodified, loads the
# capture kernel through /sbin/kexec, which is kexkit as in the kexkit-kexec package.
# run-vm.sh adds the script, its sysctl file and stand-ins for lsb's init-functions and
# file(1); file(1) says "ELF" of the ppc64el vmlinux, so kdump-config adds
# --args-linux, as on every ppc64el machine. $1: the capture command line
# (KDUMP_CMDLINE; kdump-config appends its KDUMP_CMDLINE_APPEND defaults).
load_with_kdump_config() {
  mkdir -p /etc/default /var/lib/kdump /var/crash
  ln -sf /bin/kexkit /sbin/kexec
  cat >/etc/default/kdump-tools <<EOF
USE_KDUMP=1
KDUMP_KERNEL=/boot/kernel
KDUMP_INITRD=/boot/small.cpio.gz
KDUMP_CMDLINE="$1"
EOF
  run kdump-config load
  cmd=$(cat /var/crash/kexec_cmd 2>/dev/null)
  echo "KK-INFO kdump-config ran: $cmd"
  case "$cmd " in
    "/sbin/kexec -p "*) ;;
    *) fail "kdump-config did not run '/sbin/kexec -p ...'" ;;
  esac
  case " $cmd " in
    *" --args-linux "*) ;;
    *) fail "kdump-config did not pass --args-linux" ;;
  esac
  state=$(kdump-config status)
  echo "KK-INFO kdump-config status: $state"
  case $state in
    *": ready to kdump"*) echo "KK-KDUMP-CONFIG-OK" ;;
    *) fail "kdump-config status does not say ready to kdump" ;;
  esac
}

# One load that must fail: non-zero exit, one line on stderr, and both
# /sys/kernel/kexec_crash_loaded and kexec_loaded unchanged (the kernel drops
# a loaded image before it checks a new one, so kexkit must never get there).
bad_load() {
  echo "KK-RUN: kexkit $*"
  kexkit "$@" >/dev/null 2>/tmp/bad.err
  st=$?
  lines=$(wc -l </tmp/bad.err)
  sed 's/^/KK-INFO stderr: /' /tmp/bad.err
  crash=$(cat /sys/kernel/kexec_crash_loaded)
  plain=$(cat /sys/kernel/kexec_loaded)
  echo "KK-INFO exit=$st stderr_lines=$lines kexec_crash_loaded=$crash kexec_loaded=$plain"
  [ "$st" != 0 ] || fail "'kexkit $*' succeeded"
  [ "$lines" = 1 ] || fail "'kexkit $*' printed $lines lines on stderr"
  [ "$crash" = 1 ] || fail "the capture kernel was lost by 'kexkit $*'"
  [ "$plain" = 1 ] || fail "the kexec kernel was lost by 'kexkit $*'"
}

# After a good -p: a good -l too, then bad -p and -l loads that fail at
# different stages (kernel, initrd, placement in the crash region).
nothing_lost() {
  run kexkit -l /boot/kernel --initrd=/boot/small.cpio.gz --append="console=$CONSOLE"
  head -c 1000000 /boot/kernel >/tmp/truncated-kernel
  # Sparse: larger than the 256M crash region without using guest RAM.
  dd if=/dev/zero of=/tmp/huge-initrd bs=1M count=0 seek=300 2>/dev/null
  mkdir -p /tmp/a-directory
  bad_load -p /tmp/truncated-kernel --initrd=/boot/small.cpio.gz
  bad_load -p /boot/kernel --initrd=/tmp/huge-initrd
  bad_load -p /boot/small.cpio.gz
  bad_load -p /boot/kernel --initrd=/tmp/no-such-initrd
  bad_load -p /tmp/a-directory
  bad_load -l /tmp/truncated-kernel
  bad_load -l /boot/kernel --initrd=/tmp/a-directory
  echo "KK-NOTHING-LOST-OK"
}

# The kdump demo (run-vm.sh demo-crash adds the module and, for the capture
# kernel, the virtio modules under /lib/kdump-demo).
first_demo() {
  set -f
  # shellcheck disable=SC2046  # loadopts must split into words
  run kexkit -p /boot/kernel --initrd=/boot/small.cpio.gz \
    --append="console=$CONSOLE irqpoll nr_cpus=1 reset_devices panic=-1 kk.stage=capture kk.dump=/dev/vda" $(loadopts)
  set +f
  loaded=$(cat /sys/kernel/kexec_crash_loaded)
  echo "KK-INFO kexec_crash_loaded=$loaded"
  [ "$loaded" = 1 ] || fail "kexec_crash_loaded is '$loaded' after kexkit -p"
  run insmod /lib/kdump-demo/kdump_demo.ko
  run sysctl -w kernel.panic_on_oops=1
  sync
  # From a child, not from init itself: an oops in PID 1 would panic even
  # without panic_on_oops, and the demo is about the real-machine setting.
  echo "KK-RUN: echo 1 > /proc/kdump_demo"
  sh -c 'echo 1 >/proc/kdump_demo'
  sleep 10
  fail "still running 10 s after triggering kdump_demo"
}

first_smoke() {
  bad=
  echo "KK-RUN: makedumpfile -v"
  makedumpfile -v || bad="$bad makedumpfile"
  if [ -x /bin/vmcore-peek ]; then
    # No argument: prints usage and exits 2; any other status means it did not run.
    vmcore-peek >/dev/null 2>&1
    st=$?
    echo "KK-INFO vmcore-peek usage status=$st"
    [ "$st" = 2 ] || bad="$bad vmcore-peek"
  fi
  if [ -e /bin/kexkit ]; then
    echo "KK-INFO kexkit present, $(wc -c </bin/kexkit) bytes"
  fi
  [ -z "$bad" ] || fail "smoke:$bad"
  echo "KK-RESULT: PASS smoke"
  finish
}

# The firmware interfaces this kernel found (arm64 under UEFI: the EFI memory map through
# /chosen linux,uefi-mmap-*, and ACPI); run-vm.sh --machine uefi requires both.
firmware() {
  efi=0
  acpi=0
  [ -d /sys/firmware/efi ] && efi=1
  [ -d /sys/firmware/acpi/tables ] && acpi=1
  echo "KK-FIRMWARE efi=$efi acpi=$acpi"
}

second() {
  firmware
  cpus=$(param kk.cpus)
  if [ -n "$cpus" ]; then
    online=$(grep -c '^processor' /proc/cpuinfo)
    echo "KK-INFO cpus online=$online expected=$cpus"
    [ "$online" = "$cpus" ] || fail "the second kernel runs $online CPUs, not $cpus"
    echo "KK-CPUS-OK"
  fi
  # arm64 logs the exception level its CPUs entered at; run-vm.sh kexec-el2 requires EL2
  # in the second kernel, which the purgatory entered at EL2.
  if dmesg | grep -q "CPU: All CPU(s) started at EL2"; then echo "KK-EL2-OK"; fi
  echo "KK-SECOND-BOOT marker=$MARKER"
  echo "KK-RESULT: PASS kexec"
  finish
}

capture() {
  firmware
  expect=$(param kk.expect)
  bad=
  [ -e /proc/vmcore ] || fail "no /proc/vmcore in the capture kernel"
  echo "KK-INFO vmcore bytes=$(stat -c %s /proc/vmcore)"
  # The core header's class (e_ident[EI_CLASS]: 1 ELF32, 2 ELF64).
  case $(dd if=/proc/vmcore bs=1 skip=4 count=1 2>/dev/null | od -An -tu1 | tr -d ' ') in
    1) echo "KK-VMCORE-CLASS=32" ;;
    2) echo "KK-VMCORE-CLASS=64" ;;
    *) bad="$bad vmcore-class" ;;
  esac

  # -l (lzo): /tmp is RAM, and the capture kernel has little of it (an
  # uncompressed -d 31 dump of an idle 1 GiB x86_64 guest is about 90 MB).
  # --message-level 6: common and error messages, no progress bars.
  mdf=$(param kk.makedumpfile)
  if [ "$mdf" = none ]; then
    # This makedumpfile cannot read this kernel's dump at all: read /proc/vmcore whole
    # instead and find the first kernel's log lines in it (the printk ring keeps them
    # as text), the crash and kk-lowmem's hash, into /tmp/dmesg.txt for the checks below.
    echo "KK-INFO makedumpfile skipped (kk.makedumpfile=none)"
    echo "KK-RUN: dd if=/proc/vmcore of=/dev/null bs=1M"
    # Every byte the core header maps must read back (no makedumpfile to do it).
    if got=$(dd if=/proc/vmcore of=/dev/null bs=1M 2>&1); then
      echo "KK-VMCORE-READ-OK $(echo "$got" | tail -n 1)"
    else
      bad="$bad vmcore-unreadable"
    fi
  elif [ "$mdf" = dmesg-only ]; then
    echo "KK-INFO makedumpfile -d 31 skipped (kk.makedumpfile=dmesg-only)"
  elif echo "KK-RUN: makedumpfile -l --message-level 6 -d 31 /proc/vmcore /tmp/dump" && makedumpfile -l --message-level 6 -d 31 /proc/vmcore /tmp/dump; then
    echo "KK-INFO dump bytes=$(stat -c %s /tmp/dump)"
    rm -f /tmp/dump # it lives in RAM, which is scarce in the capture kernel
  else
    bad="$bad makedumpfile-d31"
  fi

  if [ "$mdf" = none ]; then
    :
  elif echo "KK-RUN: makedumpfile --dump-dmesg /proc/vmcore /tmp/dmesg.txt" \
    && makedumpfile --message-level 6 --dump-dmesg /proc/vmcore /tmp/dmesg.txt; then
    if grep -q "sysrq: Trigger a crash" /tmp/dmesg.txt; then
      echo "KK-DMESG-OK"
    else
      bad="$bad dmesg-without-crash"
    fi
    tail -n 15 /tmp/dmesg.txt | sed 's/^/KK-DMESG: /'
  else
    bad="$bad makedumpfile-dmesg"
  fi

  # Under QEMU -kernel on x86 the first kernel's command line (with the
  # marker) sat at 0x20000; it is visible in /proc/vmcore only if purgatory
  # backed up low memory. (On pseries it lives in the FDT, elsewhere.)
  peek=$(param kk.peek)
  [ -n "$peek" ] || peek=0x20000
  if [ "$peek" = none ]; then
    echo "KK-INFO backup marker check skipped (kk.peek=none)"
  elif [ -z "$expect" ]; then
    bad="$bad no-kk.expect"
  elif echo "KK-RUN: vmcore-peek /proc/vmcore $peek 4096" \
    && vmcore-peek /proc/vmcore "$peek" 4096 >/tmp/peek.bin; then
    if grep -a -q "$expect" /tmp/peek.bin; then
      echo "KK-BACKUP-MARKER-OK"
    else
      echo "KK-INFO $peek holds: $(strings /tmp/peek.bin | head -n 3 | tr '\n' ' ')"
      bad="$bad marker-not-at-$peek"
    fi
  else
    vmcore-peek --list /proc/vmcore | sed 's/^/KK-INFO /'
    bad="$bad vmcore-peek"
  fi

  # kk.lowmem: the first kernel logged its hash to the kernel log, which the dump holds,
  # or (kk.makedumpfile=none) put it on this kernel's command line as kk.lowmemsum.
  if [ -n "$(param kk.lowmemsum)" ]; then
    set -- kk-lowmem "$(param kk.lowmem)" "$(param kk.lowmemsum)"
  elif [ -n "$(param kk.lowmem)" ]; then
    # shellcheck disable=SC2046  # the log line splits into its three words
    set -- $(grep -o "kk-lowmem [^ ]* [0-9a-f]*" /tmp/dmesg.txt 2>/dev/null | tail -n 1)
  fi
  if [ -n "$(param kk.lowmem)" ]; then
    if [ $# != 3 ]; then
      bad="$bad no-lowmem-hash-in-dmesg"
    else
      now=$(vmcore-peek /proc/vmcore "${2%%:*}" "${2#*:}" | sha256sum | cut -c1-64)
      echo "KK-INFO lowmem $2 before $3 vmcore $now"
      if [ "$now" = "$3" ]; then echo "KK-BACKUP-LOWMEM-OK"; else bad="$bad lowmem-differs"; fi
    fi
  fi

  ramtop=$(param kk.ramtop)
  if [ -n "$ramtop" ]; then
    grep "System RAM" /proc/iomem | sed 's/^/KK-INFO capture kernel: /'
    over=
    # /proc/iomem: "start-end : System RAM", hex without 0x; end is inclusive.
    for end in $(grep "System RAM" /proc/iomem | sed 's/^ *[0-9a-f]*-\([0-9a-f]*\) .*/\1/'); do
      [ $((0x$end)) -lt $((ramtop)) ] || over="$over 0x$end"
    done
    if [ -n "$over" ]; then
      bad="$bad ram-beyond-$ramtop:$over"
    else
      echo "KK-RAMTOP-OK"
    fi
  fi
  covers=$(param kk.covers)
  if [ -n "$covers" ]; then
    echo "KK-RUN: vmcore-peek /proc/vmcore $covers 16"
    if vmcore-peek /proc/vmcore "$covers" 16 >/dev/null; then
      echo "KK-VMCORE-COVERS-OK"
    else
      vmcore-peek --list /proc/vmcore | sed 's/^/KK-INFO /'
      bad="$bad vmcore-misses-$covers"
    fi
  fi

  hotplug=$(param kk.hotplug)
  [ -n "$hotplug" ] && bad="$bad$(capture_hotplug "$hotplug")"

  [ -z "$bad" ] || fail "kdump:$bad"
  echo "KK-RESULT: PASS kdump"
  finish
}

# kk.hotplug: what the first kernel logged it hot-added ("kk-hotplug cpus=N dimm=S-E")
# against the vmcore: N CPU notes (one per CPU online at the crash) and a PT_LOAD at
# the DIMM. expect: both; control (no --hotplug, no reload): neither. Prints the words
# to add to $bad.
capture_hotplug() {
  line=$(grep -o "kk-hotplug cpus=[0-9]* dimm=[^ ]*" /tmp/dmesg.txt 2>/dev/null | tail -n 1)
  [ -n "$line" ] || { echo " no-kk-hotplug-in-dmesg"; return; }
  cpus=${line#*cpus=}
  cpus=${cpus%% *}
  dimm=${line#*dimm=}
  notes=$(vmcore-peek --notes /proc/vmcore | sed -n 's/^NT_PRSTATUS //p')
  echo "KK-INFO hotplug: first kernel had $cpus CPUs online, dimm $dimm; vmcore has ${notes:-no} CPU notes" >&2
  cpu_in=0
  [ "${notes:-0}" -ge "$cpus" ] && cpu_in=1
  dimm_in=
  if [ "$dimm" != none ]; then
    dimm_in=0
    vmcore-peek /proc/vmcore "0x${dimm%-*}" 16 >/dev/null 2>/tmp/peek.err && dimm_in=1
    sed 's/^/KK-INFO /' /tmp/peek.err >&2
    vmcore-peek --list /proc/vmcore | sed 's/^/KK-INFO /' >&2
  fi
  case $1 in
    expect)
      if [ $cpu_in = 1 ]; then echo "KK-HOTPLUG-CPU-OK" >&2; else echo " cpu-note-missing"; fi
      if [ "$dimm_in" = 1 ]; then
        echo "KK-HOTPLUG-DIMM-OK" >&2
      elif [ "$dimm_in" = 0 ]; then
        echo " dimm-not-in-vmcore"
      fi
      ;;
    control)
      if [ $cpu_in = 0 ] && [ "${dimm_in:-0}" = 0 ]; then
        echo "KK-HOTPLUG-CONTROL-OK" >&2
      else
        echo " control-saw-hotplug:cpu=$cpu_in,dimm=${dimm_in:-none}"
      fi
      ;;
    *) echo " bad-kk.hotplug=$1" ;;
  esac
}

# Capture kernel of the demo: the virtio disk modules in their load order,
# then the dump in makedumpfile's flattened format, which needs no file
# system: the host turns it back into a dump with makedumpfile -R.
capture_dump() {
  dev=$1
  [ -e /proc/vmcore ] || fail "no /proc/vmcore in the capture kernel"
  echo "KK-INFO vmcore bytes=$(stat -c %s /proc/vmcore)"
  while read -r m; do
    run insmod "/lib/kdump-demo/virtio/$m.ko"
  done </lib/kdump-demo/virtio/order
  i=0
  while [ ! -b "$dev" ] && [ $i -lt 20 ]; do
    sleep 1
    i=$((i + 1))
  done
  [ -b "$dev" ] || fail "no block device $dev after loading the virtio modules"
  echo "KK-RUN: makedumpfile -F -c -d 31 /proc/vmcore > $dev"
  makedumpfile -F -c -d 31 --message-level 6 /proc/vmcore >"$dev" \
    || fail "makedumpfile -F -c -d 31 exited with status $?"
  sync
  echo "KK-DUMP-WRITTEN dev=$dev"
  echo "KK-RESULT: PASS demo-crash"
  finish
}

case $STAGE in
  second) second ;;
  capture)
    dump=$(param kk.dump)
    if [ -n "$dump" ]; then capture_dump "$dump"; else capture; fi
    ;;
  first)
    case $TEST in
      kexec) first_kexec ;;
      kdump | kdump-nothing-lost | kdump-config | kdump-hotplug) first_kdump ;;
      demo) first_demo ;;
      smoke) first_smoke ;;
      shell)
        setsid cttyhack sh
        finish
        ;;
      *) fail "unknown or missing kk.test='$TEST'" ;;
    esac
    ;;
  *) fail "unknown kk.stage='$STAGE'" ;;
esac
