// The arm64 loader: an uncompressed Image at a 2 MiB-aligned base, the initrd, and the
// running machine's device tree (/sys/firmware/fdt, or --dtb) with a new /chosen, entered
// through the aarch64 purgatory [Documentation/arch/arm64/booting.rst].
#pragma once

#include <memory>
#include <span>

#include "loader/load.h"

namespace kexkit::arm64 {

std::unique_ptr<load::ArchLoader> MakeArm64Loader(std::span<const uint8_t> purgatory);

}  // namespace kexkit::arm64
