// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Bad ranges to files the slow, general way: walk the filesystem from its
 * mount root (never following symlinks or entering another filesystem) and
 * intersect every regular file's extents (FIEMAP) with the bad ranges.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "badblocks.h"

static bool seen_before(struct bb_scan *s, const struct stat *st)
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
int bb_fiemap_file(struct bb_scan *s, int fd, const char *path, const struct stat *st)
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
			for (size_t k = bb_first_range_after(s->bb, first);
			     k < s->bb->count && s->bb->ranges[k].sector < end; k++) {
				struct daxpolicy_badrange *r = &s->bb->ranges[k];
				uint64_t a = r->sector > first ? r->sector : first;
				uint64_t b = r->sector + r->count < end ? r->sector + r->count : end;
				struct daxpolicy_badhit *h = bb_new_hit(r, DAXPOLICY_HIT_FILE, a, b - a);

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
static int walk(struct bb_scan *s, int dirfd, char *path, size_t len, size_t cap)
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
				rc = bb_fiemap_file(s, fd, path, &st);
			path[len] = '\0';
		}
		close(fd);
	}
	closedir(dir);
	return rc;
}

int bb_fiemap_walk(struct bb_scan *s)
{
	size_t cap = PATH_MAX * 4;
	char *path = malloc(cap);
	int rc;

	if (!path)
		return -ENOMEM;
	snprintf(path, cap, "%s", s->root);
	rc = walk(s, s->rootfd, path, strlen(path), cap);
	free(path);
	return rc;
}
