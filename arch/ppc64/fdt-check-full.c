/* fdt_check_full for a libfdt built without fdt_check.c: the copy of libfdt in Linux's
 * scripts/dtc/libfdt, which the big-endian ppc64 loader is built against
 * (scripts/lib/guest-sysroot.sh ppc64; toolchain/ppc64-linux.cmake sets
 * KEXKIT_LIBFDT_NO_CHECK_FULL). The same contract as libfdt's: 0 when every tag of the
 * structure block can be walked within bufsize, with balanced nodes under one root of
 * an empty name, and every property's value and name inside the blob; else a
 * -FDT_ERR_* code. Built from libfdt's own public walkers (fdt_next_tag,
 * fdt_getprop_by_offset), which check each offset they step to. */
#include <limits.h>
#include <libfdt.h>

int fdt_check_full(const void* fdt, size_t bufsize) {
  int err, next = 0, len;
  unsigned depth = 0;
  int root_closed = 0;

  if (bufsize < FDT_V1_SIZE || bufsize < fdt_header_size(fdt)) return -FDT_ERR_TRUNCATED;
  if ((err = fdt_check_header(fdt)) != 0) return err;
  if (bufsize < fdt_totalsize(fdt)) return -FDT_ERR_TRUNCATED;
  if ((err = fdt_num_mem_rsv(fdt)) < 0) return err;

  for (;;) {
    const int at = next;
    const uint32_t tag = fdt_next_tag(fdt, at, &next);
    if (next < 0) return next;
    if (root_closed && tag != FDT_END && tag != FDT_NOP) return -FDT_ERR_BADSTRUCTURE;
    switch (tag) {
      case FDT_NOP:
        break;
      case FDT_END:
        return depth == 0 ? 0 : -FDT_ERR_BADSTRUCTURE;
      case FDT_BEGIN_NODE:
        if (++depth > INT_MAX) return -FDT_ERR_BADSTRUCTURE;
        if (depth == 1) {
          const char* name = fdt_get_name(fdt, at, &len);
          if (name == NULL) return len;
          if (name[0] != '\0' || len != 0) return -FDT_ERR_BADSTRUCTURE;
        }
        break;
      case FDT_END_NODE:
        if (depth == 0) return -FDT_ERR_BADSTRUCTURE;
        if (--depth == 0) root_closed = 1;
        break;
      case FDT_PROP: {
        const char* name;
        if (fdt_getprop_by_offset(fdt, at, &name, &err) == NULL) return err;
        break;
      }
      default:
        return -FDT_ERR_INTERNAL;
    }
  }
}
