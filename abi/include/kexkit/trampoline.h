/* kexkit trampoline: the C ABI for firmware that boots a kernel without a Linux kexec
 * underneath [docs/trampoline.md].
 *
 * Call order (each step may run on another machine than the next; every structure is
 * plain data with fixed-width fields and asserted offsets):
 *   1. stage the kernel, initrd and boot data anywhere in memory (struct kexkit_segment:
 *      where each piece is now, where it must run);
 *   2. kexkit_plan_moves(): turn the segments, the RAM map and the ranges that must not
 *      be touched (kexkit_trampoline_footprint(), the plan, the parameter block) into
 *      an ordered list of moves that is correct whatever the overlaps, or an error;
 *   3. optionally kexkit_sha256() over each segment's staged bytes, for the digest
 *      check (one digest per region, so that a mismatch names the segment);
 *   4. kexkit_trampoline_boot(): checks that its own code, data, stack, parameter block
 *      and move list are outside every move's source and destination (it halts with a
 *      message otherwise), performs the moves, verifies the SHA-256 of each region of
 *      the final memory and jumps to the kernel. It never returns.
 *
 * Addresses are physical and identity-mapped (x86_64: long mode with an identity map;
 * i386: protected mode, paging off; ppc64: real mode). Every length is in bytes, every
 * range is [start, end) or {start, len} as named.
 *
 * One header for C and C++; the same text is the ABI of all four libraries
 * (x86_64, i386, ppc64le, ppc64). Fields are in the running CPU's byte order. */
#ifndef KEXKIT_TRAMPOLINE_H_
#define KEXKIT_TRAMPOLINE_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KEXKIT_TRAMPOLINE_MAGIC 0x4b4b5431u /* "KKT1" */
#define KEXKIT_TRAMPOLINE_VERSION 2u        /* 2: one digest per region (1: one over all) */
#define KEXKIT_MAX_SEGMENTS 64u             /* kexkit_plan_moves() refuses more */
#define KEXKIT_MAX_DIGEST_REGIONS 16u
#define KEXKIT_SHA256_SIZE 32u
#define KEXKIT_LABEL_SIZE 12u /* kexkit_digest_region::label, NUL included */

/* One piece of the image: `size` bytes staged at `src` that must end up at `dst`,
 * followed by `memsz - size` zero bytes (a kernel's init_size tail, page rounding).
 * Sources may overlap each other and any destination; destinations may not overlap
 * each other. size == 0 is a pure zero fill. */
struct kexkit_segment {
  uint64_t src;   /* 0 */
  uint64_t dst;   /* 8 */
  uint64_t size;  /* 16: bytes copied */
  uint64_t memsz; /* 24: bytes at dst when done; >= size */
};

/* [start, end) */
struct kexkit_range {
  uint64_t start; /* 0 */
  uint64_t end;   /* 8 */
};

/* {start, len}: a range kexkit_sha256() hashes. */
struct kexkit_region {
  uint64_t start; /* 0 */
  uint64_t len;   /* 8 */
};

/* One region of the final memory the trampoline checks on its own; the same layout as
 * the purgatory's DigestRegion. On a mismatch it prints segment, start and label. */
struct kexkit_digest_region {
  uint64_t start;                /* 0 */
  uint64_t len;                  /* 8 */
  uint8_t digest[32];            /* 16: SHA-256 of [start, start + len) after the moves */
  uint32_t segment;              /* 48: the caller's index, for the message */
  char label[KEXKIT_LABEL_SIZE]; /* 52: "kernel", "initrd", ... NUL-padded, may be "" */
};

/* struct kexkit_move::kind */
#define KEXKIT_MOVE_COPY 1u /* len bytes from src to dst, memmove semantics */
#define KEXKIT_MOVE_ZERO 2u /* len zero bytes at dst; src unused */

/* One step of a plan. Moves run in array order. */
struct kexkit_move {
  uint64_t dst;     /* 0 */
  uint64_t src;     /* 8 */
  uint64_t len;     /* 16 */
  uint32_t kind;    /* 24: KEXKIT_MOVE_* */
  uint32_t segment; /* 28: index of the segment this move serves (for messages) */
};

