// The x86 loader (x86_64 and i386 share it: one bzImage parser, one boot_params
// builder, one e820 builder). Only the hand-off block differs with the width.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "kexkit/x86-boot-params.h"
#include "loader/load.h"

namespace kexkit::x86 {

// e820 entries from a memory map (firmware types kept).
std::vector<E820Entry> E820FromMap(const std::vector<load::MemRange>& ranges);

// Serial console settings derived from the options and the new command line:
// --console-serial / --serial / --serial-baud, or console=ttyS<n>[,baud] in `cmdline`.
// Returns false (console off) when neither asks for one.
bool ChooseSerialConsole(const load::Options& opt, std::string_view cmdline, uint64_t* port,
                         uint32_t* divisor, bool* program_uart);

// Builds the boot_params page, command line and setup_data chain for a segment placed at
// `addr`. `base_params` (from /sys/kernel/boot_params/data, may be empty) supplies
// screen_info and acpi_rsdp_addr.
std::vector<uint8_t> BuildBootParams(const struct BzImage& bz, uint64_t addr,
                                     std::string_view cmdline, uint64_t kernel_addr,
                                     uint64_t initrd_addr, uint64_t initrd_size,
                                     const std::vector<E820Entry>& e820,
                                     std::span<const uint8_t> base_params,
                                     std::span<const uint8_t> rng_seed);
uint64_t BootParamsSize(const struct BzImage& bz, size_t e820_count);

// x86_64 (64-bit kernels, kexec_load arch EM_X86_64) or i386 (32-bit, EM_386): the same
// loader, the width picks the hand-off block, the limits and the core header's class.
enum class X86Width { k32, k64 };
std::unique_ptr<load::ArchLoader> MakeX86Loader(X86Width width, std::span<const uint8_t> purgatory);

}  // namespace kexkit::x86
