// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the running kernel can do for DAX users: judging. The raw answers
 * gathered by kernel-caps.c become one verdict per capability, with the
 * method (probe, sysfs, config, version) and a reason naming what was seen
 * and, when something is missing, what would give it. Pure: no system calls,
 * so every rule is tested on hand-built facts.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel-abi.h"
#include "private.h"

#define YES DAXPOLICY_KCAP_YES
#define NO DAXPOLICY_KCAP_NO
#define UNKNOWN DAXPOLICY_KCAP_UNKNOWN

#define ADD(...)                                                              \
	do {                                                                  \
		if (!dp_kernel_add(k, __VA_ARGS__))                           \
			return -ENOMEM;                                       \
	} while (0)

static bool at_least(const struct dp_kernel_facts *f, unsigned int major, unsigned int minor)
{
	return f->major > major || (f->major == major && f->minor >= minor);
}

static const char *errname(int e)
{
	return e > 0 ? strerror(e) : "not tried";
}

static int judge_map_sync(const struct dp_kernel_facts *f, struct daxpolicy_kernel *k)
{
	if (f->map_sync_errno == EOPNOTSUPP)
		ADD("map_sync", YES, "probe", NULL,
		    "mmap(MAP_SHARED_VALIDATE|MAP_SYNC) of a non-DAX file is refused with EOPNOTSUPP: "
		    "the kernel knows MAP_SYNC (a DAX file on a synchronous device gets it)");
	else if (f->map_sync_errno == EINVAL)
		ADD("map_sync", NO, "probe", NULL,
		    "mmap(MAP_SHARED_VALIDATE|MAP_SYNC) is refused with EINVAL: the kernel does not "
		    "know MAP_SHARED_VALIDATE (before 4.15); only msync() makes DAX writes durable");
	else if (f->map_sync_errno == 0)
		ADD("map_sync", UNKNOWN, "probe", NULL,
		    "mmap(MAP_SHARED_VALIDATE|MAP_SYNC) of a memfd succeeded, which no kernel should allow");
	else
		ADD("map_sync", UNKNOWN, "probe", NULL,
		    "mmap(MAP_SHARED_VALIDATE|MAP_SYNC) of a memfd: %s", errname(f->map_sync_errno));
	return 0;
}

static int judge_statx(const struct dp_kernel_facts *f, struct daxpolicy_kernel *k)
{
	char v[32];

	if (f->statx_errno == ENOSYS)
		ADD("statx_dax", NO, "probe", NULL,
		    "statx(2) is not implemented (before 4.11): S_DAX cannot be seen from user space");
	else if (f->statx_errno)
		ADD("statx_dax", UNKNOWN, "probe", NULL, "statx of a memfd: %s",
		    errname(f->statx_errno));
	else if (f->statx_attributes_mask & STATX_ATTR_DAX) {
		snprintf(v, sizeof(v), "0x%x", STATX_ATTR_DAX);
		ADD("statx_dax", YES, "probe", v,
		    "stx_attributes_mask has STATX_ATTR_DAX (0x%x): whether a file is DAX can be read",
		    STATX_ATTR_DAX);
	} else if (f->statx_attributes_mask & 0x2000)
		ADD("statx_dax", NO, "probe", "0x2000",
		    "the kernel reports DAX as 0x2000, the value of 5.8 to the fix of December 2020, "
		    "which clashes with another attribute: update the kernel");
	else
		ADD("statx_dax", NO, "probe", NULL,
		    "stx_attributes_mask lacks STATX_ATTR_DAX (Linux 5.8+): whether a file is DAX "
		    "cannot be read, only inferred");
	if (f->mnt_errno)
		ADD("mount_id_unique", UNKNOWN, "probe", NULL, "statx of /: %s", errname(f->mnt_errno));
	else if (f->mnt_mask & STATX_MNT_ID_UNIQUE)
		ADD("mount_id_unique", YES, "probe", NULL,
		    "statx returns STATX_MNT_ID_UNIQUE: a mount is known by an id never reused");
	else
		ADD("mount_id_unique", NO, "probe", NULL,
		    "statx does not return STATX_MNT_ID_UNIQUE (Linux 6.8+): mounts are matched by "
		    "mountinfo ids, which the kernel reuses");
	return 0;
}

