// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests: CXL poison records as the cxl_poison trace event prints
 * them, their DPAs moved through 1-, 2- and 4-way interleaves to pmem disk
 * bytes (every expected address computed by hand, shown beside it), and
 * the narrowing of a file hit to the poisoned bytes.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badblocks.h"
#include "cxl-poison.h"
#include "unit.h"

#define MAX_PIECES 16
struct pieces {
	size_t n;
	uint64_t offset[MAX_PIECES], length[MAX_PIECES];
};

static int on_piece(void *arg, uint64_t offset, uint64_t length)
{
	struct pieces *p = arg;

	ck_assert_uint_lt(p->n, MAX_PIECES);
	p->offset[p->n] = offset;
	p->length[p->n++] = length;
	return 0;
}

/* A region of @ways ways and granularity @g at HPA @base; every position
 * maps DPAs from @dpa_base, 256 MiB each. */
static void region(struct dp_cxl_region *r, unsigned int ways, unsigned int g, uint64_t base, uint64_t dpa_base)
{
	memset(r, 0, sizeof(*r));
	strcpy(r->region, "region0");
	r->ways = r->ntargets = ways;
	r->granularity = g;
	r->hpa_resource = base;
	r->hpa_size = (uint64_t)ways << 28;
	for (unsigned int i = 0; i < ways; i++) {
		r->targets[i].position = i;
		snprintf(r->targets[i].memdev, sizeof(r->targets[i].memdev), "mem%u", i);
		r->targets[i].dpa_resource = dpa_base;
		r->targets[i].dpa_size = 1ULL << 28;
	}
}

static void to_disk(const struct dp_cxl_region *r, unsigned int pos, uint64_t dpa, uint64_t len,
		    uint64_t data_start, uint64_t disk_bytes, struct pieces *p, uint64_t *outside)
{
	memset(p, 0, sizeof(*p));
	ck_assert_int_eq(dp_cxl_dpa_to_disk(r, pos, dpa, len, data_start, disk_bytes, on_piece, p, outside), 0);
}

/* The test bed's one-way region: base 0x390000000, fsdax data from
 * 0x390a00000 (10 MiB in), 500 MiB disk. */
START_TEST(one_way)
{
	struct dp_cxl_region r;
	struct pieces p;
	uint64_t hpa, out;

	region(&r, 1, 256, 0x390000000ULL, 0);
	ck_assert_int_eq(dp_cxl_dpa_to_hpa(&r, 0, 0x2000000, &hpa), 0);
	ck_assert_uint_eq(hpa, 0x392000000ULL);              /* base + DPA */
	/* DPA 0x2000000+0x1000 crosses 16 granules, all contiguous with one
	 * way: one piece at 0x392000000 - 0x390a00000 = 0x1600000 (sector
	 * 45056, as seen in the test bed). */
	to_disk(&r, 0, 0x2000000, 0x1000, 0x390a00000ULL, 500ULL << 20, &p, &out);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_uint_eq(p.offset[0], 0x1600000);
	ck_assert_uint_eq(p.length[0], 0x1000);
	ck_assert_uint_eq(out, 0);
	/* 64 bytes inside a sector: 0x1600040 is sector 45056, byte 64. */
	to_disk(&r, 0, 0x2000040, 0x40, 0x390a00000ULL, 500ULL << 20, &p, &out);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_uint_eq(p.offset[0], 0x1600040);
	ck_assert_uint_eq(p.length[0], 0x40);
	/* In the info block (DPA 1 MiB < 10 MiB): not the disk's. */
	to_disk(&r, 0, 0x100000, 0x40, 0x390a00000ULL, 500ULL << 20, &p, &out);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_uint_eq(out, 0x40);
	/* Straddling the data start: DPA 0x9fffc0+0x80 -> the last 64 bytes
	 * are disk bytes 0..63. */
	to_disk(&r, 0, 0x9fffc0, 0x80, 0x390a00000ULL, 500ULL << 20, &p, &out);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_uint_eq(p.offset[0], 0);
	ck_assert_uint_eq(p.length[0], 0x40);
	ck_assert_uint_eq(out, 0x40);
	/* Past the disk's end (10 MiB + 500 MiB = 0x1fe00000; the test bed's
	 * 512 MiB device). */
	r.hpa_size = r.targets[0].dpa_size = 512ULL << 20;
	to_disk(&r, 0, 0x1fe00000 - 0x40, 0x80, 0x390a00000ULL, 500ULL << 20, &p, &out);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_uint_eq(p.offset[0], (500ULL << 20) - 0x40);
	ck_assert_uint_eq(p.length[0], 0x40);
	ck_assert_uint_eq(out, 0x40);
	/* Past the decoder's DPAs. */
	ck_assert_int_eq(dp_cxl_dpa_to_hpa(&r, 0, 512ULL << 20, &hpa), -ERANGE);
}
END_TEST

