// Hooks every purgatory architecture implements (arch/<arch>/purgatory/arch.cc).
// The generic sequence in purgatory.cc calls them in this order:
//   ConsoleInit -> Sha256Blocks -> (ConsolePutc any time) -> [Halt on failure].
// There is no #if here: the build picks the one implementation for its target.
#pragma once

#include "kexkit/purgatory-abi.h"
#include "kexkit/sha256.h"

namespace kexkit::arch {

// Brings up the console the loader asked for in params.flags; no-op when none.
void ConsoleInit(const abi::PurgatoryParams& params);

// Writes one byte to the console, if one is on. Never blocks forever.
void ConsolePutc(char c);

// The fastest SHA-256 compression this CPU supports; *name says which (printed).
sha256::BlocksFn Sha256Blocks(const char** name);

// What the loader leaves out of the regions under --hotplug (abi::kFlagHotplug) on
// this architecture: the segments the kernel rewrites on CPU or memory hotplug.
extern const char kHotplugUnverified[];

// Stops this CPU for good: interrupts off, no return, never enters the kernel.
[[noreturn]] void Halt();

}  // namespace kexkit::arch
