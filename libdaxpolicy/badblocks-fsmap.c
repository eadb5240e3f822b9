// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Bad ranges through the filesystem's reverse map (FS_IOC_GETFSMAP): who
 * owns a physical range. XFS with rmapbt names the inode and file offset of
 * every owner (each owner of a reflinked extent); ext4 and XFS without
 * rmapbt name only metadata and free space, so their file data needs the
 * FIEMAP walk. Inode numbers become paths with one walk of the directories
 * that compares d_ino, without opening or stat'ing files.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <linux/fsmap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "badblocks.h"

enum { SPAN_DONE = 0, SPAN_NEEDS_WALK = 1 };

static int add_unknown(struct daxpolicy_badrange *r, uint64_t from, uint64_t to)
{
	if (from < to && !bb_new_hit(r, DAXPOLICY_HIT_UNKNOWN, from, to - from))
		return -ENOMEM;
	return 0;
}

/* One reverse-map record, clipped to [a, b) bytes of the filesystem's
 * device, as a hit on @r. SPAN_NEEDS_WALK for file data of no named owner
 * unless @after_walk (then it is unknown). */
static int add_record(struct bb_scan *s, struct daxpolicy_badrange *r, const struct fsmap *m,
		      uint64_t a, uint64_t b, bool after_walk)
{
	uint64_t sector = s->fs_first + a / 512, count = (b - a + 511) / 512;
	enum daxpolicy_hit_kind kind = DAXPOLICY_HIT_METADATA;
	struct daxpolicy_badhit *h;

	if (m->fmr_flags & FMR_OF_SPECIAL_OWNER) {
		if (m->fmr_owner == FMR_OWN_FREE)
			kind = DAXPOLICY_HIT_UNALLOCATED;
		else if (m->fmr_owner == FMR_OWN_UNKNOWN) {
			if (!after_walk)
				return SPAN_NEEDS_WALK;
			kind = DAXPOLICY_HIT_UNKNOWN;
		}
	} else if (!(m->fmr_flags & (FMR_OF_ATTR_FORK | FMR_OF_EXTENT_MAP))) {
		kind = DAXPOLICY_HIT_FILE;
	}
	h = bb_new_hit(r, kind, sector, count);
	if (!h)
		return -ENOMEM;
	if (kind == DAXPOLICY_HIT_FILE) {
		h->inode = m->fmr_owner;
		h->file_offset = m->fmr_offset + (a - m->fmr_physical);
		h->length = b - a;
		h->unwritten = m->fmr_flags & FMR_OF_PREALLOC;
		h->shared = m->fmr_flags & FMR_OF_SHARED;
	}
	return SPAN_DONE;
}

/*
 * Attribute the disk sectors [first, end) of @r (inside the filesystem)
 * with GETFSMAP; sectors no record covers are unknown after the walk, and
 * need the walk before it. Returns SPAN_DONE, SPAN_NEEDS_WALK, -EOPNOTSUPP
 * when the filesystem has no GETFSMAP (before the walk only), or another
 * negative errno.
 */
