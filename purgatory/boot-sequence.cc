// The non-template half of include/kexkit/boot-sequence.h: console text and the digest
// verdict, shared by the purgatory and the trampoline.
#include "kexkit/boot-sequence.h"

namespace kexkit::boot {
namespace {

bool Equal(const uint8_t* a, const uint8_t* b, size_t n) {
  uint8_t diff = 0;
  for (size_t i = 0; i < n; ++i) diff |= a[i] ^ b[i];
  return diff == 0;
}

}  // namespace

void Puts(const char* s) {
  while (*s) arch::ConsolePutc(*s++);
}

void PutHex(const uint8_t* bytes, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    arch::ConsolePutc(kHex[bytes[i] >> 4]);
    arch::ConsolePutc(kHex[bytes[i] & 15]);
  }
}

void PutAddr(uint64_t v) {
  char buf[24];
  relocate::Message(buf, sizeof(buf)).Hex(v);
  Puts(buf);
}

void PutDec(uint32_t v) {
  char buf[16];
  relocate::Message(buf, sizeof(buf)).Dec(v);
  Puts(buf);
}

void Say(const char* who, const char* line) {
  Puts(who);
  Puts(line);
  Puts("\r\n");
}

void CheckDigest(const char* who, const uint8_t expected[sha256::kDigestSize],
                 const uint8_t got[sha256::kDigestSize], const char* path) {
  if (!Equal(got, expected, sha256::kDigestSize)) {
    Puts(who);
    Puts("sha256 MISMATCH expected ");
    PutHex(expected, sha256::kDigestSize);
    Puts(" got ");
    PutHex(got, sha256::kDigestSize);
    Puts("\r\n");
    Say(who, "halted, the new kernel was not entered");
    arch::Halt();
  }
  Puts(who);
  Puts("sha256 ok (");
  Puts(path);
  Puts(")\r\n");
}

}  // namespace kexkit::boot
