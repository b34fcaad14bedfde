// The relocation planner (see include/kexkit/relocate.h for the algorithm and its
// contract). Freestanding and allocation-free: every working set is a fixed array on
// the stack, sized by kMaxSegments / kMaxRanges, and overflowing one is an error, not a
// truncation. Two passes where it matters: a bounce allocation is simulated first and
// committed only when it fits whole.
#include "kexkit/relocate.h"

namespace kexkit::relocate {
namespace {

constexpr uint32_t kMaxFree = 2 * kMaxRanges + 3 * kMaxSegments + 8;
constexpr uint32_t kMaxBounce = 256;  // bounce pieces over the whole plan
constexpr uint64_t kWordAlign = 8;    // bounce copies keep src and buf co-aligned to this

struct Interval {
  uint64_t start, end;
};

// A sorted list of disjoint intervals in a caller-provided array.
class IntervalSet {
 public:
  IntervalSet(Interval* v, uint32_t cap) : v_(v), cap_(cap) {}
  uint32_t size() const { return n_; }
  Interval& operator[](uint32_t i) { return v_[i]; }
  const Interval& operator[](uint32_t i) const { return v_[i]; }

  // Adds [start, end) and merges it with overlapping or adjacent members.
  bool Add(uint64_t start, uint64_t end) {
    if (start >= end) return true;
    if (n_ == cap_) return false;
    uint32_t i = n_++;
    while (i > 0 && v_[i - 1].start > start) {
      v_[i] = v_[i - 1];
      --i;
    }
    v_[i] = {start, end};
    // Merge neighbours (the list stays sorted by start).
    uint32_t out = 0;
    for (uint32_t k = 0; k < n_; ++k) {
      if (out != 0 && v_[k].start <= v_[out - 1].end) {
        if (v_[k].end > v_[out - 1].end) v_[out - 1].end = v_[k].end;
      } else {
        v_[out++] = v_[k];
      }
    }
    n_ = out;
    return true;
  }

  // Removes [start, end) from every member; a member may split in two.
  bool Subtract(uint64_t start, uint64_t end) {
    if (start >= end) return true;
    for (uint32_t k = 0; k < n_; ++k) {
      Interval& r = v_[k];
      if (!Intersects(r.start, r.end, start, end)) continue;
      if (start > r.start && end < r.end) {  // split
        if (n_ == cap_) return false;
        for (uint32_t m = n_; m > k + 1; --m) v_[m] = v_[m - 1];
        ++n_;
        v_[k + 1] = {end, r.end};
        r.end = start;
        ++k;
      } else if (start <= r.start && end >= r.end) {
        r.end = r.start;  // emptied; compacted below
      } else if (start <= r.start) {
        r.start = end;
      } else {
        r.end = start;
      }
    }
    uint32_t out = 0;
    for (uint32_t k = 0; k < n_; ++k) {
      if (v_[k].start < v_[k].end) v_[out++] = v_[k];
    }
    n_ = out;
    return true;
  }

  bool Contains(uint64_t start, uint64_t end) const {
    for (uint32_t k = 0; k < n_; ++k) {
      if (v_[k].start <= start && end <= v_[k].end) return true;
    }
    return false;
  }

