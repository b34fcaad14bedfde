// kexkit example firmware stub: boots a Linux bzImage from multiboot modules through the
// kexkit trampoline, with no Linux kexec underneath [docs/trampoline.md].
//
// Sequence (stub_main): serial console -> read the multiboot information (memory map,
// command line, modules "bzImage" and "initrd", which the loader staged right after
// this image) -> boot_params in a buffer of our own (x86-boot-params.h, shared with the
// kexkit loader) -> choose destinations -> SHA-256 of everything staged ->
// kexkit_plan_moves -> kexkit_trampoline_boot, which moves, verifies and enters the
// kernel's 32-bit entry (esi = boot_params).
//
// Two builds of this one file. The i386 build (the main example) uses the i386
// trampoline and the kernel's 32-bit entry (esi = boot_params, code32_start): multiboot
// enters in 32-bit protected mode with paging off, which is exactly the state that entry
// wants, and the kernel's startup_32 builds its own page tables and enters long mode.
// The x86_64 build (start64.asm maps 4 GiB 1:1 and enters long mode first) uses the
// x86_64 trampoline and the 64-bit entry (load address + 0x200, rsi = boot_params), so
// that library is booted too; its page tables sit inside the keep-out range.
//
// Destinations are chosen so that the overlap paths really run: the initrd and the
// boot data go where the staged bzImage starts (over the staged kernel), and the kernel
// goes to the first kernel_alignment boundary after them, which is above its own staged
// copy (a high-to-low copy) and, with init_size, over the staged initrd: the kernel and
// the initrd each clobber the other's source, a cycle the planner breaks with a bounce
// buffer. The command-line word kk.stub.flip flips one staged kernel byte after the
// digest is taken: the trampoline must then refuse to enter Linux; kk.stub.unsafe aims
// boot_params at the trampoline's own move list: it must refuse before moving anything.
#include <stddef.h>
#include <stdint.h>

#include "kexkit/trampoline.h"
#include "kexkit/x86-boot-params.h"

