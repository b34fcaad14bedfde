// Endian-explicit, width-explicit access to byte buffers. Every load and store of the
// linker and the image parsers goes through these, so a big-endian ppc64 object is read
// and patched correctly from a little-endian host, and no raw pointer cast is needed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

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

// Little-endian helpers for x86 structures (boot_params, bzImage header).
template <typename T>
T Le(std::span<const uint8_t> buf, uint64_t off) {
  T v{};
  Load<T>(buf, off, Endian::kLittle, &v);
  return v;
}

}  // namespace kexkit