static int attribute_span(struct bb_scan *s, struct daxpolicy_badrange *r, uint64_t first,
			  uint64_t end, bool after_walk)
{
	struct {
		struct fsmap_head head;
		struct fsmap recs[16];
	} q;
	uint64_t lo = (first - s->fs_first) * 512, hi = (end - s->fs_first) * 512;
	uint64_t done = first;   /* sectors before this are attributed */
	uint64_t bs = s->block_size ? s->block_size : 4096;
	int rc;

	memset(&q.head, 0, sizeof(q.head));
	q.head.fmh_count = 16;
	q.head.fmh_keys[0].fmr_device = (uint32_t)s->dev;
	q.head.fmh_keys[0].fmr_physical = lo;
	q.head.fmh_keys[1].fmr_device = (uint32_t)s->dev;
	/* A block past the end: 6.1 reports free space only to a query that
	 * reaches beyond the free block (what lies outside is skipped). */
	q.head.fmh_keys[1].fmr_physical = (hi + 2 * bs - 1) / bs * bs - 1;
	q.head.fmh_keys[1].fmr_flags = ~0u;
	q.head.fmh_keys[1].fmr_owner = ~0ull;
	q.head.fmh_keys[1].fmr_offset = ~0ull;
	for (;;) {
		if (ioctl(s->rootfd, FS_IOC_GETFSMAP, &q.head) < 0) {
			if (errno != ENOTTY && errno != EOPNOTSUPP)
				return -errno;
			/* No GETFSMAP: after the walk, what is left is unknown. */
			return after_walk ? add_unknown(r, done, end) : -EOPNOTSUPP;
		}
		for (unsigned int i = 0; i < q.head.fmh_entries; i++) {
			const struct fsmap *m = &q.head.fmh_recs[i];
			uint64_t a = m->fmr_physical > lo ? m->fmr_physical : lo;
			uint64_t b = m->fmr_physical + m->fmr_length < hi ? m->fmr_physical + m->fmr_length : hi;

			if (m->fmr_device != (uint32_t)s->dev || b <= a)
				continue;
			/* A gap in the map: an owner it does not know (older
			 * kernels leave out what XFS without rmapbt cannot name). */
			if (!after_walk && s->fs_first + a / 512 > done)
				return SPAN_NEEDS_WALK;
			rc = add_unknown(r, done, s->fs_first + a / 512);
			if (rc == 0)
				rc = add_record(s, r, m, a, b, after_walk);
			if (rc != SPAN_DONE)
				return rc;
			if (s->fs_first + (b + 511) / 512 > done)
				done = s->fs_first + (b + 511) / 512;
		}
		if (q.head.fmh_entries == 0 ||
		    (q.head.fmh_recs[q.head.fmh_entries - 1].fmr_flags & FMR_OF_LAST))
			break;
		/* Continue after the last record. */
		q.head.fmh_keys[0] = q.head.fmh_recs[q.head.fmh_entries - 1];
	}
	if (!after_walk && done < end)
		return SPAN_NEEDS_WALK;
	return add_unknown(r, done, end);
}

/* Attribute [first, end) of @r, with what lies outside the filesystem
 * (before a partition, after it) unknown. */
static int attribute_range(struct bb_scan *s, struct daxpolicy_badrange *r, uint64_t first,
			   uint64_t end, bool after_walk)
{
	uint64_t fs_end = s->fs_first + s->fs_sectors;
	uint64_t a = first > s->fs_first ? first : s->fs_first, b = end < fs_end ? end : fs_end;
	int rc;

	rc = add_unknown(r, first, a < end ? a : end);
	if (rc == 0 && a < b)
		rc = attribute_span(s, r, a, b, after_walk);
	if (rc == 0)
		rc = add_unknown(r, b > first ? b : first, end);
	return rc;
}

int bb_fsmap_classify_gaps(struct bb_scan *s, struct daxpolicy_badrange *r)
{
	uint64_t pos = r->sector, end = r->sector + r->count;
	struct daxpolicy_badhit *files = r->hits;   /* only file hits so far */
	int rc = 0;

	r->hits = NULL;
	/* The file hits are in sector order; attribute the gaps between them. */
	for (struct daxpolicy_badhit *h = files; h && rc == 0; h = h->next) {
		if (h->sector > pos)
			rc = attribute_range(s, r, pos, h->sector, true);
		if (h->sector + h->count > pos)
			pos = h->sector + h->count;
	}
	if (rc == 0 && pos < end)
		rc = attribute_range(s, r, pos, end, true);
	/* Put the file hits back, in order. */
	while (files) {
		struct daxpolicy_badhit *h = files, **at;

		files = files->next;
		for (at = &r->hits; *at && (*at)->sector <= h->sector; at = &(*at)->next)
			;
		h->next = *at;
		*at = h;
	}
	return rc;
}

/* ------------------------------------------------------------------ paths */

struct names {
	uint64_t *ino;     /* sorted, unique */
	char **path;
	bool *is_dir;
	size_t n, left;
};

static int by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static ssize_t find_ino(const struct names *nm, uint64_t ino)
{
	const uint64_t *p = bsearch(&ino, nm->ino, nm->n, sizeof(ino), by_u64);

	return p ? p - nm->ino : -1;
}

/* Name the wanted inodes: readdir only, directories opened to descend (and
 * checked to be on the same filesystem). */
static int name_walk(struct bb_scan *s, struct names *nm, int dirfd, char *path, size_t len, size_t cap)
{
	int rc = 0, dup_fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	struct dirent *de;
	DIR *dir;

	dir = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	if (!dir) {
		if (dup_fd >= 0)
			close(dup_fd);
		return 0;   /* unreadable directory: its files stay unnamed */
	}
	while (rc == 0 && nm->left && (de = readdir(dir))) {
		size_t n = strlen(de->d_name);
		ssize_t k;
		struct stat st;
		int fd;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || len + n + 2 > cap)
			continue;
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, n + 1);
		k = find_ino(nm, de->d_ino);
		if (k >= 0 && !nm->path[k]) {
			nm->path[k] = strdup(path);
			if (!nm->path[k])
				rc = -ENOMEM;
			nm->is_dir[k] = de->d_type == DT_DIR;
			nm->left--;
		}
		if (rc == 0 && (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN)) {
			fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0) {
				if (fstat(fd, &st) == 0 && st.st_dev == s->dev) {
					if (k >= 0)
						nm->is_dir[k] = true;
					rc = name_walk(s, nm, fd, path, len + 1 + n, cap);
				}
				close(fd);
			}
		}
		path[len] = '\0';
	}
	closedir(dir);
	return rc;
}

