// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Media errors to files: the bad ranges of the disk under a filesystem
 * (from /sys/block/DISK/badblocks, or a list the caller has), attributed
 * to file byte ranges with a FIEMAP walk of the filesystem, and to metadata
 * or free space with GETFSMAP.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/fsmap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kernel-abi.h"
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
	struct daxpolicy_badhit *hits;
};

struct daxpolicy_badblocks {
	char disk[64];
	char *mount;
	const char *source;
	size_t count;
	struct daxpolicy_badrange *ranges;   /* sorted, merged, linked in order */
};

struct scan {
	struct daxpolicy_badblocks *bb;
	uint64_t fs_first, fs_sectors;   /* the filesystem's device, in disk sectors */
	dev_t dev;
	int error;
	/* inodes with several links already mapped */
	ino_t *seen;
	size_t nseen, capseen;
};

static void free_hits(struct daxpolicy_badhit *h)
{
	while (h) {
		struct daxpolicy_badhit *next = h->next;

		free(h->path);
		free(h);
		h = next;
	}
}

DAXPOLICY_EXPORT void daxpolicy_badblocks_free(struct daxpolicy_badblocks *bb)
{
	if (!bb)
		return;
	for (size_t i = 0; i < bb->count; i++)
		free_hits(bb->ranges[i].hits);
	free(bb->ranges);
	free(bb->mount);
	free(bb);
}

static int by_sector(const void *a, const void *b)
{
	const struct daxpolicy_badrange *x = a, *y = b;

	return x->sector < y->sector ? -1 : x->sector > y->sector;
}

/* Sort, merge overlapping or adjacent ranges, and link them in order. */
static void normalize(struct daxpolicy_badblocks *bb)
{
	size_t out = 0;

	if (bb->count == 0)
		return;
	qsort(bb->ranges, bb->count, sizeof(bb->ranges[0]), by_sector);
	for (size_t i = 0; i < bb->count; i++) {
		struct daxpolicy_badrange *prev = out ? &bb->ranges[out - 1] : NULL;

		if (prev && bb->ranges[i].sector <= prev->sector + prev->count) {
			uint64_t end = bb->ranges[i].sector + bb->ranges[i].count;

			if (end > prev->sector + prev->count)
				prev->count = end - prev->sector;
			continue;
		}
		bb->ranges[out++] = bb->ranges[i];
	}
	bb->count = out;
	for (size_t i = 0; i < out; i++)
		bb->ranges[i].next = i + 1 < out ? &bb->ranges[i + 1] : NULL;
}