 private:
  Interval* v_;
  uint32_t cap_;
  uint32_t n_ = 0;
};

struct Bounce {
  uint64_t src, len, buf;
};

uint64_t AlignUp(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

uint64_t Bit(uint32_t i) { return uint64_t{1} << i; }

uint32_t LowestBit(uint64_t m) {
  uint32_t i = 0;
  while (!(m & 1)) {
    m >>= 1;
    ++i;
  }
  return i;
}

// Greedy first-fit placement of `parts` into the free list, in address order. With
// commit false it only counts (pieces needed, or false when the bytes do not fit);
// with commit true it also writes the pieces and consumes the free memory.
bool PlaceBounce(IntervalSet& free, uint64_t align, const IntervalSet& parts, bool commit,
                 Bounce* out, uint32_t out_cap, uint32_t* pieces) {
  uint32_t chunk = 0;
  uint64_t cur = free.size() != 0 ? free[0].start : 0;
  uint32_t n = 0;
  for (uint32_t p = 0; p < parts.size(); ++p) {
    uint64_t src = parts[p].start;
    uint64_t left = parts[p].end - parts[p].start;
    while (left != 0) {
      if (chunk == free.size()) return false;
      const Interval& c = free[chunk];
      if (cur < c.start) cur = c.start;
      // Co-aligned with the source, so the copy runs in words.
      uint64_t buf = AlignUp(cur, align) + (src & (kWordAlign - 1));
      if (buf < cur || buf >= c.end) {  // nothing left in this chunk
        if (++chunk < free.size()) cur = free[chunk].start;
        continue;
      }
      const uint64_t take = c.end - buf < left ? c.end - buf : left;
      if (n == out_cap) return false;
      if (commit) out[n] = {src, take, buf};
      ++n;
      src += take;
      left -= take;
      cur = buf + take;
    }
  }
  if (commit) {
    // Consume [free[k].start, cur) of the chunks walked.
    for (uint32_t k = 0; k < chunk && k < free.size(); ++k) free[k].start = free[k].end;
    if (chunk < free.size() && cur > free[chunk].start) {
      free[chunk].start = cur < free[chunk].end ? cur : free[chunk].end;
    }
  }
  *pieces = n;
  return true;
}

// Emits one move, or only counts it once the array is full.
class Emitter {
 public:
  Emitter(kexkit_move* moves, uint32_t cap) : moves_(moves), cap_(cap) {}
  void Copy(uint64_t dst, uint64_t src, uint64_t len, uint32_t seg) {
    if (len != 0 && dst != src) Put({dst, src, len, KEXKIT_MOVE_COPY, seg});
  }
  void Zero(uint64_t dst, uint64_t len, uint32_t seg) {
    if (len != 0) Put({dst, 0, len, KEXKIT_MOVE_ZERO, seg});
  }
  uint32_t count() const { return n_; }
  bool overflow() const { return n_ > cap_; }

 private:
  void Put(const kexkit_move& m) {
    if (n_ < cap_) moves_[n_] = m;
    ++n_;
  }
  kexkit_move* moves_;
  uint32_t cap_;
  uint32_t n_ = 0;
};

}  // namespace

int Plan(const kexkit_plan_input& in, kexkit_move* moves, uint32_t capacity, uint32_t* count,
         kexkit_plan_stats* stats, Message& msg) {
  *count = 0;
  if (stats != nullptr) *stats = {};
  const uint32_t n = in.segment_count;
  if (n > kMaxSegments || in.ram_count > kMaxRanges || in.keep_out_count > kMaxRanges) {
    msg.Str("planner limits: at most ")
        .Dec(kMaxSegments)
        .Str(" segments and ")
        .Dec(kMaxRanges)
        .Str(" RAM / keep-out ranges (got ")
        .Dec(n)
        .Str(", ")
        .Dec(in.ram_count)
        .Str(", ")
        .Dec(in.keep_out_count)
        .Str(")");
    return KEXKIT_PLAN_LIMIT;
  }
  if ((n != 0 && in.segments == nullptr) || (in.ram_count != 0 && in.ram == nullptr) ||
      (in.keep_out_count != 0 && in.keep_out == nullptr)) {
    msg.Str("null array with a nonzero count");
    return KEXKIT_PLAN_BAD_INPUT;
  }
  uint64_t align = in.bounce_align == 0 ? 4096 : in.bounce_align;
  if ((align & (align - 1)) != 0) {
    msg.Str("bounce_align ").Hex(align).Str(" is not a power of two");
    return KEXKIT_PLAN_BAD_INPUT;
  }
  if (align < kWordAlign) align = kWordAlign;
  const uint64_t top = in.max_address == 0 ? ~uint64_t{0} : in.max_address;

  // --- checks on each segment, then on pairs ---------------------------------------
  const kexkit_segment* seg = in.segments;
  for (uint32_t i = 0; i < n; ++i) {
    const kexkit_segment& s = seg[i];
    if (s.size > s.memsz) {
      msg.Str("segment ").Dec(i).Str(": size ").Hex(s.size).Str(" exceeds memsz ").Hex(s.memsz);
      return KEXKIT_PLAN_BAD_INPUT;
    }
    if (s.src + s.size < s.src || s.dst + s.memsz < s.dst) {
      msg.Str("segment ").Dec(i).Str(": address range wraps around");
      return KEXKIT_PLAN_BAD_INPUT;
    }
    if (s.src + s.size > top || s.dst + s.memsz > top) {
      msg.Str("segment ")
          .Dec(i)
          .Str(": source ")
          .Range(s.src, s.src + s.size)
          .Str(" or destination ")
          .Range(s.dst, s.dst + s.memsz)
          .Str(" ends above ")
          .Hex(top);
      return KEXKIT_PLAN_BAD_INPUT;
    }
  }
  for (uint32_t i = 0; i < n; ++i) {
    for (uint32_t j = i + 1; j < n; ++j) {
      if (seg[i].memsz != 0 && seg[j].memsz != 0 &&
          Intersects(seg[i].dst, seg[i].dst + seg[i].memsz, seg[j].dst,
                     seg[j].dst + seg[j].memsz)) {
        msg.Str("segments ")
            .Dec(i)
            .Str(" and ")
            .Dec(j)
            .Str(": destinations ")
            .Range(seg[i].dst, seg[i].dst + seg[i].memsz)
            .Str(" and ")
            .Range(seg[j].dst, seg[j].dst + seg[j].memsz)
            .Str(" overlap");
        return KEXKIT_PLAN_DST_OVERLAP;
      }
    }
  }
  for (uint32_t k = 0; k < in.keep_out_count; ++k) {
    const kexkit_range& r = in.keep_out[k];
    if (r.start > r.end) {
      msg.Str("keep-out range ").Dec(k).Str(" ends before it starts");
      return KEXKIT_PLAN_BAD_INPUT;
    }
    for (uint32_t i = 0; i < n; ++i) {
      const kexkit_segment& s = seg[i];
      const bool src_hit = s.size != 0 && Intersects(s.src, s.src + s.size, r.start, r.end);
      if (src_hit || (s.memsz != 0 && Intersects(s.dst, s.dst + s.memsz, r.start, r.end))) {
        msg.Str("segment ").Dec(i).Str(src_hit ? ": source " : ": destination ");
        if (src_hit)
          msg.Range(s.src, s.src + s.size);
        else
          msg.Range(s.dst, s.dst + s.memsz);
        msg.Str(" overlaps keep-out range ")
            .Dec(k)
            .Str(" ")
            .Range(r.start, r.end)
            .Str(" (trampoline code, data, stack or plan)");
        return KEXKIT_PLAN_KEEP_OUT;
      }
    }
  }

  Interval ram_store[kMaxRanges];
  IntervalSet ram(ram_store, kMaxRanges);
  for (uint32_t k = 0; k < in.ram_count; ++k) {
    const kexkit_range& r = in.ram[k];
    if (r.start > r.end) {
      msg.Str("RAM range ").Dec(k).Str(" ends before it starts");
      return KEXKIT_PLAN_BAD_INPUT;
    }
    ram.Add(r.start, r.end < top ? r.end : top);  // cannot overflow: at most ram_count
  }
  for (uint32_t i = 0; i < n; ++i) {
    const kexkit_segment& s = seg[i];
    if (s.memsz != 0 && !ram.Contains(s.dst, s.dst + s.memsz)) {
      msg.Str("segment ")
          .Dec(i)
          .Str(": destination ")
          .Range(s.dst, s.dst + s.memsz)
          .Str(" is not inside one RAM range");
      return KEXKIT_PLAN_NOT_RAM;
    }
  }

  // --- the clobber relation: out[i] has j when j's destination overlaps i's source ---
  uint64_t out[kMaxSegments] = {};
  uint64_t in_edges[kMaxSegments] = {};
  uint64_t remaining = 0;
  uint32_t overlapping = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const kexkit_segment& a = seg[i];
    if (a.memsz != 0) remaining |= Bit(i);
    bool hit = false;
    for (uint32_t j = 0; j < n; ++j) {
      const kexkit_segment& b = seg[j];
      if (b.size != 0 && a.memsz != 0 &&
          Intersects(b.src, b.src + b.size, a.dst, a.dst + a.memsz)) {
        hit = true;  // a's destination overlaps some source (b's, perhaps its own)
      }
      if (i != j && a.size != 0 && b.memsz != 0 &&
          Intersects(a.src, a.src + a.size, b.dst, b.dst + b.memsz)) {
        out[i] |= Bit(j);
        in_edges[j] |= Bit(i);
      }
    }
    if (hit) ++overlapping;
  }

