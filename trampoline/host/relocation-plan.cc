#include "trampoline/host/relocation-plan.h"

#include "kexkit/relocate.h"

namespace kexkit::load {
namespace {
constexpr Part kRelocationPlan{"relocation plan"};
}  // namespace

Result<RelocationPlan> PlanRelocation(const MemoryMap& map,
                                      const std::vector<RelocationSegment>& segments,
                                      const RelocationOptions& options) {
  std::vector<kexkit_segment> segs;
  for (const RelocationSegment& s : segments) segs.push_back({s.src, s.dst, s.size, s.memsz});
  std::vector<kexkit_range> ram, keep;
  for (const MemRange& r : map.ranges) {
    if (r.type == RangeType::kRam) ram.push_back({r.start, r.end});
  }
  for (const MemRange& r : options.keep_out) keep.push_back({r.start, r.end});
  const kexkit_plan_input in = {segs.data(),         static_cast<uint32_t>(segs.size()),
                                ram.data(),          static_cast<uint32_t>(ram.size()),
                                keep.data(),         static_cast<uint32_t>(keep.size()),
                                options.max_address, options.bounce_align};
  RelocationPlan plan;
  // Two passes at most: a first guess at the size, then exactly what the planner asked.
  plan.moves.resize(4 * segs.size() + 16);
  for (int pass = 0; pass < 2; ++pass) {
    char text[512];
    relocate::Message msg(text, sizeof(text));
    uint32_t count = 0;
    const int rc = relocate::Plan(in, plan.moves.data(), static_cast<uint32_t>(plan.moves.size()),
                                  &count, &plan.stats, msg);
    if (rc == KEXKIT_PLAN_OK) {
      plan.moves.resize(count);
      return plan;
    }
    if (rc == KEXKIT_PLAN_TOO_MANY && pass == 0) {
      plan.moves.resize(count);
      continue;
    }
    std::string legend;
    for (size_t i = 0; i < segments.size(); ++i) {
      if (segments[i].what.empty()) continue;
      legend += legend.empty() ? " (segment " : ", ";
      legend += std::to_string(i) + " = " + segments[i].what;
    }
    if (!legend.empty()) legend += ")";
    return kRelocationPlan.Fail(text, legend);
  }
  return kRelocationPlan.Fail("the move count did not settle");
}

}  // namespace kexkit::load
