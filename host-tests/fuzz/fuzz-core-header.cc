// libFuzzer target: the kdump ELF core header builder (core-header.h) on an arbitrary
// spec: any class, byte order and machine, any notes, memory ranges (possibly unsorted,
// overlapping, wrapping), kernel text, linear map and backup. A plan that passes the
// checks must encode to exactly CoreHeaderBytes(phnum) bytes.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>

#include "loader/core-header.h"

using namespace kexkit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  load::CoreHeaderSpec spec;
  spec.elf64 = fdp.ConsumeBool();
  spec.endian = fdp.ConsumeBool() ? Endian::kBig : Endian::kLittle;
  spec.machine = fdp.ConsumeIntegral<uint16_t>();
  const size_t cpus = fdp.ConsumeIntegralInRange<size_t>(0, 64);
  for (size_t i = 0; i < cpus; ++i) {
    spec.cpu_notes.push_back(
        {fdp.ConsumeIntegral<uint64_t>(), fdp.ConsumeIntegralInRange<uint64_t>(0, 1 << 16)});
  }
  if (fdp.ConsumeBool()) {
    spec.vmcoreinfo =
        load::CoreNote{fdp.ConsumeIntegral<uint64_t>(), fdp.ConsumeIntegral<uint64_t>()};
  }
  if (fdp.ConsumeBool()) {
    spec.kernel_text =
        load::CoreKernelText{fdp.ConsumeIntegral<uint64_t>(), fdp.ConsumeIntegral<uint64_t>(),
                             fdp.ConsumeIntegral<uint64_t>()};
  }
  // Mostly ascending ranges (so the valid paths get exercised), with raw values mixed in.
  const size_t ranges = fdp.ConsumeIntegralInRange<size_t>(0, 300);
  uint64_t at = 0;
  for (size_t i = 0; i < ranges; ++i) {
    if (fdp.ConsumeBool()) {
      const uint64_t gap = fdp.ConsumeIntegralInRange<uint64_t>(0, 1ull << 36);
      const uint64_t len = fdp.ConsumeIntegralInRange<uint64_t>(0, 1ull << 36);
      spec.memory.push_back({at + gap, at + gap + len, load::RangeType::kRam});
      at += gap + len;
    } else {
      spec.memory.push_back({fdp.ConsumeIntegral<uint64_t>(), fdp.ConsumeIntegral<uint64_t>(),
                             load::RangeType::kRam});
    }
  }
  if (fdp.ConsumeBool()) spec.page_offset = fdp.ConsumeIntegral<uint64_t>();
  if (fdp.ConsumeBool()) spec.linear_limit = fdp.ConsumeIntegral<uint64_t>();
  if (fdp.ConsumeBool()) {
    spec.backup = load::CoreBackup{fdp.ConsumeIntegral<uint64_t>(), fdp.ConsumeIntegral<uint64_t>(),
                                   fdp.ConsumeIntegral<uint64_t>()};
  }
  auto plan = load::PlanCoreHeader(spec);
  if (!plan) return 0;
  const auto bytes = load::EncodeCoreHeader(*plan);
  if (bytes.size() != load::CoreHeaderBytes(plan->elf64, plan->phdrs.size())) __builtin_trap();
  (void)load::DescribeCoreHeader(*plan);
  return 0;
}
