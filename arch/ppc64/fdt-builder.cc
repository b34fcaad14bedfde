#include "arch/ppc64/fdt-builder.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

extern "C" {
#include <libfdt.h>
}

#include "base/bytes.h"
#include "loader/file.h"

namespace kexkit::ppc64 {
namespace {

// The running kernel wrote these into /chosen for itself (or for userspace); the new
// kernel gets its own values or none [kexec-tools fs2dt.c drops the same].
constexpr const char* kDroppedChosen[] = {
    "bootargs",
    "linux,initrd-start",
    "linux,initrd-end",
    "linux,crashkernel-base",
    "linux,crashkernel-size",
    "linux,kernel-end",
    "linux,memory-limit",
    "linux,htab-base",
    "linux,htab-size",
    "linux,usable-memory-range",
    "linux,elfcorehdr",
};

struct Node {
  std::string name;
  std::vector<std::pair<std::string, std::string>> props;  // name, raw bytes
  std::vector<Node> children;
};

// Bounds on a device-tree directory (a copied /proc/device-tree can be anything): the
// kernel's own trees nest a handful of levels and take well under 1 MiB.
constexpr int kMaxTreeDepth = 64;
constexpr size_t kMaxTreeBytes = 64u << 20;

Result<void> ReadTree(const std::string& path, Node& node, bool chosen, size_t* bytes,
                      int depth = 0) {
  if (depth > kMaxTreeDepth) {
    return FailIn(path, "device-tree directory nested deeper than ", kMaxTreeDepth, " levels");
  }
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) return FailIn(path, "cannot open the device-tree directory");
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
      names.emplace_back(e->d_name);
    }
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const std::string p = path + "/" + name;
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) return FailIn(p, "cannot stat");
    if (S_ISDIR(st.st_mode)) {
      Node child;
      child.name = name;
      if (auto r = ReadTree(p, child, node.name.empty() && name == "chosen", bytes, depth + 1); !r)
        return r;
      *bytes += 8 + name.size() + 4;
      if (*bytes > kMaxTreeBytes) return FailIn(p, "device tree larger than 64 MiB");
      node.children.push_back(std::move(child));
    } else if (S_ISREG(st.st_mode)) {
      if (chosen && std::any_of(std::begin(kDroppedChosen), std::end(kDroppedChosen),
                                [&](const char* x) { return name == x; })) {
        continue;
      }
      if (*bytes > kMaxTreeBytes || static_cast<uint64_t>(st.st_size) > kMaxTreeBytes - *bytes) {
        return FailIn(p, "device tree larger than 64 MiB");
      }
      auto value = load::ReadTextFile(p);  // binary-safe: the whole file
      if (!value) return std::unexpected(value.error());
      *bytes += 12 + value->size() + 4 + name.size() + 1;
      if (*bytes > kMaxTreeBytes) return FailIn(p, "device tree larger than 64 MiB");
      node.props.emplace_back(name, std::move(*value));
    }
  }
  return {};
}

int Emit(void* fdt, const Node& node) {
  if (int e = fdt_begin_node(fdt, node.name.c_str()); e) return e;
  for (const auto& [name, value] : node.props) {
    if (int e = fdt_property(fdt, name.c_str(), value.data(), static_cast<int>(value.size())); e) {
      return e;
    }
  }
  for (const Node& child : node.children) {
    if (int e = Emit(fdt, child); e) return e;
  }
  return fdt_end_node(fdt);
}

uint64_t Be(const void* p, int len) {
  const auto* b = static_cast<const uint8_t*>(p);
  return len == 8 ? LoadUnchecked<uint64_t>(b, Endian::kBig)
                  : LoadUnchecked<uint32_t>(b, Endian::kBig);
}