/* Two ways, granularity 256, HPA base 0x400000000, every decoder from
 * DPA 0x10000000 (a volatile partition before it); disk from the base. */
START_TEST(two_way)
{
	struct dp_cxl_region r;
	struct pieces p;
	uint64_t hpa, out;

	region(&r, 2, 256, 0x400000000ULL, 0x10000000);
	/* Position 1, offset 0x40: granule 0 -> 0*512 + 1*256 + 0x40 = 0x140. */
	ck_assert_int_eq(dp_cxl_dpa_to_hpa(&r, 1, 0x10000040, &hpa), 0);
	ck_assert_uint_eq(hpa, 0x400000140ULL);
	/* Position 0, offset 0x100 (granule 1): 1*512 + 0 = 0x200. */
	ck_assert_int_eq(dp_cxl_dpa_to_hpa(&r, 0, 0x10000100, &hpa), 0);
	ck_assert_uint_eq(hpa, 0x400000200ULL);
	/* Position 1, offsets 0xc0..0x140 cross a granule: 0xc0..0x100 ->
	 * 256 + 0xc0 = 0x1c0 (64 bytes); 0x100..0x140 -> 512 + 256 = 0x300. */
	to_disk(&r, 1, 0x100000c0, 0x80, 0x400000000ULL, 1ULL << 29, &p, &out);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_uint_eq(p.offset[0], 0x1c0);
	ck_assert_uint_eq(p.length[0], 0x40);
	ck_assert_uint_eq(p.offset[1], 0x300);
	ck_assert_uint_eq(p.length[1], 0x40);
	ck_assert_uint_eq(out, 0);
	/* Below the decoder: none of it is the region's. */
	to_disk(&r, 1, 0x0fffff00, 0x100, 0x400000000ULL, 1ULL << 29, &p, &out);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_uint_eq(out, 0x100);
	ck_assert_int_eq(dp_cxl_dpa_to_hpa(&r, 1, 0x0fffffc0, &hpa), -ERANGE);
	/* A position the region does not have. */
	ck_assert_int_eq(dp_cxl_dpa_to_hpa(&r, 2, 0x10000000, &hpa), -EINVAL);
}
END_TEST

/* Four ways, granularity 1024, HPA base 0x1000000000, decoders from DPA 0;
 * the disk's data from base + 0x4000. */
START_TEST(four_way)
{
	struct dp_cxl_region r;
	struct pieces p;
	uint64_t out;

	region(&r, 4, 1024, 0x1000000000ULL, 0);
	/* Position 2, DPA 0x1fc0+0x80: granule 7 at 0x3c0 -> 7*4096 + 2*1024
	 * + 0x3c0 = 0x7bc0 (64 bytes to the granule's end); granule 8 ->
	 * 8*4096 + 2048 = 0x8800. Disk: minus 0x4000. */
	to_disk(&r, 2, 0x1fc0, 0x80, 0x1000004000ULL, 1ULL << 30, &p, &out);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_uint_eq(p.offset[0], 0x3bc0);
	ck_assert_uint_eq(p.length[0], 0x40);
	ck_assert_uint_eq(p.offset[1], 0x4800);
	ck_assert_uint_eq(p.length[1], 0x40);
	/* Position 3, DPA 0+0x1000: four granules, each at k*4096 + 3*1024:
	 * 0xc00, 0x1c00, 0x2c00, 0x3c00; the first below the data start
	 * (0x4000) is outside, so is 0x3c00 (ends at 0x4000). Disk from base. */
	to_disk(&r, 3, 0, 0x1000, 0x1000000000ULL, 1ULL << 30, &p, &out);
	ck_assert_uint_eq(p.n, 4);
	ck_assert_uint_eq(p.offset[0], 0xc00);
	ck_assert_uint_eq(p.offset[1], 0x1c00);
	ck_assert_uint_eq(p.offset[2], 0x2c00);
	ck_assert_uint_eq(p.offset[3], 0x3c00);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(p.length[i], 0x400);
	to_disk(&r, 3, 0, 0x1000, 0x1000004000ULL, 1ULL << 30, &p, &out);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_uint_eq(out, 0x1000);
	/* Granularity that cannot be. */
	r.granularity = 1000;
	ck_assert_int_eq(dp_cxl_dpa_to_disk(&r, 0, 0, 64, 0, 1 << 20, on_piece, &p, NULL), -EINVAL);
}
END_TEST