static int add_range(struct daxpolicy_badblocks *bb, size_t *cap, uint64_t sector, uint64_t count)
{
	if (bb->count == *cap) {
		size_t n = *cap ? *cap * 2 : 16;
		struct daxpolicy_badrange *v = realloc(bb->ranges, n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		bb->ranges = v;
		*cap = n;
	}
	bb->ranges[bb->count++] = (struct daxpolicy_badrange){ .sector = sector, .count = count };
	return 0;
}

/* /sys/block/DISK/badblocks: "SECTOR COUNT" lines. */
static int read_sysfs_ranges(struct daxpolicy_ctx *ctx, struct daxpolicy_badblocks *bb, size_t *cap)
{
	char path[PATH_MAX];
	unsigned long long sector, count;
	FILE *f;
	int rc = 0;

	rc = dp_sys_path(ctx, path, sizeof(path), "/sys/block/%s/badblocks", bb->disk);
	if (rc < 0)
		return rc;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;   /* no badblocks list: none known */
	while (rc == 0 && fscanf(f, "%llu %llu", &sector, &count) == 2)
		rc = add_range(bb, cap, sector, count);
	fclose(f);
	return rc;
}

static struct daxpolicy_badhit *new_hit(struct daxpolicy_badrange *r, enum daxpolicy_hit_kind kind,
					uint64_t sector, uint64_t count)
{
	struct daxpolicy_badhit *h = calloc(1, sizeof(*h)), **pos;

	if (!h)
		return NULL;
	h->kind = kind;
	h->sector = sector;
	h->count = count;
	/* Keep the hits of a range in sector order. */
	for (pos = &r->hits; *pos && (*pos)->sector <= sector; pos = &(*pos)->next)
		;
	h->next = *pos;
	*pos = h;
	return h;
}

/* The first range that ends after @sector (binary search). */
static size_t first_range_after(struct daxpolicy_badblocks *bb, uint64_t sector)
{
	size_t lo = 0, hi = bb->count;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (bb->ranges[mid].sector + bb->ranges[mid].count <= sector)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool seen_before(struct scan *s, const struct stat *st)
{
	if (st->st_nlink <= 1)
		return false;
	for (size_t i = 0; i < s->nseen; i++)
		if (s->seen[i] == st->st_ino)
			return true;
	if (s->nseen == s->capseen) {
		size_t n = s->capseen ? s->capseen * 2 : 64;
		ino_t *v = realloc(s->seen, n * sizeof(*v));

		if (!v)
			return false;
		s->seen = v;
		s->capseen = n;
	}
	s->seen[s->nseen++] = st->st_ino;
	return false;
}

/* Every extent of one file against the bad ranges. */
static int map_file(struct scan *s, int fd, const char *path, const struct stat *st)
{
	union {
		struct fiemap fm;
		char buf[sizeof(struct fiemap) + 64 * sizeof(struct fiemap_extent)];
	} u;
	uint64_t start = 0;
	bool last = false;

	while (!last) {
		memset(&u, 0, sizeof(u));
		u.fm.fm_start = start;
		u.fm.fm_length = FIEMAP_MAX_OFFSET - start;
		u.fm.fm_extent_count = 64;
		if (ioctl(fd, FS_IOC_FIEMAP, &u.fm) < 0)
			return errno == EOPNOTSUPP || errno == ENOTTY ? 0 : -errno;
		if (u.fm.fm_mapped_extents == 0)
			break;
		for (unsigned int i = 0; i < u.fm.fm_mapped_extents; i++) {
			const struct fiemap_extent *x = &u.fm.fm_extents[i];
			uint64_t first, end;

			last = x->fe_flags & FIEMAP_EXTENT_LAST;
			start = x->fe_logical + x->fe_length;
			if (x->fe_flags & (FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC |
					   FIEMAP_EXTENT_ENCODED | FIEMAP_EXTENT_DATA_INLINE))
				continue;
			first = s->fs_first + x->fe_physical / 512;
			end = s->fs_first + (x->fe_physical + x->fe_length + 511) / 512;
			for (size_t k = first_range_after(s->bb, first);
			     k < s->bb->count && s->bb->ranges[k].sector < end; k++) {
				struct daxpolicy_badrange *r = &s->bb->ranges[k];
				uint64_t a = r->sector > first ? r->sector : first;
				uint64_t b = r->sector + r->count < end ? r->sector + r->count : end;
				struct daxpolicy_badhit *h = new_hit(r, DAXPOLICY_HIT_FILE, a, b - a);

				if (!h || !(h->path = strdup(path)))
					return -ENOMEM;
				h->inode = st->st_ino;
				h->file_offset = x->fe_logical + (a - first) * 512;
				h->length = (b - a) * 512;
				h->unwritten = x->fe_flags & FIEMAP_EXTENT_UNWRITTEN;
				h->shared = x->fe_flags & FIEMAP_EXTENT_SHARED;
			}
		}
	}
	return 0;
}

/* Walk the filesystem from directory @dirfd, never following symlinks or
 * entering another filesystem. */
static int walk(struct scan *s, int dirfd, char *path, size_t len, size_t cap)
{
	struct dirent *de;
	DIR *dir;
	int rc = 0, dup_fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);

	dir = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	if (!dir) {
		if (dup_fd >= 0)
			close(dup_fd);
		return 0;   /* unreadable directory: its files stay unattributed */
	}
	while (rc == 0 && (de = readdir(dir))) {
		size_t n = strlen(de->d_name);
		struct stat st;
		int fd;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		if (len + n + 2 > cap)
			continue;
		fd = openat(dirfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && st.st_dev == s->dev) {
			path[len] = '/';
			memcpy(path + len + 1, de->d_name, n + 1);
			if (S_ISDIR(st.st_mode))
				rc = walk(s, fd, path, len + 1 + n, cap);
			else if (S_ISREG(st.st_mode) && !seen_before(s, &st))
				rc = map_file(s, fd, path, &st);
			path[len] = '\0';
		}
		close(fd);
	}
	closedir(dir);
	return rc;
}

/* What no file covers: metadata or free space, from GETFSMAP. */
static int classify_gaps(struct scan *s, int fd, struct daxpolicy_badrange *r)
{
	uint64_t pos = r->sector, end = r->sector + r->count;

	while (pos < end) {
		struct daxpolicy_badhit *h;
		uint64_t gap_end = end;

		/* The next file hit at or after pos bounds this gap. */
		for (h = r->hits; h; h = h->next) {
			if (h->kind != DAXPOLICY_HIT_FILE || h->sector + h->count <= pos)
				continue;
			if (h->sector <= pos) {
				pos = h->sector + h->count;
				gap_end = 0;
				break;
			}
			if (h->sector < gap_end)
				gap_end = h->sector;
		}
		if (!gap_end)
			continue;
		if (pos >= gap_end)
			break;
		if (pos < s->fs_first || pos >= s->fs_first + s->fs_sectors) {
			/* Outside the filesystem (before a partition, after it). */
			uint64_t stop = pos < s->fs_first ? s->fs_first : gap_end;

			if (stop > gap_end)
				stop = gap_end;
			if (!new_hit(r, DAXPOLICY_HIT_UNKNOWN, pos, stop - pos))
				return -ENOMEM;
			pos = stop;
			continue;
		}
		if (gap_end > s->fs_first + s->fs_sectors)
			gap_end = s->fs_first + s->fs_sectors;
		{
			struct {
				struct fsmap_head head;
				struct fsmap recs[32];
			} q;
			uint64_t lo = (pos - s->fs_first) * 512, hi = (gap_end - s->fs_first) * 512;
			uint64_t at = pos;

			memset(&q, 0, sizeof(q));
			q.head.fmh_count = 32;
			q.head.fmh_keys[0].fmr_physical = lo;
			q.head.fmh_keys[1].fmr_device = ~0u;
			q.head.fmh_keys[1].fmr_flags = ~0u;
			q.head.fmh_keys[1].fmr_physical = hi - 1;
			q.head.fmh_keys[1].fmr_owner = ~0ull;
			q.head.fmh_keys[1].fmr_offset = ~0ull;
			if (ioctl(fd, FS_IOC_GETFSMAP, &q.head) == 0) {
				for (unsigned int i = 0; i < q.head.fmh_entries; i++) {
					const struct fsmap *m = &q.head.fmh_recs[i];
					uint64_t a = m->fmr_physical > lo ? m->fmr_physical : lo;
					uint64_t b = m->fmr_physical + m->fmr_length < hi ? m->fmr_physical + m->fmr_length : hi;
					enum daxpolicy_hit_kind kind;

					if (b <= a)
						continue;
					if (!(m->fmr_flags & FMR_OF_SPECIAL_OWNER))
						kind = DAXPOLICY_HIT_FILE;   /* an inode we did not reach */
					else if (m->fmr_owner == FMR_OWN_FREE)
						kind = DAXPOLICY_HIT_UNALLOCATED;
					else if (m->fmr_owner == FMR_OWN_UNKNOWN)
						kind = DAXPOLICY_HIT_UNKNOWN;
					else
						kind = DAXPOLICY_HIT_METADATA;
					h = new_hit(r, kind, s->fs_first + a / 512, (b - a + 511) / 512);
					if (!h)
						return -ENOMEM;
					if (kind == DAXPOLICY_HIT_FILE) {
						h->inode = m->fmr_owner;
						h->file_offset = m->fmr_offset + (a - m->fmr_physical);
						h->length = b - a;
						h->path = strdup("");
					}
					at = s->fs_first + (b + 511) / 512;
				}
			}
			if (at < gap_end && !new_hit(r, DAXPOLICY_HIT_UNKNOWN, at, gap_end - at))
				return -ENOMEM;
		}
		pos = gap_end;
	}
	return 0;
}

DAXPOLICY_EXPORT int daxpolicy_badblocks_scan(struct daxpolicy_ctx *ctx, const char *path,
					      const struct daxpolicy_sector_range *list, size_t count,
					      struct daxpolicy_badblocks **result)
{
	struct daxpolicy_badblocks *bb;
	struct dp_device *dev = NULL;
	struct dp_mount *mnt = NULL;
	struct scan s = { 0 };
	char *buf = NULL;
	uint64_t disk_sectors = 0, fs_sectors = 0;
	struct stat st;
	size_t cap = 0;
	int fd = -1, rootfd = -1, rc;

	if (!ctx || !path || !result || (count && !list))
		return -EINVAL;
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	bb = calloc(1, sizeof(*bb));
	if (!bb) {
		rc = -ENOMEM;
		goto out;
	}
	s.bb = bb;
	s.dev = st.st_dev;
	{
		struct statx stx;
		char link[64], real[PATH_MAX];
		ssize_t n;
		int mnt_id = -1;

		if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) == 0 && (stx.stx_mask & STATX_MNT_ID))
			mnt_id = (int)stx.stx_mnt_id;
		dp_snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, real, sizeof(real) - 1);
		real[n > 0 ? n : 0] = '\0';
		rc = dp_mount_lookup(ctx, mnt_id, st.st_dev, real, &mnt);
	}
	if (rc == 0)
		rc = dp_device_lookup(ctx, st.st_dev, &dev);
	if (rc < 0)
		goto fail;
	if (!strcmp(dev->kind, "none") || !dev->name[0]) {
		rc = -ENODEV;
		goto fail;
	}
	dp_snprintf(bb->disk, sizeof(bb->disk), "%s", dev->disk[0] ? dev->disk : dev->name);
	bb->mount = strdup(mnt->target);
	if (!bb->mount) {
		rc = -ENOMEM;
		goto fail;
	}
	s.fs_first = dev->start / 512;
	dp_read_u64(ctx, &disk_sectors, "/sys/block/%s/size", bb->disk);
	if (dp_read_u64(ctx, &fs_sectors, "/sys/class/block/%s/size", dev->name) < 0)
		fs_sectors = disk_sectors - s.fs_first;
	s.fs_sectors = fs_sectors;

	if (list) {
		bb->source = "list";
		for (size_t i = 0; i < count; i++) {
			if (!list[i].count || (disk_sectors && list[i].sector + list[i].count > disk_sectors)) {
				rc = -EINVAL;
				goto fail;
			}
			rc = add_range(bb, &cap, list[i].sector, list[i].count);
			if (rc < 0)
				goto fail;
		}
	} else {
		bb->source = "sysfs";
		rc = read_sysfs_ranges(ctx, bb, &cap);
		if (rc < 0)
			goto fail;
	}
	normalize(bb);
	if (bb->count) {
		rootfd = open(mnt->target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		buf = malloc(PATH_MAX * 4);
		if (rootfd < 0 || !buf) {
			rc = rootfd < 0 ? -errno : -ENOMEM;
			goto fail;
		}
		dp_snprintf(buf, PATH_MAX * 4, "%s", strcmp(mnt->target, "/") ? mnt->target : "");
		rc = walk(&s, rootfd, buf, strlen(buf), PATH_MAX * 4);
		for (size_t i = 0; rc == 0 && i < bb->count; i++)
			rc = classify_gaps(&s, rootfd, &bb->ranges[i]);
		if (rc < 0)
			goto fail;
	}
	*result = bb;
	goto out;
fail:
	daxpolicy_badblocks_free(bb);
out:
	free(buf);
	free(s.seen);
	if (rootfd >= 0)
		close(rootfd);
	if (fd >= 0)
		close(fd);
	if (mnt)
		dp_mount_unref(mnt);
	if (dev)
		dp_device_unref(dev);
	return rc;
}

