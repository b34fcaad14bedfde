// The relocation planner (trampoline/relocate-plan.cc) as a property: for thousands of
// random layouts whose sources and destinations overlap in every way, the plan, run on
// a byte-array model of memory (each COPY a memmove, each ZERO a fill), must leave
// every segment's staged bytes at its destination followed by zeros, must change no
// byte outside the destinations and its own bounce buffers, must never touch a keep-out
// range, and may refuse only with a reason that is true (a cycle when it says
// "no bounce memory", an overlap when it says "destinations overlap", ...). The same
// plans also run through the real executor (relocate::Execute) on host memory, and the
// two results must agree byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "kexkit/relocate.h"
#include "kexkit/trampoline.h"

namespace {

namespace rel = kexkit::relocate;
using Bytes = std::vector<uint8_t>;

struct Layout {
  std::vector<kexkit_segment> segs;
  std::vector<kexkit_range> ram;
  std::vector<kexkit_range> keep;
  uint64_t mem_size = 0;
  uint64_t align = 0;
};

struct Outcome {
  int rc = -1;
  std::vector<kexkit_move> moves;
  kexkit_plan_stats stats{};
  std::string message;
};

Outcome RunPlanner(const Layout& l, uint32_t capacity = 4096) {
  Outcome o;
  o.moves.resize(capacity);
  const kexkit_plan_input in = {l.segs.data(), static_cast<uint32_t>(l.segs.size()),
                                l.ram.data(),  static_cast<uint32_t>(l.ram.size()),
                                l.keep.data(), static_cast<uint32_t>(l.keep.size()),
                                l.mem_size,    l.align};
  char text[512];
  uint32_t count = 0;
  o.rc = kexkit_plan_moves(&in, o.moves.data(), capacity, &count, &o.stats, text, sizeof(text));
  o.message = text;
  o.moves.resize(o.rc == KEXKIT_PLAN_OK ? count : 0);
  return o;
}

// The reference semantics of a plan.
void ModelExecute(Bytes& mem, const std::vector<kexkit_move>& moves) {
  for (const kexkit_move& m : moves) {
    ASSERT_LE(m.dst + m.len, mem.size());
    if (m.kind == KEXKIT_MOVE_ZERO) {
      std::fill(mem.begin() + m.dst, mem.begin() + m.dst + m.len, 0);
    } else {
      ASSERT_EQ(m.kind, KEXKIT_MOVE_COPY);
      ASSERT_LE(m.src + m.len, mem.size());
      std::memmove(mem.data() + m.dst, mem.data() + m.src, m.len);
    }
  }
}

bool In(uint64_t a, const std::vector<kexkit_range>& rs) {
  for (const kexkit_range& r : rs) {
    if (a >= r.start && a < r.end) return true;
  }
  return false;
}

// Independent of the planner: does the "j's destination overlaps i's source" relation
// have a cycle (so that no plan without a bounce buffer exists)?
bool HasCycle(const std::vector<kexkit_segment>& s) {
  const size_t n = s.size();
  std::vector<std::vector<size_t>> adj(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      if (i != j && s[i].size && s[j].memsz &&
          rel::Intersects(s[i].src, s[i].src + s[i].size, s[j].dst, s[j].dst + s[j].memsz)) {
        adj[i].push_back(j);
      }
    }
  }
  std::vector<int> color(n, 0);
  std::function<bool(size_t)> dfs = [&](size_t v) {
    color[v] = 1;
    for (size_t w : adj[v]) {
      if (color[w] == 1 || (color[w] == 0 && dfs(w))) return true;
    }
    color[v] = 2;
    return false;
  };
  for (size_t v = 0; v < n; ++v) {
    if (color[v] == 0 && dfs(v)) return true;
  }
  return false;
}