// `ranges` sorted by start, overlapping and touching ranges merged, empty ones dropped
// (the form PutClipped searches).
std::vector<load::MemRange> SortedDisjoint(std::vector<load::MemRange> ranges) {
  std::erase_if(ranges, [](const load::MemRange& r) { return r.start >= r.end; });
  std::sort(ranges.begin(), ranges.end(),
            [](const load::MemRange& a, const load::MemRange& b) { return a.start < b.start; });
  std::vector<load::MemRange> out;
  for (const load::MemRange& r : ranges) {
    if (!out.empty() && r.start <= out.back().end) {
      out.back().end = std::max(out.back().end, r.end);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

// Appends [base, end) clipped to each of `usable` (SortedDisjoint) as (address, size)
// cell pairs, in address order; returns how many pairs. Shared by linux,usable-memory
// and linux,drconf-usable-memory. A binary search finds the first range that ends
// above base: a tree may hold 2^20 LMBs, and a scan of every range for each of them
// took over 10 s in fuzz-fdt.
uint64_t PutClipped(std::string& out, uint64_t base, uint64_t end,
                    const std::vector<load::MemRange>& usable, int ac, int sc) {
  uint64_t pairs = 0;
  auto it = std::upper_bound(usable.begin(), usable.end(), base,
                             [](uint64_t b, const load::MemRange& u) { return b < u.end; });
  for (; it != usable.end() && it->start < end; ++it) {
    const uint64_t lo = std::max(base, it->start), hi = std::min(end, it->end);
    if (lo >= hi) continue;
    AppendCells(out, lo, ac);
    AppendCells(out, hi - lo, sc);
    ++pairs;
  }
  return pairs;
}

Result<void> FdtError(const char* what, int err) {
  return kDeviceTree.Fail(what, ": ", fdt_strerror(err));
}

constexpr const char* kDrconfPath = "/ibm,dynamic-reconfiguration-memory";

// libfdt's accessors (fdt_next_tag and everything built on it) trust the structure
// block: on an unchecked blob, fdt_getprop looped for over 11 minutes (fuzz-fdt,
// host-tests/data/regressions/fdt-hang.dtb). fdt_check_full walks every tag once, with
// bounds on offsets, depth, names and string offsets, so every later walk of the tree,
// and every edit libfdt makes to it, stays on a valid structure.
//
// Versions before 16 are refused first: libfdt 1.6.1's fdt_check_full itself reads
// through a null pointer on some of them (fuzz-fdt,
// host-tests/data/regressions/fdt-crash-version5.dtb). Linux, dtc and kexkit write
// version 17; 16 is the oldest whose layout the kernel's own unflattening code accepts.
Result<void> CheckFull(const void* fdt, size_t size, const std::string& name) {
  if (size >= sizeof(fdt_header) && fdt_magic(fdt) == FDT_MAGIC && fdt_version(fdt) < 16) {
    return FailIn(name, "malformed device tree: version ", fdt_version(fdt),
                  " (kexkit reads versions 16 and 17)");
  }
  if (const int e = fdt_check_full(fdt, size); e != 0) {
    return FailIn(name, "malformed device tree: ", fdt_strerror(e));
  }
  return {};
}

// `count` entries of `cells` cells each after a one-cell count prefix: the property
// must hold them all.
Result<void> CheckListLength(const char* prop, int len, uint64_t count, int cells) {
  if (len < 4 || static_cast<uint64_t>(len - 4) / (4u * cells) < count) {
    return kDeviceTree.Fail(kDrconfPath, "/", prop, ": ", len, " bytes, too short for its ", count,
                            " entries");
  }
  return {};
}

}  // namespace

Result<FdtBuilder> FdtBuilder::FromDirectory(const std::string& dir) {
  Node root;
  size_t bytes = 0;
  if (auto r = ReadTree(dir, root, false, &bytes); !r) return std::unexpected(r.error());
  FdtBuilder b;
  // Sequential write needs the final size up front: the estimate plus slack, doubled
  // until libfdt is happy (the estimate is an upper bound but for string sharing).
  for (size_t size = bytes + 4096;; size *= 2) {
    if (size > 2 * kMaxTreeBytes) return FailIn(dir, "device tree larger than 64 MiB");
    b.buf_.assign(size, 0);
    void* fdt = b.buf_.data();
    int e = fdt_create(fdt, static_cast<int>(size));
    if (!e) e = fdt_finish_reservemap(fdt);
    if (!e) e = Emit(fdt, root);
    if (!e) e = fdt_finish(fdt);
    if (e == -FDT_ERR_NOSPACE) continue;
    if (e) return kDeviceTree.FailIn(dir, fdt_strerror(e));
    break;
  }
  // Built here, but from file contents and names the running system supplied.
  if (auto r = CheckFull(b.buf_.data(), fdt_totalsize(b.buf_.data()), dir); !r) {
    return std::unexpected(r.error());
  }
  if (int e = fdt_open_into(b.buf_.data(), b.buf_.data(), static_cast<int>(b.buf_.size())); e) {
    return kDeviceTree.FailIn(dir, fdt_strerror(e));
  }
  return b;
}

Result<FdtBuilder> FdtBuilder::FromBlob(std::span<const uint8_t> blob, const std::string& name) {
  if (blob.size() < sizeof(fdt_header) || fdt_check_header(blob.data()) != 0 ||
      fdt_totalsize(blob.data()) > blob.size()) {
    return FailIn(name, "not a flattened device tree blob (bad header or size)");
  }
  if (blob.size() > kMaxTreeBytes) {
    return FailIn(name, "device tree of ", blob.size(), " bytes is larger than 64 MiB");
  }
  // fdt_open_into (libfdt 1.6) does not check fdt_num_mem_rsv's error: a reserve map
  // with no terminating entry gave it a negative size to memmove (found by fuzz-fdt).
  if (const int n = fdt_num_mem_rsv(blob.data()); n < 0) {
    return FailIn(name, "memory reservation map: ", fdt_strerror(n));
  }
  if (auto r = CheckFull(blob.data(), fdt_totalsize(blob.data()), name); !r) {
    return std::unexpected(r.error());
  }
  FdtBuilder b;
  b.buf_.assign(blob.size() + 4096, 0);
  if (int e = fdt_open_into(blob.data(), b.buf_.data(), static_cast<int>(b.buf_.size())); e) {
    return FailIn(name, fdt_strerror(e));
  }
  return b;
}

Result<void> FdtBuilder::Grow(size_t extra) {
  const size_t want = fdt_totalsize(buf_.data()) + extra + 64;
  if (want <= buf_.size()) return {};
  buf_.resize(want);
  if (int e = fdt_open_into(buf_.data(), buf_.data(), static_cast<int>(buf_.size())); e) {
    return FdtError("resize", e);
  }
  return {};
}

uint64_t FdtBuilder::size() const { return fdt_totalsize(buf_.data()); }

std::vector<load::MemRange> FdtBuilder::Memory() const {
  const void* fdt = buf_.data();
  const int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0);
  std::vector<load::MemRange> out;
  if (ac < 1 || ac > 2 || sc < 1 || sc > 2) return out;
  for (int node = fdt_next_node(fdt, -1, nullptr); node >= 0;
       node = fdt_next_node(fdt, node, nullptr)) {
    int len = 0;
    const char* type = static_cast<const char*>(fdt_getprop(fdt, node, "device_type", &len));
    if (type == nullptr || len < 7 || std::strncmp(type, "memory", 7) != 0) continue;
    const auto* reg = static_cast<const uint8_t*>(fdt_getprop(fdt, node, "reg", &len));
    const int step = 4 * (ac + sc);
    for (int at = 0; reg != nullptr && at + step <= len; at += step) {
      const uint64_t base = LoadCells(reg + at, ac), size = LoadCells(reg + at + 4 * ac, sc);
      if (size != 0 && base + size > base)
        out.push_back({base, base + size, load::RangeType::kRam});
    }
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.start < b.start; });
  return out;
}