static int judge_fs(const struct dp_kernel_facts *f, struct daxpolicy_kernel *k)
{
	static const struct {
		const char *cap, *fs;
		unsigned int major, minor;
		size_t off;
	} fss[] = {
		{ "dax_inode_ext4", "ext4", 5, 8, offsetof(struct dp_kernel_facts, fs_ext4) },
		{ "dax_inode_xfs", "xfs", 5, 8, offsetof(struct dp_kernel_facts, fs_xfs) },
		{ "dax_inode_virtiofs", "virtiofs", 5, 17, offsetof(struct dp_kernel_facts, fs_virtiofs) },
	};

	if (f->config_fs_dax == 1)
		ADD("fs_dax", YES, "config", NULL, "CONFIG_FS_DAX=y in %s", f->config_path);
	else if (f->config_fs_dax == 0)
		ADD("fs_dax", NO, "config", NULL,
		    "CONFIG_FS_DAX is not set in %s: no filesystem can do DAX on this kernel",
		    f->config_path);
	else
		ADD("fs_dax", UNKNOWN, "config", NULL,
		    "no /boot/config-%s to read CONFIG_FS_DAX from; it cannot be probed without a "
		    "DAX-capable device (dax-admin status on a pmem mount tells)", f->release);

	for (size_t i = 0; i < sizeof(fss) / sizeof(fss[0]); i++) {
		bool reg = *(const bool *)((const char *)f + fss[i].off);

		if (f->config_fs_dax == 0)
			ADD(fss[i].cap, NO, "config", NULL, "CONFIG_FS_DAX is not set");
		else if (f->major && !at_least(f, fss[i].major, fss[i].minor))
			ADD(fss[i].cap, NO, "version", NULL,
			    "%s has dax=inode and FS_XFLAG_DAX from Linux %u.%u; this is %s",
			    fss[i].fs, fss[i].major, fss[i].minor, f->release);
		else if (!f->major)
			ADD(fss[i].cap, UNKNOWN, "version", NULL,
			    "kernel version unknown; %s has dax=inode from Linux %u.%u",
			    fss[i].fs, fss[i].major, fss[i].minor);
		else if (!f->fs_known || !reg)
			ADD(fss[i].cap, UNKNOWN, "version", NULL,
			    "%s is not in /proc/filesystems (module not loaded, or not built); where "
			    "present it has dax=inode (Linux %u.%u+, not probeable without a mount)",
			    fss[i].fs, fss[i].major, fss[i].minor);
		else
			ADD(fss[i].cap, YES, "version", NULL,
			    "%s is registered and Linux %u.%u+ has dax=inode and FS_XFLAG_DAX for it "
			    "(not probeable without a mount)", fss[i].fs, fss[i].major, fss[i].minor);
	}

	if (f->major && !at_least(f, 6, 0))
		ADD("xfs_reflink_dax", NO, "version", NULL,
		    "XFS turns DAX off for reflinked (shared) files before Linux 6.0; this is %s",
		    f->release);
	else if (!f->major)
		ADD("xfs_reflink_dax", UNKNOWN, "version", NULL,
		    "kernel version unknown; XFS reflink with DAX needs Linux 6.0");
	else if (f->fs_known && !f->fs_xfs)
		ADD("xfs_reflink_dax", UNKNOWN, "version", NULL,
		    "xfs is not in /proc/filesystems; where present, Linux 6.0+ keeps DAX on "
		    "reflinked files");
	else
		ADD("xfs_reflink_dax", YES, "version", NULL,
		    "Linux 6.0+ keeps DAX on reflinked XFS files (copy on write, memory-failure "
		    "notification); not probeable without an XFS DAX mount");
	return 0;
}

static int judge_calls(const struct dp_kernel_facts *f, struct daxpolicy_kernel *k)
{
	const char *fs = f->fsmap_fstype[0] ? f->fsmap_fstype : "?";

	if (f->fsmap_errno == 0)
		ADD("getfsmap", YES, "probe", fs,
		    "FS_IOC_GETFSMAP answers on %s (%s): media errors in metadata and free space "
		    "can be told apart", f->fsmap_dir, fs);
	else if (f->fsmap_errno == ENOTTY || f->fsmap_errno == EOPNOTSUPP)
		ADD("getfsmap", NO, "probe", fs,
		    "FS_IOC_GETFSMAP is refused on %s (%s, %s): ext4 and xfs have it from Linux "
		    "4.12 (xfs owners need rmapbt); give a directory on the filesystem in question",
		    f->fsmap_dir, fs, strerror(f->fsmap_errno));
	else
		ADD("getfsmap", UNKNOWN, "probe", fs, "FS_IOC_GETFSMAP on %s: %s",
		    f->fsmap_dir, errname(f->fsmap_errno));

	if (f->getattr_errno == ENOSYS)
		ADD("file_getattr", NO, "probe", NULL,
		    "file_getattr(2) is not implemented (Linux 6.17+, or blocked by a seccomp "
		    "filter): FS_XFLAG_DAX is read and set with the FS_IOC_FSGETXATTR ioctl, "
		    "which needs an open file");
	else if (f->getattr_errno == EPERM)
		ADD("file_getattr", UNKNOWN, "probe", NULL,
		    "file_getattr(2) refused with EPERM (a seccomp filter?)");
	else
		ADD("file_getattr", YES, "probe", NULL,
		    "file_getattr(2) and file_setattr(2) exist (probe answered %s): FS_XFLAG_DAX "
		    "can be read and set by path", errname(f->getattr_errno));
	return 0;
}