START_TEST(parse_record)
{
	const char *line = "memdev=mem0 host=0000:0d:00.0 serial=1 trace_type=List region=region0 "
			   "region_uuid=2d9a0f5e-0000-4000-8000-000000000000 hpa=0x392000000 dpa=0x2000000 "
			   "dpa_length=0x1000 source=Internal flags= overflow_time=0\n";
	struct dp_cxl_poison rec;

	ck_assert_int_eq(dp_cxl_poison_parse(line, strlen(line), &rec), 0);
	ck_assert_str_eq(rec.memdev, "mem0");
	ck_assert_str_eq(rec.region, "region0");
	ck_assert_str_eq(rec.trace_type, "List");
	ck_assert_str_eq(rec.source, "Internal");
	ck_assert_uint_eq(rec.dpa, 0x2000000);
	ck_assert_uint_eq(rec.dpa_length, 0x1000);
	ck_assert_uint_eq(rec.hpa, 0x392000000ULL);
	ck_assert(!rec.overflow);
	/* Not NUL-terminated: only the first 40 bytes (no dpa). */
	ck_assert_int_eq(dp_cxl_poison_parse(line, 40, &rec), -EINVAL);
	/* The raw form (decimal), unknown fields, flags. */
	line = "[FAILED TO PARSE] memdev=mem3 dpa=4096 dpa_length=64 trace_type=List hpa_alias0=x "
	       "flags=More|Overflow";
	ck_assert_int_eq(dp_cxl_poison_parse(line, strlen(line), &rec), 0);
	ck_assert_str_eq(rec.memdev, "mem3");
	ck_assert_uint_eq(rec.dpa, 4096);
	ck_assert_uint_eq(rec.dpa_length, 64);
	ck_assert(rec.overflow);
	/* Refused: no memdev, an empty memdev, a bad number, a zero or
	 * wrapping length, a NUL inside. */
	line = "dpa=0x0 dpa_length=0x40";
	ck_assert_int_eq(dp_cxl_poison_parse(line, strlen(line), &rec), -EINVAL);
	line = "memdev= dpa=0x0 dpa_length=0x40";
	ck_assert_int_eq(dp_cxl_poison_parse(line, strlen(line), &rec), -EINVAL);
	line = "memdev=mem0 dpa=0x0g dpa_length=0x40";
	ck_assert_int_eq(dp_cxl_poison_parse(line, strlen(line), &rec), -EINVAL);
	line = "memdev=mem0 dpa=0x0 dpa_length=0";
	ck_assert_int_eq(dp_cxl_poison_parse(line, strlen(line), &rec), -EINVAL);
	line = "memdev=mem0 dpa=0xffffffffffffffc0 dpa_length=0x80";
	ck_assert_int_eq(dp_cxl_poison_parse(line, strlen(line), &rec), -EINVAL);
	line = "memdev=mem0 dpa=0xffffffffffffffffff dpa_length=0x80";
	ck_assert_int_eq(dp_cxl_poison_parse(line, strlen(line), &rec), -EINVAL);
	ck_assert_int_eq(dp_cxl_poison_parse("memdev=mem0\0 dpa=0 dpa_length=64", 32, &rec), -EINVAL);
}
END_TEST

