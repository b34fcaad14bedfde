// vmcore-peek: prints raw bytes of an ELF core file (such as /proc/vmcore) by
// physical address, so a capture kernel's init can check what memory held.
//
//   vmcore-peek FILE PHYS_ADDR LEN   write LEN bytes at PHYS_ADDR to stdout,
//                                    clipped to the end of the PT_LOAD
//   vmcore-peek --list FILE          print the PT_LOAD segments
//   vmcore-peek --notes FILE         print how many NT_PRSTATUS notes (one per CPU
//                                    that saved its registers) the PT_NOTEs hold
//
// Exit status: 0 done, 1 bad file or address not in any PT_LOAD, 2 usage.
//
// Standalone on purpose (C++17, libc only): it is linked statically for each
// guest architecture and must not depend on the project's libraries. ELF32 and
// ELF64 in either byte order are read field by field from explicit offsets
// [System V gABI, ch. 4 and 5], so the host's byte order never matters. Only
// the headers and the requested bytes are read (pread): /proc/vmcore is as
// large as the old kernel's RAM.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr uint32_t kPtLoad = 1;
constexpr uint32_t kPtNote = 4;
constexpr uint32_t kNtPrstatus = 1;
constexpr uint16_t kEtCore = 4;
constexpr uint16_t kPnXnum = 0xffff;  // real e_phnum is in section 0's sh_info
constexpr uint64_t kMaxLen = 64u << 20;

struct Segment {
  uint64_t offset, paddr, filesz, memsz;
};

// Field layout for one ELF class: offsets into the ELF header, program header
// and section header, and their sizes.
struct Layout {
  bool is64;
  unsigned ehdr_size, phoff, phentsize, phnum, shoff, shentsize;
  unsigned phdr_size, p_type, p_offset, p_paddr, p_filesz, p_memsz;
  unsigned shdr_size, sh_info;
};

constexpr Layout kElf32 = {false, 52, 28, 42, 44, 32, 46, 32, 0, 4, 12, 16, 20, 40, 28};
constexpr Layout kElf64 = {true, 64, 32, 54, 56, 40, 58, 56, 0, 8, 24, 32, 40, 64, 44};

