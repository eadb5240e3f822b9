// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of daxpolicy_dir_set_policy_ex() with DAXPOLICY_SET_RECURSIVE
 * on a tree of its own (on the filesystem of /tmp, where the DAX flag can
 * be set without DAX: the policy is recorded, not in effect). The result
 * is made by the walk's threads at once: every file and directory must be
 * in it exactly once, "." first, with counts that match the entries, and
 * one result must not take entries of another, also when the second is
 * made on the same thread after the first is freed or while it is alive.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <daxpolicy/libdaxpolicy.h>

#include "unit.h"

#define DIRS 4
#define FILES 800   /* per directory: several blocks of entries per thread */

static char top[64];
static int topfd = -1;
static struct daxpolicy_ctx *ctx;
static bool can_flag;

/* File @i's name: some long, so that entries differ in size. */
static void file_name(char *buf, size_t len, int i)
{
	int n = snprintf(buf, len, "f%d-", i), pad = i % 7 == 0 ? 200 : i % 13;

	ck_assert_uint_lt((size_t)(n + pad), len);
	memset(buf + n, 'x', (size_t)pad);
	buf[n + pad] = '\0';
}

static void setup(void)
{
	char path[512], name[256];
	int fd;

	snprintf(top, sizeof(top), "/tmp/daxpolicy-set-tree.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	topfd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(topfd, 0);
	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	for (int d = 0; d < DIRS; d++) {
		snprintf(path, sizeof(path), "%s/d%d", top, d);
		ck_assert_int_eq(mkdir(path, 0755), 0);
		for (int i = 0; i < FILES; i++) {
			file_name(name, sizeof(name), i);
			snprintf(path, sizeof(path), "%s/d%d/%s", top, d, name);
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
			ck_assert_int_ge(fd, 0);
			close(fd);
		}
	}
	/* Left alone: a hard-linked pair (skipped, with the reason), a
	 * symlink and a FIFO (not in the result). */
	snprintf(path, sizeof(path), "%s/linked", top);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(name, sizeof(name), "%s/d0/linked-too", top);
	ck_assert_int_eq(link(path, name), 0);
	snprintf(path, sizeof(path), "%s/d1/symlink", top);
	ck_assert_int_eq(symlink("../linked", path), 0);
	snprintf(path, sizeof(path), "%s/d2/fifo", top);
	ck_assert_int_eq(mkfifo(path, 0600), 0);

	snprintf(path, sizeof(path), "%s/linked", top);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	can_flag = daxpolicy_set_dax_flag(ctx, fd, false, NULL) == 0;
	close(fd);
}

static void teardown(void)
{
	char cmd[128];

	daxpolicy_unref(ctx);
	close(topfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	ck_assert_int_eq(system(cmd), 0);
}

/* How often each expected path is in @r, checked to be once; the
 * outcome every walked entry must have; the counts against the entries. */
static void check_result(struct daxpolicy_set_result *r, enum daxpolicy_set_outcome want)
{
	static unsigned char seen[DIRS][FILES];
	size_t counts[DAXPOLICY_SET_FAILED + 1] = { 0 }, n = 0;
	int dirs_seen[DIRS] = { 0 }, linked = 0;
	struct daxpolicy_set_entry *e = daxpolicy_set_result_get_first(r);

	memset(seen, 0, sizeof(seen));
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(daxpolicy_set_entry_get_path(e), ".");
	for (; e; e = daxpolicy_set_entry_get_next(e)) {
		const char *p = daxpolicy_set_entry_get_path(e);
		enum daxpolicy_set_outcome o = daxpolicy_set_entry_get_outcome(e);
		char name[256];
		int d, i, len = 0;

		counts[o]++;
		n++;
		if (n == 1)
			continue;
		ck_assert_msg(strcmp(p, ".") != 0, "\".\" is in the result twice");
		if (!strcmp(p, "linked") || !strcmp(p, "d0/linked-too")) {
			ck_assert_int_eq(o, DAXPOLICY_SET_SKIPPED);
			ck_assert_ptr_nonnull(daxpolicy_set_entry_get_reason(e));
			linked++;
			continue;
		}
		ck_assert_msg(sscanf(p, "d%d%n", &d, &len) == 1 && d >= 0 && d < DIRS, "unexpected entry %s", p);
		ck_assert_msg(o == want, "%s: %s", p, daxpolicy_set_outcome_name(o));
		if (p[len] == '\0') {
			ck_assert(daxpolicy_set_entry_get_is_dir(e));
			dirs_seen[d]++;
			continue;
		}
		ck_assert_msg(sscanf(p + len, "/f%d-", &i) == 1 && i >= 0 && i < FILES, "unexpected entry %s", p);
		file_name(name, sizeof(name), i);
		ck_assert_str_eq(p + len + 1, name);
		ck_assert(!daxpolicy_set_entry_get_is_dir(e));
		ck_assert_uint_ne(daxpolicy_set_entry_get_inode(e), 0);
		ck_assert_msg(++seen[d][i] == 1, "%s is in the result twice", p);
	}
	ck_assert_int_eq(linked, 2);
	for (int d = 0; d < DIRS; d++) {
		ck_assert_int_eq(dirs_seen[d], 1);
		for (int i = 0; i < FILES; i++)
			ck_assert_msg(seen[d][i] == 1, "d%d/f%d is missing from the result", d, i);
	}
	ck_assert_uint_eq(n, 1 + DIRS + DIRS * FILES + 2);
	for (int o = 0; o <= DAXPOLICY_SET_FAILED; o++)
		ck_assert_uint_eq(daxpolicy_set_result_get_count(r, o), counts[o]);
}

START_TEST(every_entry_once)
{
	struct daxpolicy_set_result *r = NULL, *dry = NULL;

	if (!can_flag) {
		printf("SKIP: test-set-tree/every_entry_once: the DAX flag cannot be set on the filesystem of /tmp\n");
		return;
	}
	ck_assert_int_eq(daxpolicy_dir_set_policy_ex(ctx, topfd, DAXPOLICY_POLICY_DIRECT, DAXPOLICY_SET_RECURSIVE,
						     &r), 0);
	check_result(r, DAXPOLICY_SET_CHANGED);
	ck_assert_uint_eq(daxpolicy_set_result_get_count(r, DAXPOLICY_SET_CHANGED), 1 + DIRS + DIRS * FILES);
	daxpolicy_set_result_free(r);

	/* The same again on this thread, after the first result is gone:
	 * nothing to change, and nothing of the first. */
	ck_assert_int_eq(daxpolicy_dir_set_policy_ex(ctx, topfd, DAXPOLICY_POLICY_DIRECT, DAXPOLICY_SET_RECURSIVE,
						     &r), 0);
	check_result(r, DAXPOLICY_SET_UNCHANGED);

	/* A second result while the first is alive: each its own. */
	ck_assert_int_eq(daxpolicy_dir_set_policy_ex(ctx, topfd, DAXPOLICY_POLICY_PAGE_CACHE,
						     DAXPOLICY_SET_RECURSIVE | DAXPOLICY_SET_DRY_RUN, &dry), 0);
	check_result(dry, DAXPOLICY_SET_CHANGED);
	check_result(r, DAXPOLICY_SET_UNCHANGED);
	daxpolicy_set_result_free(dry);
	daxpolicy_set_result_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("set-tree");
	TCase *tc = tcase_create("recursive");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, every_entry_once);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
