// The relocation executor (purgatory/relocate.cc) against memmove/memset on every
// alignment and overlap, the footprint check the trampoline runs before its first
// move, and the loader-level planner wrapper (trampoline/host/relocation-plan.h).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "kexkit/relocate.h"
#include "trampoline/host/relocation-plan.h"

namespace {

namespace rel = kexkit::relocate;

uint64_t A(const void* p) { return reinterpret_cast<uintptr_t>(p); }

TEST(TrampolineExecute, CopyMatchesMemmoveOnEveryAlignmentAndOverlap) {
  std::mt19937 rng(42);
  std::vector<uint8_t> buf(512), ref(512);
  int cases = 0;
  for (size_t src = 0; src < 24; ++src) {
    for (size_t dst = 0; dst < 24; ++dst) {
      for (size_t len : {0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 200}) {
        for (auto& b : buf) b = static_cast<uint8_t>(rng());
        ref = buf;
        std::memmove(ref.data() + 100 + dst, ref.data() + 100 + src, len);
        const kexkit_move m = {A(buf.data() + 100 + dst), A(buf.data() + 100 + src), len,
                               KEXKIT_MOVE_COPY, 0};
        rel::Execute(&m, 1);
        ASSERT_EQ(buf, ref) << "src +" << src << " dst +" << dst << " len " << len;
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 24 * 24 * 12);
}

TEST(TrampolineExecute, ZeroFillsExactly) {
  std::vector<uint8_t> buf(256, 0xee);
  for (size_t off = 0; off < 16; ++off) {
    for (size_t len : {0, 1, 5, 8, 13, 64, 100}) {
      std::fill(buf.begin(), buf.end(), 0xee);
      const kexkit_move m = {A(buf.data() + off), 0, len, KEXKIT_MOVE_ZERO, 0};
      kexkit_execute_moves(&m, 1);  // the C ABI entry point, same code
      for (size_t i = 0; i < buf.size(); ++i) {
        ASSERT_EQ(buf[i], (i >= off && i < off + len) ? 0 : 0xee) << off << " " << len;
      }
    }
  }
}

TEST(TrampolineFootprint, FirstConflictNamesMoveAndRange) {
  const kexkit_move moves[] = {{0x1000, 0x9000, 0x100, KEXKIT_MOVE_COPY, 0},
                               {0x3000, 0x5000, 0x100, KEXKIT_MOVE_ZERO, 1},
                               {0x4000, 0x7000, 0x100, KEXKIT_MOVE_COPY, 2}};
  const kexkit_range fp[] = {{0x5000, 0x5100}, {0x70ff, 0x7100}};
  uint32_t which = 99;
  // Move 1 is a ZERO: its (unused) src over 0x5000 does not count; move 2's source does.
  EXPECT_EQ(rel::FirstConflict(moves, 3, fp, 2, &which), 2);
  EXPECT_EQ(which, 1u);
  const kexkit_range clear[] = {{0x1100, 0x3000}, {0x8000, 0x8000}};
  EXPECT_EQ(rel::FirstConflict(moves, 3, clear, 2, &which), -1);
}

TEST(RelocationPlanWrapper, PlansFromAMemoryMap) {
  using namespace kexkit::load;
  MemoryMap map;
  map.ranges = {{0, 0x9f000, RangeType::kRam},
                {0x9f000, 0x100000, RangeType::kReserved},
                {0x100000, 0x8000000, RangeType::kRam}};
  std::vector<RelocationSegment> segs = {
      {0x200000, 0x400000, 0x300000, 0x800000, "kernel"},
      {0x600000, 0x200000, 0x80000, 0x80000, "initrd"}};  // over the staged kernel
  auto plan = PlanRelocation(map, segs);
  ASSERT_TRUE(plan) << plan.error().Line();
  EXPECT_EQ(plan->stats.bounced, 1u);
  EXPECT_GT(plan->moves.size(), 3u);

  segs[1].dst = 0x9f000;  // into the reserved hole
  auto bad = PlanRelocation(map, segs);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().Line().find("relocation plan: segment 1: destination"), std::string::npos)
      << bad.error().Line();
  EXPECT_NE(bad.error().Line().find("(segment 0 = kernel, 1 = initrd)"), std::string::npos)
      << bad.error().Line();

  segs[1].dst = 0x200000;
  RelocationOptions opt;
  opt.keep_out = {{0x610000, 0x611000, RangeType::kRam}};  // the trampoline, say
  auto keep = PlanRelocation(map, segs, opt);
  ASSERT_FALSE(keep);
  EXPECT_NE(keep.error().Line().find("keep-out"), std::string::npos);
}

TEST(RelocationPlanWrapper, GrowsTheMoveArrayWhenNeeded) {
  using namespace kexkit::load;
  MemoryMap map;
  map.ranges = {{0, 0x10000000, RangeType::kRam}};
  std::vector<RelocationSegment> segs;
  // A 40-segment rotation: every segment moves onto the next one's source.
  for (uint64_t i = 0; i < 40; ++i) {
    segs.push_back({0x100000 + i * 0x1000, 0x100000 + ((i + 1) % 40) * 0x1000, 0x1000, 0x1000, ""});
  }
  auto plan = PlanRelocation(map, segs);
  ASSERT_TRUE(plan) << plan.error().Line();
  EXPECT_EQ(plan->stats.bounced, 1u);
  EXPECT_EQ(plan->moves.size(), 41u);
}

}  // namespace