namespace {

using kexkit::x86::BootParams;
using kexkit::x86::E820Entry;
using kexkit::x86::SetupHeader;

// --- multiboot v1 [Multiboot Specification 0.6.96, 3.3] -------------------------------
constexpr uint32_t kMultibootMagic = 0x2badb002;
constexpr uint32_t kInfoCmdline = 1u << 2, kInfoMods = 1u << 3, kInfoMmap = 1u << 6;

struct MultibootInfo {
  uint32_t flags;        // 0
  uint32_t mem_lower;    // 4
  uint32_t mem_upper;    // 8
  uint32_t boot_device;  // 12
  uint32_t cmdline;      // 16
  uint32_t mods_count;   // 20
  uint32_t mods_addr;    // 24
  uint32_t syms[4];      // 28
  uint32_t mmap_length;  // 44
  uint32_t mmap_addr;    // 48
};
static_assert(offsetof(MultibootInfo, mods_addr) == 24);
static_assert(offsetof(MultibootInfo, mmap_addr) == 48);

struct MultibootModule {
  uint32_t mod_start, mod_end, string, reserved;
};

struct [[gnu::packed]] MultibootMmapEntry {
  uint32_t size;  // of the rest of the entry; the next one starts size + 4 bytes on
  uint64_t base_addr;
  uint64_t length;
  uint32_t type;  // the BIOS e820 type
};

// --- console: polled 8250 at ttyS0 [PC16550D datasheet] -------------------------------
constexpr uint16_t kCom1 = 0x3f8;

inline void Outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
inline uint8_t Inb(uint16_t port) {
  uint8_t v;
  asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}

void SerialInit() {
  Outb(kCom1 + 1, 0x00);  // no interrupts
  Outb(kCom1 + 3, 0x80);  // DLAB
  Outb(kCom1 + 0, 0x01);  // 115200 baud
  Outb(kCom1 + 1, 0x00);
  Outb(kCom1 + 3, 0x03);  // 8n1
  Outb(kCom1 + 2, 0x07);  // FIFO on, cleared
  Outb(kCom1 + 4, 0x03);  // DTR, RTS
}

void Putc(char c) {
  for (int i = 0; i < 100000 && !(Inb(kCom1 + 5) & 0x20); ++i) {
  }
  Outb(kCom1, static_cast<uint8_t>(c));
}

void Puts(const char* s) {
  while (*s) Putc(*s++);
}

void PutHex(uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  Puts("0x");
  int shift = 60;
  while (shift > 0 && ((v >> shift) & 15) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) Putc(kHex[(v >> shift) & 15]);
}

void PutDec(uint32_t v) {
  char d[10];
  int n = 0;
  do {
    d[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) Putc(d[--n]);
}

void PutRange(uint64_t start, uint64_t end) {
  Putc('[');
  PutHex(start);
  Puts(", ");
  PutHex(end);
  Putc(')');
}

constexpr char kWho[] = "kexkit firmware-stub: ";

void Say(const char* line) {
  Puts(kWho);
  Puts(line);
  Puts("\r\n");
}

[[noreturn]] void Fail(const char* why) {
  Puts(kWho);
  Puts("error: ");
  Puts(why);
  Puts("\r\n");
  for (;;) asm volatile("cli; hlt");
}

// --- small helpers -------------------------------------------------------------------
uint64_t AlignUp(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
constexpr uint64_t kPage = 4096;

template <typename T>
T* Phys(uint64_t a) {
  return reinterpret_cast<T*>(static_cast<uintptr_t>(a));
}

uint64_t Addr(const void* p) { return reinterpret_cast<uintptr_t>(p); }

bool Overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end) {
  return a < b_end && b < a_end;
}

size_t Strlen(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

// Whether the command line has `word` as a whole word.
bool HasWord(const char* s, const char* word) {
  const size_t n = Strlen(word);
  for (const char* p = s; *p; ++p) {
    if ((p == s || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ')) {
      size_t i = 0;
      while (i < n && p[i] == word[i]) ++i;
      if (i == n) return true;
    }
  }
  return false;
}

// --- state ----------------------------------------------------------------------------
constexpr size_t kBootDataSize = 2 * kPage;  // zero page, then the command line
constexpr uint32_t kMaxMoves = 256;
constexpr uint32_t kMaxRam = 64;

// Staged boot_params: a source like the modules, so it lives in .staging, which stub.ld
// puts after __stub_end (outside the keep-out range). Everything else below is inside.
[[gnu::section(".staging")]] alignas(4096) uint8_t g_boot_data[kBootDataSize];
kexkit_move g_moves[kMaxMoves];
kexkit_trampoline g_params;
kexkit_range g_ram[kMaxRam];
E820Entry g_e820[kexkit::x86::kE820MaxEntriesZeroPage];
char g_message[256];

}  // namespace

extern "C" {
extern char __stub_start[], __stub_end[];
[[noreturn]] void stub_main(uint32_t magic, const MultibootInfo* mbi);

// The compiler may call these for struct copies and zeroing (no libc here).
void* memcpy(void* dst, const void* src, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  const auto* s = static_cast<const uint8_t*>(src);
  while (n--) *d++ = *s++;
  return dst;
}
void* memset(void* dst, int c, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  while (n--) *d++ = static_cast<uint8_t>(c);
  return dst;
}
}

void stub_main(uint32_t magic, const MultibootInfo* mbi) {
  SerialInit();
  Say("start");
  if (magic != kMultibootMagic) Fail("not started by a multiboot loader (eax)");
  if ((mbi->flags & (kInfoMods | kInfoMmap)) != (kInfoMods | kInfoMmap)) {
    Fail("the loader gave no module list or no memory map");
  }
  if (mbi->mods_count < 2) Fail("want two modules: the bzImage, then the initrd");

  // Our command line, less the image name the loader puts first (a word without '=').
  const char* cmdline = (mbi->flags & kInfoCmdline) ? Phys<const char>(mbi->cmdline) : "";
  {
    const char* p = cmdline;
    bool has_eq = false;
    while (*p && *p != ' ') has_eq |= *p++ == '=';
    if (!has_eq) {
      while (*p == ' ') ++p;
      cmdline = p;
    }
  }
  const bool flip = HasWord(cmdline, "kk.stub.flip");
  // kk.stub.unsafe: plan with no keep-out ranges and put boot_params over our own move
  // list, to show that the trampoline checks its footprint itself instead of trusting
  // the caller: it must refuse before the first move.
  const bool unsafe = HasWord(cmdline, "kk.stub.unsafe");

  // --- memory map -> RAM for the planner (>= 1 MiB, < 4 GiB) and the e820 table -----
  uint32_t ram_n = 0, e820_n = 0;
  for (uint64_t p = mbi->mmap_addr; p < uint64_t{mbi->mmap_addr} + mbi->mmap_length;) {
    const auto* e = Phys<const MultibootMmapEntry>(p);
    if (e820_n < kexkit::x86::kE820MaxEntriesZeroPage) {
      g_e820[e820_n++] = {e->base_addr, e->length, e->type};
    }
    const uint64_t lo = e->base_addr < 0x100000 ? 0x100000 : e->base_addr;
    uint64_t hi = e->base_addr + e->length;
    if (hi > (uint64_t{1} << 32)) hi = uint64_t{1} << 32;
    if (e->type == kexkit::x86::kE820Ram && lo < hi && ram_n < kMaxRam) {
      g_ram[ram_n++] = {lo, hi};
      Puts(kWho);
      Puts("RAM ");
      PutRange(lo, hi);
      Puts("\r\n");
    }
    p += e->size + 4;
  }

  // --- the bzImage [x86 boot protocol] ------------------------------------------------
  const auto* mods = Phys<const MultibootModule>(mbi->mods_addr);
  const uint64_t bz = mods[0].mod_start, bz_size = mods[0].mod_end - mods[0].mod_start;
  const uint64_t rd = mods[1].mod_start, rd_size = mods[1].mod_end - mods[1].mod_start;
  if (bz_size < 0x1000) Fail("module 0 is too small for a bzImage");
  constexpr size_t kHdr = offsetof(BootParams, hdr);
  const auto* hdr = Phys<const SetupHeader>(bz + kHdr);
  if (hdr->header != kexkit::x86::kHdrSMagic || hdr->boot_flag != kexkit::x86::kBootFlag) {
    Fail("module 0 is not a bzImage (no HdrS / 0xAA55)");
  }
  if (hdr->version < 0x020a) Fail("boot protocol older than 2.10 (no init_size)");
  const uint64_t setup_size = uint64_t{hdr->setup_sects ? hdr->setup_sects : 4u} * 512 + 512;
  const uint64_t ks = bz + setup_size, ksz = bz_size - setup_size;
  const uint64_t kalign =
      hdr->relocatable_kernel && hdr->kernel_alignment >= kPage ? hdr->kernel_alignment : 0x100000;
  const uint64_t kmemsz = AlignUp(hdr->init_size > ksz ? hdr->init_size : ksz, kPage);
  const size_t cmd_len = Strlen(cmdline);
  if (cmd_len >= hdr->cmdline_size || cmd_len >= kBootDataSize - sizeof(BootParams)) {
    Fail("command line too long for this kernel");
  }

  // --- destinations -------------------------------------------------------------------
  const uint64_t rd_dst = AlignUp(bz, kPage);  // over the staged bzImage's first pages
  const uint64_t rd_memsz = AlignUp(rd_size, kPage);
  const uint64_t bp_dst = unsafe ? Addr(g_moves) & ~(kPage - 1) : rd_dst + rd_memsz;
  const uint64_t k_dst = AlignUp(rd_dst + rd_memsz + kBootDataSize, kalign);
  if (!hdr->relocatable_kernel) Fail("kernel not relocatable; this stub moves it");
  constexpr bool k64 = sizeof(void*) == 8;  // which trampoline this build links
  if (k64 && (hdr->version < 0x020c || !(hdr->xloadflags & kexkit::x86::kXlfKernel64))) {
    Fail("kernel has no 64-bit entry (boot protocol 2.12, XLF_KERNEL_64)");
  }
  // [x86 boot protocol: the 64-bit entry is 0x200 past the protected-mode load address]
  const uint64_t entry = k64 ? k_dst + 0x200 : k_dst;
  if (rd_dst + rd_size - 1 > hdr->initrd_addr_max) Fail("initrd above initrd_addr_max");

  // --- boot_params [boot.rst: the setup header as the image carries it, then ours] ----
  auto* bp = reinterpret_cast<BootParams*>(g_boot_data);
  const uint8_t* image = Phys<const uint8_t>(bz);
  size_t hdr_len = 0x202 + image[0x201] - kHdr;  // the header ends where the jump lands
  if (hdr_len > sizeof(SetupHeader)) hdr_len = sizeof(SetupHeader);
  for (size_t i = 0; i < hdr_len; ++i) g_boot_data[kHdr + i] = image[kHdr + i];
  bp->hdr.type_of_loader = 0xff;  // no assigned loader id [boot.rst]
  bp->hdr.loadflags |= kexkit::x86::kLoadedHigh;
  bp->hdr.code32_start = static_cast<uint32_t>(k_dst);
  bp->hdr.ramdisk_image = static_cast<uint32_t>(rd_dst);
  bp->hdr.ramdisk_size = static_cast<uint32_t>(rd_size);
  bp->hdr.cmd_line_ptr = static_cast<uint32_t>(bp_dst + sizeof(BootParams));
  char* cmd_copy = reinterpret_cast<char*>(g_boot_data + sizeof(BootParams));
  for (size_t i = 0; i <= cmd_len; ++i) cmd_copy[i] = cmdline[i];
  bp->e820_entries = static_cast<uint8_t>(e820_n);
  for (uint32_t i = 0; i < e820_n; ++i) bp->e820_table[i] = g_e820[i];

  // --- segments, digest, plan ----------------------------------------------------------
  const kexkit_segment segs[] = {
      {ks, k_dst, ksz, kmemsz},                                   // 0: kernel
      {rd, rd_dst, rd_size, rd_memsz},                            // 1: initrd
      {Addr(g_boot_data), bp_dst, kBootDataSize, kBootDataSize},  // 2: boot_params
  };
  static const char* const kNames[] = {"kernel", "initrd", "boot_params"};
  for (uint32_t i = 0; i < 3; ++i) {
    Puts(kWho);
    Puts(kNames[i]);
    Puts(": staged ");
    PutRange(segs[i].src, segs[i].src + segs[i].size);
    Puts(" -> ");
    PutRange(segs[i].dst, segs[i].dst + segs[i].memsz);
    Puts("\r\n");
  }
  for (uint32_t i = 0; i < 3; ++i) {
    for (uint32_t j = 0; j < 3; ++j) {
      if (Overlaps(segs[i].dst, segs[i].dst + segs[i].memsz, segs[j].src,
                   segs[j].src + segs[j].size)) {
        Puts(kWho);
        Puts("overlap: ");
        Puts(kNames[i]);
        Puts(" destination over staged ");
        Puts(kNames[j]);
        Puts("\r\n");
      }
    }
  }

  kexkit_trampoline& t = g_params;
  t.magic = KEXKIT_TRAMPOLINE_MAGIC;
  t.version = KEXKIT_TRAMPOLINE_VERSION;
  t.flags = KEXKIT_FLAG_VERIFY | KEXKIT_FLAG_CONSOLE_SERIAL;
  t.serial_port = kCom1;
  t.region_count = 3;
  static const char kLabels[3][KEXKIT_LABEL_SIZE] = {"kernel", "initrd", "bootparams"};
  for (uint32_t i = 0; i < 3; ++i) {
    // Each segment's digest over its staged bytes, checked after the moves at dst.
    const kexkit_region staged = {segs[i].src, segs[i].size};
    kexkit_digest_region& r = t.regions[i];
    r.start = segs[i].dst;
    r.len = segs[i].size;
    kexkit_sha256(&staged, 1, r.digest);
    r.segment = i;
    for (uint32_t k = 0; k < KEXKIT_LABEL_SIZE; ++k) r.label[k] = kLabels[i][k];
  }
  if (flip) {
    volatile uint8_t* victim = Phys<volatile uint8_t>(ks + ksz / 2);
    *victim = static_cast<uint8_t>(*victim ^ 0x01);
    Say("kk.stub.flip: flipped one staged kernel byte after taking the digest");
  }

  kexkit_range keep[3];
  kexkit_trampoline_footprint(keep);  // inside the stub image, but that is our business
  keep[2] = {Addr(__stub_start), Addr(__stub_end)};
  // 4 GiB: paging off (i386) or the 4 GiB identity map of start64.asm (x86_64).
  const kexkit_plan_input in = {segs, 3, g_ram, ram_n, keep, unsafe ? 0u : 3u, uint64_t{1} << 32,
                                kPage};
  kexkit_plan_stats stats;
  uint32_t count = 0;
  if (kexkit_plan_moves(&in, g_moves, kMaxMoves, &count, &stats, g_message, sizeof(g_message)) !=
      KEXKIT_PLAN_OK) {
    Fail(g_message);
  }
  Puts(kWho);
  Puts("plan: ");
  PutDec(stats.moves);
  Puts(" moves, ");
  PutDec(stats.bounced);
  Puts(" bounced (");
  PutHex(stats.bounce_bytes);
  Puts(" bytes), ");
  PutDec(stats.backward);
  Puts(" backward, ");
  PutDec(stats.overlapping);
  Puts(" overlapping\r\n");
  for (uint32_t i = 0; i < count; ++i) {
    const kexkit_move& m = g_moves[i];
    Puts(kWho);
    Puts("  ");
    Puts(kNames[m.segment]);
    Puts(m.kind == KEXKIT_MOVE_ZERO ? " zero " : " copy ");
    PutRange(m.dst, m.dst + m.len);
    if (m.kind == KEXKIT_MOVE_COPY) {
      Puts(" <- ");
      PutHex(m.src);
    }
    Puts("\r\n");
  }

  t.move_count = count;
  t.moves = Addr(g_moves);
  t.handoff = {entry, bp_dst, 0, 0};  // rsi / esi = boot_params
  Puts(kWho);
  Puts(k64 ? "handing off to the kexkit x86_64 trampoline, 64-bit entry "
           : "handing off to the kexkit i386 trampoline, 32-bit entry ");
  PutHex(entry);
  Puts("\r\n");
  kexkit_trampoline_boot(&t);
}
