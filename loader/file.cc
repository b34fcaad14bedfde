#include "loader/file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <utility>

namespace kexkit::load {
namespace {

// The SIGBUS guard: the mapped ranges (a kernel, an initrd, a --dtb: a handful) and
// whether a read past a file's end was caught in each. Lock-free, for the handler.
constexpr int kGuardSlots = 16;
struct GuardSlot {
  std::atomic<uintptr_t> start{0}, end{0};
  std::atomic<bool> faulted{false};
};
GuardSlot g_slots[kGuardSlots];
std::atomic<uintptr_t> g_page{4096};
struct sigaction g_previous {};

void OnSigbus(int sig, siginfo_t* info, void* context) {
  const auto a = reinterpret_cast<uintptr_t>(info->si_addr);
  for (GuardSlot& s : g_slots) {
    const uintptr_t lo = s.start.load(), hi = s.end.load();
    if (lo == 0 || a < lo || a >= hi) continue;
    // A page of zeros over the vanished one; the read resumes, the slot is marked.
    const uintptr_t page = a & ~(g_page.load() - 1);
    void* p = ::mmap(reinterpret_cast<void*>(page), g_page.load(), PROT_READ,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (p != MAP_FAILED) {
      s.faulted.store(true);
      return;
    }
    break;
  }
  // Not a guarded mapping: whatever handled SIGBUS before (the default: die), so a
  // real bug still stops kexkit.
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction != nullptr) return g_previous.sa_sigaction(sig, info, context);
  } else if (g_previous.sa_handler != SIG_IGN && g_previous.sa_handler != SIG_DFL &&
             g_previous.sa_handler != nullptr) {
    return g_previous.sa_handler(sig);
  }
  ::signal(SIGBUS, SIG_DFL);  // returning re-runs the access: it faults again and dies
}

void InstallGuard() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_page.store(static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE)));
    struct sigaction sa {};
    sa.sa_sigaction = OnSigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGBUS, &sa, &g_previous);
  });
}

int Guard(const void* data, size_t size) {
  InstallGuard();
  for (int i = 0; i < kGuardSlots; ++i) {
    uintptr_t free = 0;
    if (g_slots[i].start.compare_exchange_strong(free, reinterpret_cast<uintptr_t>(data))) {
      g_slots[i].faulted.store(false);
      g_slots[i].end.store(reinterpret_cast<uintptr_t>(data) + size);
      return i;
    }
  }
  return -1;
}

void Unguard(int slot) {
  if (slot < 0) return;
  g_slots[slot].end.store(0);
  g_slots[slot].start.store(0);
}

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

}  // namespace

Result<MappedFile> MappedFile::Open(const std::string& path, bool allow_empty) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return FailIn(path, std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return FailIn(path, std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return FailIn(path, "is a directory, not a file");
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return FailIn(path, "not a regular file");
  }
  MappedFile f;
  f.path_ = path;
  f.size_ = static_cast<size_t>(st.st_size);
  if (f.size_ == 0) {
    ::close(fd);
    if (!allow_empty) return FailIn(path, "file is empty");
    return f;
  }
  void* p = ::mmap(nullptr, f.size_, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) {
    const int err = errno;
    ::close(fd);
    return FailIn(path, "cannot map: ", std::strerror(err));
  }
  // Sequential: the whole file is hashed once, front to back.
  ::madvise(p, f.size_, MADV_SEQUENTIAL | MADV_WILLNEED);
  f.data_ = static_cast<const uint8_t*>(p);
  f.fd_ = fd;
  f.mtime_ns_ = MtimeNs(st);
  f.guard_ = Guard(p, f.size_);
  return f;
}

Result<void> MappedFile::CheckUnchanged() const {
  if (data_ == nullptr) return {};
  struct stat st {};
  const bool shrank = guard_ >= 0 && g_slots[guard_].faulted.load();
  if (shrank || ::fstat(fd_, &st) != 0 || static_cast<size_t>(st.st_size) != size_ ||
      MtimeNs(st) != mtime_ns_) {
    return FailIn(path_, "changed while kexkit was reading it (",
                  shrank || static_cast<size_t>(st.st_size) < size_ ? "it shrank" : "rewritten",
                  "); nothing was loaded");
  }
  return {};
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    Release();
    path_ = std::move(o.path_);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
    fd_ = std::exchange(o.fd_, -1);
    mtime_ns_ = o.mtime_ns_;
    guard_ = std::exchange(o.guard_, -1);
  }
  return *this;
}

MappedFile::~MappedFile() { Release(); }

void MappedFile::Release() {
  Unguard(std::exchange(guard_, -1));
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
  data_ = nullptr;
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

long MappedFile::Pread(uint8_t* to, size_t n, uint64_t off) const {
  for (;;) {
    const ssize_t r = ::pread(fd_, to, n, static_cast<off_t>(off));
    if (r < 0 && errno == EINTR) continue;
    return static_cast<long>(r);
  }
}

Result<std::string> ReadTextFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return FailIn(path, std::strerror(errno));
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return FailIn(path, std::strerror(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > (64u << 20)) {
      ::close(fd);
      return FailIn(path, "larger than 64 MiB, not a /proc or /sys text file");
    }
  }
  ::close(fd);
  return out;
}

}  // namespace kexkit::load
