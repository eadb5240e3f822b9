// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests: the verdict rules (evaluate.c) on hand-built facts, one case
 * per rule of KERNEL.md, and the mount option parser.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "unit.h"

/* A DAX-capable baseline: ext4 dax=inode on fsdax pmem0, 4 KiB blocks. */
static struct daxpolicy_report *baseline(enum daxpolicy_object_type type, int flag)
{
	struct daxpolicy_report *r = dp_report_new("/mnt/pmem/f");

	ck_assert_ptr_nonnull(r);
	r->obj.type = type;
	r->obj.flag = flag;
	r->obj.statx_dax_attr = 0x00200000;
	r->obj.block_size = 4096;
	r->obj.kernel_major = 6;
	r->obj.kernel_minor = 1;
	r->page_size = 4096;
	r->mount = dp_mount_new("/mnt/pmem", "/dev/pmem0", "ext4", "rw,relatime");
	ck_assert_ptr_nonnull(r->mount);
	ck_assert_int_eq(r->mount->dax_mode, DAXPOLICY_DAX_MODE_INODE);
	r->device = dp_device_new();
	ck_assert_ptr_nonnull(r->device);
	strcpy(r->device->name, "pmem0");
	strcpy(r->device->kind, "pmem");
	r->device->dax = 1;
	r->device->sync = true;
	strcpy(r->device->ns_name, "namespace0.0");
	strcpy(r->device->ns_mode, "fsdax");
	strcpy(r->device->ns_map, "dev");
	r->device->ns_align = 2 << 20;
	return r;
}

static void set_fstype(struct daxpolicy_report *r, const char *fstype)
{
	free(r->mount->fstype);
	r->mount->fstype = strdup(fstype);
	ck_assert_ptr_nonnull(r->mount->fstype);
}

/* Reason codes, comma separated, in order. */
static const char *codes(struct daxpolicy_report *r)
{
	static char buf[512];
	struct daxpolicy_reason *reason;

	buf[0] = '\0';
	daxpolicy_reason_foreach(r, reason) {
		if (buf[0])
			strcat(buf, ",");
		strcat(buf, daxpolicy_reason_get_code(reason));
	}
	return buf;
}

#define EVAL_EXPECT(r, st, dax_, sync_, codes_)                                \
	do {                                                                  \
		ck_assert_int_eq(dp_evaluate(r), 0);                          \
		ck_assert_str_eq(codes(r), codes_);                           \
		ck_assert_str_eq(daxpolicy_state_name((r)->state), st);       \
		ck_assert_int_eq((r)->dax, dax_);                             \
		ck_assert_int_eq((r)->map_sync, sync_);                       \
		daxpolicy_report_free(r);                                     \
	} while (0)

START_TEST(flagged_dax_file_is_active)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_FILE, 1);

	r->obj.dax_now = true;
	ck_assert_int_eq(dp_evaluate(r), 0);
	ck_assert(r->huge);
	EVAL_EXPECT(r, "active", 1, 1, "");
}
END_TEST

START_TEST(unflagged_file_inactive_with_reason)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_FILE, 0);

	EVAL_EXPECT(r, "inactive", 0, 0, "dax_flag_not_set");
}
END_TEST

START_TEST(unflagged_directory_inactive)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_DIRECTORY, 0);

	EVAL_EXPECT(r, "inactive", 0, 0, "dax_flag_not_set");
}
END_TEST

START_TEST(flagged_directory_derived_active)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_DIRECTORY, 1);

	EVAL_EXPECT(r, "active", 1, 1, "");
}
END_TEST

START_TEST(flag_set_not_yet_effective_is_pending)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_FILE, 1);

	r->obj.dax_now = false;
	EVAL_EXPECT(r, "pending", 0, 0, "dax_pending");
}
END_TEST

START_TEST(flag_cleared_still_dax_is_pending)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_FILE, 0);

	r->obj.dax_now = true;
	EVAL_EXPECT(r, "pending", 1, 1, "dax_pending");
}
END_TEST

START_TEST(dax_always_with_redundant_flag)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_FILE, 1);

	r->mount->dax_mode = DAXPOLICY_DAX_MODE_ALWAYS;
	r->obj.dax_now = true;
	EVAL_EXPECT(r, "active", 1, 1, "dax_flag_redundant");
}
END_TEST

START_TEST(dax_always_not_effective)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_FILE, 0);

	r->mount->dax_mode = DAXPOLICY_DAX_MODE_ALWAYS;
	r->obj.dax_now = false;
	EVAL_EXPECT(r, "unsupported", 0, 0, "dax_not_effective");
}
END_TEST

