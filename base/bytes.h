// Endian-explicit, width-explicit access to byte buffers. Every load and store of the
// linker and the image parsers goes through these, so a big-endian ppc64 object is read
// and patched correctly from a little-endian host, and no raw pointer cast is needed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

namespace kexkit {

enum class Endian { kLittle, kBig };

template <typename T>
T LoadUnchecked(const uint8_t* p, Endian e) {
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    const size_t shift = 8 * (e == Endian::kLittle ? i : sizeof(T) - 1 - i);
    v |= static_cast<T>(static_cast<T>(p[i]) << shift);
  }
  return v;
}

template <typename T>
void StoreUnchecked(uint8_t* p, T v, Endian e) {
  for (size_t i = 0; i < sizeof(T); ++i) {
    const size_t shift = 8 * (e == Endian::kLittle ? i : sizeof(T) - 1 - i);
    p[i] = static_cast<uint8_t>(v >> shift);
  }
}

// Bounds-checked forms: false when [off, off + sizeof(T)) is not inside the buffer.
template <typename T>
bool Load(std::span<const uint8_t> buf, uint64_t off, Endian e, T* out) {
  if (off > buf.size() || buf.size() - off < sizeof(T)) return false;
  *out = LoadUnchecked<T>(buf.data() + off, e);
  return true;
}

template <typename T>
bool Store(std::span<uint8_t> buf, uint64_t off, T v, Endian e) {
  if (off > buf.size() || buf.size() - off < sizeof(T)) return false;
  StoreUnchecked<T>(buf.data() + off, v, e);
  return true;
}

// Device-tree numbers: `cells` big-endian 32-bit cells as one value (the kernel's
// of_read_number), and the reverse, appended to a property value (cells above the
// second are zero).
inline uint64_t LoadCells(const uint8_t* p, int cells) {
  uint64_t v = 0;
  for (int i = 0; i < cells; ++i) v = (v << 32) | LoadUnchecked<uint32_t>(p + 4 * i, Endian::kBig);
  return v;
}

inline void AppendCells(std::string& out, uint64_t v, int cells) {
  for (int i = cells - 1; i >= 0; --i) {
    uint8_t b[4];
    StoreUnchecked<uint32_t>(b, static_cast<uint32_t>(i >= 2 ? 0 : v >> (32 * i)), Endian::kBig);
    out.append(reinterpret_cast<const char*>(b), 4);
  }
}

// Little-endian helpers for x86 structures (boot_params, bzImage header).
template <typename T>
T Le(std::span<const uint8_t> buf, uint64_t off) {
  T v{};
  Load<T>(buf, off, Endian::kLittle, &v);
  return v;
}

}  // namespace kexkit
