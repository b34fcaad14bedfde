// The kexkit command as a function: main() is a two-line wrapper around RunKexkit, so
// tests run the real command-line entry in-process with a recording KexecSys (no system
// call ever reaches the kernel) and read what it prints.
//
// Contract: parses argv, runs one action, prints results to `out` and any failure as
// exactly one line "kexkit: <file or option>: <problem>" on `err`. Exit codes, as
// kexec-tools 2.0.32 has them where scripts look: 0 done (for -S: not loaded); 1 failed,
// or a bad command line (kexec-tools' usage() exit), or for -S: loaded; 2 for -s when
// the kernel cannot kexec_file_load the image (kexec-tools' EFALLBACK); 255 for -S when
// the state cannot be read (kexec-tools' -1). Everything a load needs is read and validated before
// the first call into `sys`, so a failed -l or -p leaves the kernel that is already loaded in
// place.
#pragma once

#include <cstdio>

#include "loader/kexec.h"
#include "loader/load.h"

namespace kexkit::load {

inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 1;
inline constexpr int kExitNoFileLoad = 2;
inline constexpr int kExitStatusUnknown = 255;

// e_machine values, which are also kexec_load's arch field (ArchLoader::elf_machine).
inline constexpr uint16_t kEm386 = 3, kEmPpc64 = 21, kEmX86_64 = 62;

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
