/* Firmware-side consumer check: a freestanding image that links the trampoline and
 * calls it as a firmware would (never run here; the link is the test). */
#include <stdint.h>

#include "kexkit/trampoline.h"

static struct kexkit_trampoline params;
static struct kexkit_move moves[8];

void _start(void) {
  struct kexkit_range keep[2];
  kexkit_trampoline_footprint(keep);
  params.magic = KEXKIT_TRAMPOLINE_MAGIC;
  params.version = KEXKIT_TRAMPOLINE_VERSION;
  params.moves = (uint64_t)(uintptr_t)moves;
  kexkit_trampoline_boot(&params);
}
