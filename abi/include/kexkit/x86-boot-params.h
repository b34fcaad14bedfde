// The x86 zero page (struct boot_params) and setup header, as far as kexkit fills them
// [Documentation/arch/x86/zero-page.rst, boot.rst]. Field names follow the kernel's
// arch/x86/include/uapi/asm/bootparam.h; unused stretches are padding arrays, and every
// field kexkit touches has its offset asserted. Shared by the host loader and the
// firmware trampoline example, so it compiles freestanding.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kexkit::x86 {

inline constexpr uint32_t kHdrSMagic = 0x53726448;  // "HdrS"
inline constexpr uint16_t kBootFlag = 0xaa55;
inline constexpr uint8_t kTypeOfLoaderKexec = 0xd0;  // [boot.rst: 0xD = kexec-tools]

// loadflags
inline constexpr uint8_t kLoadedHigh = 1 << 0;
inline constexpr uint8_t kKeepSegments = 1 << 6;
inline constexpr uint8_t kCanUseHeap = 1 << 7;
// xloadflags
inline constexpr uint16_t kXlfKernel64 = 1 << 0;
inline constexpr uint16_t kXlfCanBeLoadedAbove4G = 1 << 1;
inline constexpr uint16_t kXlfEfiHandover32 = 1 << 2;
inline constexpr uint16_t kXlfEfiHandover64 = 1 << 3;
inline constexpr uint16_t kXlfEfiKexec = 1 << 4;
inline constexpr uint16_t kXlf5Level = 1 << 5;  // may be entered with 5-level paging on

// setup_data types [bootparam.h]
inline constexpr uint32_t kSetupE820Ext = 1;
inline constexpr uint32_t kSetupDtb = 2;
inline constexpr uint32_t kSetupEfi = 4;
inline constexpr uint32_t kSetupRngSeed = 9;

// e820 types
inline constexpr uint32_t kE820Ram = 1, kE820Reserved = 2, kE820Acpi = 3, kE820Nvs = 4,
                          kE820Unusable = 5, kE820Pmem = 7;
inline constexpr uint32_t kE820MaxEntriesZeroPage = 128;

#pragma pack(push, 1)
struct E820Entry {
  uint64_t addr;
  uint64_t size;
  uint32_t type;
};
static_assert(sizeof(E820Entry) == 20);

struct SetupHeader {  // at boot_params offset 0x1f1
  uint8_t setup_sects;
  uint16_t root_flags;
  uint32_t syssize;
  uint16_t ram_size;
  uint16_t vid_mode;
  uint16_t root_dev;
  uint16_t boot_flag;
  uint16_t jump;
  uint32_t header;
  uint16_t version;
  uint32_t realmode_swtch;
  uint16_t start_sys_seg;
  uint16_t kernel_version;
  uint8_t type_of_loader;
  uint8_t loadflags;
  uint16_t setup_move_size;
  uint32_t code32_start;
  uint32_t ramdisk_image;
  uint32_t ramdisk_size;
  uint32_t bootsect_kludge;
  uint16_t heap_end_ptr;
  uint8_t ext_loader_ver;
  uint8_t ext_loader_type;
  uint32_t cmd_line_ptr;
  uint32_t initrd_addr_max;
  uint32_t kernel_alignment;
  uint8_t relocatable_kernel;
  uint8_t min_alignment;
  uint16_t xloadflags;
  uint32_t cmdline_size;
  uint32_t hardware_subarch;
  uint64_t hardware_subarch_data;
  uint32_t payload_offset;
  uint32_t payload_length;
  uint64_t setup_data;
  uint64_t pref_address;
  uint32_t init_size;
  uint32_t handover_offset;
  uint32_t kernel_info_offset;
};

