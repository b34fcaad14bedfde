// The firmware trampoline's C++ half: kexkit_trampoline_boot's stub (arch boot*.asm /
// boot.S) switches to the trampoline's own stack and calls kexkit_trampoline_main, then
// loads the hand-off registers it prepared. See include/kexkit/trampoline.h.
//
// Sequence: console -> "start" -> parameter checks -> footprint check: the trampoline's
// code, data and stack (its two sections, bracketed by merge.ld's markers), the
// parameter block, the move list and the arch's extras must be clear of every move's
// source and destination, and every move inside the address width; it prints what it
// checked -> boot::Run (moves, SHA-256 of the final memory, "entering kernel"; the same
// code as the purgatory) -> hand-off block. Every failure prints why and halts.
#include "kexkit/trampoline.h"

#include "kexkit/boot-sequence.h"
#include "kexkit/purgatory-abi.h"
#include "trampoline-arch.h"

extern "C" {
// Section markers (merge.ld): [text_start, text_end) = code + rodata,
// [data_start, data_end) = data + bss, which holds the stack.
extern const char kexkit_trampoline_text_start[], kexkit_trampoline_text_end[];
extern const char kexkit_trampoline_data_start[], kexkit_trampoline_data_end[];
void kexkit_trampoline_main(const kexkit_trampoline* params);
}

// The purgatory and the trampoline run the same VerifyOrHalt over the same layout.
static_assert(sizeof(kexkit_digest_region) == sizeof(kexkit::abi::DigestRegion));
static_assert(offsetof(kexkit_digest_region, digest) ==
              offsetof(kexkit::abi::DigestRegion, digest));
static_assert(offsetof(kexkit_digest_region, segment) ==
              offsetof(kexkit::abi::DigestRegion, segment));
static_assert(offsetof(kexkit_digest_region, label) == offsetof(kexkit::abi::DigestRegion, label));
static_assert(KEXKIT_MAX_DIGEST_REGIONS == kexkit::abi::kMaxDigestRegions);

