// libFuzzer target: the ppc64 device-tree builder on an untrusted --dtb blob: FromBlob,
// every query, then the edits a load makes (chosen, reserve map, usable memory, pack,
// final reserve addresses). Seeds (seeds.sh): QEMU's pseries device tree (dumpdtb).
#include <cstddef>
#include <cstdint>
#include <span>

#include "arch/ppc64/fdt-builder.h"

using namespace kexkit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto fdt = ppc64::FdtBuilder::FromBlob(std::span<const uint8_t>(data, size), "fuzz.dtb");
  if (!fdt) return 0;
  const auto memory = fdt->Memory();
  (void)fdt->RtasRange();
  (void)fdt->VtermNo();
  (void)fdt->ChosenU64("linux,crashkernel-base");
  (void)fdt->PropU64("/ibm,opal", "opal-base-address");
  (void)fdt->HasNode("/cpus");
  if (!fdt->SetChosen("console=hvc0 root=/dev/sda", 0x2000000, 0x3000000)) return 0;
  auto res = fdt->AddReserve(0, 0);
  if (!res) return 0;
  std::vector<load::MemRange> usable;
  for (const auto& r : memory) {
    if (r.size() > 0x2000) usable.push_back({r.start, r.start + r.size() / 2, r.type});
  }
  // And a range where the synthetic seeds have assigned LMBs (dynamic memory).
  usable.push_back({0x80000000, 0x88000000, load::RangeType::kRam});
  (void)fdt->Drconf();
  (void)fdt->SetUsableMemory(usable);
  if (!fdt->Pack()) return 0;
  (void)fdt->SetReserve(*res, 0x4000000, fdt->size());
  size_t sum = 0;
  for (uint8_t b : fdt->bytes()) sum += b;
  return static_cast<int>(sum & 0);
}
