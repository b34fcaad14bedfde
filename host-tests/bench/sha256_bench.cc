// SHA-256 throughput, side by side on the same 64 MiB buffer: the purgatory's SHA-NI and
// scalar paths (the purgatory's own sources), the FIPS-straight reference, and OpenSSL
// EVP (scripts/bench runs this binary twice, once with OPENSSL_ia32cap masking SHA-NI).
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <random>
#include <vector>

#include "kexkit/sha256.h"
#include "reference-sha256.h"

namespace {

constexpr size_t kSize = 64u << 20;

const std::vector<uint8_t>& Buffer() {
  static const std::vector<uint8_t> buf = [] {
    std::vector<uint8_t> b(kSize);
    std::mt19937_64 rng(7);
    for (size_t i = 0; i < b.size(); i += 8) {
      const uint64_t v = rng();
      for (int k = 0; k < 8; ++k) b[i + k] = static_cast<uint8_t>(v >> (8 * k));
    }
    return b;
  }();
  return buf;
}

void Purgatory(benchmark::State& state, kexkit::sha256::BlocksFn fn) {
  const auto& buf = Buffer();
  uint8_t out[32];
  for (auto _ : state) {
    kexkit::sha256::Context ctx;
    kexkit::sha256::Init(ctx, fn);
    kexkit::sha256::Update(ctx, buf.data(), buf.size());
    kexkit::sha256::Final(ctx, out);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(buf.size()));
}

void BM_PurgatoryShaNi(benchmark::State& state) {
  if (!__builtin_cpu_supports("sha")) {
    state.SkipWithError("no SHA extensions on this CPU");
    return;
  }
  Purgatory(state, kexkit::sha256::BlocksShaNi);
}
void BM_PurgatoryScalar(benchmark::State& state) { Purgatory(state, kexkit::sha256::BlocksScalar); }

void BM_Reference(benchmark::State& state) {
  const auto& buf = Buffer();
  uint8_t out[32];
  for (auto _ : state) {
    kexkit::bench::ReferenceSha256(buf.data(), buf.size(), out);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(buf.size()));
}

void BM_OpenSsl(benchmark::State& state) {
  const auto& buf = Buffer();
  uint8_t out[32];
  unsigned int len = 0;
  for (auto _ : state) {
    EVP_Digest(buf.data(), buf.size(), out, &len, EVP_sha256(), nullptr);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(buf.size()));
}

BENCHMARK(BM_PurgatoryShaNi)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_PurgatoryScalar)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_Reference)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_OpenSsl)->Unit(benchmark::kMillisecond)->MinTime(1.0);

}  // namespace

BENCHMARK_MAIN();