  // --- free memory for bounce buffers ---------------------------------------------
  Interval free_store[kMaxFree];
  IntervalSet free(free_store, kMaxFree);
  for (uint32_t k = 0; k < ram.size(); ++k) free.Add(ram[k].start, ram[k].end);
  bool fits = true;
  for (uint32_t i = 0; i < n; ++i) {
    fits = fits && free.Subtract(seg[i].src, seg[i].src + seg[i].size);
    fits = fits && free.Subtract(seg[i].dst, seg[i].dst + seg[i].memsz);
  }
  for (uint32_t k = 0; k < in.keep_out_count; ++k) {
    fits = fits && free.Subtract(in.keep_out[k].start, in.keep_out[k].end);
  }
  if (!fits) {
    msg.Str("planner limit: the free-memory map needs more than ").Dec(kMaxFree).Str(" ranges");
    return KEXKIT_PLAN_LIMIT;
  }

  // --- order: Kahn's algorithm, bouncing one segment whenever all are blocked ------
  uint32_t order[kMaxSegments];
  uint32_t ordered = 0;
  Bounce bounce[kMaxBounce];
  uint32_t bounce_count = 0;
  uint32_t bounce_first[kMaxSegments] = {};
  uint32_t bounce_n[kMaxSegments] = {};
  uint32_t bounced = 0;
  uint64_t bounce_bytes = 0;
  while (remaining != 0) {
    uint64_t ready = 0;
    for (uint64_t m = remaining; m != 0; m &= m - 1) {
      const uint32_t j = LowestBit(m);
      if ((in_edges[j] & remaining & ~Bit(j)) == 0) ready |= Bit(j);
    }
    if (ready != 0) {
      const uint32_t j = LowestBit(ready);
      order[ordered++] = j;
      remaining &= ~Bit(j);
      continue;
    }
    // A cycle. Candidates: every remaining segment some other remaining one clobbers.
    // Try them by the number of bytes that would need bouncing, fewest first.
    Interval part_store[kMaxSegments];
    uint64_t need[kMaxSegments] = {};
    uint64_t candidates = 0;
    for (uint64_t m = remaining; m != 0; m &= m - 1) {
      const uint32_t i = LowestBit(m);
      const uint64_t victims = out[i] & remaining;
      if (victims == 0) continue;
      IntervalSet parts(part_store, kMaxSegments);
      for (uint64_t v = victims; v != 0; v &= v - 1) {
        const kexkit_segment& b = seg[LowestBit(v)];
        const uint64_t lo = b.dst > seg[i].src ? b.dst : seg[i].src;
        const uint64_t hi0 = b.dst + b.memsz, hi1 = seg[i].src + seg[i].size;
        parts.Add(lo, hi0 < hi1 ? hi0 : hi1);
      }
      for (uint32_t k = 0; k < parts.size(); ++k) need[i] += parts[k].end - parts[k].start;
      candidates |= Bit(i);
    }
    bool broke = false;
    uint64_t smallest_need = 0;
    while (candidates != 0 && !broke) {
      uint32_t best = LowestBit(candidates);
      for (uint64_t m = candidates; m != 0; m &= m - 1) {
        const uint32_t i = LowestBit(m);
        if (need[i] < need[best]) best = i;
      }
      candidates &= ~Bit(best);
      if (smallest_need == 0) smallest_need = need[best];
      // Rebuild the parts of `best` (part_store held the last candidate's).
      IntervalSet parts(part_store, kMaxSegments);
      for (uint64_t v = out[best] & remaining; v != 0; v &= v - 1) {
        const kexkit_segment& b = seg[LowestBit(v)];
        const uint64_t lo = b.dst > seg[best].src ? b.dst : seg[best].src;
        const uint64_t hi0 = b.dst + b.memsz, hi1 = seg[best].src + seg[best].size;
        parts.Add(lo, hi0 < hi1 ? hi0 : hi1);
      }
      uint32_t pieces = 0;
      if (!PlaceBounce(free, align, parts, false, nullptr, kMaxBounce - bounce_count, &pieces)) {
        continue;
      }
      PlaceBounce(free, align, parts, true, bounce + bounce_count, kMaxBounce - bounce_count,
                  &pieces);
      bounce_first[best] = bounce_count;
      bounce_n[best] = pieces;
      bounce_count += pieces;
      ++bounced;
      bounce_bytes += need[best];
      // Its clobbered bytes now come from the bounce buffers: no edge leaves it.
      for (uint64_t v = out[best]; v != 0; v &= v - 1) in_edges[LowestBit(v)] &= ~Bit(best);
      out[best] = 0;
      broke = true;
    }
    if (!broke) {
      uint64_t free_bytes = 0;
      for (uint32_t k = 0; k < free.size(); ++k) free_bytes += free[k].end - free[k].start;
      msg.Str("segments");
      for (uint64_t m = remaining; m != 0; m &= m - 1) msg.Str(" ").Dec(LowestBit(m));
      msg.Str(" overwrite each other's sources; breaking the cycle needs a bounce buffer of ")
          .Hex(smallest_need)
          .Str(" bytes, but only ")
          .Hex(free_bytes)
          .Str(" bytes of RAM are outside every source, destination and keep-out range");
      return KEXKIT_PLAN_NO_BOUNCE;
    }
  }

