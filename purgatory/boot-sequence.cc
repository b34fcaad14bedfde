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

void CheckDigest(const char* who, uint32_t segment, uint64_t start, const char* label,
                 size_t label_size, const uint8_t expected[sha256::kDigestSize],
                 const uint8_t got[sha256::kDigestSize]) {
  if (Equal(got, expected, sha256::kDigestSize)) return;
  Puts(who);
  Puts("sha256 MISMATCH segment ");
  PutDec(segment);
  Puts(" at ");
  PutAddr(start);
  Puts(" (");
  // Printable ASCII only: the label comes from the loader, but the console is a terminal.
  for (size_t i = 0; i < label_size && label[i] != '\0'; ++i) {
    arch::ConsolePutc(label[i] >= 0x20 && label[i] < 0x7f ? label[i] : '?');
  }
  Puts(") expected ");
  PutHex(expected, sha256::kDigestSize);
  Puts(" got ");
  PutHex(got, sha256::kDigestSize);
  Puts("\r\n");
  Say(who, "halted, the new kernel was not entered");
  arch::Halt();
}

void VerifyRegion(const char* who, sha256::BlocksFn blocks, uint64_t start, uint64_t len,
                  const uint8_t expected[sha256::kDigestSize], uint32_t segment, const char* label,
                  size_t label_size) {
  sha256::Context ctx;
  sha256::Init(ctx, blocks);
  sha256::Update(ctx, Phys<const uint8_t>(start), static_cast<size_t>(len));
  uint8_t got[sha256::kDigestSize];
  sha256::Final(ctx, got);
  CheckDigest(who, segment, start, label, label_size, expected, got);
}

void SayDigestsOk(const char* who, const char* path, uint32_t count) {
  Puts(who);
  Puts("sha256 ok (");
  Puts(path);
  Puts("), ");
  PutDec(count);
  // Not " segments\r\n": GNU ld would fold "\r\n" into its tail, and the linker tests
  // compare kexkit's layout with GNU ld's byte for byte (kexkit does not merge strings).
  Puts(" segment");
  if (count != 1) Puts("s");
  Puts("\r\n");
}

}  // namespace kexkit::boot