std::optional<load::MemRange> FdtBuilder::RtasRange() const {
  auto base = PropU64("/rtas", "linux,rtas-base");
  auto size = PropU64("/rtas", "rtas-size");
  if (!base || !size || *size == 0) return std::nullopt;
  return load::MemRange{*base, *base + *size, load::RangeType::kReserved};
}

bool FdtBuilder::IsPowerNV() const {
  // The kernel's own test [arch/powerpc/platforms/powernv/setup.c pnv_probe]: the root
  // is compatible with "ibm,powernv". A pseries guest never is, even on OPAL hardware.
  return fdt_node_check_compatible(buf_.data(), 0, "ibm,powernv") == 0;
}

std::optional<load::MemRange> FdtBuilder::OpalRuntime() const {
  auto base = PropU64("/ibm,opal", "opal-base-address");
  auto size = PropU64("/ibm,opal", "opal-runtime-size");
  if (!base || !size || *size == 0 || *base + *size < *base) return std::nullopt;
  return load::MemRange{*base, *base + *size, load::RangeType::kReserved};
}

std::vector<load::MemRange> FdtBuilder::FirmwareReserved() const {
  const void* fdt = buf_.data();
  std::vector<load::MemRange> out;
  auto add = [&](uint64_t base, uint64_t size) {
    if (size != 0 && base + size > base)
      out.push_back({base, base + size, load::RangeType::kReserved});
  };
  // reserved-ranges: (address, size) pairs of two cells each, whatever the root's
  // #address-cells [the kernel's early_reserve_mem_dt reads it so].
  int len = 0;
  const auto* rr = static_cast<const uint8_t*>(fdt_getprop(fdt, 0, "reserved-ranges", &len));
  for (int at = 0; rr != nullptr && at + 16 <= len; at += 16)
    add(LoadCells(rr + at, 2), LoadCells(rr + at + 8, 2));
  // /reserved-memory children with a reg [DTSpec 3.5.4]. "reusable" ones are memory the
  // running kernel may hand out (CMA): not firmware's.
  const int rm = fdt_path_offset(fdt, "/reserved-memory");
  if (rm >= 0) {
    const int ac = fdt_address_cells(fdt, rm), sc = fdt_size_cells(fdt, rm);
    if (ac >= 1 && ac <= 2 && sc >= 1 && sc <= 2) {
      int child;
      fdt_for_each_subnode(child, fdt, rm) {
        if (fdt_getprop(fdt, child, "reusable", nullptr) != nullptr) continue;
        const auto* reg = static_cast<const uint8_t*>(fdt_getprop(fdt, child, "reg", &len));
        const int step = 4 * (ac + sc);
        for (int at = 0; reg != nullptr && at + step <= len; at += step)
          add(LoadCells(reg + at, ac), LoadCells(reg + at + 4 * ac, sc));
      }
    }
  }
  // skiboot lists each range in both places: one entry per range, overlaps merged.
  return SortedDisjoint(std::move(out));
}