  // --- emit: bounce copies first (memory still as staged), then segment by segment --
  Emitter emit(moves, capacity);
  for (uint32_t i = 0; i < n; ++i) {
    for (uint32_t b = bounce_first[i]; b < bounce_first[i] + bounce_n[i]; ++b) {
      emit.Copy(bounce[b].buf, bounce[b].src, bounce[b].len, i);
    }
  }
  uint32_t backward = 0;
  for (uint32_t o = 0; o < ordered; ++o) {
    const uint32_t i = order[o];
    const kexkit_segment& s = seg[i];
    // Pieces in source order: gap 0, bounce 0, gap 1, bounce 1, ..., gap r. Walk them
    // high-to-low when the destination is above the source: then no piece's write
    // reaches a lower piece's source (and symmetrically low-to-high).
    const uint32_t r = bounce_n[i];
    const Bounce* bb = bounce + bounce_first[i];
    const bool down = s.dst > s.src;
    for (uint32_t step = 0; step < 2 * r + 1; ++step) {
      const uint32_t k = down ? 2 * r - step : step;
      uint64_t from, len, read;
      if (k % 2 == 1) {
        from = bb[k / 2].src;
        len = bb[k / 2].len;
        read = bb[k / 2].buf;
      } else {
        from = k == 0 ? s.src : bb[k / 2 - 1].src + bb[k / 2 - 1].len;
        const uint64_t to = k / 2 == r ? s.src + s.size : bb[k / 2].src;
        len = to - from;
        read = from;
      }
      const uint64_t dst = s.dst + (from - s.src);
      if (read == from && len != 0 && dst > read && Intersects(read, read + len, dst, dst + len)) {
        ++backward;
      }
      emit.Copy(dst, read, len, i);
    }
    emit.Zero(s.dst + s.size, s.memsz - s.size, i);
  }
  *count = emit.count();
  if (emit.overflow()) {
    msg.Str("the plan needs ").Dec(emit.count()).Str(" moves; the array holds ").Dec(capacity);
    return KEXKIT_PLAN_TOO_MANY;
  }
  if (stats != nullptr) {
    stats->moves = emit.count();
    stats->bounced = bounced;
    stats->bounce_bytes = bounce_bytes;
    stats->backward = backward;
    stats->overlapping = overlapping;
  }
  return KEXKIT_PLAN_OK;
}

}  // namespace kexkit::relocate

extern "C" int kexkit_plan_moves(const kexkit_plan_input* in, kexkit_move* moves, uint32_t capacity,
                                 uint32_t* count, kexkit_plan_stats* stats, char* message,
                                 size_t message_size) {
  kexkit::relocate::Message msg(message, message == nullptr ? 0 : message_size);
  uint32_t dummy = 0;
  if (in == nullptr) {
    msg.Str("no plan input");
    return KEXKIT_PLAN_BAD_INPUT;
  }
  return kexkit::relocate::Plan(*in, moves, capacity, count != nullptr ? count : &dummy, stats,
                                msg);
}
