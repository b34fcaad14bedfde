// Shared by the foundation unit tests: where the build put its inputs (golden objects,
// the purgatory, the Debian kernel) and a plain file reader. Header-only.
#pragma once

#include <glob.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace kktest {

inline std::optional<std::vector<uint8_t>> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline bool WriteFile(const std::string& path, const void* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  return static_cast<bool>(out);
}

inline std::string GoldenPath(const std::string& file) {
  return std::string(KK_GOLDEN_DIR) + "/" + file;
}

// The x86_64 purgatory the build made (the unit test binary depends on its target).
inline std::string PurgatoryPath() {
  return std::string(KK_BINARY_DIR) + "/purgatory/x86_64/purgatory.ro";
}

inline std::string TestDataPath(const std::string& file) {
  return std::string(KK_TEST_DATA_DIR) + "/" + file;
}

// The kexkit cache that scripts/test fetched Debian's kernels into before any test ran:
// $KEXKIT_CACHE as CTest passes it on, else the scripts' default.
inline std::string CacheDir() {
  const char* cache = std::getenv("KEXKIT_CACHE");
  return cache != nullptr && *cache != '\0' ? cache : "/var/cache/kexkit";
}

// The first (sorted) file matching <cache>/<arch>/root/<pattern>; empty when none.
inline std::string CachedFile(const std::string& arch, const std::string& pattern) {
  const std::string full = CacheDir() + "/" + arch + "/root/" + pattern;
  glob_t g{};
  std::string found;
  if (::glob(full.c_str(), 0, nullptr, &g) == 0 && g.gl_pathc > 0) {
    std::vector<std::string> all(g.gl_pathv, g.gl_pathv + g.gl_pathc);
    std::sort(all.begin(), all.end());
    found = all.front();
  }
  ::globfree(&g);
  return found;
}

// Debian's x86_64 kernel: KEXKIT_TEST_KERNEL_X86_64 at configure time, else the vmlinuz
// in the cache. Empty when there is none.
inline std::string TestKernelX86_64() {
  if (std::string configured = KK_TEST_KERNEL_X86_64; !configured.empty()) return configured;
  return CachedFile("x86_64", "boot/vmlinuz-*");
}

// Debian's ppc64el kernel (the vmlinux ELF) in the cache; empty when there is none.
inline std::string TestKernelPpc64le() { return CachedFile("ppc64le", "boot/vmlinux-*"); }

inline std::string NoKernelMessage(const std::string& arch) {
  return "no Debian " + arch + " kernel in " + CacheDir() + "/" + arch +
         "/root/boot: run scripts/lib/fetch-kernel.sh " + arch +
         " (scripts/test does before any test) with the same KEXKIT_CACHE";
}

inline const std::string kNoKernelMessage = NoKernelMessage("x86_64");

}  // namespace kktest