std::optional<uint32_t> FdtBuilder::VtermNo() const {
  const void* fdt = buf_.data();
  const int chosen = fdt_path_offset(fdt, "/chosen");
  if (chosen < 0) return std::nullopt;
  int len = 0;
  const char* path = static_cast<const char*>(fdt_getprop(fdt, chosen, "linux,stdout-path", &len));
  if (path == nullptr)
    path = static_cast<const char*>(fdt_getprop(fdt, chosen, "stdout-path", &len));
  if (path == nullptr || len < 2 || path[len - 1] != '\0') return std::nullopt;
  std::string p(path);
  p = p.substr(0, p.find(':'));  // "path:options" [DTSpec 3.6]
  const int node = fdt_path_offset(fdt, p.c_str());
  if (node < 0) return std::nullopt;
  const void* reg = fdt_getprop(fdt, node, "reg", &len);
  if (reg == nullptr || len < 4) return std::nullopt;
  return static_cast<uint32_t>(Be(reg, 4));
}

std::optional<uint64_t> FdtBuilder::PropU64(const char* path, const char* prop) const {
  const void* fdt = buf_.data();
  const int node = fdt_path_offset(fdt, path);
  if (node < 0) return std::nullopt;
  int len = 0;
  const void* v = fdt_getprop(fdt, node, prop, &len);
  if (v == nullptr || (len != 4 && len != 8)) return std::nullopt;
  return Be(v, len);
}

