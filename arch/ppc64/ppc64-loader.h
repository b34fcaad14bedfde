// The ppc64 loader (ppc64le ELFv2 and big-endian ppc64 ELFv1 share it): vmlinux ELF,
// a device tree built with libfdt, the purgatory's 0x100-byte head and hand-off block.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "base/bytes.h"
#include "loader/load.h"

namespace kexkit::ppc64 {

inline constexpr uint64_t kSegmentAlign = 64 * 1024;  // PAGE_SIZE of 64K-page kernels
// Top of the real-mode area kexkit uses: everything the new kernel and the purgatory
// touch with the MMU off stays below the first memory range's end and below 768 MiB
// [kexec-tools kexec-ppc64.c caps its RMO top there; SLOF puts RTAS just under it].
inline constexpr uint64_t kRmaCap = 0x30000000;

// True when the new kernel's command line (or --console-serial) asks for the hvc
// console: console=hvc<n> anywhere in `cmdline`.
bool WantsHvcConsole(const load::Options& opt, std::string_view cmdline);

std::unique_ptr<load::ArchLoader> MakePpc64Loader(Endian endian,
                                                  std::span<const uint8_t> purgatory);

}  // namespace kexkit::ppc64
