// A libFuzzer target with a planted fault, built only in the fuzz tree and never run by
// scripts/fuzz (its name is not fuzz-*): the fuzz.selftest.* tests drive it through
// run-fuzzer.sh, exactly as scripts/fuzz and the bounded fuzz step do, and pass only if
// the run fails and leaves an artifact. That is what proves a hang, crash, leak or
// out-of-memory input in a real target cannot be reported as a clean run, in either
// mode (plain, and libFuzzer's -fork, where timeouts and OOMs are ignored by default).
//
// KK_PLANTED_FAULT (environment) picks the fault: hang, crash, leak or oom. It fires on
// an input that starts with '!' (random mutation finds one within a second), and only
// once across every process of the run when KK_PLANTED_ONCE names a file that does not
// exist yet (the fault creates it): a rare find, the case fork mode used to lose, since
// it exits with the status of its last job, clean when only an earlier one timed out.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {

enum class Fault { kNone, kHang, kCrash, kLeak, kOom };

Fault Chosen() {
  const char* f = std::getenv("KK_PLANTED_FAULT");
  if (f == nullptr) return Fault::kNone;
  if (std::strcmp(f, "hang") == 0) return Fault::kHang;
  if (std::strcmp(f, "crash") == 0) return Fault::kCrash;
  if (std::strcmp(f, "leak") == 0) return Fault::kLeak;
  if (std::strcmp(f, "oom") == 0) return Fault::kOom;
  return Fault::kNone;
}

volatile uint64_t g_sink;

// True the first time across processes (O_EXCL on KK_PLANTED_ONCE), or always without it.
bool FirstTime() {
  const char* once = std::getenv("KK_PLANTED_ONCE");
  if (once == nullptr) return true;
  const int fd = ::open(once, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fault fault = Chosen();
  if (fault == Fault::kNone || size == 0 || data[0] != '!' || !FirstTime()) return 0;
  switch (fault) {
    case Fault::kNone:
      break;
    case Fault::kHang:
      for (;;) g_sink = g_sink + 1;  // volatile: the loop cannot be removed
    case Fault::kCrash:
      std::abort();
    case Fault::kLeak: {
      auto* p = static_cast<uint8_t*>(std::malloc(4096));
      std::memset(p, size & 0xff, 4096);
      g_sink = g_sink + p[size % 4096];  // kept alive, never freed
      p = nullptr;
      break;
    }
    case Fault::kOom: {
      // Past run-fuzzer.sh's -malloc_limit_mb (512): reported as out-of-memory.
      auto* p = static_cast<uint8_t*>(std::malloc(size_t{1} << 30));
      if (p != nullptr) {
        std::memset(p, 1, size_t{1} << 30);
        g_sink = g_sink + p[size];
      }
      std::free(p);
      break;
    }
  }
  return 0;
}