class Reader {
 public:
  explicit Reader(const char* path) : path_(path) {}
  ~Reader() {
    if (fd_ >= 0) close(fd_);
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  bool Open() {
    fd_ = open(path_, O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return Fail(std::string("open: ") + std::strerror(errno));
    struct stat st;
    // procfs files may report size 0; then only short reads catch overruns.
    if (fstat(fd_, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
      size_ = static_cast<uint64_t>(st.st_size);
    return true;
  }

  // Reads exactly len bytes at off, or fails naming the range.
  bool ReadAt(uint64_t off, void* buf, size_t len) {
    if (size_ != 0 && (off > size_ || len > size_ - off))
      return Fail("range 0x" + Hex(off) + "+0x" + Hex(len) + " is past the end of the file");
    auto* p = static_cast<unsigned char*>(buf);
    size_t done = 0;
    while (done < len) {
      if (off + done > static_cast<uint64_t>(INT64_MAX)) return Fail("offset too large");
      ssize_t n = pread(fd_, p + done, len - done, static_cast<off_t>(off + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Fail("read at 0x" + Hex(off + done) + ": " + std::strerror(errno));
      if (n == 0) return Fail("file ends inside 0x" + Hex(off) + "+0x" + Hex(len));
      done += static_cast<size_t>(n);
    }
    return true;
  }

  bool Fail(const std::string& what) {
    std::fprintf(stderr, "vmcore-peek: %s: %s\n", path_, what.c_str());
    return false;
  }

  static std::string Hex(uint64_t v) {
    char s[24];
    std::snprintf(s, sizeof s, "%" PRIx64, v);
    return s;
  }

 private:
  const char* path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

// Decodes little- or big-endian unsigned fields from a byte buffer.
class Decoder {
 public:
  Decoder(const unsigned char* p, size_t size, bool big) : p_(p), size_(size), big_(big) {}
  uint64_t U(unsigned off, unsigned width) const {
    if (off > size_ || width > size_ - off) std::abort();  // a bug in Layout, not bad input
    uint64_t v = 0;
    for (unsigned i = 0; i < width; ++i) {
      unsigned idx = big_ ? i : width - 1 - i;
      v = (v << 8) | p_[off + idx];
    }
    return v;
  }

 private:
  const unsigned char* p_;
  size_t size_;
  bool big_;
};

// Reads the program headers of type `type` (PT_LOAD by default) of the core file;
// *big says the file's byte order.
bool ReadSegments(Reader& r, std::vector<Segment>& out, uint32_t type = kPtLoad,
                  bool* big_out = nullptr) {
  unsigned char ident[16];
  if (!r.ReadAt(0, ident, sizeof ident)) return false;
  if (std::memcmp(ident,
                  "\x7f"
                  "ELF",
                  4) != 0)
    return r.Fail("not an ELF file");
  if (ident[4] != 1 && ident[4] != 2) return r.Fail("bad EI_CLASS");
  if (ident[5] != 1 && ident[5] != 2) return r.Fail("bad EI_DATA");
  const Layout& l = ident[4] == 2 ? kElf64 : kElf32;
  const bool big = ident[5] == 2;
  if (big_out != nullptr) *big_out = big;
  const unsigned w = l.is64 ? 8 : 4;  // width of addresses and offsets

  unsigned char ehdr[64];
  if (!r.ReadAt(0, ehdr, l.ehdr_size)) return false;
  Decoder eh(ehdr, l.ehdr_size, big);
  if (eh.U(16, 2) != kEtCore) return r.Fail("not an ELF core file (e_type != ET_CORE)");
  const uint64_t phoff = eh.U(l.phoff, w);
  const uint64_t phentsize = eh.U(l.phentsize, 2);
  uint64_t phnum = eh.U(l.phnum, 2);
  if (phnum == kPnXnum) {
    const uint64_t shoff = eh.U(l.shoff, w);
    const uint64_t shentsize = eh.U(l.shentsize, 2);
    if (shoff == 0 || shentsize < l.shdr_size) return r.Fail("PN_XNUM without a section header");
    unsigned char shdr[64];
    if (!r.ReadAt(shoff, shdr, l.shdr_size)) return false;
    phnum = Decoder(shdr, l.shdr_size, big).U(l.sh_info, 4);
  }
  if (phnum == 0) return r.Fail("no program headers");
  if (phentsize < l.phdr_size) return r.Fail("e_phentsize too small");
  if (phnum > (UINT64_MAX - phoff) / phentsize) return r.Fail("program header table overflows");

  for (uint64_t i = 0; i < phnum; ++i) {
    unsigned char ph[56];
    if (!r.ReadAt(phoff + i * phentsize, ph, l.phdr_size)) return false;
    Decoder d(ph, l.phdr_size, big);
    if (d.U(l.p_type, 4) != type) continue;
    Segment s{d.U(l.p_offset, w), d.U(l.p_paddr, w), d.U(l.p_filesz, w), d.U(l.p_memsz, w)};
    if (s.filesz > UINT64_MAX - s.offset)
      return r.Fail("PT_LOAD " + std::to_string(i) + " file range overflows");
    out.push_back(s);
  }
  return true;
}

bool ParseU64(const char* s, uint64_t& v) {
  if (*s == '\0' || *s == '-') return false;
  errno = 0;
  char* end = nullptr;
  unsigned long long x = std::strtoull(s, &end, 0);
  if (errno != 0 || *end != '\0') return false;
  v = x;
  return true;
}

bool WriteAll(const unsigned char* p, size_t n) {
  while (n > 0) {
    ssize_t k = write(STDOUT_FILENO, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) {
      std::fprintf(stderr, "vmcore-peek: write to stdout: %s\n", std::strerror(errno));
      return false;
    }
    p += k;
    n -= static_cast<size_t>(k);
  }
  return true;
}

int Usage() {
  std::fprintf(stderr,
               "usage: vmcore-peek FILE PHYS_ADDR LEN\n"
               "       vmcore-peek --list FILE\n"
               "       vmcore-peek --notes FILE\n");
  return 2;
}

int List(const char* path) {
  Reader r(path);
  std::vector<Segment> segs;
  if (!r.Open() || !ReadSegments(r, segs)) return 1;
  for (const Segment& s : segs)
    std::printf("PT_LOAD paddr=0x%" PRIx64 " filesz=0x%" PRIx64 " memsz=0x%" PRIx64
                " offset=0x%" PRIx64 "\n",
                s.paddr, s.filesz, s.memsz, s.offset);
  return 0;
}

// Counts the "CORE" NT_PRSTATUS notes of every PT_NOTE (the capture kernel merges the
// per-CPU notes into one PT_NOTE and drops the empty ones of CPUs that saved nothing).
int Notes(const char* path) {
  Reader r(path);
  std::vector<Segment> notes;
  bool big = false;
  if (!r.Open() || !ReadSegments(r, notes, kPtNote, &big)) return 1;
  uint64_t prstatus = 0;
  for (const Segment& s : notes) {
    if (s.filesz > kMaxLen) {
      r.Fail("PT_NOTE of 0x" + Reader::Hex(s.filesz) + " bytes");
      return 1;
    }
    std::vector<unsigned char> buf(static_cast<size_t>(s.filesz));
    if (!r.ReadAt(s.offset, buf.data(), buf.size())) return 1;
    auto pad4 = [](uint64_t v) { return (v + 3) & ~uint64_t{3}; };
    for (uint64_t at = 0; at + 12 <= buf.size();) {
      Decoder d(buf.data() + at, 12, big);
      const uint64_t namesz = d.U(0, 4), descsz = d.U(4, 4), ntype = d.U(8, 4);
      if (namesz == 0 && descsz == 0) break;  // zero fill after the last note
      const uint64_t next = at + 12 + pad4(namesz) + pad4(descsz);
      if (namesz > buf.size() || descsz > buf.size() || next > buf.size()) break;
      if (ntype == kNtPrstatus && namesz == 5 && std::memcmp(buf.data() + at + 12, "CORE", 5) == 0)
        ++prstatus;
      at = next;
    }
  }
  std::printf("NT_PRSTATUS %" PRIu64 "\n", prstatus);
  return 0;
}

int Peek(const char* path, const char* addr_arg, const char* len_arg) {
  uint64_t addr = 0, len = 0;
  if (!ParseU64(addr_arg, addr)) {
    std::fprintf(stderr, "vmcore-peek: bad PHYS_ADDR '%s'\n", addr_arg);
    return 2;
  }
  if (!ParseU64(len_arg, len) || len == 0 || len > kMaxLen) {
    std::fprintf(stderr, "vmcore-peek: bad LEN '%s' (1 to %" PRIu64 ")\n", len_arg, kMaxLen);
    return 2;
  }
  Reader r(path);
  std::vector<Segment> segs;
  if (!r.Open() || !ReadSegments(r, segs)) return 1;
  for (const Segment& s : segs) {
    // Overflow-free form of paddr <= addr < paddr + filesz.
    if (addr < s.paddr || addr - s.paddr >= s.filesz) continue;
    const uint64_t skip = addr - s.paddr;
    const uint64_t n = len < s.filesz - skip ? len : s.filesz - skip;
    std::vector<unsigned char> buf(static_cast<size_t>(n));
    if (!r.ReadAt(s.offset + skip, buf.data(), buf.size())) return 1;
    return WriteAll(buf.data(), buf.size()) ? 0 : 1;
  }
  r.Fail("physical address 0x" + Reader::Hex(addr) + " is in no PT_LOAD's file bytes");
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--list") == 0) return List(argv[2]);
  if (argc == 3 && std::strcmp(argv[1], "--notes") == 0) return Notes(argv[2]);
  if (argc == 4) return Peek(argv[1], argv[2], argv[3]);
  return Usage();
}