/* Paths for the inodes of the file hits; a directory's blocks are
 * metadata. */
static int name_owners(struct bb_scan *s)
{
	struct daxpolicy_badblocks *bb = s->bb;
	struct names nm = { 0 };
	size_t cap = PATH_MAX * 4, n = 0;
	char *path = NULL;
	int rc = -ENOMEM;

	for (size_t i = 0; i < bb->count; i++)
		for (struct daxpolicy_badhit *h = bb->ranges[i].hits; h; h = h->next)
			n += h->kind == DAXPOLICY_HIT_FILE;
	if (!n)
		return 0;
	nm.ino = malloc(n * sizeof(*nm.ino));
	nm.path = calloc(n, sizeof(*nm.path));
	nm.is_dir = calloc(n, sizeof(*nm.is_dir));
	path = malloc(cap);
	if (!nm.ino || !nm.path || !nm.is_dir || !path)
		goto out;
	for (size_t i = 0; i < bb->count; i++)
		for (struct daxpolicy_badhit *h = bb->ranges[i].hits; h; h = h->next)
			if (h->kind == DAXPOLICY_HIT_FILE)
				nm.ino[nm.n++] = h->inode;
	qsort(nm.ino, nm.n, sizeof(*nm.ino), by_u64);
	n = 0;
	for (size_t i = 0; i < nm.n; i++)
		if (!n || nm.ino[n - 1] != nm.ino[i])
			nm.ino[n++] = nm.ino[i];
	nm.n = nm.left = n;
	snprintf(path, cap, "%s", s->root);
	rc = name_walk(s, &nm, s->rootfd, path, strlen(path), cap);
	for (size_t i = 0; rc == 0 && i < bb->count; i++) {
		for (struct daxpolicy_badhit *h = bb->ranges[i].hits; h; h = h->next) {
			ssize_t k = h->kind == DAXPOLICY_HIT_FILE ? find_ino(&nm, h->inode) : -1;

			if (k < 0 || !nm.path[k])
				continue;   /* unlinked, or below an unreadable directory */
			if (nm.is_dir[k]) {
				h->kind = DAXPOLICY_HIT_METADATA;
				continue;
			}
			h->path = strdup(nm.path[k]);
			if (!h->path)
				rc = -ENOMEM;
		}
	}
out:
	for (size_t i = 0; nm.path && i < nm.n; i++)
		free(nm.path[i]);
	free(nm.ino);
	free(nm.path);
	free(nm.is_dir);
	free(path);
	return rc;
}

/* Owners of the same sectors share them, whatever the flags say. */
static void mark_shared(struct daxpolicy_badrange *r)
{
	for (struct daxpolicy_badhit *h = r->hits; h; h = h->next)
		for (struct daxpolicy_badhit *o = h->next; o && o->sector < h->sector + h->count; o = o->next)
			if (h->kind == DAXPOLICY_HIT_FILE && o->kind == DAXPOLICY_HIT_FILE &&
			    o->inode != h->inode)
				h->shared = o->shared = true;
}

int bb_fsmap_attribute(struct bb_scan *s)
{
	struct daxpolicy_badblocks *bb = s->bb;
	int rc = SPAN_DONE;

	for (size_t i = 0; rc == SPAN_DONE && i < bb->count; i++)
		rc = attribute_range(s, &bb->ranges[i], bb->ranges[i].sector,
				     bb->ranges[i].sector + bb->ranges[i].count, false);
	if (rc != SPAN_DONE) {
		for (size_t i = 0; i < bb->count; i++) {
			bb_free_hits(bb->ranges[i].hits);
			bb->ranges[i].hits = NULL;
		}
		return rc == SPAN_NEEDS_WALK || rc == -EOPNOTSUPP || rc == -EINVAL ? 0 : rc;
	}
	for (size_t i = 0; i < bb->count; i++)
		mark_shared(&bb->ranges[i]);
	rc = name_owners(s);
	return rc < 0 ? rc : 1;
}
