// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests on sysfs/procfs trees captured in real fsdax guests
 * (test/fixtures/<setup>/): the device chain and nvdimm facts the library
 * reads must match what 'ndctl list' printed in the same guest
 * (ndctl-list.json), and damaged copies of the trees (missing or garbled
 * attributes) must give a clear reason, never a crash.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "private.h"
#include "unit.h"
#include "sysroot-shim.h"

static char fixtures[PATH_MAX];

/* Point the library (and, through the shim, libndctl) at @root. */
static struct daxpolicy_ctx *ctx_at(const char *root)
{
	struct daxpolicy_ctx *ctx = sysroot_ctx_new(root);

	ck_assert_ptr_nonnull(ctx);
	return ctx;
}

static int read_file(const char *root, const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return (int)n;
}

static dev_t devno_of(const char *root, const char *disk)
{
	char rel[128], buf[32];
	unsigned int maj, min;

	snprintf(rel, sizeof(rel), "/sys/block/%s/dev", disk);
	ck_assert_int_gt(read_file(root, rel, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sscanf(buf, "%u:%u", &maj, &min), 2);
	return makedev(maj, min);
}

/* The namespaces 'ndctl list -N' printed, one object or an array. */
static struct json_object *ndctl_namespace(struct json_object *list, const char *blockdev)
{
	size_t n = json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 1;

	for (size_t i = 0; i < n; i++) {
		struct json_object *ns = json_object_is_type(list, json_type_array) ?
			json_object_array_get_idx(list, i) : list, *bd;

		if (json_object_object_get_ex(ns, "blockdev", &bd) &&
		    strcmp(json_object_get_string(bd), blockdev) == 0)
			return ns;
	}
	return NULL;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static uint64_t jnum(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : 0;
}

/* A writable copy of fixture @name, with the empty directories git cannot
 * keep (listed in EMPTY_DIRS) made again. */
static char scratch[PATH_MAX];

static void copy_fixture(const char *name)
{
	char cmd[4 * PATH_MAX];

	snprintf(scratch, sizeof(scratch), "/tmp/daxpolicy-fixture.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(scratch));
	snprintf(cmd, sizeof(cmd),
		 "cp -a '%s/%s/.' '%s/' && cd '%s' && { [ ! -f EMPTY_DIRS ] || xargs -r mkdir -p <EMPTY_DIRS; }",
		 fixtures, name, scratch, scratch);
	ck_assert_int_eq(system(cmd), 0);
}

static void remove_scratch(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	ck_assert_int_eq(system(cmd), 0);
}

/* Every pmem disk of every fixture: facts equal ndctl's view. */
static void check_fixture(const char *root, const char *name, int *disks)
{
	char path[PATH_MAX], buf[64];
	struct json_object *list;
	struct daxpolicy_ctx *ctx;
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/ndctl-list.json", root);
	list = json_object_from_file(path);
	ck_assert_msg(list != NULL, "%s: no ndctl-list.json", name);
	ctx = ctx_at(root);
	snprintf(path, sizeof(path), "%s/sys/block", root);
	dir = opendir(path);
	ck_assert_ptr_nonnull(dir);
	while ((de = readdir(dir))) {
		struct dp_device dev = { .placeholder = true };
		struct json_object *ns;
		char rel[128];

		if (strncmp(de->d_name, "pmem", 4))
			continue;
		(*disks)++;
		dp_device_read(ctx, devno_of(root, de->d_name), &dev);
		ck_assert_str_eq(dev.name, de->d_name);
		ck_assert_str_eq(dev.kind, "pmem");
		ck_assert_msg(!dev.damaged, "%s/%s: %s", name, de->d_name, dev.damage);
		snprintf(rel, sizeof(rel), "/sys/block/%s/queue/dax", de->d_name);
		ck_assert_int_gt(read_file(root, rel, buf, sizeof(buf)), 0);
		ck_assert_int_eq(dev.dax, atoi(buf));
		ns = ndctl_namespace(list, de->d_name);
		ck_assert_msg(ns != NULL, "%s: ndctl lists no namespace for %s", name, de->d_name);
		ck_assert_str_eq(dev.ns_name, jstr(ns, "dev"));
		ck_assert_str_eq(dev.ns_mode, jstr(ns, "mode"));
		ck_assert_uint_eq(dev.ns_size, jnum(ns, "size"));
		if (jstr(ns, "map"))
			ck_assert_str_eq(dev.ns_map, jstr(ns, "map"));
		if (jnum(ns, "align"))
			ck_assert_uint_eq(dev.ns_align, jnum(ns, "align"));
		ck_assert_msg(dev.region[0] && strncmp(dev.region, "region", 6) == 0,
			      "%s/%s: region '%s'", name, de->d_name, dev.region);
		ck_assert_msg(dev.sync == (dev.dax == 1 && !dev.virtio_pmem), "%s: sync", name);
		free(dev.cxl);
	}
	closedir(dir);
	json_object_put(list);
	daxpolicy_unref(ctx);
}

START_TEST(captured_trees_match_ndctl)
{
	struct dirent *de;
	int trees = 0, disks = 0;
	DIR *dir = opendir(fixtures);

	ck_assert_ptr_nonnull(dir);
	while ((de = readdir(dir))) {
		char root[PATH_MAX];
		struct stat st;

		snprintf(root, sizeof(root), "%s/%s", fixtures, de->d_name);
		if (de->d_name[0] == '.' || stat(root, &st) || !S_ISDIR(st.st_mode))
			continue;
		copy_fixture(de->d_name);
		check_fixture(scratch, de->d_name, &disks);
		remove_scratch();
		trees++;
	}
	closedir(dir);
	ck_assert_int_ge(trees, 5);
	ck_assert_int_ge(disks, 6);
}
END_TEST

static void write_file(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", scratch, rel);
	unlink(path);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void remove_path(const char *rel)
{
	char cmd[2 * PATH_MAX];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s%s'", scratch, rel);
	ck_assert_int_eq(system(cmd), 0);
}

/* Evaluate a flagged directory on pmem0 of the damaged tree. */
static struct daxpolicy_report *evaluate_pmem0(struct daxpolicy_ctx *ctx)
{
	struct daxpolicy_report *r = dp_report_new("/mnt/pmem/dir");

	ck_assert_ptr_nonnull(r);
	r->obj.type = DAXPOLICY_OBJECT_DIRECTORY;
	r->obj.flag = 1;
	r->obj.block_size = 4096;
	r->page_size = 4096;
	r->mount = dp_mount_new("/mnt/pmem", "/dev/pmem0", "ext4", "rw,dax=inode");
	ck_assert_int_eq(dp_device_lookup(ctx, devno_of(scratch, "pmem0"), &r->device), 0);
	ck_assert_int_eq(dp_evaluate(r), 0);
	return r;
}

START_TEST(missing_queue_dax_is_a_reason)
{
	struct daxpolicy_report *r;
	struct daxpolicy_ctx *ctx;

	copy_fixture("fsdax");
	remove_path("/sys/block/pmem0/queue/dax");
	ctx = ctx_at(scratch);
	r = evaluate_pmem0(ctx);
	ck_assert_int_eq(r->device->dax, -1);
	ck_assert(daxpolicy_report_has_reason(r, "sysfs_unreadable"));
	ck_assert_ptr_nonnull(strstr(r->reasons->message, "queue/dax"));
	daxpolicy_report_free(r);
	daxpolicy_unref(ctx);
	remove_scratch();
}
END_TEST

START_TEST(garbled_queue_dax_is_a_reason)
{
	struct daxpolicy_report *r;
	struct daxpolicy_ctx *ctx;

	copy_fixture("fsdax");
	write_file("/sys/block/pmem0/queue/dax", "yes please\n");
	ctx = ctx_at(scratch);
	r = evaluate_pmem0(ctx);
	ck_assert_int_eq(r->device->dax, -1);
	ck_assert(daxpolicy_report_has_reason(r, "sysfs_unreadable"));
	daxpolicy_report_free(r);
	daxpolicy_unref(ctx);
	remove_scratch();
}
END_TEST

START_TEST(missing_nd_bus_leaves_namespace_unknown)
{
	struct daxpolicy_report *r;
	struct daxpolicy_ctx *ctx;

	copy_fixture("fsdax");
	remove_path("/sys/bus/nd");
	remove_path("/sys/class/nd");
	ctx = ctx_at(scratch);
	r = evaluate_pmem0(ctx);
	ck_assert_str_eq(r->device->ns_name, "");
	ck_assert_str_eq(r->device->kind, "pmem");
	daxpolicy_report_free(r);
	daxpolicy_unref(ctx);
	remove_scratch();
}
END_TEST

START_TEST(missing_device_link_is_a_reason)
{
	struct dp_device dev = { .placeholder = true };
	struct daxpolicy_ctx *ctx;
	dev_t devno;
	char rel[64];

	copy_fixture("fsdax");
	devno = devno_of(scratch, "pmem0");
	snprintf(rel, sizeof(rel), "/sys/dev/block/%u:%u", major(devno), minor(devno));
	remove_path(rel);
	ctx = ctx_at(scratch);
	dp_device_read(ctx, devno, &dev);
	ck_assert(dev.damaged);
	ck_assert_int_eq(dev.dax, -1);
	ck_assert_str_eq(dev.kind, "other");
	daxpolicy_unref(ctx);
	remove_scratch();
}
END_TEST

START_TEST(garbled_mountinfo_is_an_error)
{
	struct daxpolicy_ctx *ctx;
	struct dp_mount *m = NULL;
	int rc;

	copy_fixture("fsdax");
	write_file("/proc/self/mountinfo", "this is not\na mount table\n\x01\x02\n");
	ctx = ctx_at(scratch);
	rc = dp_mount_lookup(ctx, -1, makedev(259, 0), "/mnt/pmem", &m);
	ck_assert_int_lt(rc, 0);
	ck_assert_ptr_null(m);
	daxpolicy_unref(ctx);
	remove_scratch();
}
END_TEST

START_TEST(fixture_mountinfo_finds_pmem_mount)
{
	struct daxpolicy_ctx *ctx;
	struct dp_mount *m = NULL;

	copy_fixture("fsdax");
	ctx = ctx_at(scratch);
	ck_assert_int_eq(dp_mount_lookup(ctx, -1, devno_of(scratch, "pmem0"), "/mnt/pmem/x", &m), 0);
	ck_assert_str_eq(m->source, "/dev/pmem0");
	ck_assert(m->dax_mode != DAXPOLICY_DAX_MODE_NONE);
	dp_mount_unref(m);
	daxpolicy_unref(ctx);
	remove_scratch();
}
END_TEST

int main(void)
{
	const char *top = getenv("top_srcdir");
	char given[PATH_MAX];
	Suite *s = suite_create("fixtures");
	TCase *tc = tcase_create("fixtures");

	snprintf(given, sizeof(given), "%s/test/fixtures", top ? top : ".");
	if (!realpath(given, fixtures)) {
		fprintf(stderr, "no fixtures at %s\n", given);
		return 99;
	}
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, captured_trees_match_ndctl);
	tcase_add_test(tc, missing_queue_dax_is_a_reason);
	tcase_add_test(tc, garbled_queue_dax_is_a_reason);
	tcase_add_test(tc, missing_nd_bus_leaves_namespace_unknown);
	tcase_add_test(tc, missing_device_link_is_a_reason);
	tcase_add_test(tc, garbled_mountinfo_is_an_error);
	tcase_add_test(tc, fixture_mountinfo_finds_pmem_mount);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
