// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The repair of a block on a CXL region. CXL poison is not cleared by a
 * write on every device (QEMU's is not), and a read of it may succeed (QEMU
 * under TCG), so a read of the device after the in-place write proves
 * nothing. Here the poison in the block is cleared through the kernel
 * (each memdev's debugfs clear_poison, 64 bytes at a DPA), and the block is
 * called cleared only when a fresh poison list holds none of its bytes;
 * otherwise the repair moves it as on nvdimm. The poison being known to 64
 * bytes, the good bytes of a poisoned sector are kept.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "badblocks.h"
#include "private.h"

bool bb_cxl_repair(const struct bb_repair *rp)
{
	return rp->s.bb && rp->s.bb->source && !strcmp(rp->s.bb->source, "cxl");
}

int bb_cxl_keep_good(const struct daxpolicy_badblocks *bb, uint64_t sector, unsigned char *bytes)
{
	size_t k = bb_first_range_after(bb, sector);
	const struct daxpolicy_badrange *r = k < bb->count ? &bb->ranges[k] : NULL;
	uint64_t a = sector * 512, b = a + 512;

	if (!r || r->sector > sector || !r->poison || !r->bytes_exact || strcmp(r->source, "cxl"))
		return -ENOENT;
	for (const struct daxpolicy_poison *p = r->poison; p; p = p->next) {
		uint64_t from = p->offset > a ? p->offset : a;
		uint64_t to = p->offset + p->length < b ? p->offset + p->length : b;

		if (from < to)
			memset(bytes + (from - a), 0, to - from);
	}
	return 0;
}

/* Whether a fresh list's piece meets the block. */
struct meets {
	uint64_t offset, end;
	bool hit;
};

static int piece_meets(void *arg, uint64_t sector, uint64_t count, const char *source)
{
	struct meets *m = arg;
	const struct daxpolicy_poison *now = bb_cxl_poison_now;
	uint64_t a = now ? now->offset : sector * 512;
	uint64_t b = now ? now->offset + now->length : (sector + count) * 512;

	(void)source;
	if (a < m->end && b > m->offset)
		m->hit = true;
	return 0;
}

int bb_cxl_clear_block(struct bb_repair *rp, uint64_t first)
{
	const char *disk = rp->s.bb->disk;
	struct meets m = { .offset = first * 512, .end = first * 512 + rp->bs };
	size_t units = 0;
	int rc;

	bb_repair_step(rp, "clear the block's CXL poison through the kernel (debugfs clear_poison)");
	rc = bb_cxl_clear(rp->ctx, disk, m.offset, rp->bs, &units);
	if (rc == -EOPNOTSUPP) {
		info(rp->ctx, "%s: sector %llu: the kernel offers no CXL clear-poison here (debugfs "
		     "/sys/kernel/debug/cxl/MEMDEV/clear_poison, root only): the block is moved",
		     disk, (unsigned long long)first);
		return 0;
	}
	if (rc < 0)
		return rc;
	dbg(rp->ctx, "%s: sector %llu: %zu poison unit(s) of 64 bytes cleared", disk,
	    (unsigned long long)first, units);
	/* Only the device's own list says the poison is gone. */
	rc = bb_cxl_ranges(rp->ctx, disk, piece_meets, &m);
	if (rc < 0)
		return rc;
	if (m.hit)
		info(rp->ctx, "%s: sector %llu: the poison stays listed after clear_poison: the block is moved",
		     disk, (unsigned long long)first);
	return m.hit ? 0 : 1;
}