DAXPOLICY_EXPORT const char *daxpolicy_badblocks_get_disk(struct daxpolicy_badblocks *bb)
{
	return bb->disk;
}

DAXPOLICY_EXPORT const char *daxpolicy_badblocks_get_mount(struct daxpolicy_badblocks *bb)
{
	return bb->mount;
}

DAXPOLICY_EXPORT const char *daxpolicy_badblocks_get_source(struct daxpolicy_badblocks *bb)
{
	return bb->source;
}

DAXPOLICY_EXPORT struct daxpolicy_badrange *daxpolicy_badblocks_get_first(struct daxpolicy_badblocks *bb)
{
	return bb->count ? &bb->ranges[0] : NULL;
}

DAXPOLICY_EXPORT struct daxpolicy_badrange *daxpolicy_badrange_get_next(struct daxpolicy_badrange *r)
{
	return r->next;
}

DAXPOLICY_EXPORT uint64_t daxpolicy_badrange_get_sector(struct daxpolicy_badrange *r)
{
	return r->sector;
}

DAXPOLICY_EXPORT uint64_t daxpolicy_badrange_get_count(struct daxpolicy_badrange *r)
{
	return r->count;
}

DAXPOLICY_EXPORT struct daxpolicy_badhit *daxpolicy_badrange_get_first_hit(struct daxpolicy_badrange *r)
{
	return r->hits;
}

DAXPOLICY_EXPORT struct daxpolicy_badhit *daxpolicy_badhit_get_next(struct daxpolicy_badhit *h)
{
	return h->next;
}

#define HIT_GETTER(type, name)                                                \
	DAXPOLICY_EXPORT type daxpolicy_badhit_get_##name(struct daxpolicy_badhit *h) \
	{                                                                     \
		return h->name;                                               \
	}
HIT_GETTER(enum daxpolicy_hit_kind, kind)
HIT_GETTER(uint64_t, sector)
HIT_GETTER(uint64_t, count)
HIT_GETTER(uint64_t, inode)
HIT_GETTER(uint64_t, file_offset)
HIT_GETTER(uint64_t, length)
HIT_GETTER(bool, unwritten)
HIT_GETTER(bool, shared)

DAXPOLICY_EXPORT const char *daxpolicy_badhit_get_path(struct daxpolicy_badhit *h)
{
	return h->path ? h->path : "";
}
