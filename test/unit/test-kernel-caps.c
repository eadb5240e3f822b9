// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests: the kernel capability rules (kernel-caps-judge.c) on
 * hand-built facts, one case per rule, and the sysfs part of the gathering
 * (kernel-caps.c) against a small tree under DAXPOLICY_SYSROOT.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"
#include "unit.h"

/* What Debian 12's 6.1 answers (seen in the vm tier). */
static void facts_6_1(struct dp_kernel_facts *f)
{
	memset(f, 0, sizeof(*f));
	strcpy(f->release, "6.1.0-57-amd64");
	f->major = 6;
	f->minor = 1;
	f->map_sync_errno = EOPNOTSUPP;
	f->statx_attributes_mask = 0x00200000 | 0x1000;
	f->mnt_mask = 0x1000;                 /* STATX_MNT_ID only */
	f->getattr_errno = ENOSYS;
	f->config_fs_dax = -1;
	f->fs_known = f->fs_ext4 = f->fs_xfs = true;
	f->fsmap_errno = 0;
	strcpy(f->fsmap_dir, "/mnt/pmem");
	strcpy(f->fsmap_fstype, "xfs");
	f->dax_bus = 1;
	f->debugfs = 1;
	f->uffd_dax_errno = EINVAL;
	strcpy(f->uffd_dax_file, "/mnt/pmem");
}

static struct daxpolicy_kernel *judge(const struct dp_kernel_facts *f)
{
	struct daxpolicy_kernel *k;

	ck_assert_int_eq(dp_kernel_judge(f, &k), 0);
	ck_assert_ptr_nonnull(k);
	return k;
}

static const char *state(struct daxpolicy_kernel *k, const char *name)
{
	struct daxpolicy_kcap *c = daxpolicy_kernel_get_cap(k, name);

	ck_assert_msg(c != NULL, "no capability %s", name);
	return daxpolicy_kcap_state_name(daxpolicy_kcap_get_state(c));
}

static const char *reason(struct daxpolicy_kernel *k, const char *name)
{
	return daxpolicy_kcap_get_reason(daxpolicy_kernel_get_cap(k, name));
}

START_TEST(every_capability_listed_with_reason)
{
	static const char *names[] = {
		"map_sync", "statx_dax", "mount_id_unique", "fs_dax", "dax_inode_ext4",
		"dax_inode_xfs", "dax_inode_virtiofs", "xfs_reflink_dax", "getfsmap",
		"file_getattr", "device_dax", "cxl_poison_list", "cxl_poison_inject",
		"userfaultfd_dax",
	};
	struct dp_kernel_facts f;
	struct daxpolicy_kernel *k;
	struct daxpolicy_kcap *c;
	size_t n = 0;

	facts_6_1(&f);
	k = judge(&f);
	ck_assert_str_eq(daxpolicy_kernel_get_release(k), "6.1.0-57-amd64");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ck_assert_msg(daxpolicy_kernel_get_cap(k, names[i]), "%s missing", names[i]);
	daxpolicy_kcap_foreach(k, c) {
		n++;
		ck_assert(strlen(daxpolicy_kcap_get_reason(c)) > 20);
		ck_assert(strstr("probe sysfs version config", daxpolicy_kcap_get_method(c)));
	}
	ck_assert_uint_eq(n, sizeof(names) / sizeof(names[0]));
	ck_assert_ptr_null(daxpolicy_kernel_get_cap(k, "nonsense"));
	daxpolicy_kernel_free(k);
}
END_TEST

START_TEST(map_sync_told_by_errno)
{
	struct dp_kernel_facts f;
	struct daxpolicy_kernel *k;

	facts_6_1(&f);
	k = judge(&f);
	ck_assert_str_eq(state(k, "map_sync"), "yes");
	daxpolicy_kernel_free(k);
	f.map_sync_errno = EINVAL;      /* before 4.15 */
	k = judge(&f);
	ck_assert_str_eq(state(k, "map_sync"), "no");
	ck_assert(strstr(reason(k, "map_sync"), "4.15"));
	daxpolicy_kernel_free(k);
	f.map_sync_errno = 0;           /* mapped: not believable */
	k = judge(&f);
	ck_assert_str_eq(state(k, "map_sync"), "unknown");
	daxpolicy_kernel_free(k);
}
END_TEST

START_TEST(statx_dax_bit_and_old_value)
{
	struct dp_kernel_facts f;
	struct daxpolicy_kernel *k;

	facts_6_1(&f);
	k = judge(&f);
	ck_assert_str_eq(state(k, "statx_dax"), "yes");
	ck_assert_str_eq(daxpolicy_kcap_get_value(daxpolicy_kernel_get_cap(k, "statx_dax")),
			 "0x200000");
	daxpolicy_kernel_free(k);
	f.statx_attributes_mask = 0x2000;
	k = judge(&f);
	ck_assert_str_eq(state(k, "statx_dax"), "no");
	ck_assert(strstr(reason(k, "statx_dax"), "0x2000"));
	daxpolicy_kernel_free(k);
	f.statx_attributes_mask = 0;
	k = judge(&f);
	ck_assert_str_eq(state(k, "statx_dax"), "no");
	ck_assert_ptr_null(daxpolicy_kcap_get_value(daxpolicy_kernel_get_cap(k, "statx_dax")));
	daxpolicy_kernel_free(k);
}
END_TEST

