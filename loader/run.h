// The kexkit command as a function: main() is a two-line wrapper around RunKexkit, so
// tests run the real command-line entry in-process with a recording KexecSys (no system
// call ever reaches the kernel) and read what it prints.
//
// Contract: parses argv, runs one action, prints results to `out` and any failure as
// exactly one line "kexkit: <file or option>: <problem>" on `err`. Exit codes: 0 done
// (for -S: not loaded), 1 failed (for -S: loaded, kexec-tools' convention), 2 bad
// command line. Everything a load needs is read and validated before the first call
// into `sys`, so a failed -l or -p leaves the kernel that is already loaded in place.
#pragma once

#include <cstdio>

#include "loader/kexec.h"
#include "loader/load.h"

namespace kexkit::load {

// `arch` is the loader for the kernel image (MakeArchLoader() in the real binary; tests
// pass one built around a purgatory of their choice). It is used for one load only.
int RunKexkit(int argc, char** argv, KexecSys& sys, ArchLoader& arch, std::FILE* out,
              std::FILE* err);

// The same with this binary's own architecture. Inline so that the library does not
// need MakeArchLoader (each executable defines it in loader/arch-<arch>.cc).
inline int RunKexkit(int argc, char** argv, KexecSys& sys, std::FILE* out, std::FILE* err) {
  auto arch = MakeArchLoader();
  return RunKexkit(argc, argv, sys, *arch, out, err);
}

}  // namespace kexkit::load