static int judge_devices(const struct dp_kernel_facts *f, struct daxpolicy_kernel *k)
{
	char v[32];

	if (f->dax_bus) {
		snprintf(v, sizeof(v), "%u", f->dax_devices);
		ADD("device_dax", YES, "sysfs", v,
		    "/sys/bus/dax is present with %u device(s): 'daxctl' and device-dax "
		    "(/dev/daxX.Y) can be used", f->dax_devices);
	} else {
		ADD("device_dax", NO, "sysfs", NULL,
		    "no /sys/bus/dax: the dax bus is not loaded (modprobe device_dax, "
		    "CONFIG_DEV_DAX)");
	}

	if (!f->cxl_bus) {
		ADD("cxl_poison_list", NO, "sysfs", NULL,
		    "no /sys/bus/cxl: no CXL support loaded (cxl_acpi, cxl_pci, cxl_mem) or no "
		    "CXL hardware");
	} else if (!f->cxl_memdevs) {
		ADD("cxl_poison_list", UNKNOWN, "sysfs", "0",
		    "/sys/bus/cxl has no memory device (memN) to ask");
	} else if (f->cxl_poison_list) {
		snprintf(v, sizeof(v), "%u", f->cxl_poison_list);
		ADD("cxl_poison_list", YES, "sysfs", v,
		    "%u of %u CXL memory devices have trigger_poison_list (records arrive as "
		    "cxl_poison trace events)", f->cxl_poison_list, f->cxl_memdevs);
	} else {
		ADD("cxl_poison_list", NO, "sysfs", "0",
		    "no CXL memory device has trigger_poison_list (Linux 6.4+, and the device must "
		    "support Get Poison List): CXL media errors cannot be listed");
	}

	if (!f->cxl_bus)
		ADD("cxl_poison_inject", NO, "sysfs", NULL,
		    "no /sys/bus/cxl: no CXL memory device to inject into");
	else if (f->debugfs == 0)
		ADD("cxl_poison_inject", UNKNOWN, "sysfs", NULL,
		    "debugfs is not mounted at /sys/kernel/debug (mount -t debugfs none "
		    "/sys/kernel/debug)");
	else if (f->debugfs < 0)
		ADD("cxl_poison_inject", UNKNOWN, "sysfs", NULL,
		    "/sys/kernel/debug cannot be read (run as root)");
	else if (!f->cxl_memdevs)
		ADD("cxl_poison_inject", UNKNOWN, "sysfs", NULL,
		    "/sys/bus/cxl has no memory device (memN) to inject into");
	else if (f->cxl_inject) {
		snprintf(v, sizeof(v), "%u", f->cxl_inject);
		ADD("cxl_poison_inject", YES, "sysfs", v,
		    "%u CXL memory device(s) have debugfs inject_poison and clear_poison",
		    f->cxl_inject);
	} else {
		ADD("cxl_poison_inject", NO, "sysfs", "0",
		    "no /sys/kernel/debug/cxl/memN/inject_poison (Linux 6.4+, "
		    "CONFIG_DEBUG_FS, and a device that supports injection)");
	}
	return 0;
}

static int judge_uffd(const struct dp_kernel_facts *f, struct daxpolicy_kernel *k)
{
	if (f->uffd_errno == ENOSYS)
		ADD("userfaultfd_dax", NO, "probe", NULL,
		    "userfaultfd(2) is not implemented (CONFIG_USERFAULTFD)");
	else if (f->uffd_errno)
		ADD("userfaultfd_dax", UNKNOWN, "probe", NULL,
		    "userfaultfd(2): %s (vm.unprivileged_userfaultfd=0 needs root)",
		    errname(f->uffd_errno));
	else if (f->uffd_dax_errno == 0)
		ADD("userfaultfd_dax", YES, "probe", NULL,
		    "a DAX mapping in %s was registered with userfaultfd (missing faults)",
		    f->uffd_dax_file);
	else if (f->uffd_dax_errno == EINVAL)
		ADD("userfaultfd_dax", NO, "probe", NULL,
		    "userfaultfd refuses to register a DAX mapping in %s (EINVAL): it handles "
		    "anonymous, shmem and hugetlbfs memory only", f->uffd_dax_file);
	else if (f->uffd_dax_errno > 0)
		ADD("userfaultfd_dax", UNKNOWN, "probe", NULL,
		    "registering a DAX mapping in %s with userfaultfd: %s", f->uffd_dax_file,
		    strerror(f->uffd_dax_errno));
	else
		ADD("userfaultfd_dax", UNKNOWN, "probe", NULL,
		    "userfaultfd(2) works, but %s: give a directory on a DAX filesystem",
		    f->uffd_dax_why[0] ? f->uffd_dax_why : "no DAX mapping was made");
	return 0;
}

int dp_kernel_judge(const struct dp_kernel_facts *f, struct daxpolicy_kernel **out)
{
	struct daxpolicy_kernel *k = calloc(1, sizeof(*k));
	int rc;

	*out = NULL;
	if (!k)
		return -ENOMEM;
	snprintf(k->release, sizeof(k->release), "%s", f->release);
	rc = judge_map_sync(f, k);
	if (!rc)
		rc = judge_statx(f, k);
	if (!rc)
		rc = judge_fs(f, k);
	if (!rc)
		rc = judge_calls(f, k);
	if (!rc)
		rc = judge_devices(f, k);
	if (!rc)
		rc = judge_uffd(f, k);
	if (rc < 0) {
		daxpolicy_kernel_free(k);
		return rc;
	}
	*out = k;
	return 0;
}
