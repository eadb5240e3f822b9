// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests: reading a device-mapper table from a DM_TABLE_STATUS answer
 * built by hand as the kernel lays it out (struct dm_ioctl, then each
 * target's struct dm_target_spec with its parameters, 'next' counted from
 * the start of the data). Reading a real table is the vm tier's.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <linux/dm-ioctl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "private.h"
#include "unit.h"

static union {
	struct dm_ioctl dmi;
	char bytes[4096];
} answer;
static size_t used;

static void start(void)
{
	memset(&answer, 0, sizeof(answer));
	answer.dmi.data_start = sizeof(answer.dmi);
	answer.dmi.data_size = sizeof(answer);
	used = 0;
}

/* Append a target as the kernel does: the spec, its parameters, aligned to
 * 8 from the start of the data (which may itself be anywhere). */
static void target(uint64_t start, uint64_t length, const char *type, const char *params)
{
	char *at = answer.bytes + answer.dmi.data_start + used;
	struct dm_target_spec spec = { .sector_start = start, .length = length };

	memcpy(spec.target_type, type, strlen(type));
	strcpy(at + sizeof(spec), params);
	used += sizeof(spec) + strlen(params) + 1;
	used = (used + 7) & ~(size_t)7;
	spec.next = (uint32_t)used;
	memcpy(at, &spec, sizeof(spec));
	answer.dmi.target_count++;
}

