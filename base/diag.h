// Errors for the host side: a function that can fail returns Result<T>, whose error
// carries one line of text naming the file (or option) and the problem. Nothing throws;
// main() prints the line and picks the exit code.
#pragma once

#include <cstdarg>
#include <cstdio>
#include <expected>
#include <string>

namespace kexkit {

struct Error {
  std::string message;
  int errnum = 0;  // the errno of a failed system call, 0 otherwise
};

template <typename T>
using Result = std::expected<T, Error>;

// printf-style, because <format> is not in this toolchain's libstdc++ (GCC 12).
[[gnu::format(printf, 1, 2)]] inline std::unexpected<Error> Fail(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  return std::unexpected(Error{buf});
}

// Prefixes an error with its context ("purgatory.ro: " + message).
inline std::unexpected<Error> Wrap(const std::string& prefix, const Error& e) {
  return std::unexpected(Error{prefix + ": " + e.message});
}

}  // namespace kexkit
