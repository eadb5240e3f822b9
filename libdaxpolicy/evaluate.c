// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The verdict: the kernel's rules for effective DAX (S_DAX) and MAP_SYNC,
 * applied to facts gathered by probe.c (or built by a test). No system
 * calls here, so every rule can be tested against captured trees.
 *
 * A regular file is DAX when all hold (Documentation/filesystems/dax.rst):
 * the filesystem supports DAX; the mount mode is always, or inode with the
 * file's FS_XFLAG_DAX; the block device is DAX-capable; the block size equals
 * the page size; no filesystem veto (XFS realtime, XFS reflink before 6.0).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "private.h"

#define SZ_2M (2UL << 20)

#define ADD(...)                                                              \
	do {                                                                  \
		if (dp_report_add_reason(r, __VA_ARGS__) < 0)                  \
			return -ENOMEM;                                       \
	} while (0)

static bool kernel_before(const struct dp_object *o, unsigned int major, unsigned int minor)
{
	if (!o->kernel_major)
		return false;       /* unknown: assume a current kernel */
	return o->kernel_major < major || (o->kernel_major == major && o->kernel_minor < minor);
}

/* "/dev/pmem0 (namespace0.0)" */
static const char *dev_label(const struct dp_device *d, char *buf, size_t len)
{
	if (d->ns_name[0])
		dp_snprintf(buf, len, "/dev/%s (%s)", d->name, d->ns_name);
	else
		dp_snprintf(buf, len, "/dev/%s", d->name);
	return buf;
}

/* Why the device cannot do DAX: sets *blocked and adds the reason. 0 or
 * -ENOMEM. */
static int device_blockers(struct daxpolicy_report *r, bool *blocked)
{
	const struct dp_device *d = r->device;
	const struct dp_mount *m = r->mount;
	char label[160];

	if (d->damaged)
		ADD("sysfs_unreadable", "device facts of %s incomplete: %s",
		    d->name[0] ? d->name : "the device", d->damage);
	if (strcmp(d->kind, "none") == 0 || d->dax == 1)
		return 0;
	if (d->dax < 0)
		return 0;   /* unknown: sysfs_unreadable says so, do not guess */
	*blocked = true;
	dev_label(d, label, sizeof(label));
	if (m->target[0])
		dp_snprintf(label + strlen(label), sizeof(label) - strlen(label), " under %s", m->target);
	if (strcmp(d->ns_mode, "raw") == 0)
		ADD("namespace_raw_mode", "%s is in raw mode, which cannot do DAX", label);
	else if (strcmp(d->ns_mode, "sector") == 0)
		ADD("namespace_sector_mode", "%s is in sector (BTT) mode, which cannot do DAX", label);
	else if (strcmp(d->kind, "pmem") == 0)
		ADD("device_not_dax_capable", "%s is not DAX-capable (queue/dax is 0)", label);
	else if (strcmp(d->kind, "dm") == 0)
		ADD("device_not_dax_capable",
		    "device-mapper device %s is not DAX-capable (queue/dax is 0; over %s)",
		    label, d->slaves[0] ? d->slaves : "no device");
	else
		ADD("device_not_pmem", "%s is a %s device, not persistent memory", label, d->kind);
	return 0;
}

/* Reasons that make DAX impossible on this mount, whatever is requested. */
static int mount_blockers(struct daxpolicy_report *r, bool *blocked)
{
	const struct dp_mount *m = r->mount;
	const struct dp_object *o = &r->obj;

	if (!dp_fstype_dax_capable(m->fstype)) {
		*blocked = true;
		ADD("fs_not_dax_capable", "%s is a %s filesystem, which has no DAX support",
		    m->target[0] ? m->target : r->path, m->fstype[0] ? m->fstype : "unknown");
		return 0;   /* device facts do not matter then */
	}
	if (m->dax_mode == DAXPOLICY_DAX_MODE_NEVER) {
		*blocked = true;
		if (m->dax_mode_explicit)
			ADD("mount_dax_never", "%s (%s on %s) is mounted with dax=never",
			    m->target, m->fstype, m->source);
		else
			ADD("mount_dax_never", "%s (%s on %s) is mounted without a dax option, and %s does DAX only when asked",
			    m->target, m->fstype, m->source, m->fstype);
	}
	if (device_blockers(r, blocked) < 0)
		return -ENOMEM;
	if (o->block_size && r->page_size && o->block_size != r->page_size) {
		*blocked = true;
		ADD("block_size_mismatch", "%s has %lu-byte blocks; DAX needs the page size, %lu bytes",
		    m->target, o->block_size, r->page_size);
	}
	if (strcmp(m->fstype, "xfs") == 0 && o->xfs_reflink && kernel_before(o, 6, 0)) {
		*blocked = true;
		ADD("reflink_incompatible", "%s is XFS with reflink, which this kernel (%u.%u) cannot combine with DAX",
		    m->target, o->kernel_major, o->kernel_minor);
	}
	if (strcmp(m->fstype, "ext2") == 0 && !kernel_before(o, 6, 16) && o->kernel_major)
		ADD("ext2_dax_deprecated", "%s is ext2, whose DAX support is deprecated since Linux 6.16",
		    m->target);
	if (o->type == DAXPOLICY_OBJECT_FILE && o->realtime) {
		*blocked = true;
		ADD("xfs_realtime_file", "%s is an XFS realtime file", r->path);
	}
	return 0;
}

