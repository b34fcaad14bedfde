#include "loader/crash.h"

namespace kexkit::load {

Result<CrashSetup> AddCrashSegments(LoadContext&, CrashArch, bool) {
  return Fail("kdump (-p) is not implemented yet");
}

}  // namespace kexkit::load