/* One CXL range on sector 100 (disk bytes 51200..51711) with two poisoned
 * 64-byte pieces in it, at disk bytes 51264 and 51584. */
static struct daxpolicy_badblocks *two_poison_range(void)
{
	struct daxpolicy_badblocks *bb = calloc(1, sizeof(*bb));
	struct daxpolicy_poison *p1 = calloc(1, sizeof(*p1)), *p2 = calloc(1, sizeof(*p2));
	struct daxpolicy_badrange *r;

	ck_assert(bb && p1 && p2);
	bb->ranges = r = calloc(1, sizeof(*r));
	ck_assert_ptr_nonnull(r);
	bb->count = 1;
	r->sector = 100;
	r->count = 1;
	r->source = "cxl";
	r->bytes_exact = true;
	*p1 = (struct daxpolicy_poison){ .next = p2, .memdev = "mem0", .offset = 51264, .length = 64 };
	*p2 = (struct daxpolicy_poison){ .memdev = "mem0", .offset = 51584, .length = 64 };
	r->poison = p1;
	return bb;
}

/* A file hit on sector 100 (file bytes 8192..8703) narrowed to the two
 * poisoned 64-byte pieces in it, disk bytes 51264 (sector 100 + 64) and
 * 51584 (+ 384): file bytes 8256+64 and 8576+64. */
START_TEST(narrow_hits)
{
	struct daxpolicy_badblocks *bb = two_poison_range();
	struct daxpolicy_badrange *r = bb->ranges;
	struct daxpolicy_badhit *h, *meta;

	h = bb_new_hit(r, DAXPOLICY_HIT_FILE, 100, 1);
	h->path = strdup("/mnt/a");
	h->file_offset = 8192;
	h->length = 512;
	meta = bb_new_hit(r, DAXPOLICY_HIT_METADATA, 100, 1);
	ck_assert_int_eq(bb_cxl_narrow_hits(bb), 0);
	h = r->hits;
	ck_assert_int_eq(h->kind, DAXPOLICY_HIT_FILE);
	ck_assert_uint_eq(h->file_offset, 8256);
	ck_assert_uint_eq(h->length, 64);
	ck_assert_uint_eq(h->sector, 100);
	h = h->next;
	ck_assert_int_eq(h->kind, DAXPOLICY_HIT_FILE);
	ck_assert_str_eq(h->path, "/mnt/a");
	ck_assert_uint_eq(h->file_offset, 8576);
	ck_assert_uint_eq(h->length, 64);
	ck_assert_ptr_eq(h->next, meta);   /* other kinds are left as they were */
	ck_assert_uint_eq(meta->count, 1);
	daxpolicy_badblocks_free(bb);
}
END_TEST

/* The repair keeps a poisoned sector's good bytes: only the two 64-byte
 * pieces of sector 100 (bytes 64..127 and 384..447 of it) become zeros; a
 * sector with no poison known to the byte is refused (all of it is bad). */
START_TEST(keep_good)
{
	struct daxpolicy_badblocks *bb = two_poison_range();
	struct daxpolicy_badrange *r = bb->ranges;
	unsigned char sec[512];

	memset(sec, 0xaa, sizeof(sec));
	ck_assert_int_eq(bb_cxl_keep_good(bb, 100, sec), 0);
	for (size_t i = 0; i < sizeof(sec); i++)
		ck_assert_uint_eq(sec[i], (i >= 64 && i < 128) || (i >= 384 && i < 448) ? 0 : 0xaa);
	ck_assert_int_eq(bb_cxl_keep_good(bb, 101, sec), -ENOENT);
	r->bytes_exact = false;   /* cut by a window: sector precise only */
	ck_assert_int_eq(bb_cxl_keep_good(bb, 100, sec), -ENOENT);
	daxpolicy_badblocks_free(bb);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cxl-poison");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, one_way);
	tcase_add_test(tc, two_way);
	tcase_add_test(tc, four_way);
	tcase_add_test(tc, parse_record);
	tcase_add_test(tc, narrow_hits);
	tcase_add_test(tc, keep_good);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
