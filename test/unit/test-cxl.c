// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The CXL region behind an nvdimm region (cxl-region.c): the region named
 * in the nd region's sysfs path, and libcxl's view of it, read from trees
 * under a scratch sysroot (through the sysroot shim, as libcxl has no root
 * prefix of its own).
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

#include "cxl-region.h"
#include "unit.h"
#include "sysroot-shim.h"

static char scratch[PATH_MAX];
static char fixtures[PATH_MAX];

static struct daxpolicy_ctx *ctx_at(const char *root)
{
	struct daxpolicy_ctx *ctx = sysroot_ctx_new(root);

	ck_assert_ptr_nonnull(ctx);
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

static void write_at(const char *root, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
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
	mkdirs(root, "/sys/devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0/region0");
	mkdirs(root, "/sys/devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0/nmem0");
	link_at(root, "../../../devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0/region0",
		"/sys/bus/nd/devices/region0");
	link_at(root, "../../../devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0/nmem0",
		"/sys/bus/nd/devices/nmem0");
	write_at(root, "/sys/bus/nd/devices/region0/mappings", "1\n");
	write_at(root, "/sys/bus/nd/devices/region0/mapping0", "nmem0,0,1073741824,0\n");
	ctx = ctx_at(root);
	/* an NFIT nvdimm has no cxl/provider */
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

	/* under the bridge's bus: a CXL nvdimm whose memdev no region maps */
	make_root(root, sizeof(root));
	mkdirs(root, "/sys/devices/platform/ACPI0017:00/root0/nvdimm-bridge0/ndbus0/region0");
	mkdirs(root, "/sys/devices/platform/ACPI0017:00/root0/nvdimm-bridge0/ndbus0/nmem0/cxl");
	mkdirs(root, "/sys/devices/pci0000:0c/0000:0c:00.0/0000:0d:00.0/mem0/pmem0");
	mkdirs(root, "/sys/bus/cxl/devices");
	link_at(root, "../../../devices/platform/ACPI0017:00/root0/nvdimm-bridge0/ndbus0/region0",
		"/sys/bus/nd/devices/region0");
	link_at(root, "../../../devices/platform/ACPI0017:00/root0/nvdimm-bridge0/ndbus0/nmem0",
		"/sys/bus/nd/devices/nmem0");
	link_at(root, "../../../devices/pci0000:0c/0000:0c:00.0/0000:0d:00.0/mem0/pmem0",
		"/sys/bus/cxl/devices/pmem0");
	write_at(root, "/sys/bus/nd/devices/region0/mappings", "1\n");
	write_at(root, "/sys/bus/nd/devices/nmem0/cxl/provider", "pmem0\n");
	ctx = ctx_at(root);
	write_at(root, "/sys/bus/nd/devices/region0/mapping0", "nmem0,0,536870912\n");
	ck_assert_int_eq(dp_cxl_region_of_nd(ctx, "region0", &r), -EINVAL);
	write_at(root, "/sys/bus/nd/devices/region0/mapping0", "nmem0,0,536870912,0\n");
	ck_assert_int_eq(dp_cxl_region_of_nd(ctx, "region0", &r), -ENODEV);
	ctx_done(ctx);
}
END_TEST


/* ---- captured trees (test/fixtures/<setup>/ with cxl-list.json) ---- */

/* Objects of 'cxl list -vvv' anywhere in its nesting that have @key with
 * the string value @name. */
static struct json_object *find_obj(struct json_object *o, const char *key, const char *name,
				    const char *also)
{
	struct json_object *v;

	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			v = find_obj(json_object_array_get_idx(o, i), key, name, also);
			if (v)
				return v;
		}
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object))
		return NULL;
	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) &&
	    strcmp(json_object_get_string(v), name) == 0 &&
	    (!also || json_object_object_get_ex(o, also, NULL)))
		return o;
	json_object_object_foreach(o, k, child) {
		(void)k;
		v = find_obj(child, key, name, also);
		if (v)
			return v;
	}
	return NULL;
}

/* Every region object (one with "decode_state") in the listing. */
static int count_regions(struct json_object *o)
{
	int n = 0;

	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			n += count_regions(json_object_array_get_idx(o, i));
	} else if (json_object_is_type(o, json_type_object)) {
		if (json_object_object_get_ex(o, "region", NULL) &&
		    json_object_object_get_ex(o, "decode_state", NULL))
			n++;
		json_object_object_foreach(o, k, child) {
			(void)k;
			n += count_regions(child);
		}
	}
	return n;
}