START_TEST(linear_targets)
{
	struct dp_dm_target *t;
	size_t n;

	start();
	target(0, 2048, "linear", "259:0 4096");
	target(2048, 8, "error", "");
	target(2056, 1024, "linear", "253:17 0");
	ck_assert_int_eq(dp_dm_parse_table(&answer, sizeof(answer), &t, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(t[0].start, 0);
	ck_assert_uint_eq(t[0].length, 2048);
	ck_assert_str_eq(t[0].type, "linear");
	ck_assert_uint_eq(t[0].dev, makedev(259, 0));
	ck_assert_uint_eq(t[0].offset, 4096);
	ck_assert_str_eq(t[1].type, "error");
	ck_assert_uint_eq(t[1].start, 2048);
	ck_assert_uint_eq(t[2].start, 2056);
	ck_assert_uint_eq(t[2].dev, makedev(253, 17));
	ck_assert_uint_eq(t[2].offset, 0);
	free(t);
}
END_TEST

START_TEST(empty_table)
{
	struct dp_dm_target *t;
	size_t n = 99;

	start();
	ck_assert_int_eq(dp_dm_parse_table(&answer, sizeof(answer), &t, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(t);
}
END_TEST

START_TEST(malformed)
{
	struct dp_dm_target *t;
	size_t n;

	start();
	target(0, 2048, "linear", "259:0");                      /* no offset */
	ck_assert_int_eq(dp_dm_parse_table(&answer, sizeof(answer), &t, &n), -EPROTO);
	ck_assert_ptr_null(t);

	start();
	target(0, 2048, "linear", "259:0 4096 extra");
	ck_assert_int_eq(dp_dm_parse_table(&answer, sizeof(answer), &t, &n), -EPROTO);

	start();
	target(0, 2048, "linear", "259:0 4096");
	answer.dmi.target_count = 200;                             /* runs off the end */
	ck_assert_int_eq(dp_dm_parse_table(&answer, sizeof(answer), &t, &n), -EPROTO);

	start();
	answer.dmi.data_start = sizeof(answer) + 8;                /* outside the answer */
	ck_assert_int_eq(dp_dm_parse_table(&answer, sizeof(answer), &t, &n), -EPROTO);
	ck_assert_int_eq(dp_dm_parse_table(&answer, 16, &t, &n), -EPROTO);
}
END_TEST

/* The answer at an odd address, and a spec at an odd offset: read as bytes
 * (UBSan in the unit-san tier reports any misaligned load). */
START_TEST(unaligned)
{
	static char shifted[sizeof(answer) + 8];
	struct dp_dm_target *t;
	size_t n;

	start();
	target(0, 2048, "linear", "259:0 4096");
	target(2048, 8, "error", "");
	memcpy(shifted + 1, &answer, sizeof(answer));
	ck_assert_int_eq(dp_dm_parse_table(shifted + 1, sizeof(answer), &t, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(t[0].offset, 4096);
	ck_assert_uint_eq(t[0].dev, makedev(259, 0));
	ck_assert_str_eq(t[1].type, "error");
	free(t);

	start();
	answer.dmi.data_start += 3;
	target(0, 16, "linear", "8:1 0");
	ck_assert_int_eq(dp_dm_parse_table(&answer, sizeof(answer), &t, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(t[0].dev, makedev(8, 1));
	free(t);
}
END_TEST

/* A target count the answer cannot hold is refused before anything is
 * allocated for it (4 billion targets would be hundreds of GB). */
START_TEST(count_bounded)
{
	struct dp_dm_target *t;
	size_t n;

	start();
	target(0, 2048, "linear", "259:0 4096");
	answer.dmi.target_count = UINT32_MAX;
	ck_assert_int_eq(dp_dm_parse_table(&answer, sizeof(answer), &t, &n), -EPROTO);
	ck_assert_ptr_null(t);
	ck_assert_uint_eq(n, 0);

	/* One more than the bytes after data_start can hold. */
	start();
	answer.dmi.target_count =
		(uint32_t)((sizeof(answer) - sizeof(answer.dmi)) / (sizeof(struct dm_target_spec) + 1) + 1);
	ck_assert_int_eq(dp_dm_parse_table(&answer, sizeof(answer), &t, &n), -EPROTO);
}
END_TEST

/* Offsets that lead backwards, off the 8-byte grid, into the parameters,
 * or out of the answer; parameters without their NUL; a header that
 * contradicts itself. */
START_TEST(hostile_offsets)
{
	struct dm_target_spec *spec = (struct dm_target_spec *)(answer.bytes + sizeof(answer.dmi));
	struct dp_dm_target *t;
	size_t n;

	start();
	target(0, 8, "error", "");
	target(8, 8, "error", "");
	spec->next = 0;                                           /* itself again */
	ck_assert_int_eq(dp_dm_parse_table(&answer, sizeof(answer), &t, &n), -EPROTO);
	spec->next = 44;                                          /* not aligned */
	ck_assert_int_eq(dp_dm_parse_table(&answer, sizeof(answer), &t, &n), -EPROTO);
	spec->next = 8;                                           /* inside this spec */
	ck_assert_int_eq(dp_dm_parse_table(&answer, sizeof(answer), &t, &n), -EPROTO);
	spec->next = 1u << 31;                                    /* far outside */
	ck_assert_int_eq(dp_dm_parse_table(&answer, sizeof(answer), &t, &n), -EPROTO);
	spec->next = (uint32_t)(sizeof(answer) - sizeof(answer.dmi) - 8);  /* spec cut by the end */
	ck_assert_int_eq(dp_dm_parse_table(&answer, sizeof(answer), &t, &n), -EPROTO);

	/* Parameters running to the end of the data without a NUL. */
	start();
	target(0, 2048, "linear", "259:0 4096");
	answer.dmi.data_size = (uint32_t)(sizeof(answer.dmi) + sizeof(*spec) + 4);
	ck_assert_int_eq(dp_dm_parse_table(&answer, sizeof(answer), &t, &n), -EPROTO);
	/* The data ends inside the first spec. */
	answer.dmi.data_size = (uint32_t)(sizeof(answer.dmi) + 8);
	ck_assert_int_eq(dp_dm_parse_table(&answer, sizeof(answer), &t, &n), -EPROTO);

	/* data_start past data_size; data_size past the buffer. */
	start();
	answer.dmi.data_start = 2048;
	answer.dmi.data_size = 1024;
	ck_assert_int_eq(dp_dm_parse_table(&answer, sizeof(answer), &t, &n), -EPROTO);
	start();
	target(0, 2048, "linear", "259:0 4096");
	ck_assert_int_eq(dp_dm_parse_table(&answer, sizeof(answer) - 1, &t, &n), -EPROTO);
	ck_assert_int_eq(dp_dm_parse_table(NULL, sizeof(answer), &t, &n), -EPROTO);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dm-table");
	TCase *tc = tcase_create("dm-table");

	tcase_add_test(tc, linear_targets);
	tcase_add_test(tc, empty_table);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, unaligned);
	tcase_add_test(tc, count_bounded);
	tcase_add_test(tc, hostile_offsets);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
