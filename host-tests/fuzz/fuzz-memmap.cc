// libFuzzer target: /sys/firmware/memmap entries. Input: records separated by NUL, each
// "start\nend\ntype" (the text of the entry's three files). Every record goes through
// ParseFirmwareMemmapEntry; one input in 8 with at most 8 records is also written out
// as a real directory tree (<n>/start, end, type) and read back with ReadFirmwareMemmap.
// Seeds (seeds.sh): this host's /sys/firmware/memmap and a QEMU-like layout.
#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz-common.h"
#include "loader/memory-map.h"

using namespace kexkit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  struct Rec {
    std::string_view start, end, type;
  };
  std::vector<Rec> recs;
  while (!in.empty() && recs.size() < 256) {
    const size_t z = in.find('\0');
    std::string_view rec = in.substr(0, z);
    in.remove_prefix(z == std::string_view::npos ? in.size() : z + 1);
    const size_t a = rec.find('\n');
    const size_t b = a == std::string_view::npos ? a : rec.find('\n', a + 1);
    Rec r{rec.substr(0, a), a == std::string_view::npos ? "" : rec.substr(a + 1, b - a - 1),
          b == std::string_view::npos ? "" : rec.substr(b + 1)};
    recs.push_back(r);
    (void)load::ParseFirmwareMemmapEntry(r.start, r.end, r.type, "fuzz-entry");
  }
  // The directory round trip costs file system calls; one input in 8 is enough for it.
  if (size == 0 || recs.size() > 8 || (size + data[0]) % 8 != 0) return 0;
  const std::string dir = kkfuzz::ScratchDir() + "/memmap";
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  ::mkdir(dir.c_str(), 0700);
  for (size_t i = 0; i < recs.size(); ++i) {
    const std::string e = dir + "/" + std::to_string(i);
    ::mkdir(e.c_str(), 0700);
    kkfuzz::WriteWhole(e + "/start", recs[i].start);
    kkfuzz::WriteWhole(e + "/end", recs[i].end);
    if (i != 7) kkfuzz::WriteWhole(e + "/type", recs[i].type);  // 8 records: one incomplete
  }
  auto map = load::ReadFirmwareMemmap(dir);
  if (map) {
    for (const auto& r : map->ranges) {
      if (r.end <= r.start) __builtin_trap();
    }
  }
  return 0;
}