static unsigned long long jnum(struct json_object *o, const char *key)
{
	struct json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "cxl list has no %s", key);
	if (json_object_is_type(v, json_type_string))   /* hex in some versions */
		return strtoull(json_object_get_string(v), NULL, 0);
	return (unsigned long long)json_object_get_uint64(v);
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

/* A writable copy of fixture @name, with its empty directories made again. */
static void copy_fixture(const char *name, char *root, size_t len)
{
	char cmd[4 * PATH_MAX];

	snprintf(root, len, "%s/fixture-XXXXXX", scratch);
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(cmd, sizeof(cmd),
		 "cp -a '%s/%s/.' '%s/' && cd '%s' && { [ ! -f EMPTY_DIRS ] || xargs -r mkdir -p <EMPTY_DIRS; }",
		 fixtures, name, root, root);
	ck_assert_int_eq(system(cmd), 0);
}

/* dp_cxl_region_of_nd() on every nd region of @root against cxl list:
 * the number of CXL regions found, and the largest interleave. */
static int check_tree(const char *root, const char *name, unsigned int *max_ways)
{
	char path[PATH_MAX];
	struct json_object *list;
	struct daxpolicy_ctx *ctx;
	struct dirent *de;
	DIR *dir;
	int found = 0;

	snprintf(path, sizeof(path), "%s/cxl-list.json", root);
	list = json_object_from_file(path);
	ck_assert_msg(list != NULL, "%s: cxl-list.json unreadable", name);
	ctx = ctx_at(root);
	snprintf(path, sizeof(path), "%s/sys/bus/nd/devices", root);
	dir = opendir(path);
	ck_assert_ptr_nonnull(dir);
	while ((de = readdir(dir))) {
		struct dp_cxl_region r;
		struct json_object *reg, *maps;
		int rc;

		if (strncmp(de->d_name, "region", 6))
			continue;
		rc = dp_cxl_region_of_nd(ctx, de->d_name, &r);
		ck_assert_msg(rc == 0, "%s: nd %s: %d", name, de->d_name, rc);
		found++;
		reg = find_obj(list, "region", r.region, "decode_state");
		ck_assert_msg(reg != NULL, "%s: cxl list has no %s", name, r.region);
		ck_assert_uint_eq(r.ways, jnum(reg, "interleave_ways"));
		ck_assert_uint_eq(r.granularity, jnum(reg, "interleave_granularity"));
		ck_assert_uint_eq(r.hpa_resource, jnum(reg, "resource"));
		ck_assert_uint_eq(r.hpa_size, jnum(reg, "size"));
		if (jstr(reg, "uuid"))
			ck_assert_str_eq(r.uuid, jstr(reg, "uuid"));
		if (jstr(reg, "type"))
			ck_assert_str_eq(r.mode, jstr(reg, "type"));
		ck_assert_uint_eq(r.ntargets, r.ways);
		ck_assert_msg(json_object_object_get_ex(reg, "mappings", &maps),
			      "%s: %s has no mappings in cxl list", name, r.region);
		ck_assert_uint_eq(json_object_array_length(maps), r.ways);
		for (size_t i = 0; i < json_object_array_length(maps); i++) {
			struct json_object *m = json_object_array_get_idx(maps, i), *md, *dec;
			unsigned int pos = (unsigned int)jnum(m, "position");
			struct dp_cxl_target *t = &r.targets[pos];

			ck_assert_uint_lt(pos, r.ways);
			ck_assert_uint_eq(t->position, pos);
			ck_assert_str_eq(t->memdev, jstr(m, "memdev"));
			ck_assert_str_eq(t->decoder, jstr(m, "decoder"));
			md = find_obj(list, "memdev", t->memdev, "serial");
			ck_assert_msg(md != NULL, "%s: cxl list has no %s", name, t->memdev);
			ck_assert_uint_eq(t->serial, jnum(md, "serial"));
			if (jstr(md, "host"))
				ck_assert_str_eq(t->host, jstr(md, "host"));
			if (jstr(md, "firmware_version"))
				ck_assert_str_eq(t->firmware, jstr(md, "firmware_version"));
			dec = find_obj(list, "decoder", t->decoder, "dpa_resource");
			ck_assert_msg(dec != NULL, "%s: cxl list has no %s", name, t->decoder);
			ck_assert_uint_eq(t->dpa_resource, jnum(dec, "dpa_resource"));
			ck_assert_uint_eq(t->dpa_size, jnum(dec, "dpa_size"));
		}
		if (r.ways > *max_ways)
			*max_ways = r.ways;
	}
	closedir(dir);
	ck_assert_int_eq(found, count_regions(list));
	ctx_done(ctx);
	json_object_put(list);
	return found;
}

