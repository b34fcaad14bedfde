// Executing a relocation plan, and the small text builder the planner reports with.
// See include/kexkit/relocate.h. Freestanding; also built for the host (tests, loader).
#include "kexkit/relocate.h"

namespace kexkit::relocate {
namespace {

// Word-sized accesses to memory that is also accessed as bytes (and, on the host, as
// whatever the test put there): may_alias keeps the optimiser from assuming otherwise.
using Word = uintptr_t;
typedef Word __attribute__((may_alias)) AliasWord;
constexpr uintptr_t kW = sizeof(Word);

bool CoAligned(const void* a, const void* b) {
  return ((reinterpret_cast<uintptr_t>(a) ^ reinterpret_cast<uintptr_t>(b)) & (kW - 1)) == 0;
}

bool Aligned(const void* a) { return (reinterpret_cast<uintptr_t>(a) & (kW - 1)) == 0; }

// Low-to-high: right for any dst <= src, overlapping or not (each word is read before
// anything at or above it is written).
void CopyUp(uint8_t* d, const uint8_t* s, size_t n) {
  if (CoAligned(d, s)) {
    for (; n != 0 && !Aligned(d); --n) *d++ = *s++;
    for (; n >= kW; n -= kW, d += kW, s += kW) {
      *reinterpret_cast<AliasWord*>(d) = *reinterpret_cast<const AliasWord*>(s);
    }
  }
  for (; n != 0; --n) *d++ = *s++;
}

// High-to-low: right for dst > src.
void CopyDown(uint8_t* d, const uint8_t* s, size_t n) {
  d += n;
  s += n;
  if (CoAligned(d, s)) {
    for (; n != 0 && !Aligned(d); --n) *--d = *--s;
    for (; n >= kW; n -= kW) {
      d -= kW;
      s -= kW;
      *reinterpret_cast<AliasWord*>(d) = *reinterpret_cast<const AliasWord*>(s);
    }
  }
  for (; n != 0; --n) *--d = *--s;
}

void Fill0(uint8_t* d, size_t n) {
  for (; n != 0 && !Aligned(d); --n) *d++ = 0;
  for (; n >= kW; n -= kW, d += kW) *reinterpret_cast<AliasWord*>(d) = 0;
  for (; n != 0; --n) *d++ = 0;
}

template <typename T>
T* Ptr(uint64_t addr) {
  return reinterpret_cast<T*>(static_cast<uintptr_t>(addr));
}

}  // namespace

void Execute(const kexkit_move* moves, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) {
    const kexkit_move& m = moves[i];
    const size_t len = static_cast<size_t>(m.len);
    if (m.kind == KEXKIT_MOVE_ZERO) {
      Fill0(Ptr<uint8_t>(m.dst), len);
    } else if (m.kind == KEXKIT_MOVE_COPY && m.dst != m.src) {
      if (m.dst < m.src) {
        CopyUp(Ptr<uint8_t>(m.dst), Ptr<const uint8_t>(m.src), len);
      } else {
        CopyDown(Ptr<uint8_t>(m.dst), Ptr<const uint8_t>(m.src), len);
      }
    }
  }
}

int32_t FirstConflict(const kexkit_move* moves, uint32_t count, const kexkit_range* ranges,
                      uint32_t n, uint32_t* range) {
  for (uint32_t i = 0; i < count; ++i) {
    const kexkit_move& m = moves[i];
    for (uint32_t k = 0; k < n; ++k) {
      const kexkit_range& r = ranges[k];
      const bool dst_hit = Intersects(m.dst, m.dst + m.len, r.start, r.end);
      const bool src_hit =
          m.kind == KEXKIT_MOVE_COPY && Intersects(m.src, m.src + m.len, r.start, r.end);
      if (dst_hit || src_hit) {
        *range = k;
        return static_cast<int32_t>(i);
      }
    }
  }
  return -1;
}

void Message::Put(char c) {
  if (len_ + 1 < size_) {
    buf_[len_++] = c;
    buf_[len_] = '\0';
  }
}

Message& Message::Str(const char* s) {
  while (*s) Put(*s++);
  return *this;
}

Message& Message::Hex(uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  Put('0');
  Put('x');
  int shift = 60;
  while (shift > 0 && ((v >> shift) & 15) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) Put(kHex[(v >> shift) & 15]);
  return *this;
}

Message& Message::Dec(uint64_t v) {
  // 32-bit division only: a 64-bit one is a libgcc call (__udivdi3) on i386, and the
  // freestanding builds link no libgcc. Counts never need more; larger values go hex.
  if (v > 0xffffffffu) return Hex(v);
  uint32_t w = static_cast<uint32_t>(v);
  char digits[10];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + w % 10);
    w /= 10;
  } while (w != 0);
  while (n > 0) Put(digits[--n]);
  return *this;
}

Message& Message::Range(uint64_t start, uint64_t end) {
  Put('[');
  Hex(start);
  Str(", ");
  Hex(end);
  Put(')');
  return *this;
}

}  // namespace kexkit::relocate

extern "C" void kexkit_execute_moves(const kexkit_move* moves, uint32_t count) {
  kexkit::relocate::Execute(moves, count);
}
