#include "arch/x86/bzimage.h"

#include <algorithm>

#include "base/bytes.h"
#include "kexkit/x86-boot-params.h"

namespace kexkit::x86 {

Result<BzImage> ParseBzImage(std::span<const uint8_t> file, const std::string& name) {
  const char* n = name.c_str();
  if (file.size() < 0x202 + 4) {
    return FailIn(n, file.size(), " bytes, too small to be a bzImage");
  }
  if (Le<uint16_t>(file, 0x1fe) != kBootFlag || Le<uint32_t>(file, 0x202) != kHdrSMagic) {
    if (file[0] == 0x7f && file[1] == 'E' && file[2] == 'L' && file[3] == 'F') {
      return FailIn(n, "an ELF file (vmlinux?), not a bzImage; x86 loads bzImage only");
    }
    return FailIn(n, "not a bzImage (no 0xAA55 boot flag and \"HdrS\" magic)");
  }
  BzImage bz;
  bz.version = Le<uint16_t>(file, 0x206);
  if (bz.version < 0x0202) {
    return FailIn(n, "boot protocol ", bz.version >> 8, ".", Dec(bz.version & 0xff, 2),
                  " is too old (kexkit needs 2.02 or later)");
  }
  const size_t hdr_end = 0x202 + size_t{file[0x201]};
  if (hdr_end > file.size()) return FailIn(n, "setup header runs past the end of the file");
  bz.setup_header = file.subspan(0x1f1, hdr_end - 0x1f1);
  // A field is valid only if the protocol has it and the header is long enough.
  auto field_ok = [&](size_t off, size_t width, uint16_t since) {
    return bz.version >= since && off + width <= hdr_end;
  };
  bz.setup_sects = file[0x1f1] == 0 ? 4 : file[0x1f1];
  if (field_ok(0x211, 1, 0x0200)) bz.loadflags = file[0x211];
  if (field_ok(0x22c, 4, 0x0203)) bz.initrd_addr_max = Le<uint32_t>(file, 0x22c);
  if (field_ok(0x230, 4, 0x0205)) bz.kernel_alignment = Le<uint32_t>(file, 0x230);
  if (field_ok(0x234, 1, 0x0205)) bz.relocatable = file[0x234];
  if (field_ok(0x235, 1, 0x020a)) bz.min_alignment = file[0x235];
  if (field_ok(0x236, 2, 0x020c)) bz.xloadflags = Le<uint16_t>(file, 0x236);
  if (field_ok(0x238, 4, 0x0206)) bz.cmdline_size = Le<uint32_t>(file, 0x238);
  // The boot_params segment is sized by cmdline_size, so a corrupt header could make the
  // loader allocate 4 GiB. Linux's COMMAND_LINE_SIZE is 2048 on x86; a smaller limit
  // than the kernel's is always safe.
  bz.cmdline_size = std::min<uint32_t>(bz.cmdline_size, kMaxCmdlineSize);
  if (field_ok(0x258, 8, 0x020a)) bz.pref_address = Le<uint64_t>(file, 0x258);
  if (field_ok(0x260, 4, 0x020a)) bz.init_size = Le<uint32_t>(file, 0x260);
  if (field_ok(0x264, 4, 0x020b)) bz.handover_offset = Le<uint32_t>(file, 0x264);
  if (bz.kernel_alignment != 0 && (bz.kernel_alignment & (bz.kernel_alignment - 1)) != 0) {
    return FailIn(n, "kernel_alignment ", Hex(bz.kernel_alignment), " is not a power of two");
  }
  const uint64_t kernel_off = (uint64_t{bz.setup_sects} + 1) * 512;
  if (kernel_off >= file.size()) {
    return FailIn(n, bz.setup_sects, " setup sectors reach past the end of the file (truncated?)");
  }
  bz.kernel = file.subspan(kernel_off);
  // syssize (0x1f4, 16-byte units) says how long the protected-mode part should be.
  const uint64_t syssize = uint64_t{Le<uint32_t>(file, 0x1f4)} * 16;
  if (bz.version >= 0x0204 && syssize > bz.kernel.size()) {
    return FailIn(n, "truncated: the header promises ", syssize, " bytes of kernel, the file has ",
                  bz.kernel.size());
  }
  return bz;
}

}  // namespace kexkit::x86
