// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Bad ranges to files the general way: walk the filesystem from its mount
 * root (never following symlinks or entering another filesystem) and
 * intersect every regular file's extents (FIEMAP) with the bad ranges.
 *
 * A file costs open, FIEMAP and close: its type and inode come from the
 * directory entry, and mount points (which a walk must not enter, a file
 * can be one too) from the mount table. Directories are shared out to a
 * few threads.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "badblocks.h"
#include "private.h"

enum {
	MAX_THREADS = 4,
	MAX_QUEUED = 256,   /* directories waiting, each with an open fd */
	PATH_CAP = PATH_MAX * 4,
};

struct dir_job {
	int fd;
	char *path;
};

struct walker {
	struct bb_scan *s;
	char **mounts;   /* mount points below the root, sorted */
	size_t nmounts;
	pthread_mutex_t lock;   /* the queue, and the hits of the ranges */
	pthread_cond_t cond;
	struct dir_job queue[MAX_QUEUED];
	size_t queued, busy;
	int error;
};

/* Every extent of one file against the bad ranges; hits are added under
 * @lock when there is one. */
static int map_file(struct bb_scan *s, pthread_mutex_t *lock, int fd, const char *path, uint64_t ino)
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

int bb_fiemap_file(struct bb_scan *s, int fd, const char *path, const struct stat *st)
{
	return map_file(s, NULL, fd, path, st->st_ino);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_mount_point(const struct walker *w, const char *path)
{
	return w->nmounts && bsearch(&path, w->mounts, w->nmounts, sizeof(*w->mounts), by_string);
}

static void walk_dir(struct walker *w, int dirfd, char *path);

/* A subdirectory: to the queue for any thread, or walked here when the
 * queue is full. */
static void add_dir(struct walker *w, int fd, char *path)
{
	char *copy = NULL;

	pthread_mutex_lock(&w->lock);
	if (w->queued < MAX_QUEUED && (copy = strdup(path))) {
		w->queue[w->queued++] = (struct dir_job){ fd, copy };
		pthread_cond_signal(&w->cond);
		pthread_mutex_unlock(&w->lock);
		return;
	}
	pthread_mutex_unlock(&w->lock);
	walk_dir(w, fd, path);
}

/* Read one directory (and close @dirfd): map its regular files, pass its
 * subdirectories on. @path has room for PATH_CAP bytes. */
static void walk_dir(struct walker *w, int dirfd, char *path)
{
	size_t len = strlen(path);
	struct dirent *de;
	DIR *dir = fdopendir(dirfd);

	if (!dir) {
		close(dirfd);
		return;   /* its files stay unattributed */
	}
	while (!__atomic_load_n(&w->error, __ATOMIC_RELAXED) && (de = readdir(dir))) {
		size_t n = strlen(de->d_name);
		unsigned char type = de->d_type;
		struct stat st;
		int fd;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || len + n + 2 > PATH_CAP ||
		    (type != DT_DIR && type != DT_REG && type != DT_UNKNOWN))
			continue;
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, n + 1);
		if (is_mount_point(w, path)) {
			path[len] = '\0';
			continue;
		}
		fd = openat(dirfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
			    (type == DT_DIR ? O_DIRECTORY : 0));
		if (fd >= 0 && type == DT_UNKNOWN)
			type = fstat(fd, &st) < 0 || st.st_dev != w->s->dev ? DT_UNKNOWN :
			       S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
		if (fd >= 0 && type == DT_DIR) {
			add_dir(w, fd, path);
		} else if (fd >= 0) {
			int rc = type == DT_REG ? map_file(w->s, &w->lock, fd, path, de->d_ino) : 0;

			if (rc < 0)
				__atomic_store_n(&w->error, rc, __ATOMIC_RELAXED);
			close(fd);
		}
		path[len] = '\0';
	}
	closedir(dir);
}

static void *worker(void *arg)
{
	struct walker *w = arg;
	char *path = malloc(PATH_CAP);

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct dir_job job;

		while (!w->queued && w->busy)
			pthread_cond_wait(&w->cond, &w->lock);
		if (!w->queued)
			break;   /* nothing queued, nobody busy: done */
		job = w->queue[--w->queued];
		w->busy++;
		pthread_mutex_unlock(&w->lock);
		if (path && job.path) {
			snprintf(path, PATH_CAP, "%s", job.path);
			walk_dir(w, job.fd, path);
		} else {
			close(job.fd);
			__atomic_store_n(&w->error, -ENOMEM, __ATOMIC_RELAXED);
		}
		free(job.path);
		pthread_mutex_lock(&w->lock);
		w->busy--;
		if (!w->busy)
			pthread_cond_broadcast(&w->cond);
	}
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	free(path);
	return NULL;
}

/* The same file reached by several names is mapped once per name: keep
 * the first name's hits. */
static void drop_duplicate_hits(struct daxpolicy_badblocks *bb)
{
	for (size_t i = 0; i < bb->count; i++) {
		for (struct daxpolicy_badhit *h = bb->ranges[i].hits; h; h = h->next) {
			struct daxpolicy_badhit **o = &h->next;

			while (*o && (*o)->sector == h->sector) {
				if ((*o)->kind == h->kind && (*o)->inode == h->inode) {
					struct daxpolicy_badhit *dup = *o;

					*o = dup->next;
					dup->next = NULL;
					bb_free_hits(dup);
				} else {
					o = &(*o)->next;
				}
			}
		}
	}
}

int bb_fiemap_walk(struct daxpolicy_ctx *ctx, struct bb_scan *s)
{
	struct walker w = { .s = s };
	pthread_t threads[MAX_THREADS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = cpus < 1 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (size_t)cpus, started = 0;
	int rootfd, rc;

	rc = dp_mount_targets_below(ctx, s->root[0] ? s->root : "/", &w.mounts, &w.nmounts);
	if (rc < 0)
		return rc;
	if (w.nmounts)
		qsort(w.mounts, w.nmounts, sizeof(*w.mounts), by_string);
	rootfd = fcntl(s->rootfd, F_DUPFD_CLOEXEC, 0);
	if (rootfd < 0) {
		rc = -errno;
		goto out;
	}
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	w.queue[w.queued++] = (struct dir_job){ rootfd, strdup(s->root) };
	if (!w.queue[0].path)
		w.error = -ENOMEM;
	while (started < nthreads && pthread_create(&threads[started], NULL, worker, &w) == 0)
		started++;
	if (!started)
		worker(&w);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_cond_destroy(&w.cond);
	pthread_mutex_destroy(&w.lock);
	rc = w.error;
	if (rc == 0)
		drop_duplicate_hits(s->bb);
out:
	for (size_t i = 0; i < w.nmounts; i++)
		free(w.mounts[i]);
	free(w.mounts);
	return rc;
}
