/* Host-side consumer check: the installed header compiles as C11, and the installed
 * library's planner, executor and SHA-256 work when linked into someone else's
 * program (only the C ABI is exported, so its memcpy does not replace libc's). */
#include <stdio.h>
#include <string.h>

#include "kexkit/trampoline.h"

static int failed;
#define CHECK(c)                                              \
  do {                                                        \
    if (!(c)) {                                               \
      fprintf(stderr, "consumer.c:%d: %s\n", __LINE__, #c); \
      ++failed;                                               \
    }                                                         \
  } while (0)

static unsigned char mem[1 << 16];

int main(void) {
  /* Two 4 KiB segments that trade places, and a third that slides up over itself. */
  const unsigned long long base = (unsigned long long)(size_t)mem;
  struct kexkit_segment segs[3] = {
      {base + 0x1000, base + 0x2000, 0x1000, 0x1000},
      {base + 0x2000, base + 0x1000, 0x1000, 0x1000},
      {base + 0x4000, base + 0x4100, 0x2000, 0x3000}};
  struct kexkit_range ram = {base, base + sizeof(mem)};
  struct kexkit_plan_input in = {segs, 3, &ram, 1, NULL, 0, 0, 0};
  struct kexkit_move moves[16];
  struct kexkit_plan_stats stats;
  char msg[200];
  unsigned count = 0;
  unsigned char expect[sizeof(mem)];
  size_t i;
  for (i = 0; i < sizeof(mem); ++i) mem[i] = (unsigned char)(i * 7 + (i >> 8));
  memcpy(expect, mem, sizeof(mem));
  memcpy(expect + 0x2000, mem + 0x1000, 0x1000);
  memcpy(expect + 0x1000, mem + 0x2000, 0x1000);
  memmove(expect + 0x4100, mem + 0x4000, 0x2000);
  memset(expect + 0x6100, 0, 0x1000);

  CHECK(kexkit_plan_moves(&in, moves, 16, &count, &stats, msg, sizeof(msg)) == KEXKIT_PLAN_OK);
  CHECK(stats.bounced == 1 && stats.backward == 1);
  kexkit_execute_moves(moves, count);
  /* Bytes outside the destinations may differ only in the bounce buffer. */
  CHECK(memcmp(mem + 0x1000, expect + 0x1000, 0x1000) == 0);
  CHECK(memcmp(mem + 0x2000, expect + 0x2000, 0x1000) == 0);
  CHECK(memcmp(mem + 0x4100, expect + 0x4100, 0x3000) == 0);

  {
    /* SHA-256("abc") [FIPS 180-4 example]. */
    static const unsigned char abc_digest[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    static const char abc[] = "abc";
    struct kexkit_region r = {(unsigned long long)(size_t)abc, 3};
    unsigned char out[32];
    kexkit_sha256(&r, 1, out);
    CHECK(memcmp(out, abc_digest, 32) == 0);
  }
  {
    /* The footprint covers the library's own code. */
    struct kexkit_range fp[2];
    unsigned long long planner = (unsigned long long)(size_t)&kexkit_plan_moves;
    kexkit_trampoline_footprint(fp);
    CHECK(fp[0].start < fp[0].end && fp[1].start < fp[1].end);
    CHECK(planner >= fp[0].start && planner < fp[0].end);
  }
  /* A refusal comes with its reason. */
  segs[1].dst = base + 0x2800;
  CHECK(kexkit_plan_moves(&in, moves, 16, &count, NULL, msg, sizeof(msg)) ==
        KEXKIT_PLAN_DST_OVERLAP);
  CHECK(strstr(msg, "segments 0 and 1") != NULL);

  printf("consumer: %d failed\n", failed);
  return failed != 0;
}
