// The generic purgatory sequence [REFERENCE: "the purgatory contract"]:
//   console hello -> verify SHA-256 of every loaded segment -> (kdump) copy the backup
//   region -> return to the arch entry code, which loads the hand-off registers.
// On a digest mismatch it prints both digests (when a console is on) and halts: the new
// kernel is never entered.
#include "kexkit/arch.h"
#include "kexkit/purgatory-abi.h"
#include "kexkit/sha256.h"

namespace {

using kexkit::abi::PurgatoryParams;

void Puts(const char* s) {
  while (*s) kexkit::arch::ConsolePutc(*s++);
}

void PutHex(const uint8_t* bytes, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    kexkit::arch::ConsolePutc(kHex[bytes[i] >> 4]);
    kexkit::arch::ConsolePutc(kHex[bytes[i] & 15]);
  }
}

bool Equal(const uint8_t* a, const uint8_t* b, size_t n) {
  uint8_t diff = 0;
  for (size_t i = 0; i < n; ++i) diff |= a[i] ^ b[i];
  return diff == 0;
}

// Physical addresses are identity-mapped (x86 kexec page tables) or real (ppc64 MMU
// off), so an address converts to a pointer directly.
template <typename T>
T* Phys(uint64_t addr) {
  return reinterpret_cast<T*>(static_cast<uintptr_t>(addr));
}

}  // namespace

// Filled in by the loader through the linker's SetSymbol; the initialiser keeps it in
// .data (with -fno-zero-initialized-in-bss), where the loader's bytes survive.
extern "C" {
[[gnu::used]] PurgatoryParams kexkit_params = {};
}

extern "C" void kexkit_purgatory_main() {
  const PurgatoryParams& p = kexkit_params;
  kexkit::arch::ConsoleInit(p);
  Puts("kexkit purgatory: start\r\n");
  if (p.magic != kexkit::abi::kParamsMagic) {
    Puts("kexkit purgatory: parameter block not filled in, halting\r\n");
    kexkit::arch::Halt();
  }

  if (p.flags & kexkit::abi::kFlagVerify) {
    const char* path = "";
    kexkit::sha256::Context ctx;
    kexkit::sha256::Init(ctx, kexkit::arch::Sha256Blocks(&path));
    const uint32_t n = p.region_count <= kexkit::abi::kMaxDigestRegions
                           ? p.region_count
                           : kexkit::abi::kMaxDigestRegions;
    for (uint32_t i = 0; i < n; ++i) {
      kexkit::sha256::Update(ctx, Phys<const uint8_t>(p.regions[i].start),
                             static_cast<size_t>(p.regions[i].len));
    }
    uint8_t digest[kexkit::sha256::kDigestSize];
    kexkit::sha256::Final(ctx, digest);
    if (!Equal(digest, p.digest, sizeof(digest))) {
      Puts("kexkit purgatory: sha256 MISMATCH expected ");
      PutHex(p.digest, sizeof(digest));
      Puts(" got ");
      PutHex(digest, sizeof(digest));
      Puts("\r\nkexkit purgatory: halted, the new kernel was not entered\r\n");
      kexkit::arch::Halt();
    }
    Puts("kexkit purgatory: sha256 ok (");
    Puts(path);
    Puts(")\r\n");
  }

  if (p.backup_size != 0) {
    // Source and destination never overlap (the loader puts the backup inside the crash
    // region, the source is below 640K), so a forward copy is right.
    const uint8_t* src = Phys<const uint8_t>(p.backup_src);
    uint8_t* dst = Phys<uint8_t>(p.backup_dst);
    for (uint64_t i = 0; i < p.backup_size; ++i) dst[i] = src[i];
    Puts("kexkit purgatory: backup copied\r\n");
  }
  Puts("kexkit purgatory: entering kernel\r\n");
}
