// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * CXL address arithmetic, pure: a device physical address (DPA) of the
 * memdev at interleave position p of a region to a host physical address
 * (HPA), and on to the bytes of the pmem disk of the namespace in it.
 *
 * The endpoint decoder maps its DPAs [dpa_resource, dpa_resource +
 * dpa_size) in granules of the region's interleave granularity G; with W
 * ways, granule k of position p is granule k * W + p of the region:
 *   off = dpa - dpa_resource
 *   hpa = hpa_resource + (off / G) * W * G + p * G + off % G
 * (the kernel's cxl_dpa_to_hpa() for modulo arithmetic, which is what
 * QEMU's and most platforms' windows use). A DPA range that crosses a
 * granule is cut there: with more than one way the next granule of the
 * memdev is W * G bytes further on.
 */
#include "config.h"

#include <errno.h>

#include "cxl-poison.h"

static int geometry_ok(const struct dp_cxl_region *r, unsigned int pos)
{
	uint64_t g = r->granularity;

	return r->ways > 0 && g >= DP_CXL_POISON_UNIT && (g & (g - 1)) == 0 && pos < r->ways;
}

int dp_cxl_dpa_to_hpa(const struct dp_cxl_region *r, unsigned int pos, uint64_t dpa, uint64_t *hpa)
{
	const struct dp_cxl_target *t;
	uint64_t off, g;

	if (!geometry_ok(r, pos) || pos >= DP_CXL_MAX_TARGETS)
		return -EINVAL;
	t = &r->targets[pos];
	g = r->granularity;
	if (dpa < t->dpa_resource || dpa - t->dpa_resource >= t->dpa_size)
		return -ERANGE;
	off = dpa - t->dpa_resource;
	*hpa = r->hpa_resource + (off / g) * r->ways * g + (uint64_t)pos * g + off % g;
	if (*hpa - r->hpa_resource >= r->hpa_size)
		return -ERANGE;
	return 0;
}

/* A piece waiting to be joined with the next when contiguous. */
struct pending {
	uint64_t offset, length;
	dp_cxl_piece_fn fn;
	void *arg;
};

static int emit(struct pending *p, uint64_t offset, uint64_t length)
{
	int rc = 0;

	if (p->length && p->offset + p->length == offset) {
		p->length += length;
		return 0;
	}
	if (p->length)
		rc = p->fn(p->arg, p->offset, p->length);
	p->offset = offset;
	p->length = length;
	return rc;
}

int dp_cxl_dpa_to_disk(const struct dp_cxl_region *r, unsigned int pos, uint64_t dpa, uint64_t length,
		       uint64_t data_start, uint64_t disk_bytes, dp_cxl_piece_fn fn, void *arg,
		       uint64_t *outside)
{
	struct pending p = { 0, 0, fn, arg };
	uint64_t g, left = length, out = 0;
	int rc = 0;

	if (!geometry_ok(r, pos) || pos >= DP_CXL_MAX_TARGETS)
		return -EINVAL;
	if (length > UINT64_MAX - dpa)
		left = UINT64_MAX - dpa;
	g = r->granularity;
	while (left && rc == 0) {
		/* Up to the end of this granule (granules count from the
		 * decoder's first DPA), or up to the decoder. */
		uint64_t base = r->targets[pos].dpa_resource, hpa;
		uint64_t n = dpa < base ? base - dpa : g - (dpa - base) % g;

		if (n > left)
			n = left;
		if (dp_cxl_dpa_to_hpa(r, pos, dpa, &hpa) < 0) {
			out += n;
		} else {
			/* The part of [hpa, hpa + n) inside the disk's data. */
			uint64_t a = hpa > data_start ? hpa : data_start;
			uint64_t b = hpa + n;

			if (data_start + disk_bytes < b)
				b = data_start + disk_bytes > data_start ? data_start + disk_bytes : data_start;
			if (a < b) {
				out += n - (b - a);
				rc = emit(&p, a - data_start, b - a);
			} else {
				out += n;
			}
		}
		dpa += n;
		left -= n;
	}
	if (rc == 0 && p.length)
		rc = fn(arg, p.offset, p.length);
	if (outside)
		*outside = out;
	return rc;
}
