// Read-only input files, mapped rather than copied: a 128 MB initrd is handed to
// kexec_load without an extra copy in this process. They are *hashed* with pread() into
// a small buffer instead (ReadRange), which measured faster than through the mapping:
// hashing a mapping stalls on a TLB miss and a cold prefetcher every 4 KiB page (costly
// under nested paging and worse under TCG), while read() copies from the kernel's
// direct map into a buffer that stays in L2.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>

#include "base/diag.h"

namespace kexkit::load {

// A file that shrinks while it is mapped (a kernel truncated between the header read
// and the hash) would kill kexkit with SIGBUS. Every mapping is registered with a
// SIGBUS handler instead: a page past the file's new end reads as zeros and the
// mapping is marked, and CheckUnchanged, called after the digest and again just before
// the system call, turns that (or any change of size or mtime) into one error line.
class MappedFile {
 public:
  // What can go wrong: missing, unreadable, a directory or other non-regular file, empty
  // (when !allow_empty). The error names the path.
  static Result<MappedFile> Open(const std::string& path, bool allow_empty = false);

  // Fails, naming the path, if the file shrank under the mapping (a read past its new
  // end was caught) or its size or modification time changed since Open.
  Result<void> CheckUnchanged() const;

  MappedFile() = default;
  MappedFile(MappedFile&& o) noexcept { *this = std::move(o); }
  MappedFile& operator=(MappedFile&& o) noexcept;
  ~MappedFile();

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  const std::string& path() const { return path_; }

  // Whether `s` lies inside this file's mapping.
  bool Holds(std::span<const uint8_t> s) const {
    return data_ != nullptr && s.data() >= data_ && s.data() + s.size() <= data_ + size_;
  }
  // Calls sink(chunk) for the bytes of `s` (inside the mapping, see Holds), in order, read
  // from the file with pread() into `buf`. False on a read error or a short file (the
  // caller then falls back to the mapping).
  template <typename Sink>
  bool ReadRange(std::span<const uint8_t> s, std::span<uint8_t> buf, Sink&& sink) const {
    uint64_t off = static_cast<uint64_t>(s.data() - data_);
    for (size_t left = s.size(); left != 0;) {
      const long n = Pread(buf.data(), std::min(left, buf.size()), off);
      if (n <= 0) return false;
      sink(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)));
      off += static_cast<uint64_t>(n);
      left -= static_cast<size_t>(n);
    }
    return true;
  }

 private:
  void Release();
  long Pread(uint8_t* to, size_t n, uint64_t off) const;  // read(2) result, EINTR retried

  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  int fd_ = -1;  // kept open: ReadRange reads it, CheckUnchanged looks at its inode
  int64_t mtime_ns_ = 0;
  int guard_ = -1;  // slot in the SIGBUS guard table, -1 if none was free
};

// Small text files (/proc, /sys): whole contents, or an error naming the path.
Result<std::string> ReadTextFile(const std::string& path);

}  // namespace kexkit::load