struct BootParams {
  uint8_t screen_info[0x40];        // 0x000
  uint8_t apm_bios_info[0x14];      // 0x040
  uint8_t pad2[4];                  // 0x054
  uint64_t tboot_addr;              // 0x058
  uint8_t ist_info[0x10];           // 0x060
  uint64_t acpi_rsdp_addr;          // 0x070
  uint8_t pad3[8];                  // 0x078
  uint8_t hd0_info[16];             // 0x080
  uint8_t hd1_info[16];             // 0x090
  uint8_t sys_desc_table[0x10];     // 0x0a0
  uint8_t olpc_ofw_header[0x10];    // 0x0b0
  uint32_t ext_ramdisk_image;       // 0x0c0
  uint32_t ext_ramdisk_size;        // 0x0c4
  uint32_t ext_cmd_line_ptr;        // 0x0c8
  uint8_t pad4[112];                // 0x0cc
  uint32_t cc_blob_address;         // 0x13c
  uint8_t edid_info[0x80];          // 0x140
  uint8_t efi_info[0x20];           // 0x1c0
  uint32_t alt_mem_k;               // 0x1e0
  uint32_t scratch;                 // 0x1e4
  uint8_t e820_entries;             // 0x1e8
  uint8_t eddbuf_entries;           // 0x1e9
  uint8_t edd_mbr_sig_buf_entries;  // 0x1ea
  uint8_t kbd_status;               // 0x1eb
  uint8_t secure_boot;              // 0x1ec
  uint8_t pad5[2];                  // 0x1ed
  uint8_t sentinel;                 // 0x1ef
  uint8_t pad6[1];                  // 0x1f0
  SetupHeader hdr;                  // 0x1f1
  uint8_t pad7[0x290 - 0x1f1 - sizeof(SetupHeader)];
  uint32_t edd_mbr_sig_buffer[16];                // 0x290
  E820Entry e820_table[kE820MaxEntriesZeroPage];  // 0x2d0
  uint8_t pad8[48];                               // 0xcd0
  uint8_t eddbuf[0x1ec];                          // 0xd00
  uint8_t pad9[276];                              // 0xeec
};
#pragma pack(pop)

static_assert(offsetof(BootParams, acpi_rsdp_addr) == 0x070);
static_assert(offsetof(BootParams, ext_ramdisk_image) == 0x0c0);
static_assert(offsetof(BootParams, ext_cmd_line_ptr) == 0x0c8);
static_assert(offsetof(BootParams, efi_info) == 0x1c0);
static_assert(offsetof(BootParams, e820_entries) == 0x1e8);
static_assert(offsetof(BootParams, sentinel) == 0x1ef);
static_assert(offsetof(BootParams, hdr) == 0x1f1);
static_assert(offsetof(BootParams, hdr) + offsetof(SetupHeader, header) == 0x202);
static_assert(offsetof(BootParams, hdr) + offsetof(SetupHeader, version) == 0x206);
static_assert(offsetof(BootParams, hdr) + offsetof(SetupHeader, type_of_loader) == 0x210);
static_assert(offsetof(BootParams, hdr) + offsetof(SetupHeader, code32_start) == 0x214);
static_assert(offsetof(BootParams, hdr) + offsetof(SetupHeader, ramdisk_image) == 0x218);
static_assert(offsetof(BootParams, hdr) + offsetof(SetupHeader, cmd_line_ptr) == 0x228);
static_assert(offsetof(BootParams, hdr) + offsetof(SetupHeader, kernel_alignment) == 0x230);
static_assert(offsetof(BootParams, hdr) + offsetof(SetupHeader, xloadflags) == 0x236);
static_assert(offsetof(BootParams, hdr) + offsetof(SetupHeader, cmdline_size) == 0x238);
static_assert(offsetof(BootParams, hdr) + offsetof(SetupHeader, setup_data) == 0x250);
static_assert(offsetof(BootParams, hdr) + offsetof(SetupHeader, pref_address) == 0x258);
static_assert(offsetof(BootParams, hdr) + offsetof(SetupHeader, init_size) == 0x260);
static_assert(offsetof(BootParams, hdr) + offsetof(SetupHeader, kernel_info_offset) == 0x268);
static_assert(offsetof(BootParams, edd_mbr_sig_buffer) == 0x290);
static_assert(offsetof(BootParams, e820_table) == 0x2d0);
static_assert(offsetof(BootParams, eddbuf) == 0xd00);
static_assert(sizeof(BootParams) == 4096);

// setup_data node header; data[len] follows [boot.rst: setup_data].
struct SetupDataHeader {
  uint64_t next;
  uint32_t type;
  uint32_t len;
};
static_assert(sizeof(SetupDataHeader) == 16);

}  // namespace kexkit::x86