std::optional<uint64_t> FdtBuilder::ChosenU64(const char* prop) const {
  return PropU64("/chosen", prop);
}

bool FdtBuilder::HasNode(const char* path) const { return fdt_path_offset(buf_.data(), path) >= 0; }

Result<void> FdtBuilder::SetChosen(std::string_view bootargs, uint64_t initrd_start,
                                   uint64_t initrd_end) {
  if (auto r = Grow(bootargs.size() + 256); !r) return r;
  void* fdt = buf_.data();
  int chosen = fdt_path_offset(fdt, "/chosen");
  if (chosen < 0) chosen = fdt_add_subnode(fdt, 0, "chosen");
  if (chosen < 0) return FdtError("/chosen", chosen);
  const std::string args(bootargs);
  if (int e = fdt_setprop_string(fdt, chosen, "bootargs", args.c_str()); e) {
    return FdtError("/chosen/bootargs", e);
  }
  if (initrd_end > initrd_start) {
    if (int e = fdt_setprop_u64(fdt, chosen, "linux,initrd-start", initrd_start); e) {
      return FdtError("/chosen/linux,initrd-start", e);
    }
    if (int e = fdt_setprop_u64(fdt, chosen, "linux,initrd-end", initrd_end); e) {
      return FdtError("/chosen/linux,initrd-end", e);
    }
  } else {
    fdt_delprop(fdt, chosen, "linux,initrd-start");
    fdt_delprop(fdt, chosen, "linux,initrd-end");
  }
  return {};
}

Result<size_t> FdtBuilder::AddReserve(uint64_t addr, uint64_t size) {
  // A zero size ends the reserve map [DTSpec 5.3]: every entry after it would be lost.
  if (size == 0) return kDeviceTree.Fail("reserve entry at ", Hex(addr), " has size 0");
  if (auto r = Grow(32); !r) return std::unexpected(r.error());
  if (int e = fdt_add_mem_rsv(buf_.data(), addr, size); e) {
    return std::unexpected(FdtError("reserve map", e).error());
  }
  return static_cast<size_t>(fdt_num_mem_rsv(buf_.data()) - 1);
}

Result<void> FdtBuilder::SetReserve(size_t index, uint64_t addr, uint64_t size) {
  const void* fdt = buf_.data();
  if (size == 0 || static_cast<int>(index) >= fdt_num_mem_rsv(fdt)) {
    return kDeviceTree.Fail("reserve entry ", index, " does not exist");
  }
  const size_t off = fdt_off_mem_rsvmap(fdt) + 16 * index;
  if (off + 16 > buf_.size()) return kDeviceTree.Fail("reserve map outside the blob");
  StoreUnchecked<uint64_t>(buf_.data() + off, addr, Endian::kBig);
  StoreUnchecked<uint64_t>(buf_.data() + off + 8, size, Endian::kBig);
  return {};
}