/* Huge (PMD) faults: 2 MiB namespace alignment and partition start. */
static int huge_facts(struct daxpolicy_report *r, bool capable)
{
	const struct dp_device *d = r->device;
	bool ok = true;

	if (!capable)
		return 0;
	if (d->start % SZ_2M) {
		ok = false;
		ADD("partition_misaligned", "partition /dev/%s starts at byte %llu, not a multiple of 2 MiB: no huge mappings",
		    d->name, (unsigned long long)d->start);
	}
	if (d->ns_align && d->ns_align < SZ_2M) {
		ok = false;
		ADD("namespace_align_small", "%s has a %llu-byte alignment, less than 2 MiB: no huge mappings",
		    d->ns_name, (unsigned long long)d->ns_align);
	}
	if (strcmp(d->ns_map, "mem") == 0)
		ADD("namespace_map_mem", "%s keeps its page map in system RAM", d->ns_name);
	r->huge = ok && r->dax;
	return 0;
}

static int map_sync_facts(struct daxpolicy_report *r, bool capable)
{
	const struct dp_object *o = &r->obj;
	const struct dp_device *d = r->device;
	bool derived = r->dax && d->sync;

	if (capable && d->virtio_pmem)
		ADD("async_dax_no_map_sync", "/dev/%s under %s is virtio-pmem, an asynchronous DAX device: MAP_SYNC is refused",
		    d->name, r->mount->target);
	r->map_sync = derived;
	r->map_sync_evidence = DAXPOLICY_EVIDENCE_DERIVED;
	if (o->map_sync_probe >= 0) {
		r->map_sync = o->map_sync_probe == 1;
		r->map_sync_evidence = DAXPOLICY_EVIDENCE_PROBED;
		if (derived && !r->map_sync)
			ADD("map_sync_refused", "mmap(MAP_SYNC) of %s failed: %s", r->path,
			    strerror(o->map_sync_errno));
	}
	return 0;
}

/* A device or namespace on its own: can it hold DAX files? */
static int evaluate_device(struct daxpolicy_report *r)
{
	const struct dp_device *d = r->device;
	bool blocked = false;

	if (d->needs_module[0]) {
		blocked = true;
		ADD("module_missing", "%s needs the kernel module %s, which is not loaded",
		    d->ns_name, d->needs_module);
	} else if (strcmp(d->kind, "none") == 0 && d->ns_name[0]) {
		blocked = true;
		ADD("namespace_disabled", "%s (%s mode) has no block device", d->ns_name, d->ns_mode);
	}
	if (strcmp(d->kind, "devdax") == 0)
		ADD("namespace_devdax_mode", "%s is in devdax mode: character device /dev/%s, no filesystem",
		    d->ns_name, d->dax_dev[0] ? d->dax_dev : "(none)");
	else if (!blocked && device_blockers(r, &blocked) < 0)
		return -ENOMEM;
	r->dax = !blocked && d->dax == 1;
	r->state = r->dax ? DAXPOLICY_STATE_ACTIVE : DAXPOLICY_STATE_UNSUPPORTED;
	if (map_sync_facts(r, !blocked) < 0 || huge_facts(r, !blocked) < 0)
		return -ENOMEM;
	return 0;
}

