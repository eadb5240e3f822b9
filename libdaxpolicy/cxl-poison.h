/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CXL poison: the records of a memdev's poison list as the kernel's
 * cxl:cxl_poison trace event prints them (cxl-poison-parse.c), their
 * device physical addresses moved to host physical addresses and pmem disk
 * bytes (cxl-addr.c), and the scan's source that reads them through tracefs
 * (badblocks-cxl.c). The first two are pure: no I/O, no context.
 */
#ifndef LIBDAXPOLICY_CXL_POISON_H
#define LIBDAXPOLICY_CXL_POISON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cxl-region.h"

/* Poison is kept and cleared in 64-byte units. */
#define DP_CXL_POISON_UNIT 64

/* One record of a poison list. */
struct dp_cxl_poison {
	char memdev[32];        /* "mem0" */
	char region[32];        /* "" when the kernel names none */
	char trace_type[16];    /* "List", "Inject", "Clear" */
	char source[16];        /* "Internal", "Injected", ... */
	uint64_t dpa, dpa_length;
	uint64_t hpa;           /* ULLONG_MAX when not given or not mapped */
	bool overflow;          /* the device's list overflowed: records are missing */
};

/* Parse the printed fields of one cxl_poison event ("memdev=mem0
 * host=0000:0d:00.0 ... dpa=0x2000000 dpa_length=0x1000 source=Internal
 * flags= overflow_time=0"), @len bytes, not necessarily NUL-terminated.
 * 0 and @rec filled; -EINVAL when memdev, dpa or dpa_length is missing or
 * malformed, or dpa + dpa_length overflows. */
int dp_cxl_poison_parse(const char *text, size_t len, struct dp_cxl_poison *rec);

/* Receives a piece of a poisoned range: @offset and @length in bytes of the
 * pmem disk. */
typedef int (*dp_cxl_piece_fn)(void *arg, uint64_t offset, uint64_t length);

/* The pmem disk bytes of DPA range [@dpa, @dpa + @length) of the memdev at
 * interleave position @pos of region @r, whose disk starts at host physical
 * address @data_start and holds @disk_bytes bytes. The range is cut at the
 * region's interleave granules; pieces contiguous on the disk are passed
 * as one, in DPA order. What lies outside the endpoint decoder, the region
 * or the disk's data (the namespace's info block, another namespace) is
 * not passed; *@outside (may be NULL) counts its bytes. 0, the callback's
 * negative return, or -EINVAL for a geometry that cannot be (no ways, a
 * granularity that is not a power of two at least 64, @pos out of range). */
int dp_cxl_dpa_to_disk(const struct dp_cxl_region *r, unsigned int pos, uint64_t dpa, uint64_t length,
		       uint64_t data_start, uint64_t disk_bytes, dp_cxl_piece_fn fn, void *arg,
		       uint64_t *outside);

/* The host physical address of @dpa at position @pos of @r; -ERANGE when
 * the endpoint decoder does not map it. */
int dp_cxl_dpa_to_hpa(const struct dp_cxl_region *r, unsigned int pos, uint64_t dpa, uint64_t *hpa);

#endif