START_TEST(dax_never_blocks)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_FILE, 1);

	r->mount->dax_mode = DAXPOLICY_DAX_MODE_NEVER;
	r->mount->dax_mode_explicit = true;
	EVAL_EXPECT(r, "unsupported", 0, 0, "mount_dax_never");
}
END_TEST

START_TEST(tmpfs_not_capable)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_FILE, -1);

	set_fstype(r, "tmpfs");
	r->mount->dax_mode = DAXPOLICY_DAX_MODE_NONE;
	strcpy(r->device->kind, "none");
	EVAL_EXPECT(r, "unsupported", 0, 0, "fs_not_dax_capable");
}
END_TEST

START_TEST(loop_device_not_pmem)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_FILE, 1);

	strcpy(r->device->name, "loop3");
	strcpy(r->device->kind, "loop");
	r->device->ns_name[0] = r->device->ns_mode[0] = '\0';
	r->device->dax = 0;
	r->device->sync = false;
	ck_assert_int_eq(dp_evaluate(r), 0);
	ck_assert_ptr_nonnull(strstr(r->reasons->message, "/dev/loop3"));
	ck_assert_ptr_nonnull(strstr(r->reasons->message, "/mnt/pmem"));
	EVAL_EXPECT(r, "unsupported", 0, 0, "device_not_pmem");
}
END_TEST

START_TEST(raw_and_sector_namespaces)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_FILE, 1);

	r->device->dax = 0;
	strcpy(r->device->ns_mode, "raw");
	EVAL_EXPECT(r, "unsupported", 0, 0, "namespace_raw_mode");
	r = baseline(DAXPOLICY_OBJECT_FILE, 1);
	r->device->dax = 0;
	strcpy(r->device->ns_mode, "sector");
	EVAL_EXPECT(r, "unsupported", 0, 0, "namespace_sector_mode");
	r = baseline(DAXPOLICY_OBJECT_FILE, 1);
	r->device->dax = 0;
	EVAL_EXPECT(r, "unsupported", 0, 0, "device_not_dax_capable");
}
END_TEST

START_TEST(one_kib_blocks)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_DIRECTORY, 1);

	r->obj.block_size = 1024;
	ck_assert_int_eq(dp_evaluate(r), 0);
	ck_assert_ptr_nonnull(strstr(r->reasons->message, "1024-byte"));
	EVAL_EXPECT(r, "unsupported", 0, 0, "block_size_mismatch");
}
END_TEST

START_TEST(virtio_pmem_no_map_sync)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_FILE, 1);

	r->obj.dax_now = true;
	r->device->sync = false;
	r->device->virtio_pmem = true;
	EVAL_EXPECT(r, "active", 1, 0, "async_dax_no_map_sync");
}
END_TEST

START_TEST(map_sync_probe_overrides_and_explains)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_FILE, 1);

	r->obj.dax_now = true;
	r->obj.map_sync_probe = 0;
	r->obj.map_sync_errno = 95;
	ck_assert_int_eq(dp_evaluate(r), 0);
	ck_assert_int_eq(r->map_sync_evidence, DAXPOLICY_EVIDENCE_PROBED);
	EVAL_EXPECT(r, "active", 1, 0, "map_sync_refused");
}
END_TEST

START_TEST(huge_needs_alignment)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_FILE, 1);

	r->obj.dax_now = true;
	strcpy(r->device->name, "pmem0p1");
	strcpy(r->device->disk, "pmem0");
	r->device->start = 1 << 20;
	r->device->ns_align = 4096;
	ck_assert_int_eq(dp_evaluate(r), 0);
	ck_assert(!r->huge);
	EVAL_EXPECT(r, "active", 1, 1, "partition_misaligned,namespace_align_small");
}
END_TEST

START_TEST(xfs_reflink_before_6_0)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_DIRECTORY, 1);

	set_fstype(r, "xfs");
	r->obj.xfs_reflink = true;
	r->obj.kernel_major = 5;
	r->obj.kernel_minor = 19;
	EVAL_EXPECT(r, "unsupported", 0, 0, "reflink_incompatible");
	r = baseline(DAXPOLICY_OBJECT_DIRECTORY, 1);
	set_fstype(r, "xfs");
	r->obj.xfs_reflink = true;
	EVAL_EXPECT(r, "active", 1, 1, "");
}
END_TEST

START_TEST(realtime_file)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_FILE, 1);

	set_fstype(r, "xfs");
	r->obj.realtime = true;
	EVAL_EXPECT(r, "unsupported", 0, 0, "xfs_realtime_file");
}
END_TEST

START_TEST(statx_without_dax_bit)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_FILE, 1);

	r->obj.statx_dax_attr = 0;
	r->obj.kernel_major = 5;
	r->obj.kernel_minor = 4;
	EVAL_EXPECT(r, "active", 1, 1, "statx_dax_unsupported");
}
END_TEST