/* What kexkit_plan_moves() works from. */
struct kexkit_plan_input {
  const struct kexkit_segment* segments;
  uint32_t segment_count;         /* <= KEXKIT_MAX_SEGMENTS */
  const struct kexkit_range* ram; /* usable RAM: every destination must lie inside one
                                     range, and bounce buffers come from what is left */
  uint32_t ram_count;
  const struct kexkit_range* keep_out; /* never read or written by any move: the
                                          trampoline footprint, the plan, the stack */
  uint32_t keep_out_count;
  uint64_t max_address;  /* every range must end at or below it; 0 = no limit
                            (the i386 trampoline needs 1 << 32) */
  uint64_t bounce_align; /* alignment of bounce buffers (power of two; 0 = 4096) */
};

/* kexkit_plan_moves() results */
#define KEXKIT_PLAN_OK 0
#define KEXKIT_PLAN_BAD_INPUT 1   /* a segment or range is malformed */
#define KEXKIT_PLAN_DST_OVERLAP 2 /* two destinations overlap */
#define KEXKIT_PLAN_NOT_RAM 3     /* a destination is not inside one RAM range */
#define KEXKIT_PLAN_KEEP_OUT 4    /* a source or destination touches a keep-out range */
#define KEXKIT_PLAN_NO_BOUNCE 5   /* a cycle needs more free memory than there is */
#define KEXKIT_PLAN_TOO_MANY 6    /* more moves than `capacity` (see *count) */
#define KEXKIT_PLAN_LIMIT 7       /* more segments or ranges than the planner holds */

struct kexkit_plan_stats {
  uint32_t moves;        /* entries written */
  uint32_t bounced;      /* segments (partly) copied through a bounce buffer first */
  uint64_t bounce_bytes; /* bytes staged in bounce buffers */
  uint32_t backward;     /* copies that run high-to-low (destination above an
                            overlapping source) */
  uint32_t overlapping;  /* segments whose destination overlaps some source */
};

/* Plans the moves for in->segments. On KEXKIT_PLAN_OK, moves[0..*count) is the plan
 * and stats (if not NULL) describes it. On failure, message (if not NULL) gets one
 * line naming the segment(s) and addresses, NUL-terminated within message_size.
 * Uses no heap and about 24 KiB of stack; safe to call from firmware. */
int kexkit_plan_moves(const struct kexkit_plan_input* in, struct kexkit_move* moves,
                      uint32_t capacity, uint32_t* count, struct kexkit_plan_stats* stats,
                      char* message, size_t message_size);

/* Performs moves[0..count) in order (no checks): what the trampoline does between its
 * footprint check and the digest check, for callers that want the move alone. */
void kexkit_execute_moves(const struct kexkit_move* moves, uint32_t count);

/* SHA-256 [FIPS 180-4] of regions[0..count) concatenated, portable scalar code (no
 * vector unit needed). */
void kexkit_sha256(const struct kexkit_region* regions, uint32_t count,
                   uint8_t out[KEXKIT_SHA256_SIZE]);

/* The trampoline's own code+rodata ([0]) and data+bss+stack ([1]) ranges in memory: pass
 * them to kexkit_plan_moves() as keep-out ranges. */
void kexkit_trampoline_footprint(struct kexkit_range out[2]);

/* struct kexkit_trampoline::flags (the same bits as the purgatory's parameter block) */
#define KEXKIT_FLAG_VERIFY (1u << 0)         /* check digest before the hand-off */
#define KEXKIT_FLAG_CONSOLE_SERIAL (1u << 1) /* x86: polled 8250 at serial_port */
#define KEXKIT_FLAG_CONSOLE_HVC (1u << 2)    /* ppc64 pseries: H_PUT_TERM_CHAR */
#define KEXKIT_FLAG_SERIAL_INIT (1u << 3)    /* x86: program serial_divisor first */

