#!/bin/sh
# /init of the firmware-stub e2e guest: proves Linux came up with the command line the
# stub passed (the marker), then powers off (QEMU runs with -no-reboot).
/bin/busybox mount -t proc proc /proc
for w in $(/bin/busybox cat /proc/cmdline); do
  case $w in kk.marker=*) marker=${w#kk.marker=} ;; esac
done
echo "KK-STUB-LINUX marker=$marker kernel=$(/bin/busybox uname -r)"
/bin/busybox poweroff -f
