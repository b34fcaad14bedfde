// /init of the big-endian ppc64 e2e guest: Debian has no big-endian userland (no
// busybox), so this one static C program does what guest-init.sh does for the cases the
// big-endian tests run, with the same "KK-" lines for run-vm.sh:
//
//   kk.test=kexec  kk.marker=M   first kernel: kexkit -l, then kexkit -e
//   kk.test=kdump  kk.marker=M   first kernel: kexkit -p, then crash (sysrq c)
//   kk.stage=second kk.marker=M  kernel started by kexkit -e: says the marker
//   kk.stage=capture kk.expect=M capture kernel: reads /proc/vmcore whole and finds
//                                the first kernel's command line (with M) in it
//   kk.loadopts=A,B              extra kexkit load options (commas -> words)
//
// Built with powerpc64-linux-gnu-gcc -static (glibc's libc.a from Debian's cross
// packages). The guest's files: /init, /bin/kexkit, /boot/kernel (vmlinux) and
// /boot/small.cpio.gz (this init alone: the next kernel's initramfs).
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static char cmdline[4096];

static void finish(void) {
  sync();
  reboot(RB_POWER_OFF);
  for (;;) pause();
}

static void fail(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("KK-RESULT: FAIL ");
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  fflush(stdout);
  finish();
}

// The value of the last NAME=value word of the command line, or "" (into out).
static const char* param(const char* name, char* out, size_t len) {
  size_t n = strlen(name);
  out[0] = '\0';
  for (const char* p = cmdline; *p != '\0';) {
    while (*p == ' ' || *p == '\n') p++;
    const char* end = p;
    while (*end != '\0' && *end != ' ' && *end != '\n') end++;
    if ((size_t)(end - p) > n && strncmp(p, name, n) == 0 && p[n] == '=') {
      size_t v = (size_t)(end - p) - n - 1;
      if (v >= len) v = len - 1;
      memcpy(out, p + n + 1, v);
      out[v] = '\0';
    }
    p = end;
  }
  return out;
}

// Runs argv (NULL-terminated), printed first as "KK-RUN: ..."; fails the test unless
// it exits 0.
static void run(char* const argv[]) {
  printf("KK-RUN:");
  for (int i = 0; argv[i] != NULL; i++) printf(" %s", argv[i]);
  printf("\n");
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) fail("fork: %s", strerror(errno));
  if (pid == 0) {
    execv(argv[0], argv);
    printf("KK-INFO exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    fail("'%s %s' exited with status %d", argv[0], argv[1],
         WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
  }
}

// kexkit MODE /boot/kernel --initrd=/boot/small.cpio.gz --append=APPEND [kk.loadopts].
static void load(const char* mode, const char* append) {
  static char opts[1024], app[2048];
  char* argv[32];
  int n = 0;
  argv[n++] = "/bin/kexkit";
  argv[n++] = (char*)mode;
  argv[n++] = "/boot/kernel";
  argv[n++] = "--initrd=/boot/small.cpio.gz";
  snprintf(app, sizeof app, "--append=%s", append);
  argv[n++] = app;
  param("kk.loadopts", opts, sizeof opts);
  for (char* tok = strtok(opts, ","); tok != NULL && n < 31; tok = strtok(NULL, ",")) {
    argv[n++] = tok;
  }
  argv[n] = NULL;
  run(argv);
}

static void first_kexec(const char* console, const char* marker) {
  char append[512];
  snprintf(append, sizeof append, "console=%s panic=-1 kk.stage=second kk.marker=%s", console,
           marker);
  load("-l", append);
  char* exec_argv[] = {"/bin/kexkit", "-e", NULL};
  sync();
  run(exec_argv);
  fail("kexkit -e returned");
}

static void first_kdump(const char* console, const char* marker) {
  char append[512], radix[16];
  param("disable_radix", radix, sizeof radix);
  snprintf(append, sizeof append,
           "console=%s panic=-1 nr_cpus=1 reset_devices kk.stage=capture kk.expect=%s%s%s",
           console, marker, radix[0] != '\0' ? " disable_radix=" : "", radix);
  load("-p", append);
  char loaded[8] = "";
  int fd = open("/sys/kernel/kexec_crash_loaded", O_RDONLY);
  if (fd >= 0) {
    ssize_t got = read(fd, loaded, sizeof loaded - 1);
    if (got > 0) loaded[got] = '\0';
    close(fd);
  }
  printf("KK-INFO kexec_crash_loaded=%c\n", loaded[0] != '\0' ? loaded[0] : '?');
  if (loaded[0] != '1') fail("kexec_crash_loaded is not 1 after kexkit -p");
  printf("KK-RUN: echo c > /proc/sysrq-trigger\n");
  fflush(stdout);
  sync();
  fd = open("/proc/sysrq-trigger", O_WRONLY);
  if (fd < 0 || write(fd, "c", 1) != 1) fail("cannot write /proc/sysrq-trigger");
  sleep(10);
  fail("still running 10 s after the crash");
}

static unsigned long long get(const unsigned char* p, int n, int big) {
  unsigned long long v = 0;
  for (int i = 0; i < n; i++) v |= (unsigned long long)p[big ? i : n - 1 - i] << (8 * (n - 1 - i));
  return v;
}

