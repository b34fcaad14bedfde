// The parameter block shared by the host loader and the purgatory.
//
// The loader links purgatory.ro at its final physical address, then writes these
// structures into the linked image *by symbol name* (kexkit_params, and one arch block
// such as kexkit_entry_x86_64). The linker refuses a symbol whose st_size differs from
// sizeof(the struct), so a layout change on one side fails loudly on the other.
// Every field has a fixed width and an explicit offset (static_asserts below); the
// assembly entry code gets its offsets from kexkit-abi-offsets.inc, generated at build
// time from this header, never from hand-copied numbers.
//
// Byte order: fields are stored in the *purgatory's* byte order (the linker's
// endian-explicit stores); a ppc64 big-endian block written from an x86 host is right.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kexkit::abi {

inline constexpr uint32_t kMaxDigestRegions = 16;  // kexec_load takes at most 16 segments
// "KKP2": one SHA-256 per region (KKP1 had one digest over all regions; the layout
// differs, so a loader and a purgatory of different versions refuse each other).
inline constexpr uint32_t kParamsMagic = 0x4b4b5032;
inline constexpr uint32_t kLabelSize = 12;  // DigestRegion::label, NUL included

// PurgatoryParams::flags
inline constexpr uint32_t kFlagVerify = 1u << 0;         // check the SHA-256 before hand-off
inline constexpr uint32_t kFlagConsoleSerial = 1u << 1;  // x86: 8250 at I/O port serial_port
                                                         // arm64: PL011 at MMIO serial_port
inline constexpr uint32_t kFlagConsoleHvc = 1u << 2;     // ppc64 pseries: H_PUT_TERM_CHAR
inline constexpr uint32_t kFlagSerialInit = 1u << 3;     // x86: program the divisor first
inline constexpr uint32_t kFlagConsoleOpal = 1u << 4;    // ppc64 powernv: OPAL_CONSOLE_WRITE
// --hotplug: the kernel rewrites the core header (ppc64: and the device tree) on CPU or
// memory hotplug, so the loader left them out of the regions; the purgatory says so.
inline constexpr uint32_t kFlagHotplug = 1u << 5;

// One loaded segment the purgatory checks on its own, so that a mismatch names it. Each
// byte is hashed once on each side: the loader's digest here is the one its --dry-run
// table prints.
struct DigestRegion {
  uint64_t start;          // physical address
  uint64_t len;            // bytes: a segment's bufsz (the zero fill up to memsz is scratch)
  uint8_t digest[32];      // SHA-256 of [start, start + len)
  uint32_t segment;        // index in the kexec_load segment list (the --dry-run idx)
  char label[kLabelSize];  // what it holds ("kernel", "initrd", ...), NUL-padded; may be ""
};
static_assert(offsetof(DigestRegion, start) == 0);
static_assert(offsetof(DigestRegion, len) == 8);
static_assert(offsetof(DigestRegion, digest) == 16);
static_assert(offsetof(DigestRegion, segment) == 48);
static_assert(offsetof(DigestRegion, label) == 52);
static_assert(sizeof(DigestRegion) == 64);
// DigestRegion's fields in order, for the host's encoder (load::EncodeParams): a field
// added to the struct and not here fails the size check below, so the two never drift.
#define KEXKIT_DIGEST_REGION_FIELDS(X) X(start) X(len) X(digest) X(segment) X(label)
#define KEXKIT_ABI_FIELD_SIZE(f) +sizeof(DigestRegion::f)
static_assert(0 KEXKIT_DIGEST_REGION_FIELDS(KEXKIT_ABI_FIELD_SIZE) == sizeof(DigestRegion),
              "KEXKIT_DIGEST_REGION_FIELDS must list every DigestRegion field");
#undef KEXKIT_ABI_FIELD_SIZE

