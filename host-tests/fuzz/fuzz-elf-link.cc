// libFuzzer target: the ELF relocatable linker on an untrusted object.
// Parse -> ComputeLayout -> Link at three bases (low, just below 4 GiB, above 4 GiB) ->
// SymbolAddress / SetSymbol / GetSymbol, as the loader does with purgatory.ro.
// Seeds (seeds.sh): every built purgatory.ro and golden object, re-encoded by
// kk-fuzz-seedgen into ELF32/ELF64 x LSB/MSB x each machine.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "kexkit/purgatory-abi.h"
#include "linker/link.h"
#include "linker/object.h"

using namespace kexkit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  auto obj = link::RelocatableObject::Parse(bytes, "fuzz.o");
  if (!obj) return 0;
  // Every accessor Parse promises is safe after success.
  size_t sum = 0;
  for (uint32_t i = 0; i < obj->sections().size(); ++i) {
    for (uint8_t b : obj->SectionBytes(i)) sum += b;
  }
  for (const auto& s : obj->symbols()) sum += s.name.size();
  auto layout = link::ComputeLayout(*obj);
  if (!layout) return static_cast<int>(sum & 0);
  const uint64_t align = layout->align;
  for (uint64_t want : {uint64_t{0x5000}, uint64_t{0xfff00000}, uint64_t{0x123456000}}) {
    const uint64_t base = (want + align - 1) & ~(align - 1);
    auto img = link::Link(*obj, base);
    if (!img) continue;
    for (uint8_t b : img->bytes()) sum += b;
    (void)img->SymbolAddress("kexkit_start");
    std::vector<uint8_t> params(sizeof(abi::PurgatoryParams), 0xa5);
    (void)img->SetSymbol("kexkit_params", params);
    // The object's own symbols, as a loader that trusts their st_size would write them.
    int tried = 0;
    for (const auto& s : obj->symbols()) {
      if (s.name.empty() || s.size > (1u << 20) || ++tried > 8) continue;
      std::vector<uint8_t> v(s.size, 0x5a);
      (void)img->SetSymbol(s.name, v);
      if (auto got = img->GetSymbol(s.name, s.size); got) {
        for (uint8_t b : *got) sum += b;
      }
      (void)img->SymbolAddress(s.name);
    }
  }
  return static_cast<int>(sum & 0);
}
