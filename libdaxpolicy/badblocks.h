/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The result of a badblocks scan and what its parts share: the sources of
 * bad ranges (badblocks.c), the attribution of ranges to files with FIEMAP
 * (badblocks-fiemap.c) over a walk of the filesystem (badblocks-walk.c) or
 * with the reverse map of GETFSMAP (badblocks-fsmap.c).
 */
#ifndef LIBDAXPOLICY_BADBLOCKS_H
#define LIBDAXPOLICY_BADBLOCKS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <daxpolicy/libdaxpolicy.h>

#include "private.h"

struct daxpolicy_badhit {
	struct daxpolicy_badhit *next;
	enum daxpolicy_hit_kind kind;
	uint64_t sector, count;
	char *path;
	uint64_t inode, file_offset, length;
	bool unwritten, shared;
};

struct daxpolicy_badrange {
	struct daxpolicy_badrange *next;
	uint64_t sector, count;
	const char *source;
	struct daxpolicy_badhit *hits;   /* in sector order */
};

struct daxpolicy_badblocks {
	char disk[64];
	char *mount;
	const char *source;
	size_t count;
	struct daxpolicy_badrange *ranges;   /* sorted, merged, linked in order */
};

/* One scan of one mounted filesystem. */
struct bb_scan {
	struct daxpolicy_badblocks *bb;
	struct dp_mount *mnt;
	struct dp_device *device;        /* the filesystem's (a partition, say) */
	uint64_t fs_first, fs_sectors;   /* the filesystem's device, in disk sectors */
	dev_t dev;
	int rootfd;                      /* the mount's root directory */
	uint64_t block_size;             /* the filesystem's */
	const char *root;                /* its path, "" for / */
};

/* The known bad ranges of the disk under @dev (the whole disk of a
 * partition), numbered like that disk: libndctl's lists of a pmem disk,
 * /sys/block/DISK/badblocks of another, and for a device-mapper device the
 * ranges of the devices beneath its linear targets moved through its table
 * (-EOPNOTSUPP when another kind of target maps a device). *@source says
 * which: "nvdimm", "sysfs" or "dm". A disk that keeps no list at all (a
 * loop disk, say), beneath or not, is -EOPNOTSUPP too; both leave the
 * calling thread's refusal with the reason no_error_source, naming the
 * device. (badblocks-source.c) */
int bb_device_ranges(struct daxpolicy_ctx *ctx, const struct dp_device *dev, dp_range_fn fn, void *arg,
		     const char **source);

/* Set up a scan of the filesystem holding @fd: its disk, where it lies on
 * it, the bad ranges (@list, or the device's), its root. bb_finish() frees
 * what it holds, even after a failure. */
int bb_prepare(struct daxpolicy_ctx *ctx, int fd, const struct daxpolicy_sector_range *list,
	       size_t count, struct bb_scan *s);
void bb_finish(struct bb_scan *s);

/* A new hit of @kind on range @r, kept in sector order; NULL when out of
 * memory. */
struct daxpolicy_badhit *bb_new_hit(struct daxpolicy_badrange *r, enum daxpolicy_hit_kind kind,
				    uint64_t sector, uint64_t count);
void bb_free_hits(struct daxpolicy_badhit *h);
/* The index of the first range that ends after @sector. */
size_t bb_first_range_after(const struct daxpolicy_badblocks *bb, uint64_t sector);

/* Attribute every range with the filesystem's reverse map (GETFSMAP). 1 when
 * it named the owner of every bad sector (XFS with rmapbt; or no file data
 * hit at all), 0 when file data has no named owner (ext4, XFS without
 * rmapbt, no GETFSMAP) and a FIEMAP walk is needed; the hits are then
 * dropped. Negative errno on failure. */
int bb_fsmap_attribute(struct bb_scan *s);
/* After a FIEMAP walk: what no file covers is metadata, free space or
 * unknown, from GETFSMAP where the filesystem has it. */
int bb_fsmap_classify_gaps(struct bb_scan *s, struct daxpolicy_badrange *r);
/* Walk the filesystem (badblocks-walk.c) and map every regular file with
 * FIEMAP; a file with several names is mapped under one. */
int bb_fiemap_walk(struct daxpolicy_ctx *ctx, struct bb_scan *s);
/* Map one open regular file, inode @ino, named @path in the hits, with
 * FIEMAP; its hits are added under @lock unless NULL. */
int bb_fiemap_map(struct bb_scan *s, pthread_mutex_t *lock, int fd, const char *path, uint64_t ino);

#endif