// Says which PT_LOAD of the ELF64 core header holds file offset `at` (for a failed read).
static void where(int fd, unsigned long long at) {
  unsigned char eh[64], ph[56];
  if (pread(fd, eh, sizeof eh, 0) != (ssize_t)sizeof eh || eh[4] != 2) return;
  const int big = eh[5] == 2;
  const unsigned long long phoff = get(eh + 32, 8, big);
  const unsigned n = (unsigned)get(eh + 56, 2, big);
  for (unsigned i = 0; i < n; i++) {
    if (pread(fd, ph, sizeof ph, (off_t)(phoff + 56ull * i)) != (ssize_t)sizeof ph) return;
    const unsigned long long off = get(ph + 8, 8, big), paddr = get(ph + 24, 8, big);
    const unsigned long long filesz = get(ph + 32, 8, big);
    if (get(ph, 4, big) == 1 && at >= off && at - off < filesz) {
      printf("KK-INFO offset %llu is in PT_LOAD %u: paddr 0x%llx size 0x%llx, at paddr 0x%llx\n",
             at, i, paddr, filesz, paddr + (at - off));
    }
  }
}

// The capture kernel: /proc/vmcore read whole, in 1 MiB blocks, searched for
// "kk.marker=M" (the first kernel's command line, which its memory holds).
static void capture(const char* expect) {
  if (expect[0] == '\0') fail("no kk.expect= on the command line");
  char needle[128];
  int nlen = snprintf(needle, sizeof needle, "kk.marker=%s", expect);
  int fd = open("/proc/vmcore", O_RDONLY);
  if (fd < 0) fail("cannot open /proc/vmcore: %s", strerror(errno));
  unsigned char ident[6];
  if (pread(fd, ident, sizeof ident, 0) != (ssize_t)sizeof ident ||
      memcmp(ident, "\177ELF", 4) != 0) {
    fail("/proc/vmcore does not start with an ELF header");
  }
  printf("KK-VMCORE-CLASS=%d\n", ident[4] == 2 ? 64 : 32);
  printf("KK-INFO vmcore ELF data=%s\n", ident[5] == 2 ? "big-endian" : "little-endian");
  enum { kBlock = 1 << 20 };
  static unsigned char buf[kBlock + 128];
  size_t keep = 0;
  unsigned long long total = 0, found = 0;
  for (;;) {
    ssize_t got = read(fd, buf + keep, kBlock);
    if (got < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      where(fd, total);
      fail("read /proc/vmcore at %llu: %s", total, strerror(e));
    }
    if (got == 0) break;
    size_t have = keep + (size_t)got;
    for (size_t i = 0; i + (size_t)nlen <= have; i++) {
      if (buf[i] == 'k' && memcmp(buf + i, needle, (size_t)nlen) == 0) {
        if (found == 0) printf("KK-INFO marker at vmcore offset %llu\n", total - keep + i);
        found++;
      }
    }
    total += (unsigned long long)got;
    keep = have < (size_t)nlen - 1 ? have : (size_t)nlen - 1;
    memmove(buf, buf + have - keep, keep);
  }
  close(fd);
  printf("KK-INFO vmcore bytes=%llu read whole, marker found %llu times\n", total, found);
  if (found == 0) fail("kdump: no %s in /proc/vmcore", needle);
  printf("KK-VMCORE-MARKER-OK\n");
  printf("KK-RESULT: PASS kdump\n");
  finish();
}

int main(void) {
  mount("proc", "/proc", "proc", 0, NULL);
  mount("sysfs", "/sys", "sysfs", 0, NULL);
  mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
  int con = open("/dev/console", O_RDWR);
  if (con >= 0) {
    dup2(con, 1);
    dup2(con, 2);
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  int fd = open("/proc/cmdline", O_RDONLY);
  if (fd >= 0) {
    ssize_t got = read(fd, cmdline, sizeof cmdline - 1);
    if (got > 0) cmdline[got] = '\0';
    close(fd);
  }
  char* nl = strchr(cmdline, '\n');
  if (nl != NULL) *nl = '\0';

  char stage[32], test[32], marker[64], expect[64], console[32];
  param("kk.stage", stage, sizeof stage);
  param("kk.test", test, sizeof test);
  param("kk.marker", marker, sizeof marker);
  param("kk.expect", expect, sizeof expect);
  param("console", console, sizeof console);
  if (stage[0] == '\0') strcpy(stage, "first");
  if (console[0] == '\0') strcpy(console, "hvc0");
  struct utsname u;
  uname(&u);
  printf("KK-INIT stage=%s\n", stage);
  printf("KK-INFO kernel=%s machine=%s cmdline=%s\n", u.release, u.machine, cmdline);

  if (strcmp(stage, "second") == 0) {
    printf("KK-SECOND-BOOT marker=%s\n", marker);
    printf("KK-RESULT: PASS kexec\n");
    finish();
  }
  if (strcmp(stage, "capture") == 0) capture(expect);
  if (strcmp(stage, "first") != 0) fail("unknown kk.stage='%s'", stage);
  if (marker[0] == '\0') fail("no kk.marker= on the command line");
  if (strcmp(test, "kexec") == 0) first_kexec(console, marker);
  if (strcmp(test, "kdump") == 0) first_kdump(console, marker);
  if (strcmp(test, "smoke") == 0) {
    printf("KK-RESULT: PASS smoke\n");
    finish();
  }
  fail("unknown or missing kk.test='%s'", test);
  return 0;
}