START_TEST(unreadable_sysfs_is_said)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_DIRECTORY, 1);

	r->device->dax = -1;
	r->device->damaged = true;
	strcpy(r->device->damage, "queue/dax: Permission denied");
	ck_assert_int_eq(dp_evaluate(r), 0);
	ck_assert_ptr_nonnull(strstr(r->reasons->message, "queue/dax"));
	EVAL_EXPECT(r, "active", 1, 1, "sysfs_unreadable");
}
END_TEST

START_TEST(other_object)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_OTHER, -1);

	EVAL_EXPECT(r, "unsupported", 0, 0, "not_regular_file");
}
END_TEST

START_TEST(mount_option_parsing)
{
	static const struct {
		const char *fstype, *opts;
		enum daxpolicy_dax_mode mode;
		bool explicit_mode;
	} cases[] = {
		{ "ext4", "rw,relatime", DAXPOLICY_DAX_MODE_INODE, false },
		{ "ext4", "rw,dax=always", DAXPOLICY_DAX_MODE_ALWAYS, true },
		{ "ext4", "rw,dax", DAXPOLICY_DAX_MODE_ALWAYS, true },
		{ "xfs", "rw,attr2,dax=never,noquota", DAXPOLICY_DAX_MODE_NEVER, true },
		{ "xfs", "rw,dax=inode", DAXPOLICY_DAX_MODE_INODE, true },
		{ "xfs", NULL, DAXPOLICY_DAX_MODE_INODE, false },
		{ "ext2", "rw", DAXPOLICY_DAX_MODE_NEVER, false },
		{ "ext2", "rw,dax", DAXPOLICY_DAX_MODE_ALWAYS, true },
		{ "tmpfs", "rw,dax=always", DAXPOLICY_DAX_MODE_NONE, false },
		{ "ext4", "rw,nodax_x", DAXPOLICY_DAX_MODE_INODE, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum daxpolicy_dax_mode mode;
		bool explicit_mode;

		dp_mount_parse_dax(cases[i].fstype, cases[i].opts, &mode, &explicit_mode);
		ck_assert_msg(mode == cases[i].mode && explicit_mode == cases[i].explicit_mode,
			      "%s %s: mode %d explicit %d", cases[i].fstype,
			      cases[i].opts ? cases[i].opts : "(null)", mode, explicit_mode);
	}
}
END_TEST

START_TEST(every_reason_has_text)
{
	struct daxpolicy_report *r = baseline(DAXPOLICY_OBJECT_FILE, 1);

	ck_assert_int_eq(dp_report_add_reason(r, "no_such_code", "x"), -EINVAL);
	ck_assert_int_eq(dp_report_add_reason(r, "dax_pending", "msg %d", 7), 0);
	ck_assert_str_eq(daxpolicy_reason_get_message(r->reasons), "msg 7");
	ck_assert_int_eq(daxpolicy_reason_get_severity(r->reasons), DAXPOLICY_SEVERITY_WARNING);
	ck_assert(strlen(daxpolicy_reason_get_hint(r->reasons)) > 20);
	ck_assert(daxpolicy_report_has_reason(r, "dax_pending"));
	ck_assert(!daxpolicy_report_has_reason(r, "mount_dax_never"));
	daxpolicy_report_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("evaluate");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, flagged_dax_file_is_active);
	tcase_add_test(tc, unflagged_file_inactive_with_reason);
	tcase_add_test(tc, unflagged_directory_inactive);
	tcase_add_test(tc, flagged_directory_derived_active);
	tcase_add_test(tc, flag_set_not_yet_effective_is_pending);
	tcase_add_test(tc, flag_cleared_still_dax_is_pending);
	tcase_add_test(tc, dax_always_with_redundant_flag);
	tcase_add_test(tc, dax_always_not_effective);
	tcase_add_test(tc, dax_never_blocks);
	tcase_add_test(tc, tmpfs_not_capable);
	tcase_add_test(tc, loop_device_not_pmem);
	tcase_add_test(tc, raw_and_sector_namespaces);
	tcase_add_test(tc, one_kib_blocks);
	tcase_add_test(tc, virtio_pmem_no_map_sync);
	tcase_add_test(tc, map_sync_probe_overrides_and_explains);
	tcase_add_test(tc, huge_needs_alignment);
	tcase_add_test(tc, xfs_reflink_before_6_0);
	tcase_add_test(tc, realtime_file);
	tcase_add_test(tc, statx_without_dax_bit);
	tcase_add_test(tc, unreadable_sysfs_is_said);
	tcase_add_test(tc, other_object);
	tcase_add_test(tc, mount_option_parsing);
	tcase_add_test(tc, every_reason_has_text);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
