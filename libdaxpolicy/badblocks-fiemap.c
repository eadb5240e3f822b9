// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Bad ranges to files the general way: intersect a regular file's extents
 * (FIEMAP) with the bad ranges. The walk that brings every file of the
 * filesystem here is badblocks-walk.c.
 */
#include "config.h"

#include <errno.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "badblocks.h"

/* Every extent of one file against the bad ranges; hits are added under
 * @lock when there is one. */
int bb_fiemap_map(struct bb_scan *s, pthread_mutex_t *lock, int fd, const char *path, uint64_t ino)
{
	union {
		struct fiemap fm;
		char buf[sizeof(struct fiemap) + 64 * sizeof(struct fiemap_extent)];
	} u;
	uint64_t start = 0;
	bool last = false;
	int rc = 0;

	while (!last && rc == 0) {
		memset(&u.fm, 0, sizeof(u.fm));
		u.fm.fm_start = start;
		u.fm.fm_length = FIEMAP_MAX_OFFSET - start;
		u.fm.fm_extent_count = 64;
		if (ioctl(fd, FS_IOC_FIEMAP, &u.fm) < 0)
			return errno == EOPNOTSUPP || errno == ENOTTY ? 0 : -errno;
		if (u.fm.fm_mapped_extents == 0)
			break;
		for (unsigned int i = 0; i < u.fm.fm_mapped_extents && rc == 0; i++) {
			const struct fiemap_extent *x = &u.fm.fm_extents[i];
			uint64_t first, end;
			size_t k;

			last = x->fe_flags & FIEMAP_EXTENT_LAST;
			start = x->fe_logical + x->fe_length;
			if (x->fe_flags & (FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC |
					   FIEMAP_EXTENT_ENCODED | FIEMAP_EXTENT_DATA_INLINE))
				continue;
			first = s->fs_first + x->fe_physical / 512;
			end = s->fs_first + (x->fe_physical + x->fe_length + 511) / 512;
			k = bb_first_range_after(s->bb, first);
			if (k == s->bb->count || s->bb->ranges[k].sector >= end)
				continue;   /* the common case: nothing bad here */
			if (lock)
				pthread_mutex_lock(lock);
			for (; k < s->bb->count && s->bb->ranges[k].sector < end && rc == 0; k++) {
				struct daxpolicy_badrange *r = &s->bb->ranges[k];
				uint64_t a = r->sector > first ? r->sector : first;
				uint64_t b = r->sector + r->count < end ? r->sector + r->count : end;
				struct daxpolicy_badhit *h = bb_new_hit(r, DAXPOLICY_HIT_FILE, a, b - a);

				if (!h || !(h->path = strdup(path))) {
					rc = -ENOMEM;
					break;
				}
				h->inode = ino;
				h->file_offset = x->fe_logical + (a - first) * 512;
				h->length = (b - a) * 512;
				h->unwritten = x->fe_flags & FIEMAP_EXTENT_UNWRITTEN;
				h->shared = x->fe_flags & FIEMAP_EXTENT_SHARED;
			}
			if (lock)
				pthread_mutex_unlock(lock);
		}
	}
	return rc;
}