START_TEST(unique_mount_ids_from_the_mask)
{
	struct dp_kernel_facts f;
	struct daxpolicy_kernel *k;

	facts_6_1(&f);
	k = judge(&f);
	ck_assert_str_eq(state(k, "mount_id_unique"), "no");
	ck_assert(strstr(reason(k, "mount_id_unique"), "6.8"));
	daxpolicy_kernel_free(k);
	f.mnt_mask = 0x4000 | 0x1000;   /* 6.12 */
	k = judge(&f);
	ck_assert_str_eq(state(k, "mount_id_unique"), "yes");
	daxpolicy_kernel_free(k);
}
END_TEST

START_TEST(file_getattr_enosys)
{
	struct dp_kernel_facts f;
	struct daxpolicy_kernel *k;

	facts_6_1(&f);
	k = judge(&f);
	ck_assert_str_eq(state(k, "file_getattr"), "no");
	daxpolicy_kernel_free(k);
	f.getattr_errno = EINVAL;       /* 6.17: exists, bad arguments */
	k = judge(&f);
	ck_assert_str_eq(state(k, "file_getattr"), "yes");
	daxpolicy_kernel_free(k);
	f.getattr_errno = EPERM;
	k = judge(&f);
	ck_assert_str_eq(state(k, "file_getattr"), "unknown");
	daxpolicy_kernel_free(k);
}
END_TEST

START_TEST(filesystems_by_registration_and_version)
{
	struct dp_kernel_facts f;
	struct daxpolicy_kernel *k;

	facts_6_1(&f);
	k = judge(&f);
	ck_assert_str_eq(state(k, "dax_inode_ext4"), "yes");
	ck_assert_str_eq(state(k, "dax_inode_xfs"), "yes");
	ck_assert_str_eq(daxpolicy_kcap_get_method(daxpolicy_kernel_get_cap(k, "dax_inode_xfs")),
			 "version");
	ck_assert_str_eq(state(k, "dax_inode_virtiofs"), "unknown");   /* not registered */
	ck_assert_str_eq(state(k, "xfs_reflink_dax"), "yes");
	ck_assert_str_eq(state(k, "fs_dax"), "unknown");
	daxpolicy_kernel_free(k);

	f.major = 5;
	f.minor = 4;
	k = judge(&f);
	ck_assert_str_eq(state(k, "dax_inode_ext4"), "no");
	ck_assert(strstr(reason(k, "dax_inode_ext4"), "5.8"));
	ck_assert_str_eq(state(k, "xfs_reflink_dax"), "no");
	daxpolicy_kernel_free(k);

	facts_6_1(&f);
	f.config_fs_dax = 0;
	strcpy(f.config_path, "/boot/config-6.1.0-57-amd64");
	k = judge(&f);
	ck_assert_str_eq(state(k, "fs_dax"), "no");
	ck_assert_str_eq(state(k, "dax_inode_ext4"), "no");
	daxpolicy_kernel_free(k);
	f.config_fs_dax = 1;
	k = judge(&f);
	ck_assert_str_eq(state(k, "fs_dax"), "yes");
	daxpolicy_kernel_free(k);
}
END_TEST

START_TEST(getfsmap_per_filesystem)
{
	struct dp_kernel_facts f;
	struct daxpolicy_kernel *k;

	facts_6_1(&f);
	k = judge(&f);
	ck_assert_str_eq(state(k, "getfsmap"), "yes");
	ck_assert_str_eq(daxpolicy_kcap_get_value(daxpolicy_kernel_get_cap(k, "getfsmap")), "xfs");
	daxpolicy_kernel_free(k);
	f.fsmap_errno = ENOTTY;
	strcpy(f.fsmap_fstype, "tmpfs");
	k = judge(&f);
	ck_assert_str_eq(state(k, "getfsmap"), "no");
	ck_assert(strstr(reason(k, "getfsmap"), "tmpfs"));
	daxpolicy_kernel_free(k);
}
END_TEST

