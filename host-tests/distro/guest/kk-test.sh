#!/bin/sh
# kk-test.sh: kexkit's distro e2e test inside the Debian image (host-tests/distro).
#
#   kk-test.sh --install PKG...  in the image build (mmdebstrap's chroot): fstab,
#                          initramfs module list, then PKG... and kexkit's DEBs
#                          (/tmp/debs), the test unit
#   kk-test.sh             at boot (kk-test.service), by the kernel command line:
#     kk.test=kdump-tools      report kdump-config status and kdump-tools' journal,
#                              then crash (sysrq-c); kdump-tools' own capture path
#                              saves the dump and reboots
#     kk.test=systemctl-kexec  kexec -l the running kernel with kk.second=<marker>,
#                              then `systemctl kexec`; the second boot reports the
#                              marker it got and powers off
# Every line the host checks starts with "KK-".
set -u

if [ "${1:-}" = --install ]; then
  # --install PKG...: in mmdebstrap's chroot; kexkit's DEBs are in /tmp/debs.
  set -e
  shift
  echo 'LABEL=kkroot / ext4 defaults 0 1' >/etc/fstab
  echo kk-debian >/etc/hostname
  # Both initramfs images (the system's and kdump-tools') with the VM's disk drivers
  # only, set before the kernel is installed so that each is made once: kdump-tools
  # would otherwise switch MODULES=most to MODULES=dep, which reads the build host's
  # devices inside this chroot.
  echo MODULES=list >/etc/initramfs-tools/conf.d/kk-modules
  printf '%s\n' virtio_pci virtio_blk ext4 >>/etc/initramfs-tools/modules
  echo "kdump-tools kdump-tools/use_kdump boolean true" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "$@" /tmp/debs/*.deb
  if [ "$(dpkg-query -W -f='${db:Status-Status}' kexec-tools 2>/dev/null)" = installed ]; then
    echo "kk-test.sh: kexec-tools got installed; kexkit's package must provide it" >&2
    exit 1
  fi
  for v in $(ls /lib/modules); do
    [ -e "/var/lib/kdump/initrd.img-$v" ] || /etc/kernel/postinst.d/kdump-tools "$v"
  done
  install -m 0755 /tmp/kk-test.sh /usr/local/sbin/kk-test.sh
  install -m 0644 /tmp/kk-test.service /etc/systemd/system/kk-test.service
  systemctl enable kk-test.service
  # No login prompt on the serial console: it would only add noise to the log.
  systemctl mask serial-getty@ttyS0.service getty@tty1.service
  apt-get clean
  exit 0
fi

arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | head -n 1; }
say() { echo "$*" >/dev/console; echo "$*"; }
test=$(arg kk.test)
marker=$(arg kk.marker)

case $test in
  kdump-tools)
    if [ -e /proc/vmcore ]; then say "KK-UNEXPECTED: kk-test ran in the capture kernel"; exit 1; fi
    # What kdump-config runs as /sbin/kexec: its real path, then the packages that own
    # /usr/sbin/kexec and that real file.
    real=$(readlink -f /sbin/kexec)
    say "KK-KEXEC-PATH $real $(dpkg -S /usr/sbin/kexec 2>/dev/null | cut -d: -f1) $(dpkg -S "$real" 2>/dev/null | cut -d: -f1)"
    kdump-config status 2>&1 | sed 's/^/KK-STATUS: /' >/dev/console
    journalctl -b --no-pager -o cat -u kdump-tools.service 2>&1 | sed 's/^/KK-JOURNAL: /' >/dev/console
    say "KK-CRASH-LOADED $(cat /sys/kernel/kexec_crash_loaded)"
    say "KK-CRASHING marker=$marker"
    # Into the kernel log too, so the dump's `log` shows this run's marker.
    echo "KK-CRASHING marker=$marker" >/dev/kmsg
    sync
    echo c >/proc/sysrq-trigger
    ;;
  systemctl-kexec)
    second=$(arg kk.second)
    if [ -n "$second" ]; then
      say "KK-SECOND-BOOT marker=$second"
      systemctl poweroff
      exit 0
    fi
    v=$(uname -r)
    if kexec -l "/boot/vmlinuz-$v" --initrd="/boot/initrd.img-$v" --reuse-cmdline \
        --append="kk.second=$marker"; then
      say "KK-KEXEC-LOADED $(cat /sys/kernel/kexec_loaded)"
      systemctl kexec
    else
      say "KK-KEXEC-LOAD-FAILED"
    fi
    ;;
  *) say "KK-UNKNOWN-TEST $test" ;;
esac
