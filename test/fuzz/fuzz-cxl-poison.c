// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A CXL poison record as the cxl_poison trace event prints it (read from
 * tracefs), parsed by dp_cxl_poison_parse, then moved through a region
 * whose geometry comes from the input too (dp_cxl_dpa_to_disk): what comes
 * out must lie inside the disk and add up to no more than the record.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cxl-poison.h"
#include "fuzz.h"

struct sum {
	uint64_t disk, total, last_end;
};

static int on_piece(void *arg, uint64_t offset, uint64_t length)
{
	struct sum *s = arg;

	if (length == 0 || offset > s->disk || length > s->disk - offset)
		abort();   /* outside the disk */
	s->total += length;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_cxl_poison rec;
	struct dp_cxl_region r;
	struct sum s = { 0 };
	uint64_t outside = 0;
	uint8_t geo[8] = { 0 };
	char *copy;

	/* The first 8 bytes, when there are enough: ways, granularity shift,
	 * position, and where the disk's data starts. */
	if (size >= 8) {
		memcpy(geo, data, 8);
		data += 8;
		size -= 8;
	}
	/* Not NUL-terminated: parse from a copy without the terminator. */
	copy = malloc(size ? size : 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	if (dp_cxl_poison_parse(copy, size, &rec) == 0) {
		if (!rec.memdev[0] || rec.dpa_length == 0 || rec.dpa_length > UINT64_MAX - rec.dpa)
			abort();
		memset(&r, 0, sizeof(r));
		r.ways = (geo[0] % 16) + 1;
		r.granularity = 64u << (geo[1] % 10);
		r.ntargets = r.ways;
		r.hpa_resource = (uint64_t)geo[3] << 28;
		r.hpa_size = (uint64_t)r.ways << 30;
		for (unsigned int i = 0; i < r.ways; i++) {
			r.targets[i].position = i;
			r.targets[i].dpa_resource = (uint64_t)geo[4] << 20;
			r.targets[i].dpa_size = 1ULL << 30;
		}
		s.disk = (uint64_t)(geo[5] + 1) << 24;
		if (rec.dpa_length <= (1ULL << 24) &&
		    dp_cxl_dpa_to_disk(&r, geo[2] % r.ways, rec.dpa, rec.dpa_length,
				       r.hpa_resource + ((uint64_t)geo[6] << 16), s.disk, on_piece, &s,
				       &outside) == 0 &&
		    s.total + outside != rec.dpa_length)
			abort();   /* every byte is either on the disk or outside it */
	}
	free(copy);
	return 0;
}
