// The new kernel's flattened device tree, built with libfdt, from the running system's
// /proc/device-tree (a directory walk) or from a --dtb blob.
//
// Call order: FromDirectory | FromBlob -> queries (Memory, RtasRange, VtermNo, ...) ->
// SetChosen, AddReserve (placeholders allowed), [kdump: SetUsableMemory] -> Pack ->
// [--hotplug: AddFreeSpace] -> size() -> SetReserve (final addresses of the placeholders) ->
// bytes(). Pack is the last step that can move anything, so the size the caller allocates for stays
// exact.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/diag.h"
#include "loader/memory-map.h"

namespace kexkit::ppc64 {

// Errors in a device tree kexkit reads or builds: "device tree: ...".
inline constexpr Part kDeviceTree{"device tree"};

class FdtBuilder {
 public:
  // Walks `dir` (files: properties, directories: nodes, names sorted). Drops the /chosen
  // properties the running kernel made for itself and the new one must not inherit
  // (initrd, crashkernel, kernel-end, memory-limit, htab, bootargs). What can go wrong:
  // an unreadable directory or file, nesting deeper than 64 levels or more than 64 MiB
  // of tree, a tree that libfdt refuses or that fails fdt_check_full (each names the path).
  static Result<FdtBuilder> FromDirectory(const std::string& dir);
  // A blob from --dtb: fdt_check_header, then fdt_check_full over the whole structure
  // before anything walks it (an unchecked blob can make libfdt loop for minutes); any
  // version libfdt reads, at most 64 MiB.
  static Result<FdtBuilder> FromBlob(std::span<const uint8_t> blob, const std::string& name);

  // RAM ranges of every device_type "memory" node's reg (#address-cells/#size-cells of
  // the root), sorted.
  std::vector<load::MemRange> Memory() const;
  // The RTAS instance the running kernel uses (/rtas linux,rtas-base + rtas-size).
  std::optional<load::MemRange> RtasRange() const;
  // PowerNV (bare-metal OpenPOWER, OPAL firmware, no hypervisor): the root is
  // compatible with "ibm,powernv".
  bool IsPowerNV() const;
  // OPAL's runtime image (/ibm,opal opal-base-address + opal-runtime-size).
  std::optional<load::MemRange> OpalRuntime() const;
  // Memory the firmware keeps for itself: the root's reserved-ranges (skiboot: its code,
  // heap, stacks, HOMER and OCC areas) and every /reserved-memory child's reg but the
  // "reusable" ones; sorted, overlaps merged.
  std::vector<load::MemRange> FirmwareReserved() const;
  // The hypervisor vterm of /chosen's stdout (linux,stdout-path or stdout-path): its reg
  // (on PowerNV, the OPAL console's terminal number: /ibm,opal/consoles/serial@N).
  std::optional<uint32_t> VtermNo() const;
  // /chosen u64 property (linux,crashkernel-base ...), either 4 or 8 bytes.
  std::optional<uint64_t> ChosenU64(const char* prop) const;
  // A property of any node as a big-endian 64-bit value (ibm,opal/opal-base-address).
  std::optional<uint64_t> PropU64(const char* path, const char* prop) const;
  bool HasNode(const char* path) const;

  // ibm,dynamic-reconfiguration-memory [LoPAPR, the
  // ibm,dynamic-reconfiguration-memory node; read by the kernel's drmem.c]: RAM in logical memory
  // blocks (LMBs) of one size, listed one by one (ibm,dynamic-memory) or as runs of consecutive
  // blocks (ibm,dynamic-memory-v2; the v1 list wins where both exist, as in the kernel).
  static constexpr uint32_t kLmbAssigned = 0x8;   // DRCONF_MEM_ASSIGNED
  static constexpr uint32_t kLmbReserved = 0x80;  // DRCONF_MEM_RESERVED
  struct LmbRun {
    uint64_t base;
    uint64_t count;  // consecutive LMBs from base (always 1 in the v1 list)
    uint32_t flags;
    // The kernel takes an LMB as RAM, and reads its linux,drconf-usable-memory
    // entry, only if it is assigned to this partition and not reserved.
    bool IsRam() const { return (flags & kLmbAssigned) && !(flags & kLmbReserved); }
  };
  struct DrconfMemory {
    uint64_t lmb_size = 0;
    std::vector<LmbRun> runs;  // in property order (the order of the usable entries)
  };
  // nullopt without the node. What can go wrong: ibm,lmb-size missing or not a power
  // of two, neither list present, a list shorter than its count says, runs that wrap
  // the address space, more RAM LMBs than kMaxRamLmbs (each names the property).
  static constexpr uint64_t kMaxRamLmbs = 1u << 20;
  Result<std::optional<DrconfMemory>> Drconf() const;

  Result<void> SetChosen(std::string_view bootargs, uint64_t initrd_start, uint64_t initrd_end);
  // Appends a reserve-map entry (size > 0: a zero size would end the map); returns its
  // index (for SetReserve after Pack).
  Result<size_t> AddReserve(uint64_t addr, uint64_t size);
  // kdump: linux,usable-memory on every memory node = its reg clipped to `usable`, and
  // with ibm,dynamic-reconfiguration-memory, linux,drconf-usable-memory: for every LMB
  // the kernel takes as RAM (LmbRun::IsRam), in order, a count (#size-cells) and that
  // many (base, size) pairs, the LMB clipped to `usable`; count 0 drops the LMB.
  // `usable` in any order: overlapping and touching ranges merge, pairs come in address
  // order.
  Result<void> SetUsableMemory(const std::vector<load::MemRange>& usable);
  Result<void> Pack();
  // The cpu nodes (device_type "cpu") under /cpus: how many, and the largest one's
  // bytes in the structure block (its properties and subnodes).
  struct CpuNodes {
    uint32_t count = 0;
    uint64_t largest = 0;
  };
  CpuNodes Cpus() const;
  // After Pack: `bytes` of free space at the end of the tree (totalsize grows), where
  // libfdt's read-write calls can add nodes in place. --hotplug on ppc64: the kernel
  // rebuilds /cpus in the loaded tree when a CPU is added [arch/powerpc/kexec/
  // core_64.c update_cpus_node]. What can go wrong: more than 16 MiB asked for.
  Result<void> AddFreeSpace(uint64_t bytes);
  // Rewrites reserve entry `index` in place (no size change).
  Result<void> SetReserve(size_t index, uint64_t addr, uint64_t size);

  uint64_t size() const;
  std::span<const uint8_t> bytes() const { return {buf_.data(), static_cast<size_t>(size())}; }
  std::vector<uint8_t> Take() && {
    buf_.resize(size());
    return std::move(buf_);
  }

 private:
  FdtBuilder() = default;
  Result<void> Grow(size_t extra);

  std::vector<uint8_t> buf_;
};

}  // namespace kexkit::ppc64