START_TEST(captured_trees_match_cxl_list)
{
	char root[PATH_MAX], path[PATH_MAX];
	unsigned int max_ways = 0;
	int trees = 0, regions = 0;
	struct dirent *de;
	DIR *dir = opendir(fixtures);

	ck_assert_ptr_nonnull(dir);
	while ((de = readdir(dir))) {
		snprintf(path, sizeof(path), "%s/%s/cxl-list.json", fixtures, de->d_name);
		if (de->d_name[0] == '.' || access(path, R_OK))
			continue;
		copy_fixture(de->d_name, root, sizeof(root));
		regions += check_tree(root, de->d_name, &max_ways);
		trees++;
	}
	closedir(dir);
	ck_assert_int_ge(trees, 2);
	ck_assert_int_ge(regions, trees);
	ck_assert_uint_ge(max_ways, 2);   /* cxl-2way: the interleave */
	printf("cxl fixtures: %d trees, %d regions, up to %u ways\n", trees, regions, max_ways);
}
END_TEST

/* The whole chain a report shows, from the pmem disk of the captured
 * one-way region: region and memdev, and the health that cannot be read
 * here (no /dev/cxl/mem0) said, not turned into a failure. */
START_TEST(captured_device_has_chain)
{
	char root[PATH_MAX], text[32];
	struct dp_device dev = { .placeholder = true };
	struct daxpolicy_ctx *ctx;
	unsigned int maj, min;
	FILE *f;

	snprintf(root, sizeof(root), "%s/cxl/cxl-list.json", fixtures);
	if (access(root, R_OK)) {
		printf("SKIP: captured_device_has_chain: no test/fixtures/cxl\n");
		return;
	}
	copy_fixture("cxl", root, sizeof(root));
	ctx = ctx_at(root);
	f = fopen("/sys/block/pmem0/dev", "r");   /* through the shim */
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(text, sizeof(text), f));
	fclose(f);
	ck_assert_int_eq(sscanf(text, "%u:%u", &maj, &min), 2);
	dp_device_read(ctx, makedev(maj, min), &dev);
	ck_assert_msg(!dev.damaged, "%s", dev.damage);
	ck_assert_ptr_nonnull(dev.cxl);
	ck_assert_str_eq(daxpolicy_cxl_get_memdev(dev.cxl, 0), "mem0");
	ck_assert_uint_eq(daxpolicy_cxl_get_ways(dev.cxl), 1);
	ck_assert_str_eq(daxpolicy_cxl_get_persistence_domain(dev.cxl), dev.persistence_domain);
	ck_assert_str_eq(daxpolicy_cxl_get_memdev(dev.cxl, 1), "");
	if (access("/dev/cxl/mem0", F_OK) != 0) {
		ck_assert_int_lt(daxpolicy_cxl_get_health_errno(dev.cxl, 0), 0);
		ck_assert_msg(strstr(daxpolicy_cxl_get_health_error(dev.cxl, 0),
				     "cannot open /dev/cxl/mem0 for Get Health Info"),
			      "health error: '%s'", daxpolicy_cxl_get_health_error(dev.cxl, 0));
	}
	free(dev.cxl);
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
	tc = tcase_create("fixtures");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, captured_trees_match_cxl_list);
	tcase_add_test(tc, captured_device_has_chain);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	const char *tmp = getenv("TMPDIR"), *top = getenv("top_srcdir");
	char given[PATH_MAX];
	int rc;

	snprintf(given, sizeof(given), "%s/test/fixtures", top ? top : ".");
	if (!realpath(given, fixtures)) {
		fprintf(stderr, "no fixtures at %s\n", given);
		return 99;
	}

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
