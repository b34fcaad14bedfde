// Small parsers for the text files the loader reads (/proc/iomem, /sys/firmware/memmap,
// sysfs crash_notes and vmcoreinfo, the EFI systab): one copy for all of them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kexkit::load {

// Strips spaces, tabs and line ends from both sides.
inline std::string_view TrimSpace(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// An unsigned number in base 10 or 16 (an optional 0x prefix in base 16). False on an
// empty string, a stray character or a value that does not fit 64 bits.
inline bool ParseUnsigned(std::string_view s, unsigned base, uint64_t* out) {
  if (base == 16 && (s.starts_with("0x") || s.starts_with("0X"))) s.remove_prefix(2);
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    unsigned d;
    if (c >= '0' && c <= '9') {
      d = static_cast<unsigned>(c - '0');
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      d = static_cast<unsigned>(c - 'a' + 10);
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      d = static_cast<unsigned>(c - 'A' + 10);
    } else {
      return false;
    }
    if (d >= base || v > (~uint64_t{0} - d) / base) return false;
    v = v * base + d;
  }
  *out = v;
  return true;
}

}  // namespace kexkit::load