START_TEST(devices_and_cxl)
{
	struct dp_kernel_facts f;
	struct daxpolicy_kernel *k;

	facts_6_1(&f);
	k = judge(&f);
	ck_assert_str_eq(state(k, "device_dax"), "yes");
	ck_assert_str_eq(state(k, "cxl_poison_list"), "no");
	ck_assert_str_eq(state(k, "cxl_poison_inject"), "no");
	daxpolicy_kernel_free(k);

	f.dax_bus = 0;
	f.cxl_bus = 1;                  /* bus, no memdev */
	k = judge(&f);
	ck_assert_str_eq(state(k, "device_dax"), "no");
	ck_assert_str_eq(state(k, "cxl_poison_list"), "unknown");
	daxpolicy_kernel_free(k);

	f.cxl_memdevs = 2;
	k = judge(&f);
	ck_assert_str_eq(state(k, "cxl_poison_list"), "no");
	ck_assert_str_eq(state(k, "cxl_poison_inject"), "no");
	daxpolicy_kernel_free(k);

	f.cxl_poison_list = 2;
	f.cxl_inject = 1;
	k = judge(&f);
	ck_assert_str_eq(state(k, "cxl_poison_list"), "yes");
	ck_assert_str_eq(daxpolicy_kcap_get_value(daxpolicy_kernel_get_cap(k, "cxl_poison_list")), "2");
	ck_assert_str_eq(state(k, "cxl_poison_inject"), "yes");
	daxpolicy_kernel_free(k);

	f.debugfs = 0;
	k = judge(&f);
	ck_assert_str_eq(state(k, "cxl_poison_inject"), "unknown");
	ck_assert(strstr(reason(k, "cxl_poison_inject"), "debugfs"));
	daxpolicy_kernel_free(k);
	f.debugfs = -1;
	k = judge(&f);
	ck_assert_str_eq(state(k, "cxl_poison_inject"), "unknown");
	ck_assert(strstr(reason(k, "cxl_poison_inject"), "root"));
	daxpolicy_kernel_free(k);
}
END_TEST

START_TEST(userfaultfd_on_dax)
{
	struct dp_kernel_facts f;
	struct daxpolicy_kernel *k;

	facts_6_1(&f);
	k = judge(&f);
	ck_assert_str_eq(state(k, "userfaultfd_dax"), "no");
	daxpolicy_kernel_free(k);
	f.uffd_dax_errno = 0;
	k = judge(&f);
	ck_assert_str_eq(state(k, "userfaultfd_dax"), "yes");
	daxpolicy_kernel_free(k);
	f.uffd_dax_errno = -1;
	strcpy(f.uffd_dax_why, "a new file in /tmp is not DAX");
	k = judge(&f);
	ck_assert_str_eq(state(k, "userfaultfd_dax"), "unknown");
	ck_assert(strstr(reason(k, "userfaultfd_dax"), "not DAX"));
	daxpolicy_kernel_free(k);
	f.uffd_errno = ENOSYS;
	k = judge(&f);
	ck_assert_str_eq(state(k, "userfaultfd_dax"), "no");
	daxpolicy_kernel_free(k);
}
END_TEST

static void touch(const char *root, const char *rel)
{
	char path[4096], *slash;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fclose(fp);
}

/* The sysfs and /proc part of the gathering reads through the sysroot. */
START_TEST(gather_reads_sysroot)
{
	char root[] = "/tmp/daxpolicy-kcaps.XXXXXX", cmd[128];
	struct daxpolicy_kernel *k;
	struct daxpolicy_ctx *ctx;
	FILE *fp;
	char path[4096];

	ck_assert_ptr_nonnull(mkdtemp(root));
	touch(root, "sys/bus/cxl/devices/mem0/trigger_poison_list");
	touch(root, "sys/bus/cxl/devices/mem1/serial");
	touch(root, "sys/bus/cxl/devices/root0/x");
	touch(root, "sys/bus/dax/devices/dax0.0/size");
	touch(root, "sys/kernel/debug/cxl/mem0/inject_poison");
	snprintf(path, sizeof(path), "%s/proc/filesystems", root);
	touch(root, "proc/filesystems");
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("nodev\tsysfs\nnodev\tvirtiofs\n\text4\n", fp);
	fclose(fp);
	setenv("DAXPOLICY_SYSROOT", root, 1);
	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	unsetenv("DAXPOLICY_SYSROOT");
	ck_assert_int_eq(daxpolicy_kernel_probe(ctx, NULL, &k), 0);
	ck_assert_str_eq(state(k, "cxl_poison_list"), "yes");
	ck_assert(strstr(reason(k, "cxl_poison_list"), "1 of 2"));
	ck_assert_str_eq(state(k, "cxl_poison_inject"), "yes");
	ck_assert_str_eq(state(k, "device_dax"), "yes");
	ck_assert_str_eq(daxpolicy_kcap_get_value(daxpolicy_kernel_get_cap(k, "device_dax")), "1");
	ck_assert_str_eq(state(k, "dax_inode_xfs"), "unknown");     /* not registered here */
	ck_assert_str_ne(state(k, "dax_inode_ext4"), "unknown");
	daxpolicy_kernel_free(k);
	daxpolicy_unref(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(daxpolicy_kernel_probe(NULL, NULL, &k), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kernel-caps");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, every_capability_listed_with_reason);
	tcase_add_test(tc, map_sync_told_by_errno);
	tcase_add_test(tc, statx_dax_bit_and_old_value);
	tcase_add_test(tc, unique_mount_ids_from_the_mask);
	tcase_add_test(tc, file_getattr_enosys);
	tcase_add_test(tc, filesystems_by_registration_and_version);
	tcase_add_test(tc, getfsmap_per_filesystem);
	tcase_add_test(tc, devices_and_cxl);
	tcase_add_test(tc, userfaultfd_on_dax);
	tcase_add_test(tc, gather_reads_sysroot);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
