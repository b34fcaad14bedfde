// Read-only input files, mapped rather than copied: a 128 MB initrd is hashed straight
// from the page cache and handed to kexec_load without an extra copy.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "linker/diag.h"

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

 private:
  void Release();

  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  int fd_ = -1;        // kept open: CheckUnchanged looks at the mapped inode itself
  int64_t mtime_ns_ = 0;
  int guard_ = -1;     // slot in the SIGBUS guard table, -1 if none was free
};

// Small text files (/proc, /sys): whole contents, or an error naming the path.
Result<std::string> ReadTextFile(const std::string& path);

}  // namespace kexkit::load
