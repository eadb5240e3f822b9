// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Where a block device's known bad ranges come from: libndctl's namespace
 * and region lists for a pmem disk, /sys/block/DISK/badblocks for another
 * disk, and for a device-mapper device the ranges of the devices beneath
 * its linear targets, moved through its table. A device with none of these
 * has no source: that is a refusal (no_error_source), never an empty list.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "badblocks.h"
#include "private.h"

/* Device-mapper devices stacked deeper than this are refused. */
#define MAX_DM_DEPTH 8

/* No list of bad sectors can be read for @name: the calling thread's
 * refusal, with the reason no_error_source (its message made of @fmt);
 * -EOPNOTSUPP. */
int bb_no_source(struct daxpolicy_ctx *ctx, const char *name, const char *fmt, ...)
{
	char dev[96], *message;
	struct daxpolicy_report *r;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&message, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	dbg(ctx, "%s", message);
	dp_snprintf(dev, sizeof(dev), "/dev/%s", name);
	r = dp_report_new(dev);
	if (!r || dp_report_add_reason(r, "no_error_source", "%s", message) < 0) {
		daxpolicy_report_free(r);
		free(message);
		return -ENOMEM;
	}
	free(message);
	return dp_refuse(ctx, r);
}

/* /sys/block/DISK/badblocks: "SECTOR COUNT" lines. -ENODATA when the disk
 * has none. */
static int sysfs_ranges(struct daxpolicy_ctx *ctx, const char *disk, dp_range_fn fn, void *arg)
{
	char path[PATH_MAX];
	unsigned long long sector, count;
	FILE *f;
	int rc;

	rc = dp_sys_path(ctx, path, sizeof(path), "/sys/block/%s/badblocks", disk);
	if (rc < 0)
		return rc;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ENODATA : -errno;
	while (rc == 0 && fscanf(f, "%llu %llu", &sector, &count) == 2)
		rc = fn(arg, sector, count, "sysfs");
	fclose(f);
	return rc;
}

/* The ranges of whole disk @disk; *@source "nvdimm", "sysfs" or "cxl" (a
 * disk on a CXL region: its nvdimm lists and its memdevs' poison). -ENODATA
 * when it keeps no list. */
static int disk_ranges(struct daxpolicy_ctx *ctx, const char *disk, dp_range_fn fn, void *arg,
		       const char **source)
{
	int rc = dp_nvdimm_badblocks(ctx, disk, fn, arg), c;

	*source = "nvdimm";
	if (rc == -ENOENT) {
		*source = "sysfs";
		rc = sysfs_ranges(ctx, disk, fn, arg);
	}
	if (rc < 0 && rc != -ENODATA)
		return rc;
	/* On a CXL region, the memdevs' poison lists too. */
	c = bb_cxl_ranges(ctx, disk, fn, arg);
	if (c == -ENOENT)
		return rc;
	*source = "cxl";
	return c;
}

/* Sectors [from, from + length) of a device seen as starting at @to. */
struct window {
	uint64_t from, length, to;
	dp_range_fn fn;
	void *arg;
};

static int through_window(void *arg, uint64_t sector, uint64_t count, const char *source)
{
	struct window *w = arg;
	uint64_t a = sector > w->from ? sector : w->from;
	uint64_t b = sector + count < w->from + w->length ? sector + count : w->from + w->length;

	return a < b ? w->fn(w->arg, w->to + (a - w->from), b - a, source) : 0;
}

static int device_ranges(struct daxpolicy_ctx *ctx, dev_t devno, int depth, dp_range_fn fn, void *arg);

/* The refusal for a disk (or a partition of one) that keeps no list. */
static int no_list(struct daxpolicy_ctx *ctx, const struct dp_device *dev)
{
	const char *disk = dev->disk[0] ? dev->disk : dev->name;

	return bb_no_source(ctx, disk, "%s (%s) keeps no list of bad sectors (no /sys/block/%s/badblocks): "
			 "its media errors cannot be known, and an empty answer would not mean none",
			 disk, dev->kind, disk);
}

/* The ranges of device-mapper device @devno, numbered on it. */
static int dm_ranges(struct daxpolicy_ctx *ctx, const char *name, dev_t devno, int depth,
		     dp_range_fn fn, void *arg)
{
	struct dp_dm_target *t;
	size_t n;
	int rc;

	if (depth > MAX_DM_DEPTH) {
		err(ctx, "%s: device-mapper devices stacked more than %d deep", name, MAX_DM_DEPTH);
		return -ELOOP;
	}
	rc = dp_dm_table(ctx, devno, &t, &n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct window w = { t[i].offset, t[i].length, t[i].start, fn, arg };

		if (!strcmp(t[i].type, "linear")) {
			dbg(ctx, "%s: sectors %llu+%llu are %u:%u from sector %llu", name,
			    (unsigned long long)t[i].start, (unsigned long long)t[i].length,
			    major(t[i].dev), minor(t[i].dev), (unsigned long long)t[i].offset);
			rc = device_ranges(ctx, t[i].dev, depth + 1, through_window, &w);
		} else if (strcmp(t[i].type, "error") && strcmp(t[i].type, "zero")) {
			/* Its sectors lie on other devices in a way this does
			 * not follow: better no answer than a wrong one. */
			rc = bb_no_source(ctx, name, "%s (dm): sectors %llu+%llu are a '%s' target, through which the bad "
				       "sectors of the devices beneath are not mapped (only linear targets are)",
				       name, (unsigned long long)t[i].start, (unsigned long long)t[i].length,
				       t[i].type);
		}
	}
	free(t);
	return rc;
}

/* The ranges of any block device, numbered on it. */
static int device_ranges(struct daxpolicy_ctx *ctx, dev_t devno, int depth, dp_range_fn fn, void *arg)
{
	struct dp_device *dev;
	const char *source;
	uint64_t size = 0;
	int rc = dp_device_lookup(ctx, devno, &dev);

	if (rc < 0)
		return rc;
	if (!strcmp(dev->kind, "dm")) {
		rc = dm_ranges(ctx, dev->name, devno, depth, fn, arg);
	} else if (dev->disk[0]) {
		/* A partition: the disk's ranges that fall inside it. */
		struct window w = { dev->start / 512, UINT64_MAX - dev->start / 512, 0, fn, arg };

		if (dp_read_u64(ctx, &size, "/sys/class/block/%s/size", dev->name) == 0)
			w.length = size;
		rc = disk_ranges(ctx, dev->disk, through_window, &w, &source);
	} else {
		rc = disk_ranges(ctx, dev->name, fn, arg, &source);
	}
	if (rc == -ENODATA)
		rc = no_list(ctx, dev);
	dp_device_unref(dev);
	return rc;
}

int bb_device_ranges(struct daxpolicy_ctx *ctx, const struct dp_device *dev, dp_range_fn fn, void *arg,
		     const char **source)
{
	int rc;

	if (!strcmp(dev->kind, "dm")) {
		*source = "dm";
		return dm_ranges(ctx, dev->name, dev->devno, 0, fn, arg);
	}
	rc = disk_ranges(ctx, dev->disk[0] ? dev->disk : dev->name, fn, arg, source);
	return rc == -ENODATA ? no_list(ctx, dev) : rc;
}