// Checks one planned layout against every property.
void CheckPlan(const Layout& l, const Outcome& o, std::mt19937_64& rng) {
  ASSERT_EQ(o.rc, KEXKIT_PLAN_OK) << o.message;
  Bytes initial(l.mem_size);
  for (size_t i = 0; i < initial.size(); i += 8) {
    const uint64_t r = rng();
    for (size_t k = 0; k < 8 && i + k < initial.size(); ++k) initial[i + k] = uint8_t(r >> 8 * k);
  }
  Bytes expected = initial;
  std::vector<kexkit_range> dsts;
  for (const kexkit_segment& s : l.segs) {
    std::copy(initial.begin() + s.src, initial.begin() + s.src + s.size, expected.begin() + s.dst);
    std::fill(expected.begin() + s.dst + s.size, expected.begin() + s.dst + s.memsz, 0);
    dsts.push_back({s.dst, s.dst + s.memsz});
  }
  // Bounce buffers: copies whose destination is no segment's destination.
  std::vector<kexkit_range> bounce;
  for (const kexkit_move& m : o.moves) {
    if (!In(m.dst, dsts)) {
      ASSERT_EQ(m.kind, KEXKIT_MOVE_COPY);
      bounce.push_back({m.dst, m.dst + m.len});
      for (const kexkit_segment& s : l.segs) {
        ASSERT_FALSE(rel::Intersects(m.dst, m.dst + m.len, s.src, s.src + s.size))
            << "bounce buffer over a source";
        ASSERT_FALSE(rel::Intersects(m.dst, m.dst + m.len, s.dst, s.dst + s.memsz));
      }
      bool in_ram = false;
      for (const kexkit_range& r : l.ram) in_ram |= r.start <= m.dst && m.dst + m.len <= r.end;
      ASSERT_TRUE(in_ram) << "bounce buffer outside RAM";
    }
  }
  uint32_t hit = 0;
  ASSERT_EQ(rel::FirstConflict(o.moves.data(), static_cast<uint32_t>(o.moves.size()), l.keep.data(),
                               static_cast<uint32_t>(l.keep.size()), &hit),
            -1)
      << "a move touches keep-out range " << hit;

  Bytes model = initial;
  ModelExecute(model, o.moves);
  // Per byte: 1 = in a destination, 2 = in a bounce buffer, 0 = must be unchanged.
  std::vector<uint8_t> cls(l.mem_size, 0);
  for (const kexkit_range& r : bounce) std::fill(cls.begin() + r.start, cls.begin() + r.end, 2);
  for (const kexkit_range& r : dsts) std::fill(cls.begin() + r.start, cls.begin() + r.end, 1);
  for (uint64_t a = 0; a < l.mem_size; ++a) {
    if (cls[a] == 1) {
      ASSERT_EQ(model[a], expected[a]) << "destination byte 0x" << std::hex << a;
    } else if (cls[a] == 0) {
      ASSERT_EQ(model[a], initial[a]) << "untouchable byte 0x" << std::hex << a;
    }
  }

  // The real executor, on host memory at a base the layout is shifted by.
  Bytes real(l.mem_size + 64);
  const uint64_t base = reinterpret_cast<uintptr_t>(real.data());
  std::memcpy(real.data(), initial.data(), l.mem_size);
  std::vector<kexkit_move> shifted = o.moves;
  for (kexkit_move& m : shifted) {
    m.dst += base;
    if (m.kind == KEXKIT_MOVE_COPY) m.src += base;
  }
  rel::Execute(shifted.data(), static_cast<uint32_t>(shifted.size()));
  ASSERT_EQ(0, std::memcmp(real.data(), model.data(), l.mem_size)) << "executor != model";
}

uint64_t Pick(std::mt19937_64& rng, uint64_t lo, uint64_t hi) {  // [lo, hi]
  return std::uniform_int_distribution<uint64_t>(lo, hi)(rng);
}