Result<std::optional<FdtBuilder::DrconfMemory>> FdtBuilder::Drconf() const {
  const void* fdt = buf_.data();
  const int node = fdt_path_offset(fdt, kDrconfPath);
  if (node < 0) return std::nullopt;
  const int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0);
  if (ac < 1 || ac > 2 || sc < 1 || sc > 2) return kDeviceTree.Fail("odd root #address-cells");

  DrconfMemory d;
  int len = 0;
  const auto* size = static_cast<const uint8_t*>(fdt_getprop(fdt, node, "ibm,lmb-size", &len));
  if (size == nullptr || len < 4 * sc) {
    return kDeviceTree.Fail(kDrconfPath, "/ibm,lmb-size: missing or shorter than #size-cells");
  }
  d.lmb_size = LoadCells(size, sc);
  if (d.lmb_size == 0 || (d.lmb_size & (d.lmb_size - 1)) != 0) {
    return kDeviceTree.Fail(kDrconfPath, "/ibm,lmb-size: ", Hex(d.lmb_size),
                            " is not a power of two");
  }

  // v1 entry: base (#address-cells), drc index, reserved, associativity index, flags.
  // v2 entry: LMB count, base (#address-cells), drc index, associativity index, flags.
  const char* prop = "ibm,dynamic-memory";
  const auto* p = static_cast<const uint8_t*>(fdt_getprop(fdt, node, prop, &len));
  const bool v2 = p == nullptr;
  if (v2) {
    prop = "ibm,dynamic-memory-v2";
    p = static_cast<const uint8_t*>(fdt_getprop(fdt, node, prop, &len));
  }
  if (p == nullptr) {
    return kDeviceTree.Fail(kDrconfPath,
                            " has neither ibm,dynamic-memory nor ibm,dynamic-memory-v2");
  }
  const int cells = ac + 4;  // either version; flags is the last cell of both
  const uint64_t n = len >= 4 ? LoadUnchecked<uint32_t>(p, Endian::kBig) : 0;
  if (auto r = CheckListLength(prop, len, n, cells); !r) return std::unexpected(r.error());
  uint64_t ram_lmbs = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const uint8_t* e = p + 4 + 4 * cells * i;
    LmbRun run{};
    run.count = v2 ? LoadUnchecked<uint32_t>(e, Endian::kBig) : 1;
    run.base = LoadCells(v2 ? e + 4 : e, ac);
    run.flags = LoadUnchecked<uint32_t>(e + 4 * (ac + 3), Endian::kBig);
    // The run must end inside the address space (its end representable).
    if (run.count > (~uint64_t{0} - run.base) / d.lmb_size) {
      return kDeviceTree.Fail(kDrconfPath, "/", prop, ": entry ", i, " (", Hex(run.base), ", ",
                              run.count, " LMBs) wraps the address space");
    }
    if (run.IsRam()) {
      ram_lmbs += run.count;
      if (ram_lmbs > kMaxRamLmbs) {
        return kDeviceTree.Fail(kDrconfPath, "/", prop, ": more than ", kMaxRamLmbs,
                                " assigned LMBs");
      }
    }
    d.runs.push_back(run);
  }
  return d;
}

