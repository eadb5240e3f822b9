// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The reason catalogue. Codes are API: scripts match on them, so a code
 * never changes meaning and is never reused. New codes are appended.
 * Severity: error blocks DAX or MAP_SYNC, warning degrades it, info informs.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

struct reason_def {
	const char *code;
	enum daxpolicy_severity severity;
	const char *hint;
};

#define E DAXPOLICY_SEVERITY_ERROR
#define W DAXPOLICY_SEVERITY_WARNING
#define I DAXPOLICY_SEVERITY_INFO
static const struct reason_def catalogue[] = {
	{ "fs_not_dax_capable", E,
	  "put the data on ext4 or xfs on an fsdax pmem namespace" },
	{ "mount_dax_never", E,
	  "remount without dax=never (umount, then mount -o dax=inode or dax=always)" },
	{ "dax_flag_not_set", E,
	  "set the DAX flag on the directory before creating files (dax-admin set-dir --direct DIR), or mount with -o dax=always" },
	{ "device_not_dax_capable", E,
	  "use a pmem device in fsdax mode (ndctl create-namespace -m fsdax) or a device-mapper table whose every target is DAX-capable" },
	{ "device_not_pmem", E,
	  "only persistent memory (pmem, virtio-pmem, dm over pmem) can do DAX; move the data to a filesystem on such a device" },
	{ "namespace_raw_mode", E,
	  "reconfigure the namespace to fsdax (ndctl create-namespace -f -e NAMESPACE -m fsdax; this destroys its data)" },
	{ "namespace_sector_mode", E,
	  "sector (BTT) mode never allows DAX; reconfigure to fsdax (ndctl create-namespace -f -e NAMESPACE -m fsdax; this destroys its data)" },
	{ "block_size_mismatch", E,
	  "make the filesystem again with a block size equal to the page size (mkfs.ext4 -b 4096, mkfs.xfs -b size=4096)" },
	{ "dax_pending", W,
	  "the new state takes effect once every process has closed the file and its inode is evicted; close it everywhere (see fuser/lsof)" },
	{ "async_dax_no_map_sync", E,
	  "the device is asynchronous (virtio-pmem): use fsync/msync for durability, or synchronous pmem for MAP_SYNC" },
	{ "partition_misaligned", W,
	  "re-create the partition starting at a multiple of 2 MiB so that huge (PMD) mappings are possible" },
	{ "namespace_align_small", W,
	  "re-create the namespace with --align=2M (ndctl create-namespace -f -e NAMESPACE -m fsdax --align=2M) for huge mappings" },
	{ "reflink_incompatible", E,
	  "this kernel (before 6.0) cannot combine XFS reflink and DAX: use mkfs.xfs -m reflink=0, or a kernel >= 6.0" },
	{ "statx_dax_unsupported", W,
	  "this kernel does not report STATX_ATTR_DAX (before 5.8); the verdict is derived from the rules, not observed" },
	{ "module_missing", E,
	  "load the module (modprobe MODULE) or install the kernel package that provides it" },
	{ "xfs_realtime_file", E,
	  "realtime files cannot use DAX; keep the file on the data device (clear FS_XFLAG_REALTIME before writing it)" },
	{ "dax_flag_redundant", I,
	  "the mount is dax=always, every regular file is DAX whatever its flag; mount with dax=inode for per-directory policy" },
	{ "map_sync_refused", E,
	  "the kernel refused a MAP_SYNC mapping of this file; see the other reasons and the kernel log (dmesg)" },
	{ "dax_not_effective", E,
	  "DAX should be in effect here but the kernel reports it is not; check the kernel log (dmesg) for a DAX fallback message" },
	{ "sysfs_unreadable", W,
	  "run as root or check that sysfs is mounted; some device facts could not be read and the verdict may be incomplete" },
	{ "statx_dax_legacy_value", I,
	  "this kernel reports STATX_ATTR_DAX with the pre-Dec 2020 value 0x2000; update the kernel" },
	{ "not_regular_file", I,
	  "DAX applies to regular files and, through inheritance, to directories; probe a file or its directory" },
	{ "ext2_dax_deprecated", W,
	  "ext2 DAX is deprecated since Linux 6.16; move the data to ext4 or xfs" },
	{ "namespace_map_mem", I,
	  "the namespace's page map lives in system RAM (map=mem); map=dev keeps it on the device and saves RAM" },
	{ "namespace_devdax_mode", I,
	  "device DAX has no filesystem: map the character device directly, or reconfigure to fsdax (ndctl create-namespace -f -e NAMESPACE -m fsdax) for files" },
	{ "policy_sync_unmet", E,
	  "the directory policy asks for MAP_SYNC, which is not possible here; see the other reasons, or change the policy (dax-admin set-dir)" },
	{ "policy_page_cache_ignored", W,
	  "the directory policy is page-cache but this file is DAX (created before the policy, or the mount is dax=always); clear its flag or remount" },
	{ "namespace_disabled", E,
	  "enable the namespace (ndctl enable-namespace NAMESPACE) or bind its driver" },
	{ "no_error_source", E,
	  "only a list of the bad sectors from elsewhere (a media scan, the device's own log) can help: "
	  "dax-admin badblocks --from-list FILE ('SECTOR COUNT' lines, 512-byte sectors of that disk)" },
	{ "repair_interrupted", E,
	  "a repair of a file's bad block was interrupted (killed, or the power failed); the block's saved contents are in its record: finish it with dax-admin badblocks --finish MOUNT --yes (any --clear on that filesystem also does)" },
	{ "quarantine_dir_unsafe", E,
	  "MOUNT/.dax-badblocks must be a directory owned by root with mode 0700: others could delete its quarantine files or forge repair records; check its contents, then fix its owner and mode" },
};
#undef E
#undef W
#undef I

static const struct reason_def *find_def(const char *code)
{
	for (size_t i = 0; i < sizeof(catalogue) / sizeof(catalogue[0]); i++)
		if (strcmp(catalogue[i].code, code) == 0)
			return &catalogue[i];
	return NULL;
}

int dp_reason_append(struct daxpolicy_reason ***tail, const char *code, const char *fmt, va_list ap)
{
	const struct reason_def *def = find_def(code);
	struct daxpolicy_reason *r;

	if (!def)
		return -EINVAL;    /* a bug: every code must be catalogued */
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	if (vasprintf(&r->message, fmt, ap) < 0) {
		free(r);
		return -ENOMEM;
	}
	r->code = def->code;
	r->severity = def->severity;
	r->hint = def->hint;
	**tail = r;
	*tail = &r->next;
	return 0;
}

int dp_report_add_reason(struct daxpolicy_report *report, const char *code,
			 const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = dp_reason_append(&report->reasons_tail, code, fmt, ap);
	va_end(ap);
	return rc;
}

DAXPOLICY_EXPORT const char *daxpolicy_severity_name(enum daxpolicy_severity severity)
{
	switch (severity) {
	case DAXPOLICY_SEVERITY_INFO: return "info";
	case DAXPOLICY_SEVERITY_WARNING: return "warning";
	case DAXPOLICY_SEVERITY_ERROR: return "error";
	}
	return "unknown";
}