// A random layout: n segments with non-overlapping destinations, sources anywhere
// (over other sources, over destinations, over their own destination).
Layout RandomLayout(std::mt19937_64& rng, uint64_t mem, uint32_t max_n, uint64_t max_size,
                    uint64_t granule) {
  Layout l;
  l.mem_size = mem;
  l.align = uint64_t{1} << Pick(rng, 0, 12);
  const uint32_t n = static_cast<uint32_t>(Pick(rng, 1, max_n));
  auto gran = [&](uint64_t v) { return v / granule * granule; };
  for (uint32_t tries = 0; l.segs.size() < n && tries < 200; ++tries) {
    kexkit_segment s{};
    s.size = gran(Pick(rng, 0, max_size));
    s.memsz = s.size + (Pick(rng, 0, 2) == 0 ? gran(Pick(rng, 0, max_size / 2)) : 0);
    if (s.memsz == 0) s.memsz = granule;
    if (s.memsz > mem) continue;
    s.dst = gran(Pick(rng, 0, mem - s.memsz));
    if (s.size > 0) {
      switch (Pick(rng, 0, 3)) {
        case 0:  // anywhere
          s.src = gran(Pick(rng, 0, mem - s.size));
          break;
        case 1:  // near its own destination (self overlap, either direction)
        {
          const int64_t shift =
              static_cast<int64_t>(Pick(rng, 0, 2 * s.size)) - static_cast<int64_t>(s.size);
          const int64_t src = static_cast<int64_t>(s.dst) + shift;
          s.src = gran(static_cast<uint64_t>(
              std::clamp<int64_t>(src, 0, static_cast<int64_t>(mem - s.size))));
          break;
        }
        default:  // on another segment's destination, to make cycles
          if (!l.segs.empty()) {
            const kexkit_segment& o = l.segs[Pick(rng, 0, l.segs.size() - 1)];
            s.src = gran(std::min<uint64_t>(o.dst + Pick(rng, 0, o.memsz), mem - s.size));
          } else {
            s.src = gran(Pick(rng, 0, mem - s.size));
          }
      }
    }
    bool clash = false;
    for (const kexkit_segment& o : l.segs) {
      clash |= rel::Intersects(s.dst, s.dst + s.memsz, o.dst, o.dst + o.memsz);
    }
    if (!clash) l.segs.push_back(s);
  }
  l.ram = {{0, mem}};
  return l;
}

struct Tally {
  int ok = 0, bounced = 0, backward = 0, no_bounce = 0;
  ~Tally() {  // what the random layouts exercised, for the log
    std::printf(
        "[ tally    ] planned %d (with a bounce %d, with a backward copy %d), "
        "refused for want of bounce memory %d\n",
        ok, bounced, backward, no_bounce);
  }
};

void RunRandom(uint64_t seed, int iterations, uint64_t mem, uint32_t max_n, uint64_t max_size,
               uint64_t granule, bool scarce_ram, bool keep_outs, Tally* tally) {
  std::mt19937_64 rng(seed);
  for (int it = 0; it < iterations; ++it) {
    SCOPED_TRACE("iteration " + std::to_string(it) + " seed " + std::to_string(seed));
    Layout l = RandomLayout(rng, mem, max_n, max_size, granule);
    if (scarce_ram) {
      // RAM is the destinations plus a few random scraps: bounces may not fit.
      l.ram.clear();
      for (const kexkit_segment& s : l.segs) l.ram.push_back({s.dst, s.dst + s.memsz});
      for (int k = static_cast<int>(Pick(rng, 0, 3)); k > 0; --k) {
        const uint64_t a = Pick(rng, 0, mem - 1), len = Pick(rng, 1, mem / 8);
        l.ram.push_back({a, std::min(mem, a + len)});
      }
    }
    if (keep_outs) {
      // Keep-out ranges in the gaps: never touched by any move.
      for (int k = static_cast<int>(Pick(rng, 1, 3)); k > 0; --k) {
        const uint64_t a = Pick(rng, 0, mem - 1), len = Pick(rng, 1, 256);
        const kexkit_range r{a, std::min(mem, a + len)};
        bool clash = false;
        for (const kexkit_segment& s : l.segs) {
          clash |= rel::Intersects(r.start, r.end, s.dst, s.dst + s.memsz) ||
                   rel::Intersects(r.start, r.end, s.src, s.src + s.size);
        }
        if (!clash) l.keep.push_back(r);
      }
    }
    const Outcome o = RunPlanner(l);
    if (o.rc == KEXKIT_PLAN_NO_BOUNCE) {
      ASSERT_TRUE(HasCycle(l.segs)) << "refused without a cycle: " << o.message;
      ++tally->no_bounce;
      continue;
    }
    CheckPlan(l, o, rng);
    if (::testing::Test::HasFatalFailure()) return;
    ++tally->ok;
    if (o.stats.bounced) ++tally->bounced;
    if (o.stats.backward) ++tally->backward;
    if (!HasCycle(l.segs)) {
      ASSERT_EQ(o.stats.bounced, 0u) << "bounced without a cycle";
    }
  }
}

