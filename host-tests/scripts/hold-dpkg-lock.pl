#!/usr/bin/perl
# hold-dpkg-lock.pl SECONDS [LOCKFILE]: holds the system's dpkg frontend lock the way apt and
# dpkg take it (an fcntl write lock on the whole file), prints "locked", sleeps, exits.
# Stands in for apt's daily job holding the lock on a freshly booted machine.
use strict;
use warnings;
use Fcntl qw(F_SETLK F_WRLCK SEEK_SET O_RDWR O_CREAT);
use IO::Handle;
my $seconds = $ARGV[0] // die "usage: hold-dpkg-lock.pl SECONDS [LOCKFILE]\n";
my $file = $ARGV[1] // "/var/lib/dpkg/lock-frontend";
sysopen(my $fh, $file, O_RDWR | O_CREAT, 0640) or die "open $file: $!\n";
# struct flock on x86_64: short l_type, short l_whence, (pad), off_t l_start, off_t l_len,
# pid_t l_pid, (pad).
my $lock = pack("s s x4 q q l x4", F_WRLCK, SEEK_SET, 0, 0, 0);
fcntl($fh, F_SETLK, $lock) or die "lock $file: $!\n";
print "locked\n";
STDOUT->flush;
sleep $seconds;