Result<void> FdtBuilder::SetUsableMemory(const std::vector<load::MemRange>& usable_ranges) {
  // The LMBs first: a malformed node fails the load before anything is edited.
  auto drconf = Drconf();
  if (!drconf) return std::unexpected(drconf.error());
  const std::vector<load::MemRange> usable = SortedDisjoint(usable_ranges);

  void* fdt = buf_.data();
  const int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0);
  if (ac < 1 || ac > 2 || sc < 1 || sc > 2) return kDeviceTree.Fail("odd root #address-cells");
  std::vector<std::string> paths;
  for (int node = fdt_next_node(fdt, -1, nullptr); node >= 0;
       node = fdt_next_node(fdt, node, nullptr)) {
    int len = 0;
    const char* type = static_cast<const char*>(fdt_getprop(fdt, node, "device_type", &len));
    if (type == nullptr || len < 7 || std::strncmp(type, "memory", 7) != 0) continue;
    char path[512];
    if (fdt_get_path(fdt, node, path, sizeof(path)) == 0) paths.emplace_back(path);
  }
  for (const std::string& path : paths) {
    int node = fdt_path_offset(buf_.data(), path.c_str());
    int len = 0;
    const auto* reg = static_cast<const uint8_t*>(fdt_getprop(buf_.data(), node, "reg", &len));
    std::string value;
    const int step = 4 * (ac + sc);
    uint64_t first_base = 0;
    for (int at = 0; reg != nullptr && at + step <= len; at += step) {
      const uint64_t base = LoadCells(reg + at, ac), end = base + LoadCells(reg + at + 4 * ac, sc);
      if (at == 0) first_base = base;
      PutClipped(value, base, end, usable, ac, sc);
    }
    // A node with no usable part still gets the property, with size 0: without it the
    // capture kernel would take the whole reg [kexec-tools fs2dt.c].
    if (value.empty()) {
      AppendCells(value, first_base, ac);
      AppendCells(value, 0, sc);
    }
    if (auto r = Grow(value.size() + 64); !r) return r;
    node = fdt_path_offset(buf_.data(), path.c_str());
    if (int e = fdt_setprop(buf_.data(), node, "linux,usable-memory", value.data(),
                            static_cast<int>(value.size()));
        e) {
      return FdtError(path.c_str(), e);
    }
  }
  if (!*drconf) return {};

  // One entry per LMB the kernel takes as RAM, and none for the others: its reader
  // (early_init_drmem_lmb, numa_setup_drmem_lmb) skips unassigned and reserved LMBs
  // before it takes their count. kexec-tools and the kernel's own kexec_file writer
  // put an entry for every LMB, which shifts the entries wherever a skipped LMB comes
  // first, as QEMU's reserved boot-memory LMBs always do.
  std::string value;
  for (const LmbRun& run : (*drconf)->runs) {
    if (!run.IsRam()) continue;
    for (uint64_t k = 0; k < run.count; ++k) {
      const uint64_t base = run.base + k * (*drconf)->lmb_size;
      const uint64_t end = base + (*drconf)->lmb_size;  // Drconf: no run wraps
      std::string pairs;
      const uint64_t n = PutClipped(pairs, base, end, usable, ac, sc);
      AppendCells(value, n, sc);
      value += pairs;
    }
  }
  if (value.size() > (64u << 20)) {
    return kDeviceTree.Fail("linux,drconf-usable-memory would be ", value.size(), " bytes");
  }
  if (auto r = Grow(value.size() + 64); !r) return r;
  const int node = fdt_path_offset(buf_.data(), kDrconfPath);
  if (int e = fdt_setprop(buf_.data(), node, "linux,drconf-usable-memory", value.data(),
                          static_cast<int>(value.size()));
      e) {
    return FdtError("linux,drconf-usable-memory", e);
  }
  return {};
}

Result<void> FdtBuilder::Pack() {
  if (int e = fdt_pack(buf_.data()); e) return FdtError("pack", e);
  return {};
}

FdtBuilder::CpuNodes FdtBuilder::Cpus() const {
  const void* fdt = buf_.data();
  CpuNodes out;
  const int cpus = fdt_path_offset(fdt, "/cpus");
  if (cpus < 0) return out;
  for (int node = fdt_first_subnode(fdt, cpus); node >= 0; node = fdt_next_subnode(fdt, node)) {
    int len = 0;
    const char* type = static_cast<const char*>(fdt_getprop(fdt, node, "device_type", &len));
    if (type == nullptr || len < 4 || std::strncmp(type, "cpu", 4) != 0) continue;
    ++out.count;
    // The node runs up to the next node at its depth or above (or the structure's end).
    int depth = 0;
    int next = fdt_next_node(fdt, node, &depth);
    while (next >= 0 && depth > 0) next = fdt_next_node(fdt, next, &depth);
    const uint64_t end = next >= 0 ? static_cast<uint64_t>(next) : fdt_size_dt_struct(fdt);
    out.largest = std::max<uint64_t>(out.largest, end - static_cast<uint64_t>(node));
  }
  return out;
}

Result<void> FdtBuilder::AddFreeSpace(uint64_t bytes) {
  if (bytes > (16u << 20)) return kDeviceTree.Fail(bytes, " bytes of hotplug room is too much");
  const size_t total = fdt_totalsize(buf_.data()) + bytes;
  buf_.resize(std::max(buf_.size(), total));
  fdt_set_totalsize(buf_.data(), static_cast<uint32_t>(total));
  return {};
}

}  // namespace kexkit::ppc64
