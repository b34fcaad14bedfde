#!/bin/sh
# /init of every kexkit e2e guest (busybox ash, POSIX sh). The host runner
# (run-vm.sh) steers it with kernel command line parameters and reads the
# serial console; every line meant for the runner starts with "KK-".
#
#   kk.test=kexec  kk.marker=M   first kernel: kexkit -l, then kexkit -e
#   kk.test=kdump  kk.marker=M   first kernel: kexkit -p, then crash
#   kk.test=smoke                first kernel: check the tools run, no kexec
#   kk.test=shell                first kernel: a shell on the console
#   kk.stage=second kk.marker=M  kernel started by kexkit -e
#   kk.stage=capture kk.expect=M capture kernel started by the crash
#   kk.loadopts=A,B              extra kexkit load options (commas -> spaces)
#   kk.peek=ADDR|none            kdump: where the capture kernel looks for the
#                                marker (default 0x20000, the x86 boot
#                                command line); passed on to the capture kernel
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
  case $(uname -m) in ppc*) CONSOLE=hvc0 ;; *) CONSOLE=ttyS0 ;; esac
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
  set -f
  # shellcheck disable=SC2046  # loadopts must split into words
  run kexkit -l /boot/kernel --initrd=/boot/small.cpio.gz \
    --append="console=$CONSOLE panic=-1 kk.stage=second kk.marker=$MARKER" $(loadopts)
  set +f
  echo "KK-INFO kexec_loaded=$(cat /sys/kernel/kexec_loaded 2>/dev/null)"
  sync
  run kexkit -e
  fail "kexkit -e returned"
}

first_kdump() {
  [ -n "$MARKER" ] || fail "no kk.marker= on the command line"
  peek=$(param kk.peek)
  set -f
  # shellcheck disable=SC2046  # loadopts must split into words
  run kexkit -p /boot/kernel --initrd=/boot/small.cpio.gz \
    --append="console=$CONSOLE irqpoll nr_cpus=1 reset_devices panic=-1 kk.stage=capture kk.expect=$MARKER${peek:+ kk.peek=$peek}" $(loadopts)
  set +f
  loaded=$(cat /sys/kernel/kexec_crash_loaded)
  echo "KK-INFO kexec_crash_loaded=$loaded"
  [ "$loaded" = 1 ] || fail "kexec_crash_loaded is '$loaded' after kexkit -p"
  sync
  echo "KK-RUN: echo c > /proc/sysrq-trigger"
  echo c >/proc/sysrq-trigger
  sleep 10
  fail "still running 10 s after the crash"
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

second() {
  echo "KK-SECOND-BOOT marker=$MARKER"
  echo "KK-RESULT: PASS kexec"
  finish
}

capture() {
  expect=$(param kk.expect)
  bad=
  [ -e /proc/vmcore ] || fail "no /proc/vmcore in the capture kernel"
  echo "KK-INFO vmcore bytes=$(stat -c %s /proc/vmcore)"

  # -l (lzo): /tmp is RAM, and the capture kernel has little of it (an
  # uncompressed -d 31 dump of an idle 1 GiB x86_64 guest is about 90 MB).
  # --message-level 6: common and error messages, no progress bars.
  echo "KK-RUN: makedumpfile -l --message-level 6 -d 31 /proc/vmcore /tmp/dump"
  if makedumpfile -l --message-level 6 -d 31 /proc/vmcore /tmp/dump; then
    echo "KK-INFO dump bytes=$(stat -c %s /tmp/dump)"
    rm -f /tmp/dump # it lives in RAM, which is scarce in the capture kernel
  else
    bad="$bad makedumpfile-d31"
  fi

  echo "KK-RUN: makedumpfile --dump-dmesg /proc/vmcore /tmp/dmesg.txt"
  if makedumpfile --message-level 6 --dump-dmesg /proc/vmcore /tmp/dmesg.txt; then
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

  [ -z "$bad" ] || fail "kdump:$bad"
  echo "KK-RESULT: PASS kdump"
  finish
}

case $STAGE in
  second) second ;;
  capture) capture ;;
  first)
    case $TEST in
      kexec) first_kexec ;;
      kdump) first_kdump ;;
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