namespace kexkit::trampoline {
namespace {

constexpr char kWho[] = "kexkit trampoline: ";
constexpr uint32_t kMaxFootprint = 8;

uint64_t Addr(const void* p) { return reinterpret_cast<uintptr_t>(p); }

[[noreturn]] void Refuse(const char* line) {
  boot::Say(kWho, line);
  boot::Say(kWho, "halted, the new kernel was not entered");
  arch::Halt();
}

void PutRange(const kexkit_range& r) {
  boot::Puts("[");
  boot::PutAddr(r.start);
  boot::Puts(", ");
  boot::PutAddr(r.end);
  boot::Puts(")");
}

}  // namespace

void Main(const kexkit_trampoline& t) {
  // The console settings sit where the purgatory's ConsoleInit reads them.
  abi::PurgatoryParams console = {};
  console.flags = t.flags;
  console.serial_port = t.serial_port;
  console.serial_divisor = t.serial_divisor;
  console.hvc_vtermno = t.hvc_vtermno;
  arch::ConsoleInit(console);
  boot::Say(kWho, "start");
  if (t.magic != KEXKIT_TRAMPOLINE_MAGIC || t.version != KEXKIT_TRAMPOLINE_VERSION) {
    Refuse("parameter block has the wrong magic or version");
  }
  if (t.region_count > KEXKIT_MAX_DIGEST_REGIONS) Refuse("more than 16 digest regions");

  const uint64_t limit = ArchAddressLimit();
  const uint64_t plan_bytes = uint64_t{t.move_count} * sizeof(kexkit_move);
  if (t.moves + plan_bytes < t.moves || t.moves + plan_bytes > limit) {
    Refuse("move list lies beyond the address width");
  }
  const kexkit_move* moves = boot::Phys<const kexkit_move>(t.moves);
  for (uint32_t i = 0; i < t.move_count; ++i) {
    const kexkit_move& m = moves[i];
    const bool copy = m.kind == KEXKIT_MOVE_COPY;
    if ((!copy && m.kind != KEXKIT_MOVE_ZERO) || m.dst + m.len < m.dst || m.dst + m.len > limit ||
        (copy && (m.src + m.len < m.src || m.src + m.len > limit))) {
      boot::Puts(kWho);
      boot::Puts("move ");
      boot::PutDec(i);
      boot::Puts(" is malformed or beyond the address width\r\n");
      Refuse("plan check failed");
    }
  }
  if (t.handoff.entry >= limit || t.handoff.arg >= limit) {
    Refuse("kernel entry or its argument lies beyond the address width");
  }
  for (uint32_t i = 0; i < t.region_count; ++i) {
    const kexkit_digest_region& r = t.regions[i];
    if (r.start + r.len < r.start || r.start + r.len > limit) {
      Refuse("a digest region lies beyond the address width");
    }
  }

  // Everything this code touches from here to the jump, by name.
  kexkit_range fp[kMaxFootprint];
  const char* names[kMaxFootprint];
  uint32_t n = 0;
  fp[n] = {Addr(kexkit_trampoline_text_start), Addr(kexkit_trampoline_text_end)};
  names[n++] = "code";
  fp[n] = {Addr(kexkit_trampoline_data_start), Addr(kexkit_trampoline_data_end)};
  names[n++] = "data+stack";
  fp[n] = {Addr(&t), Addr(&t) + sizeof(t)};
  names[n++] = "parameters";
  fp[n] = {t.moves, t.moves + plan_bytes};
  names[n++] = "move list";
  n += ArchExtraFootprint(fp + n, names + n, kMaxFootprint - n);
  for (uint32_t k = 0; k < n; ++k) {
    boot::Puts(kWho);
    boot::Puts(names[k]);
    boot::Puts(" ");
    PutRange(fp[k]);
    boot::Puts("\r\n");
  }
  uint32_t hit = 0;
  const int32_t bad = relocate::FirstConflict(moves, t.move_count, fp, n, &hit);
  if (bad >= 0) {
    const kexkit_move& m = moves[bad];
    boot::Puts(kWho);
    boot::Puts("move ");
    boot::PutDec(static_cast<uint32_t>(bad));
    boot::Puts(" (segment ");
    boot::PutDec(m.segment);
    boot::Puts(") to ");
    PutRange({m.dst, m.dst + m.len});
    boot::Puts(" touches the trampoline's ");
    boot::Puts(names[hit]);
    boot::Puts("\r\n");
    Refuse("footprint check failed");
  }
  boot::Puts(kWho);
  boot::Puts("footprint clear of all ");
  boot::PutDec(t.move_count);
  boot::Puts(" moves\r\n");

  boot::Sequence<kexkit_digest_region> seq;
  seq.who = kWho;
  seq.moves = moves;
  seq.move_count = t.move_count;
  seq.verify = (t.flags & KEXKIT_FLAG_VERIFY) != 0;
  seq.regions = t.regions;
  seq.region_count = t.region_count;
  boot::Run(seq);
  ArchPrepareHandoff(t.handoff);
}

}  // namespace kexkit::trampoline

extern "C" void kexkit_trampoline_main(const kexkit_trampoline* params) {
  kexkit::trampoline::Main(*params);
}

extern "C" void kexkit_trampoline_footprint(kexkit_range out[2]) {
  out[0] = {kexkit::trampoline::Addr(kexkit_trampoline_text_start),
            kexkit::trampoline::Addr(kexkit_trampoline_text_end)};
  out[1] = {kexkit::trampoline::Addr(kexkit_trampoline_data_start),
            kexkit::trampoline::Addr(kexkit_trampoline_data_end)};
}

extern "C" void kexkit_sha256(const kexkit_region* regions, uint32_t count,
                              uint8_t out[KEXKIT_SHA256_SIZE]) {
  kexkit::sha256::Context ctx;
  kexkit::sha256::Init(ctx);
  for (uint32_t i = 0; i < count; ++i) {
    kexkit::sha256::Update(ctx, kexkit::boot::Phys<const uint8_t>(regions[i].start),
                           static_cast<size_t>(regions[i].len));
  }
  kexkit::sha256::Final(ctx, out);
}