/* What the directory policy asks for, against the verdict. */
static int policy_facts(struct daxpolicy_report *r)
{
	const struct dp_object *o = &r->obj;
	const char *where = o->policy_source ? o->policy_source : r->path;

	if (o->policy == DAXPOLICY_POLICY_SYNC && !r->map_sync)
		ADD("policy_sync_unmet", "%s is under the sync policy of %s, but MAP_SYNC is not possible",
		    r->path, where);
	if (o->policy == DAXPOLICY_POLICY_PAGE_CACHE && r->dax)
		ADD("policy_page_cache_ignored", "%s is DAX although the policy of %s is page-cache",
		    r->path, where);
	return 0;
}

int dp_evaluate(struct daxpolicy_report *r)
{
	const struct dp_object *o = &r->obj;
	const struct dp_mount *m = r->mount;
	bool blocked = false, requested = false, expected;

	dp_report_clear_reasons(r);
	r->huge = false;
	if (o->type == DAXPOLICY_OBJECT_DEVICE)
		return evaluate_device(r);
	if (o->type == DAXPOLICY_OBJECT_OTHER) {
		ADD("not_regular_file", "%s is neither a regular file nor a directory", r->path);
		r->state = DAXPOLICY_STATE_UNSUPPORTED;
		return 0;
	}
	if (mount_blockers(r, &blocked) < 0)
		return -ENOMEM;

	if (m->dax_mode == DAXPOLICY_DAX_MODE_ALWAYS) {
		requested = true;
		if (o->flag == 1 && !blocked)
			ADD("dax_flag_redundant", "%s is mounted with dax=always; the DAX flag of %s changes nothing",
			    m->target, r->path);
	} else if (m->dax_mode == DAXPOLICY_DAX_MODE_INODE) {
		requested = o->flag == 1;
	}
	expected = requested && !blocked;

	if (o->statx_dax_attr == 0x2000)
		ADD("statx_dax_legacy_value", "the kernel (%u.%u) reports STATX_ATTR_DAX as 0x2000",
		    o->kernel_major, o->kernel_minor);

	/* Effective state: observed where the kernel tells, derived otherwise. */
	if (o->type == DAXPOLICY_OBJECT_FILE && o->statx_dax_attr)
		r->dax = o->dax_now;
	else if (o->type == DAXPOLICY_OBJECT_DIRECTORY && o->tmpfile_dax >= 0)
		r->dax = o->tmpfile_dax == 1;
	else
		r->dax = expected;
	if (!o->statx_dax_attr && o->type == DAXPOLICY_OBJECT_FILE)
		ADD("statx_dax_unsupported", "the kernel (%u.%u) does not report STATX_ATTR_DAX for %s",
		    o->kernel_major, o->kernel_minor, r->path);

	if (r->dax == expected) {
		r->state = r->dax ? DAXPOLICY_STATE_ACTIVE :
			   blocked ? DAXPOLICY_STATE_UNSUPPORTED : DAXPOLICY_STATE_INACTIVE;
	} else if (o->type == DAXPOLICY_OBJECT_FILE && m->dax_mode == DAXPOLICY_DAX_MODE_INODE &&
		   !blocked && o->flag >= 0) {
		/* The flag changed but the inode keeps its S_DAX until evicted. */
		r->state = DAXPOLICY_STATE_PENDING;
		ADD("dax_pending", "%s has its DAX flag %s but is %s DAX until every process closes it",
		    r->path, o->flag == 1 ? "set" : "cleared", r->dax ? "still" : "not yet");
	} else if (!r->dax) {
		r->state = DAXPOLICY_STATE_UNSUPPORTED;
		ADD("dax_not_effective", "%s should be DAX (%s, dax=%s) but the kernel reports it is not",
		    r->path, m->target, daxpolicy_dax_mode_name(m->dax_mode));
	} else {
		r->state = DAXPOLICY_STATE_ACTIVE;   /* DAX for a reason we do not model */
	}
	if (!requested && !blocked && m->dax_mode == DAXPOLICY_DAX_MODE_INODE && !r->dax &&
	    o->flag == 0)
		ADD("dax_flag_not_set", o->type == DAXPOLICY_OBJECT_DIRECTORY ?
		    "%s has no DAX flag, so new files in it are not DAX (%s is dax=inode)" :
		    "%s has no DAX flag (%s is dax=inode)", r->path, m->target);

	if (map_sync_facts(r, !blocked) < 0 || huge_facts(r, !blocked) < 0 || policy_facts(r) < 0)
		return -ENOMEM;
	return 0;
}
