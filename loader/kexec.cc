#include "loader/kexec.h"

#include <fcntl.h>
#include <linux/reboot.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "loader/file.h"

namespace kexkit::load {
namespace {

// struct kexec_segment [include/uapi/linux/kexec.h]: native pointer and size_t widths,
// which is why the i386 guest loader is a 32-bit build.
struct KexecSegment {
  const void* buf;
  size_t bufsz;
  const void* mem;
  size_t memsz;
};

constexpr unsigned long kFileOnCrash = 0x2, kFileNoInitramfs = 0x4, kFileUnload = 0x1;

std::string ErrnoText(int err) {
  switch (err) {
    case EPERM:
      return "operation not permitted (need root, or kexec is disabled: "
             "kernel.kexec_load_disabled, lockdown)";
    case EBUSY:
      return "kexec is busy (another load in progress)";
    case ENOSYS:
      return "this kernel has no such kexec system call";
    case EADDRNOTAVAIL:
      return "a segment is outside the memory the kernel allows";
    case EKEYREJECTED:
      return "the kernel rejected the image signature";
    default:
      return std::strerror(err);
  }
}

Result<void> FailErrno(const char* what, int err) {
  auto e = FailIn(what, ErrnoText(err));
  e.error().errnum = err;
  return e;
}

// kexec-tools' ifdown(): every interface but lo and aliases, shapers first.
void IfDown() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  if (struct if_nameindex* ifa = ::if_nameindex()) {
    for (int shaper = 1; shaper >= 0; --shaper) {
      for (struct if_nameindex* i = ifa; i->if_index != 0; ++i) {
        const std::string_view name = i->if_name;
        if (name.starts_with("shaper") != (shaper == 1) || name == "lo" ||
            name.find(':') != std::string_view::npos) {
          continue;
        }
        struct ifreq ifr {};
        std::strncpy(ifr.ifr_name, i->if_name, IFNAMSIZ - 1);
        if (::ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) continue;
        ifr.ifr_flags &= ~IFF_UP;
        ::ioctl(fd, SIOCSIFFLAGS, &ifr);
      }
    }
    ::if_freenameindex(ifa);
  }
  ::close(fd);
}

class SystemKexec final : public KexecSys {
 public:
  Result<void> Load(const LoadPlan& plan) override {
    std::vector<KexecSegment> segs;
    for (const Segment& s : plan.segments) {
      segs.push_back({s.buf.data(), s.buf.size(),
                      reinterpret_cast<const void*>(static_cast<uintptr_t>(s.mem)),
                      static_cast<size_t>(s.memsz)});
    }
    if (::syscall(SYS_kexec_load, static_cast<unsigned long>(plan.entry), segs.size(), segs.data(),
                  plan.flags) != 0) {
      return FailErrno("kexec_load", errno);
    }
    return {};
  }

  Result<void> FileLoad(const std::string& kernel, const std::string& initrd,
                        const std::string& cmdline, bool crash,
                        unsigned long extra_flags) override {
#ifdef SYS_kexec_file_load
    const int kfd = ::open(kernel.c_str(), O_RDONLY | O_CLOEXEC);
    if (kfd < 0) return FailIn(kernel, std::strerror(errno));
    int ifd = -1;
    unsigned long flags = (crash ? kFileOnCrash : 0) | extra_flags;
    if (initrd.empty()) {
      flags |= kFileNoInitramfs;
    } else if ((ifd = ::open(initrd.c_str(), O_RDONLY | O_CLOEXEC)) < 0) {
      const int err = errno;
      ::close(kfd);
      return FailIn(initrd, std::strerror(err));
    }
    const long r =
        ::syscall(SYS_kexec_file_load, kfd, ifd, cmdline.size() + 1, cmdline.c_str(), flags);
    const int err = errno;
    ::close(kfd);
    if (ifd >= 0) ::close(ifd);
    if (r != 0) return FailErrno("kexec_file_load", err);
    return {};
#else
    (void)kernel;
    (void)initrd;
    (void)cmdline;
    (void)crash;
    (void)extra_flags;
    return FailErrno("kexec_file_load", ENOSYS);
#endif
  }

  Result<void> Unload(bool crash, bool file_syscall) override {
    long r;
    if (file_syscall) {
#ifdef SYS_kexec_file_load
      r = ::syscall(SYS_kexec_file_load, -1, -1, 0UL, nullptr,
                    kFileUnload | (crash ? kFileOnCrash : 0));
#else
      return FailErrno("unload (kexec_file_load)", ENOSYS);
#endif
    } else {
      r = ::syscall(SYS_kexec_load, 0UL, 0UL, nullptr, crash ? kKexecOnCrash : 0UL);
    }
    if (r != 0) {
      return FailErrno(file_syscall ? "unload (kexec_file_load)" : "unload (kexec_load)", errno);
    }
    return {};
  }

  Result<bool> IsLoaded(bool crash) override {
    const char* path = crash ? "/sys/kernel/kexec_crash_loaded" : "/sys/kernel/kexec_loaded";
    auto text = ReadTextFile(path);
    if (!text) return std::unexpected(text.error());
    return !text->empty() && (*text)[0] == '1';
  }

  Result<void> Exec(bool sync, bool ifdown) override {
    auto loaded = IsLoaded(false);
    if (loaded && !*loaded) return Fail("no kernel is loaded (load one with -l first)");
    if (sync) ::sync();
    if (ifdown) IfDown();
    ::syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_KEXEC,
              nullptr);
    return FailErrno("reboot(LINUX_REBOOT_CMD_KEXEC)", errno);
  }
};

}  // namespace

std::unique_ptr<KexecSys> MakeSystemKexec() { return std::make_unique<SystemKexec>(); }

}  // namespace kexkit::load