TEST(TrampolinePlanProperty, DenseSmallLayoutsByteGranular) {
  Tally t;
  RunRandom(1, 4000, 4096, 6, 1024, 1, false, false, &t);
  // So dense that some cycles find no free byte to bounce through: those refusals are
  // checked (a real cycle), and they stay rare.
  EXPECT_EQ(t.ok + t.no_bounce, 4000);
  EXPECT_GT(t.ok, 3600);
  EXPECT_GT(t.bounced, 200);   // cycles are common here, and always broken
  EXPECT_GT(t.backward, 200);  // and so are destinations above their own source
}

TEST(TrampolinePlanProperty, PageGranularManySegments) {
  Tally t;
  RunRandom(2, 1000, 1 << 18, 16, 16 << 10, 4096, false, false, &t);
  EXPECT_EQ(t.ok + t.no_bounce, 1000);
  EXPECT_GT(t.ok, 950);
  EXPECT_GT(t.bounced, 50);
}

TEST(TrampolinePlanProperty, UnalignedWithKeepOuts) {
  Tally t;
  RunRandom(3, 3000, 16384, 8, 2048, 1, false, true, &t);
  EXPECT_EQ(t.ok + t.no_bounce, 3000);
  EXPECT_GT(t.ok, 2800);
}

TEST(TrampolinePlanProperty, ScarceRamRefusesOnlyRealCycles) {
  Tally t;
  RunRandom(4, 4000, 8192, 6, 1536, 1, true, false, &t);
  EXPECT_EQ(t.ok + t.no_bounce, 4000);
  EXPECT_GT(t.no_bounce, 0);  // the refusal path runs, and each refusal had a cycle
  EXPECT_GT(t.bounced, 0);
}

TEST(TrampolinePlanProperty, WordAlignedFastPath) {
  Tally t;
  RunRandom(5, 2000, 65536, 8, 8192, 8, false, true, &t);
  EXPECT_EQ(t.ok + t.no_bounce, 2000);
  EXPECT_GT(t.ok, 1900);
}

// --- hand-made layouts ---------------------------------------------------------------

Layout Simple(std::vector<kexkit_segment> segs, uint64_t mem = 0x10000) {
  Layout l;
  l.segs = std::move(segs);
  l.mem_size = mem;
  l.ram = {{0, mem}};
  return l;
}

TEST(TrampolinePlan, SwapBouncesOneSegment) {
  std::mt19937_64 rng(7);
  const Layout l = Simple({{0x1000, 0x2000, 0x1000, 0x1000}, {0x2000, 0x1000, 0x1000, 0x1000}});
  const Outcome o = RunPlanner(l);
  CheckPlan(l, o, rng);
  EXPECT_EQ(o.stats.bounced, 1u);
  EXPECT_EQ(o.stats.bounce_bytes, 0x1000u);
  EXPECT_EQ(o.stats.overlapping, 2u);
}

