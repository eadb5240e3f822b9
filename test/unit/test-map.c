// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests: the mapping table behind daxpolicy_mmap()/munmap()/madvise()
 * on an ordinary (never DAX) file, requirement parsing, and threads mapping
 * at once. Real DAX is the vm tier's.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "private.h"
#include "unit.h"

static char file[64];
static int fd = -1;
static long page;

static void setup(void)
{
	char buf[4096];

	page = sysconf(_SC_PAGESIZE);
	snprintf(file, sizeof(file), "/tmp/daxpolicy-map.XXXXXX");
	fd = mkstemp(file);
	ck_assert_int_ge(fd, 0);
	for (int i = 0; i < 4; i++) {
		memset(buf, 'a' + i, sizeof(buf));
		ck_assert_int_eq(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	}
}

static void teardown(void)
{
	close(fd);
	unlink(file);
}

START_TEST(requirement_words)
{
	unsigned int req;

	ck_assert_int_eq(dp_parse_requirements("direct", &req), 0);
	ck_assert_uint_eq(req, DAXPOLICY_REQ_DIRECT);
	ck_assert_int_eq(dp_parse_requirements("sync, direct", &req), 0);
	ck_assert_uint_eq(req, DAXPOLICY_REQ_DIRECT | DAXPOLICY_REQ_SYNC);
	ck_assert_int_eq(dp_parse_requirements("", &req), 0);
	ck_assert_uint_eq(req, 0);
	ck_assert_int_eq(dp_parse_requirements("synk", &req), -EINVAL);
}
END_TEST

START_TEST(split_unmap_and_advise)
{
	struct daxpolicy_report *r;
	struct daxpolicy_ctx *ctx;
	char *p;

	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	ck_assert_int_eq(daxpolicy_mmap(ctx, fd, 0, 4 * page, PROT_READ, 0, (void **)&p), 0);
	ck_assert_int_eq(p[0], 'a');
	ck_assert_int_eq(p[3 * page], 'd');
	/* A hole in the middle splits the mapping in the table. */
	ck_assert_int_eq(daxpolicy_munmap(ctx, p + page, page), 0);
	ck_assert_uint_eq(dp_mappings_count(ctx), 2);
	/* The hole is no library mapping any more. */
	ck_assert_int_eq(daxpolicy_madvise(ctx, p + page, page, DAXPOLICY_MADV_DIRECT), -EINVAL);
	ck_assert_int_eq(daxpolicy_madvise(ctx, p, 2 * page, DAXPOLICY_MADV_SYNC), -EINVAL);
	/* Not DAX here: refused, with the report for this thread. */
	ck_assert_int_eq(daxpolicy_madvise(ctx, p + 2 * page, 2 * page, DAXPOLICY_MADV_DIRECT), -EOPNOTSUPP);
	r = daxpolicy_get_refusal(ctx);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(daxpolicy_report_get_path(r), file);
	ck_assert_ptr_nonnull(daxpolicy_report_get_first_reason(r));
	daxpolicy_report_free(r);
	ck_assert_int_eq(daxpolicy_madvise(ctx, p + 2 * page, page, DAXPOLICY_MADV_SYNC), -EOPNOTSUPP);
	ck_assert_int_eq(p[2 * page], 'c');   /* the old mapping is still there */
	ck_assert_int_eq(daxpolicy_madvise(ctx, p, page, MADV_WILLNEED), 0);
	ck_assert_int_eq(daxpolicy_munmap(ctx, p, page), 0);
	ck_assert_int_eq(daxpolicy_munmap(ctx, p + 2 * page, 2 * page), 0);
	ck_assert_uint_eq(dp_mappings_count(ctx), 0);
	ck_assert_int_eq(daxpolicy_mmap(ctx, fd, 0, page, PROT_READ, 0x80, (void **)&p), -EINVAL);
	daxpolicy_unref(ctx);
}
END_TEST

static void *map_loop(void *arg)
{
	struct daxpolicy_ctx *ctx = arg;
	long fails = 0;

	for (int i = 0; i < 500; i++) {
		void *p;

		if (daxpolicy_mmap(ctx, fd, 0, 2 * page, PROT_READ, 0, &p) < 0) {
			fails++;
			continue;
		}
		if (daxpolicy_require_fd(ctx, fd, DAXPOLICY_REQ_SYNC) != -EOPNOTSUPP)
			fails++;
		daxpolicy_report_free(daxpolicy_get_refusal(ctx));
		if (daxpolicy_munmap(ctx, (char *)p + page, page) < 0 ||
		    daxpolicy_munmap(ctx, p, page) < 0)
			fails++;
	}
	return (void *)fails;
}

START_TEST(threads_map_at_once)
{
	struct daxpolicy_ctx *ctx;
	pthread_t t[4];
	void *fails;

	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, map_loop, ctx), 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], &fails), 0);
		ck_assert_ptr_null(fails);
	}
	ck_assert_uint_eq(dp_mappings_count(ctx), 0);
	daxpolicy_unref(ctx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("map");
	TCase *tc = tcase_create("map");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, requirement_words);
	tcase_add_test(tc, split_unmap_and_advise);
	tcase_add_test(tc, threads_map_at_once);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
