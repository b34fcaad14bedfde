// A plain SHA-256 written straight from FIPS 180-4 (6.2.2, the 64-word schedule, no
// unrolling, no tricks): the baseline the purgatory's paths are benchmarked against.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kexkit::bench {

void ReferenceSha256(const uint8_t* data, size_t len, uint8_t out[32]);

}  // namespace kexkit::bench