TEST(TrampolinePlan, ChainNeedsNoBounce) {
  std::mt19937_64 rng(8);
  // 0 -> where 1 sits, 1 -> where 2 sits, 2 -> free: order must be 2, 1, 0.
  const Layout l = Simple({{0x1000, 0x2000, 0x1000, 0x1000},
                           {0x2000, 0x3000, 0x1000, 0x1000},
                           {0x3000, 0x8000, 0x1000, 0x1000}});
  const Outcome o = RunPlanner(l);
  CheckPlan(l, o, rng);
  EXPECT_EQ(o.stats.bounced, 0u);
  ASSERT_EQ(o.moves.size(), 3u);
  EXPECT_EQ(o.moves[0].segment, 2u);
  EXPECT_EQ(o.moves[2].segment, 0u);
}

TEST(TrampolinePlan, SelfOverlapBothDirections) {
  std::mt19937_64 rng(9);
  const Layout up = Simple({{0x1000, 0x1001, 0x3000, 0x3800}});
  const Outcome o1 = RunPlanner(up);
  CheckPlan(up, o1, rng);
  EXPECT_EQ(o1.stats.backward, 1u);
  const Layout down = Simple({{0x1001, 0x1000, 0x3000, 0x3000}});
  const Outcome o2 = RunPlanner(down);
  CheckPlan(down, o2, rng);
  EXPECT_EQ(o2.stats.backward, 0u);
}

// The firmware stub's shape: the kernel moves up over its own staged copy and over the
// staged initrd; the initrd moves down over the staged kernel. Only the part of the
// initrd the kernel overwrites is bounced, not the whole of either.
TEST(TrampolinePlan, KernelInitrdCycleBouncesOnlyTheClobberedBytes) {
  std::mt19937_64 rng(10);
  Layout l = Simple({{0x11000, 0x40000, 0x80000, 0x200000},  // kernel
                     {0x91000, 0x10000, 0x20000, 0x20000}},  // initrd
                    0x400000);
  const Outcome o = RunPlanner(l);
  CheckPlan(l, o, rng);
  EXPECT_EQ(o.stats.bounced, 1u);
  EXPECT_LT(o.stats.bounce_bytes, 0x20000u + 1);
  EXPECT_GE(o.stats.backward, 1u);
}

TEST(TrampolinePlan, BounceSplitsAcrossFreeScraps) {
  std::mt19937_64 rng(11);
  Layout l = Simple({{0x1000, 0x2000, 0x1000, 0x1000}, {0x2000, 0x1000, 0x1000, 0x1000}});
  // RAM: the two destinations plus four 0x400-byte scraps.
  l.ram = {
      {0x1000, 0x3000}, {0x5000, 0x5400}, {0x6000, 0x6400}, {0x7000, 0x7400}, {0x8000, 0x8400}};
  l.align = 16;
  const Outcome o = RunPlanner(l);
  CheckPlan(l, o, rng);
  EXPECT_EQ(o.stats.bounced, 1u);
}