/* The kernel entry, per architecture:
 *   x86_64: entry = kernel load address + 0x200 (64-bit entry), arg = boot_params (rsi)
 *           [x86 boot protocol, 64-bit boot]; long mode, identity map.
 *   i386:   entry = code32_start, arg = boot_params (esi), ebx = ebp = edi = 0
 *           [x86 boot protocol, 32-bit boot]; protected mode, paging off.
 *   ppc64:  entry = kernel entry, arg = FDT (r3), r4 = entry, r5 = 0, r8/r9 = opal_*
 *           (powernv; 0 elsewhere); real mode. */
struct kexkit_handoff {
  uint64_t entry;      /* 0 */
  uint64_t arg;        /* 8 */
  uint64_t opal_base;  /* 16: ppc64 only */
  uint64_t opal_entry; /* 24: ppc64 only */
};

/* The parameter block of kexkit_trampoline_boot(). */
struct kexkit_trampoline {
  uint32_t magic;        /* 0: KEXKIT_TRAMPOLINE_MAGIC */
  uint32_t version;      /* 4: KEXKIT_TRAMPOLINE_VERSION */
  uint32_t flags;        /* 8: KEXKIT_FLAG_* */
  uint32_t move_count;   /* 12 */
  uint64_t moves;        /* 16: address of move_count struct kexkit_move */
  uint32_t region_count; /* 24: <= KEXKIT_MAX_DIGEST_REGIONS */
  uint32_t reserved0;    /* 28 */
  struct kexkit_digest_region regions[KEXKIT_MAX_DIGEST_REGIONS]; /* 32 */
  uint64_t serial_port;          /* 1056: x86 I/O port (0x3f8 = ttyS0) */
  uint32_t serial_divisor;       /* 1064: 115200 / baud */
  uint32_t hvc_vtermno;          /* 1068 */
  struct kexkit_handoff handoff; /* 1072 */
};                               /* 1104 bytes */

/* Checks, moves, verifies, enters the kernel; never returns. Switches to its own stack
 * and GDT (x86) at once, so the caller's stack, GDT and page tables (x86_64: beyond the
 * identity map of the ranges touched) may be among the destinations. Interrupts must be
 * off or harmless: it disables them (x86) and never re-enables them. */
#if defined(__cplusplus)
[[noreturn]]
#elif defined(__GNUC__)
__attribute__((noreturn))
#endif
void kexkit_trampoline_boot(const struct kexkit_trampoline* params);

#ifdef __cplusplus
} /* extern "C" */

static_assert(sizeof(kexkit_segment) == 32);
static_assert(sizeof(kexkit_range) == 16);
static_assert(sizeof(kexkit_region) == 16);
static_assert(offsetof(kexkit_digest_region, digest) == 16);
static_assert(offsetof(kexkit_digest_region, segment) == 48);
static_assert(offsetof(kexkit_digest_region, label) == 52);
static_assert(sizeof(kexkit_digest_region) == 64);
static_assert(sizeof(kexkit_move) == 32);
static_assert(offsetof(kexkit_move, kind) == 24);
static_assert(sizeof(kexkit_handoff) == 32);
static_assert(offsetof(kexkit_trampoline, moves) == 16);
static_assert(offsetof(kexkit_trampoline, region_count) == 24);
static_assert(offsetof(kexkit_trampoline, regions) == 32);
static_assert(offsetof(kexkit_trampoline, serial_port) == 1056);
static_assert(offsetof(kexkit_trampoline, serial_divisor) == 1064);
static_assert(offsetof(kexkit_trampoline, hvc_vtermno) == 1068);
static_assert(offsetof(kexkit_trampoline, handoff) == 1072);
static_assert(sizeof(kexkit_trampoline) == 1104);
#else
_Static_assert(sizeof(struct kexkit_move) == 32, "kexkit_move layout");
_Static_assert(sizeof(struct kexkit_digest_region) == 64, "kexkit_digest_region layout");
_Static_assert(sizeof(struct kexkit_trampoline) == 1104, "kexkit_trampoline layout");
#endif

#endif /* KEXKIT_TRAMPOLINE_H_ */
