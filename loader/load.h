// The generic load sequence and the interface each architecture implements.
//
// Call order (BuildLoadPlan): read the memory map -> pick the allowed memory (RAM, or
// the crash region for -p) -> ArchLoader::AddSegments (kernel, initrd, boot data) ->
// digest every segment -> link the purgatory at an address from PurgatoryWindow ->
// write kexkit_params -> ArchLoader::Patch (hand-off registers) -> validate the whole
// list against the kernel's rules. Nothing reaches the system call before all of it
// succeeded, so a bad load never disturbs a kernel that is already loaded.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/diag.h"
#include "kexkit/purgatory-abi.h"
#include "linker/link.h"
#include "loader/file.h"
#include "loader/memory-map.h"
#include "loader/options.h"
#include "loader/segments.h"

namespace kexkit::load {

struct LoadContext {
  explicit LoadContext(const Options& o) : opt(o) {}
  const Options& opt;
  MemoryMap map;
  std::vector<MemRange> allowed;  // where segments may go (validated at the end)
  const char* allowed_name = "System RAM";
  AddressSpace space{{}};
  LoadPlan plan;
  MappedFile kernel;
  MappedFile initrd;              // empty when none
  std::string cmdline;            // the new kernel's command line, final
  abi::PurgatoryParams params{};  // host byte order; encoded for the target at the end
};

class ArchLoader {
 public:
  virtual ~ArchLoader() = default;
  virtual const char* name() const = 0;
  virtual uint16_t elf_machine() const = 0;  // also the kexec_load arch (bits 16+)
  virtual std::span<const uint8_t> purgatory_object() const = 0;
  virtual Endian endian() const = 0;
  // Refuses the options kexec-tools has for other architectures only, and a --type
  // this one does not load, as kexec-tools' option tables do
  // (kexec/arch/*/include/arch/options.h). One line, before anything is read.
  virtual Result<void> CheckOptions(const Options& opt) const = 0;
  // Adds the kernel, initrd and boot data segments (and, for -p, backup and ELF core
  // header), allocating from ctx.space; may set ctx.params.backup_* and console fields.
  virtual Result<void> AddSegments(LoadContext& ctx) = 0;
  // The generic plan placed the purgatory at [addr, addr + memsz) (after AddSegments,
  // before any digest): an arch whose boot information names it (ppc64: the device
  // tree's reserve map) finishes that information here, adding its last segments.
  virtual Result<void> PurgatoryPlaced(LoadContext&, uint64_t /*addr*/, uint64_t /*memsz*/) {
    return {};
  }
  // [min, max) for the purgatory's segment.
  virtual std::pair<uint64_t, uint64_t> PurgatoryWindow(const LoadContext& ctx) const = 0;
  // Alignment of the purgatory segment's address and size: kexec_load wants every
  // segment aligned to the running kernel's PAGE_SIZE (64 KiB on ppc64el kernels).
  virtual uint64_t segment_align() const { return kPageSize; }
  // Completes the memory map from platform sources the generic readers do not know
  // (ppc64: the crash region is only in /chosen/linux,crashkernel-*, not /proc/iomem).
  virtual Result<void> CompleteMemoryMap(const Options&, MemoryMap&) const { return {}; }
  // Writes the arch hand-off block into the linked purgatory.
  virtual Result<void> Patch(LoadContext& ctx, link::LinkedImage& image) = 0;
};

// The loader for the architecture this binary was built for.
std::unique_ptr<ArchLoader> MakeArchLoader();

// Runs the whole sequence above; the plan is ready for KexecSys::Load.
Result<LoadPlan> BuildLoadPlan(const Options& opt, ArchLoader& arch);

// The command line for the new kernel: --reuse-cmdline's copy of the running one (less
// BOOT_IMAGE= and crashkernel=), then --append.
Result<std::string> ComposeCmdline(const Options& opt);

// The label the purgatory prints for a segment that fails its check (at most
// abi::kLabelSize - 1 characters): "kernel", "initrd", "bootparams", "fdt", "corehdr".
std::string PurgatoryLabel(std::string_view what);

// --hotplug: no segment but the core header may start with ELF magic (the kernel finds
// the header it rewrites by that magic). One line naming the segment otherwise.
Result<void> CheckHotplugSegments(const std::vector<Segment>& segments);

// The parameter block in the purgatory's byte order, ready for SetSymbol.
std::vector<uint8_t> EncodeParams(const abi::PurgatoryParams& p, Endian e);

}  // namespace kexkit::load