TEST(TrampolinePlan, RefusesWithReasons) {
  // Overlapping destinations.
  Outcome o = RunPlanner(Simple({{0, 0x1000, 0x100, 0x1000}, {0, 0x1800, 0x100, 0x1000}}));
  EXPECT_EQ(o.rc, KEXKIT_PLAN_DST_OVERLAP);
  EXPECT_NE(o.message.find("segments 0 and 1"), std::string::npos) << o.message;
  // size > memsz.
  o = RunPlanner(Simple({{0, 0x1000, 0x2000, 0x1000}}));
  EXPECT_EQ(o.rc, KEXKIT_PLAN_BAD_INPUT);
  EXPECT_NE(o.message.find("exceeds memsz"), std::string::npos) << o.message;
  // Destination outside RAM.
  Layout l = Simple({{0, 0x1000, 0x100, 0x1000}});
  l.ram = {{0x8000, 0x10000}};
  o = RunPlanner(l);
  EXPECT_EQ(o.rc, KEXKIT_PLAN_NOT_RAM);
  EXPECT_NE(o.message.find("not inside one RAM range"), std::string::npos) << o.message;
  // Keep-out range under a destination.
  l = Simple({{0, 0x1000, 0x100, 0x1000}});
  l.keep = {{0x1800, 0x1900}};
  o = RunPlanner(l);
  EXPECT_EQ(o.rc, KEXKIT_PLAN_KEEP_OUT);
  EXPECT_NE(o.message.find("keep-out range 0 [0x1800, 0x1900)"), std::string::npos) << o.message;
  // A 32-bit trampoline cannot reach above 4 GiB.
  l = Simple({{0, 0xfffff000, 0x100, 0x2000}}, 0);
  l.ram = {{0, uint64_t{8} << 30}};
  l.mem_size = uint64_t{1} << 32;
  o = RunPlanner(l);
  EXPECT_EQ(o.rc, KEXKIT_PLAN_BAD_INPUT);
  EXPECT_NE(o.message.find("ends above 0x100000000"), std::string::npos) << o.message;
  // A swap with no free memory at all.
  l = Simple({{0x1000, 0x2000, 0x1000, 0x1000}, {0x2000, 0x1000, 0x1000, 0x1000}});
  l.ram = {{0x1000, 0x3000}};
  o = RunPlanner(l);
  EXPECT_EQ(o.rc, KEXKIT_PLAN_NO_BOUNCE);
  EXPECT_NE(o.message.find("segments 0 1 overwrite each other's sources"), std::string::npos)
      << o.message;
  // Wrap-around.
  o = RunPlanner(Simple({{~uint64_t{0} - 10, 0x1000, 0x100, 0x1000}}));
  EXPECT_EQ(o.rc, KEXKIT_PLAN_BAD_INPUT);
  // Not a power of two.
  l = Simple({{0, 0x1000, 0x100, 0x1000}});
  l.align = 3;
  EXPECT_EQ(RunPlanner(l).rc, KEXKIT_PLAN_BAD_INPUT);
  // Too many segments.
  l = Simple(std::vector<kexkit_segment>(KEXKIT_MAX_SEGMENTS + 1, {0, 0, 0, 0}));
  EXPECT_EQ(RunPlanner(l).rc, KEXKIT_PLAN_LIMIT);
}

TEST(TrampolinePlan, TooSmallArrayReportsTheCountNeeded) {
  const Layout l = Simple({{0x1000, 0x2000, 0x1000, 0x1800}, {0x2000, 0x1000, 0x1000, 0x1000}});
  const kexkit_plan_input in = {l.segs.data(), 2, l.ram.data(), 1, nullptr, 0, 0, 0};
  kexkit_move moves[2];
  uint32_t count = 0;
  char text[128];
  EXPECT_EQ(kexkit_plan_moves(&in, moves, 2, &count, nullptr, text, sizeof(text)),
            KEXKIT_PLAN_TOO_MANY);
  EXPECT_EQ(count, 4u);  // bounce, copy, copy, zero tail
  std::vector<kexkit_move> more(count);
  EXPECT_EQ(kexkit_plan_moves(&in, more.data(), count, &count, nullptr, nullptr, 0),
            KEXKIT_PLAN_OK);
}

TEST(TrampolinePlan, MessageIsTruncatedNotOverrun) {
  const Layout l = Simple({{0, 0x1000, 0x100, 0x1000}, {0, 0x1800, 0x100, 0x1000}});
  const kexkit_plan_input in = {l.segs.data(), 2, l.ram.data(), 1, nullptr, 0, 0, 0};
  kexkit_move moves[8];
  uint32_t count = 0;
  char text[16];
  std::memset(text, 'X', sizeof(text));
  char guard = 'G';
  EXPECT_EQ(kexkit_plan_moves(&in, moves, 8, &count, nullptr, text, 10), KEXKIT_PLAN_DST_OVERLAP);
  EXPECT_EQ(std::strlen(text), 9u);
  EXPECT_EQ(text[10], 'X');
  EXPECT_EQ(guard, 'G');
}

}  // namespace
