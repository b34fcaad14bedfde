// The segment list handed to kexec_load(2), with the buffers it points into.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/diag.h"
#include "loader/file.h"
#include "loader/memory-map.h"

namespace kexkit::load {

inline constexpr uint64_t kPageSize = 4096;
inline constexpr size_t kMaxSegments = 16;  // KEXEC_SEGMENT_MAX

struct Segment {
  std::span<const uint8_t> buf;  // bufsz = buf.size(); the rest of memsz is zero-filled
  uint64_t mem = 0;              // physical destination, page aligned
  uint64_t memsz = 0;            // page aligned, >= buf.size()
  std::string what;              // "kernel", "initrd", "boot_params", ...
  bool digested = true;          // the purgatory's own segment is not (its stack changes)

  // Whether the purgatory checks this segment: digested and with loaded bytes (a pure
  // zero fill such as the kdump backup has nothing to compare).
  bool verified() const { return digested && !buf.empty(); }
};

using Digest = std::array<uint8_t, 32>;

struct LoadPlan {
  std::vector<Segment> segments;
  uint64_t entry = 0;              // the purgatory's entry point
  unsigned long flags = 0;         // kexec_load flags: arch << 16 | KEXEC_ON_CRASH
  std::vector<std::string> notes;  // extra lines for --dry-run (core header, e820)
  // In segment order: each verified segment's SHA-256, the very digest the purgatory
  // checks (zeros for the others, which the --dry-run table hashes when it prints).
  std::vector<Digest> segment_digests;
  MappedFile kernel_file;  // the segments point into these mappings
  MappedFile initrd_file;

  // Keeps a buffer alive for as long as the plan, and returns a view of it.
  std::span<const uint8_t> Own(std::vector<uint8_t> bytes);

 private:
  std::vector<std::unique_ptr<std::vector<uint8_t>>> owned_;
};

inline uint64_t PageAlign(uint64_t v) { return (v + kPageSize - 1) & ~(kPageSize - 1); }

// The kernel's own checks on a segment list (kexec_load would refuse it, and for a crash
// load it refuses *after* dropping the loaded kernel), plus kexkit's: at most 16
// segments, page aligned, bufsz <= memsz, no two overlapping, each inside one of
// `allowed` (RAM, or the crash region for -p). `allowed_name` is for the message.
Result<void> ValidateSegments(const std::vector<Segment>& segments,
                              const std::vector<MemRange>& allowed, const char* allowed_name);

// Each verified segment's own SHA-256 over its bufsz bytes, in segment order (all zeros
// for the others): what the purgatory recomputes, segment by segment, and what the
// --dry-run table prints. Every loaded byte is hashed exactly once, on this thread. The
// zero fill up to memsz is not hashed: it is scratch (the kernel's init_size tail, page
// rounding) that no one reads as data, and for Debian's kernel it is seven times the
// loaded bytes [kexec-tools hashes it; kexkit need not]. OpenSSL does the host side.
// A segment that lies inside one of `files` is hashed from the file with pread() (see
// loader/file.h for why), the others from memory.
std::vector<Digest> DigestSegments(const std::vector<Segment>& segments,
                                   std::span<const MappedFile* const> files = {});
// SHA-256 of one segment's bufsz bytes.
Digest DigestSegment(const Segment& s);

std::string HexBytes(std::span<const uint8_t> bytes);

}  // namespace kexkit::load
