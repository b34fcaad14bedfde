#include "loader/file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace kexkit::load {

Result<MappedFile> MappedFile::Open(const std::string& path, bool allow_empty) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail("%s: %s", path.c_str(), std::strerror(errno));
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Fail("%s: %s", path.c_str(), std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Fail("%s: is a directory, not a file", path.c_str());
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Fail("%s: not a regular file", path.c_str());
  }
  MappedFile f;
  f.path_ = path;
  f.size_ = static_cast<size_t>(st.st_size);
  if (f.size_ == 0) {
    ::close(fd);
    if (!allow_empty) return Fail("%s: file is empty", path.c_str());
    return f;
  }
  void* p = ::mmap(nullptr, f.size_, PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  if (p == MAP_FAILED) {
    ::close(fd);
    return Fail("%s: cannot map: %s", path.c_str(), std::strerror(err));
  }
  f.fd_ = fd;
  f.data_ = static_cast<const uint8_t*>(p);
  return f;
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(o.path_);
    fd_ = std::exchange(o.fd_, -1);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
  if (fd_ >= 0) ::close(fd_);
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
  if (fd < 0) return Fail("%s: %s", path.c_str(), std::strerror(errno));
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return Fail("%s: %s", path.c_str(), std::strerror(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > (64u << 20)) {
      ::close(fd);
      return Fail("%s: larger than 64 MiB, not a /proc or /sys text file", path.c_str());
    }
  }
  ::close(fd);
  return out;
}

}  // namespace kexkit::load
