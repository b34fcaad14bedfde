// Errors for the host side: a function that can fail returns Result<T>, whose Error names
// the part that failed, the file (or option) it was reading, where in that file, and what
// is wrong. Nothing throws; main() prints Error::Line() and picks the exit code.
//
// Messages are built from typed pieces, not printf formats: Fail("section ", index,
// " at ", Hex(offset), " runs past the end"). Integers print in decimal, Hex() in hex
// with 0x, so no argument needs a cast to match a format and none can mismatch one.
#pragma once

#include <charconv>
#include <concepts>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace kexkit {

// 0x and at least `width` hex digits (zero-padded): Hex(0x1f) is "0x1f", Hex(5, 4) "0x0005".
struct Hex {
  uint64_t value;
  int width = 0;
};

// Decimal, zero-padded to at least `width` digits: Dec(7, 2) is "07".
struct Dec {
  uint64_t value;
  int width = 0;
};

namespace text {

inline void Digits(std::string& out, uint64_t v, int base, int width) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, base);
  for (int n = static_cast<int>(r.ptr - buf); n < width; ++n) out += '0';
  out.append(buf, r.ptr);
}

inline void Append(std::string& out, std::string_view s) { out += s; }
inline void Append(std::string& out, const char* s) { out += s ? s : "(null)"; }
inline void Append(std::string& out, const std::string& s) { out += s; }
inline void Append(std::string& out, char c) { out += c; }
inline void Append(std::string& out, Hex h) {
  out += "0x";
  Digits(out, h.value, 16, h.width);
}
inline void Append(std::string& out, Dec d) { Digits(out, d.value, 10, d.width); }
// A bool would print as 0 or 1 and is almost always a mistake in a message.
void Append(std::string& out, bool) = delete;
template <std::integral T>
requires(!std::same_as<T, char> && !std::same_as<T, bool>) inline void Append(std::string& out,
                                                                              T v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

}  // namespace text

// Concatenates typed pieces into one string.
template <typename... A>
std::string Cat(const A&... a) {
  std::string out;
  (text::Append(out, a), ...);
  return out;
}

struct Error {
  std::string context;             // what the caller was doing: "purgatory", "kdump backup"
  std::string file;                // the file, device or option the error is about
  std::string part;                // the part of that file or of kexkit: "device tree"
  std::optional<uint64_t> offset;  // where in the file
  std::string what;                // what is wrong
  int errnum = 0;                  // the errno of a failed system call, 0 otherwise

  // The one line the user sees: "context: file: part: at 0x40: what", empty fields left out.
  std::string Line() const {
    std::string out;
    auto add = [&out](std::string_view s) {
      if (s.empty()) return;
      if (!out.empty()) out += ": ";
      out += s;
    };
    add(context);
    add(file);
    add(part);
    if (offset) add(Cat("at ", Hex(*offset)));
    add(what);
    return out;
  }
};

template <typename T>
using Result = std::expected<T, Error>;

namespace text {
inline std::unexpected<Error> MakeError(std::string_view file, std::string_view part,
                                        std::optional<uint64_t> offset, std::string what) {
  Error e;
  e.file = file;
  e.part = part;
  e.offset = offset;
  e.what = std::move(what);
  return std::unexpected(std::move(e));
}
}  // namespace text

template <typename... A>
std::unexpected<Error> Fail(const A&... what) {
  return text::MakeError({}, {}, std::nullopt, Cat(what...));
}

// An error about a file (or an option, a device): "file: what".
template <typename... A>
std::unexpected<Error> FailIn(std::string_view file, const A&... what) {
  return text::MakeError(file, {}, std::nullopt, Cat(what...));
}

// An error about a byte in a file: "file: at 0x...: what".
template <typename... A>
std::unexpected<Error> FailAt(std::string_view file, uint64_t offset, const A&... what) {
  return text::MakeError(file, {}, offset, Cat(what...));
}

// A named part of kexkit or of a file format, whose errors all carry its name:
//   constexpr Part kCoreHeader{"core header"};
//   return kCoreHeader.Fail("no program headers");   // "core header: no program headers"
struct Part {
  std::string_view name;

  template <typename... A>
  std::unexpected<Error> Fail(const A&... what) const {
    return text::MakeError({}, name, std::nullopt, Cat(what...));
  }
  template <typename... A>
  std::unexpected<Error> FailIn(std::string_view file, const A&... what) const {
    return text::MakeError(file, name, std::nullopt, Cat(what...));
  }
};

// Puts an error in the context of what its caller was doing: Wrap("purgatory", e) reads
// "purgatory: " + e.Line(). Contexts nest outward.
inline std::unexpected<Error> Wrap(std::string_view context, Error e) {
  e.context = e.context.empty() ? std::string(context) : Cat(context, ": ", e.context);
  return std::unexpected(std::move(e));
}

}  // namespace kexkit
