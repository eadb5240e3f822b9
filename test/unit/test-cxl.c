// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The CXL region behind an nvdimm region (cxl-region.c): the region named
 * in the nd region's sysfs path, and libcxl's view of it, read from trees
 * under a scratch sysroot (through the sysroot shim, as libcxl has no root
 * prefix of its own).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cxl-region.h"
#include "unit.h"
#include "sysroot-shim.h"

static char scratch[PATH_MAX];

static struct daxpolicy_ctx *ctx_at(const char *root)
{
	struct daxpolicy_ctx *ctx;

	setenv("DAXPOLICY_SYSROOT", root, 1);
	sysroot_shim_set(root);
	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	daxpolicy_set_log_priority(ctx, 0);
	return ctx;
}

static void ctx_done(struct daxpolicy_ctx *ctx)
{
	daxpolicy_unref(ctx);
	sysroot_shim_set("");
	unsetenv("DAXPOLICY_SYSROOT");
}

/* mkdir -p of @root@rel */
static void mkdirs(const char *root, const char *rel)
{
	char path[PATH_MAX], *p;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	for (p = path + strlen(root) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	mkdir(path, 0755);
}

static void link_at(const char *root, const char *target, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	ck_assert_int_eq(symlink(target, path), 0);
}

static void make_root(char *root, size_t len)
{
	snprintf(root, len, "%s/cxl-XXXXXX", scratch);
	ck_assert_ptr_nonnull(mkdtemp(root));
	mkdirs(root, "/sys/bus/nd/devices");
}

START_TEST(region_from_path)
{
	char name[32];

	ck_assert_int_eq(dp_cxl_region_from_path(
		"../../../devices/platform/ACPI0017:00/root0/decoder0.0/region0/pmem_region0/ndbus1/region1",
		name, sizeof(name)), 0);
	ck_assert_str_eq(name, "region0");
	ck_assert_int_eq(dp_cxl_region_from_path(
		"/sys/devices/platform/ACPI0017:00/root0/decoder0.1/region12/pmem_region12/ndbus3/region2",
		name, sizeof(name)), 0);
	ck_assert_str_eq(name, "region12");
	/* an ACPI NFIT region: no CXL region in the path */
	ck_assert_int_eq(dp_cxl_region_from_path(
		"../../../devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0/region0",
		name, sizeof(name)), -ENOENT);
	/* the names must agree: regionX/pmem_regionY is not a CXL pair */
	ck_assert_int_eq(dp_cxl_region_from_path("a/region1/pmem_region2/ndbus0/region0",
						 name, sizeof(name)), -ENOENT);
	ck_assert_int_eq(dp_cxl_region_from_path("a/regionx/pmem_regionx/ndbus0/region0",
						 name, sizeof(name)), -ENOENT);
	ck_assert_int_eq(dp_cxl_region_from_path("pmem_region0/region0", name, sizeof(name)), -ENOENT);
	ck_assert_int_eq(dp_cxl_region_from_path("", name, sizeof(name)), -ENOENT);
	ck_assert_int_eq(dp_cxl_region_from_path("x/region100/pmem_region100/y", name, 6),
			 -ENAMETOOLONG);
}
END_TEST

START_TEST(not_cxl)
{
	char root[PATH_MAX];
	struct daxpolicy_ctx *ctx;
	struct dp_cxl_region r;

	make_root(root, sizeof(root));
	link_at(root, "../../../devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0/region0",
		"/sys/bus/nd/devices/region0");
	ctx = ctx_at(root);
	ck_assert_int_eq(dp_cxl_region_of_nd(ctx, "region0", &r), -ENOENT);
	/* no such nd region at all is an error, not "not CXL" */
	ck_assert_int_eq(dp_cxl_region_of_nd(ctx, "region7", &r), -ENODEV);
	ctx_done(ctx);
}
END_TEST

START_TEST(cxl_region_not_listed)
{
	char root[PATH_MAX];
	struct daxpolicy_ctx *ctx;
	struct dp_cxl_region r;

	make_root(root, sizeof(root));
	link_at(root, "../../../devices/platform/ACPI0017:00/root0/decoder0.0/region0/pmem_region0/ndbus1/region1",
		"/sys/bus/nd/devices/region1");
	ctx = ctx_at(root);
	/* the path names a CXL region, but libcxl finds no /sys/bus/cxl */
	ck_assert_int_eq(dp_cxl_region_of_nd(ctx, "region1", &r), -ENODEV);
	ctx_done(ctx);
}
END_TEST

static Suite *cxl_suite(void)
{
	Suite *s = suite_create("cxl");
	TCase *tc = tcase_create("region");

	tcase_add_test(tc, region_from_path);
	tcase_add_test(tc, not_cxl);
	tcase_add_test(tc, cxl_region_not_listed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	int rc;

	snprintf(scratch, sizeof(scratch), "%s/test-cxl-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(scratch)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	rc = run_suite(cxl_suite());
	if (rc == EXIT_SUCCESS) {
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", scratch);
	}
	return rc;
}
