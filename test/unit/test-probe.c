// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests: probing real files of this machine (no root needed): the
 * FAST verdict agrees with the full one and is shared per mount, bad
 * arguments are refused, and probing changes nothing.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"
#include "unit.h"

static char file[64];
static int fd = -1;

static void setup(void)
{
	snprintf(file, sizeof(file), "/tmp/daxpolicy-probe.XXXXXX");
	fd = mkstemp(file);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "data", 4), 4);
}

static void teardown(void)
{
	close(fd);
	unlink(file);
}

START_TEST(fast_agrees_with_full_and_is_shared)
{
	struct daxpolicy_report *full, *fast1, *fast2;
	struct daxpolicy_ctx *ctx;

	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	ck_assert_int_eq(daxpolicy_probe_fd(ctx, fd, 0, &full), 0);
	ck_assert_int_eq(daxpolicy_probe_fd(ctx, fd, DAXPOLICY_PROBE_FAST, &fast1), 0);
	ck_assert_int_eq(daxpolicy_probe_fd(ctx, fd, DAXPOLICY_PROBE_FAST, &fast2), 0);
	ck_assert_str_eq(daxpolicy_report_get_path(full), file);
	ck_assert_str_eq(daxpolicy_report_get_path(fast1), "");
	ck_assert_int_eq(daxpolicy_report_get_flag(fast1), -1);
	ck_assert_int_eq(daxpolicy_report_get_dax(fast1), daxpolicy_report_get_dax(full));
	ck_assert_int_eq(daxpolicy_report_get_state(fast1), daxpolicy_report_get_state(full));
	ck_assert_str_eq(daxpolicy_report_get_mount_target(fast1), daxpolicy_report_get_mount_target(full));
	ck_assert_str_eq(daxpolicy_report_get_device_name(fast1), daxpolicy_report_get_device_name(full));
	/* With unique mount ids the second FAST verdict is the first one. */
	if (fast1->mount->unique_id)
		ck_assert_ptr_eq(fast1, fast2);
	daxpolicy_report_free(fast2);
	daxpolicy_report_free(fast1);
	daxpolicy_report_free(full);
	daxpolicy_unref(ctx);
}
END_TEST

START_TEST(probing_changes_nothing)
{
	struct daxpolicy_report *r;
	struct daxpolicy_ctx *ctx;
	struct stat before, after;

	ck_assert_int_eq(fstat(fd, &before), 0);
	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	ck_assert_int_eq(daxpolicy_probe_path(ctx, file, 0, &r), 0);
	ck_assert_int_eq(daxpolicy_report_get_type(r), DAXPOLICY_OBJECT_FILE);
	ck_assert_int_eq(daxpolicy_report_get_map_sync_evidence(r), DAXPOLICY_EVIDENCE_PROBED);
	daxpolicy_report_free(r);
	ck_assert_int_eq(fstat(fd, &after), 0);
	ck_assert_int_eq(before.st_size, after.st_size);
	ck_assert(before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
		  before.st_mtim.tv_nsec == after.st_mtim.tv_nsec);
	ck_assert(before.st_ctim.tv_sec == after.st_ctim.tv_sec &&
		  before.st_ctim.tv_nsec == after.st_ctim.tv_nsec);
	daxpolicy_unref(ctx);
}
END_TEST

START_TEST(bad_arguments)
{
	struct daxpolicy_report *r = NULL;
	struct daxpolicy_ctx *ctx;

	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	ck_assert_int_eq(daxpolicy_probe_path(ctx, "/nonexistent/daxpolicy", 0, &r), -ENOENT);
	ck_assert_int_eq(daxpolicy_probe_path(ctx, "", 0, &r), -ENOENT);
	ck_assert_int_eq(daxpolicy_probe_path(ctx, NULL, 0, &r), -EINVAL);
	ck_assert_int_eq(daxpolicy_probe_fd(ctx, -1, 0, &r), -EINVAL);
	ck_assert_int_eq(daxpolicy_probe_fd(ctx, 9999, 0, &r), -EBADF);
	ck_assert_int_eq(daxpolicy_probe_device(ctx, "no-such-disk", 0, &r), -ENOENT);
	ck_assert_int_eq(daxpolicy_probe_device(ctx, "../etc", 0, &r), -ENOENT);
	ck_assert_ptr_null(r);
	daxpolicy_unref(ctx);
}
END_TEST

struct worker {
	struct daxpolicy_ctx *ctx;
	int fails;
};

static void *probe_loop(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < 2000; i++) {
		struct daxpolicy_report *r;
		unsigned int flags = i % 3 == 0 ? 0 : DAXPOLICY_PROBE_FAST;

		if (daxpolicy_probe_fd(w->ctx, fd, flags, &r) < 0) {
			w->fails++;
			continue;
		}
		if (daxpolicy_report_get_type(r) != DAXPOLICY_OBJECT_FILE)
			w->fails++;
		daxpolicy_report_free(r);
	}
	return NULL;
}

/* One context shared by threads: caches, shared verdicts, references. */
START_TEST(threads_share_a_context)
{
	struct worker workers[4];
	pthread_t threads[4];
	struct daxpolicy_ctx *ctx;

	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	for (int i = 0; i < 4; i++) {
		workers[i] = (struct worker){ .ctx = ctx };
		ck_assert_int_eq(pthread_create(&threads[i], NULL, probe_loop, &workers[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
		ck_assert_int_eq(workers[i].fails, 0);
	}
	daxpolicy_unref(ctx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("probe");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fast_agrees_with_full_and_is_shared);
	tcase_add_test(tc, probing_changes_nothing);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, threads_share_a_context);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
