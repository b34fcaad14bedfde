// Read-only input files, mapped rather than copied: a 128 MB initrd is hashed straight
// from the page cache and handed to kexec_load without an extra copy.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "linker/diag.h"

namespace kexkit::load {

class MappedFile {
 public:
  // What can go wrong: missing, unreadable, a directory or other non-regular file, empty
  // (when !allow_empty). The error names the path.
  static Result<MappedFile> Open(const std::string& path, bool allow_empty = false);

  MappedFile() = default;
  MappedFile(MappedFile&& o) noexcept { *this = std::move(o); }
  MappedFile& operator=(MappedFile&& o) noexcept;
  ~MappedFile();

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Small text files (/proc, /sys): whole contents, or an error naming the path.
Result<std::string> ReadTextFile(const std::string& path);

}  // namespace kexkit::load
