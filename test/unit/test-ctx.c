// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests: the library context (references, logging, version). */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "unit.h"

struct log_capture {
	int calls;
	int last_priority;
	char last[256];
};

static void capture_log(void *data, int priority, const char *file, int line,
			const char *fn, const char *format, va_list args)
{
	struct log_capture *cap = data;

	cap->calls++;
	cap->last_priority = priority;
	vsnprintf(cap->last, sizeof(cap->last), format, args);
}

START_TEST(test_new_ref_unref)
{
	struct daxpolicy_ctx *ctx = NULL;

	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_ptr_eq(daxpolicy_ref(ctx), ctx);
	ck_assert_ptr_eq(daxpolicy_unref(ctx), ctx);
	ck_assert_ptr_null(daxpolicy_unref(ctx));
	ck_assert_ptr_null(daxpolicy_ref(NULL));
	ck_assert_ptr_null(daxpolicy_unref(NULL));
	ck_assert_int_eq(daxpolicy_new(NULL), -EINVAL);
}
END_TEST

START_TEST(test_log_priority_from_environment)
{
	static const struct { const char *env; int prio; } cases[] = {
		{ "debug", LOG_DEBUG }, { "info", LOG_INFO }, { "err", LOG_ERR },
		{ "6", 6 }, { "garbage", LOG_ERR },
	};
	struct daxpolicy_ctx *ctx;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setenv("DAXPOLICY_LOG", cases[i].env, 1);
		ck_assert_int_eq(daxpolicy_new(&ctx), 0);
		ck_assert_msg(daxpolicy_get_log_priority(ctx) == cases[i].prio,
			      "DAXPOLICY_LOG=%s gave %d", cases[i].env,
			      daxpolicy_get_log_priority(ctx));
		daxpolicy_unref(ctx);
	}
	unsetenv("DAXPOLICY_LOG");
}
END_TEST

START_TEST(test_log_callback_filters_by_priority)
{
	struct log_capture cap = { 0 };
	struct daxpolicy_ctx *ctx;

	unsetenv("DAXPOLICY_LOG");
	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	err(ctx, "dropped, no callback %d", 1);
	daxpolicy_set_log_fn(ctx, capture_log, &cap);
	dbg(ctx, "below the priority");
	ck_assert_int_eq(cap.calls, 0);
	err(ctx, "device %s", "pmem0");
	ck_assert_int_eq(cap.calls, 1);
	ck_assert_int_eq(cap.last_priority, LOG_ERR);
	ck_assert_str_eq(cap.last, "device pmem0");
	daxpolicy_set_log_priority(ctx, LOG_DEBUG);
	dbg(ctx, "now %s", "shown");
	ck_assert_int_eq(cap.calls, 2);
	ck_assert_str_eq(cap.last, "now shown");
	daxpolicy_unref(ctx);
}
END_TEST

/* The "user.daxpolicy" record: a policy's name exactly, anything else is
 * no record (a user who owns the directory can write any bytes there). */
START_TEST(test_policy_record)
{
	enum daxpolicy_policy p;

	ck_assert_int_eq(dp_policy_parse_record("sync", 4, &p), 0);
	ck_assert_int_eq(p, DAXPOLICY_POLICY_SYNC);
	ck_assert_int_eq(dp_policy_parse_record("page-cache", 10, &p), 0);
	ck_assert_int_eq(p, DAXPOLICY_POLICY_PAGE_CACHE);
	ck_assert_int_eq(dp_policy_parse_record("sync\0direct", 11, &p), -EINVAL);
	ck_assert_int_eq(p, DAXPOLICY_POLICY_INHERIT);
	ck_assert_int_eq(dp_policy_parse_record("sync\n", 5, &p), -EINVAL);
	ck_assert_int_eq(dp_policy_parse_record("syn", 3, &p), -EINVAL);
	ck_assert_int_eq(dp_policy_parse_record("", 0, &p), -EINVAL);
	ck_assert_int_eq(dp_policy_parse_record("directdirectdirect", 18, &p), -EINVAL);
	ck_assert_int_eq(p, DAXPOLICY_POLICY_INHERIT);
}
END_TEST

START_TEST(test_userdata_and_version)
{
	struct daxpolicy_ctx *ctx;
	int token;

	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	ck_assert_ptr_null(daxpolicy_get_userdata(ctx));
	daxpolicy_set_userdata(ctx, &token);
	ck_assert_ptr_eq(daxpolicy_get_userdata(ctx), &token);
	ck_assert_str_eq(daxpolicy_get_version(), PACKAGE_VERSION);
	daxpolicy_unref(ctx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ctx");
	TCase *tc = tcase_create("ctx");

	tcase_add_test(tc, test_new_ref_unref);
	tcase_add_test(tc, test_log_priority_from_environment);
	tcase_add_test(tc, test_log_callback_filters_by_priority);
	tcase_add_test(tc, test_userdata_and_version);
	tcase_add_test(tc, test_policy_record);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
