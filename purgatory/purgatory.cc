// The generic purgatory sequence, in the order of kexec-tools' purgatory/purgatory.c:
//   console hello -> verify the SHA-256 of every loaded segment, each against its own
//   digest -> (kdump) copy the backup region -> return to the arch entry code, which
//   loads the hand-off registers.
// On a digest mismatch it names the segment (index, address, label) and prints both
// digests (when a console is on), then halts: the new kernel is never entered. The steps themselves
// are boot::Run (boot-sequence.h), the same code the firmware trampoline runs; this file only maps
// kexkit_params onto them.
#include "kexkit/arch.h"
#include "kexkit/boot-sequence.h"
#include "kexkit/purgatory-abi.h"

namespace {

using kexkit::abi::PurgatoryParams;

constexpr char kWho[] = "kexkit purgatory: ";

}  // namespace

// Filled in by the loader through the linker's SetSymbol; the initialiser keeps it in
// .data (with -fno-zero-initialized-in-bss), where the loader's bytes survive.
extern "C" {
[[gnu::used]] PurgatoryParams kexkit_params = {};
}

extern "C" void kexkit_purgatory_main() {
  const PurgatoryParams& p = kexkit_params;
  kexkit::arch::ConsoleInit(p);
  kexkit::boot::Say(kWho, "start");
  if (p.magic != kexkit::abi::kParamsMagic) {
    kexkit::boot::Say(kWho, "parameter block not filled in, halting");
    kexkit::arch::Halt();
  }

  if ((p.flags & kexkit::abi::kFlagHotplug) != 0) {
    kexkit::boot::Say(kWho, kexkit::arch::kHotplugUnverified);
  }

  kexkit::boot::Sequence<kexkit::abi::DigestRegion> seq;
  seq.who = kWho;
  seq.verify = (p.flags & kexkit::abi::kFlagVerify) != 0;
  seq.regions = p.regions;
  seq.region_count = p.region_count <= kexkit::abi::kMaxDigestRegions
                         ? p.region_count
                         : kexkit::abi::kMaxDigestRegions;
  // kdump backup: source and destination never overlap (the loader puts the backup
  // inside the crash region, the source is below 640K); a move copies either way.
  const kexkit_move backup = {p.backup_dst, p.backup_src, p.backup_size, KEXKIT_MOVE_COPY, 0};
  if (p.backup_size != 0) {
    seq.after = &backup;
    seq.after_count = 1;
    seq.after_line = "backup copied";
  }
  kexkit::boot::Run(seq);
}