// Symbol kexkit_params.
struct PurgatoryParams {
  uint32_t magic;  // kParamsMagic once the loader has filled the block
  uint32_t flags;  // kFlag*
  uint32_t region_count;
  uint32_t reserved0;
  DigestRegion regions[kMaxDigestRegions];
  uint64_t backup_src;      // kdump: low memory the capture kernel reuses ...
  uint64_t backup_dst;      // ... copied here (inside the crash region) after the check
  uint64_t backup_size;     // 0: no backup (plain kexec)
  uint64_t serial_port;     // x86: I/O port of the 8250 (0x3f8 for ttyS0); arm64: PL011 base
  uint32_t serial_divisor;  // 115200 / baud
  uint32_t hvc_vtermno;     // ppc64: the pseries vterm (H_PUT_TERM_CHAR) or the powernv
                            // OPAL console's terminal number (OPAL_CONSOLE_WRITE)
  uint64_t opal_base;       // ppc64 powernv: /ibm,opal opal-base-address (r2 of a call) ...
  uint64_t opal_entry;      // ... and opal-entry-address; 0 elsewhere
};
static_assert(offsetof(PurgatoryParams, magic) == 0);
static_assert(offsetof(PurgatoryParams, flags) == 4);
static_assert(offsetof(PurgatoryParams, region_count) == 8);
static_assert(offsetof(PurgatoryParams, regions) == 16);
static_assert(offsetof(PurgatoryParams, backup_src) == 1040);
static_assert(offsetof(PurgatoryParams, backup_dst) == 1048);
static_assert(offsetof(PurgatoryParams, backup_size) == 1056);
static_assert(offsetof(PurgatoryParams, serial_port) == 1064);
static_assert(offsetof(PurgatoryParams, serial_divisor) == 1072);
static_assert(offsetof(PurgatoryParams, hvc_vtermno) == 1076);
static_assert(offsetof(PurgatoryParams, opal_base) == 1080);
static_assert(offsetof(PurgatoryParams, opal_entry) == 1088);
static_assert(sizeof(PurgatoryParams) == 1096);
// PurgatoryParams' fields in order, for the host's encoder, checked the same way.
// (clang-format 14 does not settle on one layout for this macro)
// clang-format off
#define KEXKIT_PURGATORY_PARAMS_FIELDS(X)                                     \
  X(magic) X(flags) X(region_count) X(reserved0) X(regions)                   \
  X(backup_src) X(backup_dst) X(backup_size) X(serial_port) X(serial_divisor) \
  X(hvc_vtermno) X(opal_base) X(opal_entry)
// clang-format on
#define KEXKIT_ABI_FIELD_SIZE(f) +sizeof(PurgatoryParams::f)
static_assert(0 KEXKIT_PURGATORY_PARAMS_FIELDS(KEXKIT_ABI_FIELD_SIZE) == sizeof(PurgatoryParams),
              "KEXKIT_PURGATORY_PARAMS_FIELDS must list every PurgatoryParams field");
#undef KEXKIT_ABI_FIELD_SIZE

// Symbol kexkit_entry_x86_64: the registers the x86_64 entry code loads before it
// jumps to rip [x86 boot protocol, 64-bit boot: rsi = boot_params].
struct EntryX86_64 {
  uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t rip;
  uint64_t entry32;  // nonzero: leave long mode and enter eip = entry32 (--entry-32bit)
};
static_assert(offsetof(EntryX86_64, rsi) == 32);
static_assert(offsetof(EntryX86_64, rip) == 128);
static_assert(sizeof(EntryX86_64) == 144);

// Symbol kexkit_entry_i386: 32-bit protected-mode hand-off [boot protocol, 32-bit boot:
// esi = boot_params, ebx = ebp = edi = 0].
struct EntryI386 {
  uint32_t eax, ebx, ecx, edx, esi, edi, esp, ebp;
  uint32_t eip;
  uint32_t reserved0;
};
static_assert(offsetof(EntryI386, eip) == 32);
static_assert(sizeof(EntryI386) == 40);

// Symbol kexkit_entry_ppc64: ppc64 hand-off [kexec-tools ppc64 purgatory contract:
// r3 = FDT, r4 = kernel entry, r5 = 0].
struct EntryPpc64 {
  uint64_t kernel;      // entry address of the new kernel
  uint64_t fdt;         // physical address of the flattened device tree
  uint64_t stack;       // unused by the kernel; kept for the secondaries' spin loop
  uint64_t toc;         // unused (the purgatory computes its own TOC)
  uint64_t opal_base;   // r8 at the kernel's entry (powernv OPAL early debug; 0 on pseries)
  uint64_t opal_entry;  // r9
  uint64_t reserved[2];
};
static_assert(offsetof(EntryPpc64, kernel) == 0);
static_assert(offsetof(EntryPpc64, fdt) == 8);
static_assert(offsetof(EntryPpc64, opal_base) == 32);
static_assert(offsetof(EntryPpc64, opal_entry) == 40);
static_assert(sizeof(EntryPpc64) == 64);

// Symbol kexkit_entry_arm64: arm64 hand-off [Documentation/arch/arm64/booting.rst:
// x0 = the DTB's physical address, x1 = x2 = x3 = 0, branch to the Image's load address].
struct EntryArm64 {
  uint64_t kernel;  // physical address of the Image (2 MiB-aligned base + text_offset)
  uint64_t dtb;     // physical address of the flattened device tree
  uint64_t reserved[2];
};
static_assert(offsetof(EntryArm64, kernel) == 0);
static_assert(offsetof(EntryArm64, dtb) == 8);
static_assert(sizeof(EntryArm64) == 32);

}  // namespace kexkit::abi
