// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The FIEMAP walk: every regular file of the filesystem, from its mount
 * root, never following symlinks or entering another filesystem, mapped
 * with bb_fiemap_map().
 *
 * A file costs open, FIEMAP and a share of a close_range(): its type and
 * inode come from the directory entry, and mount points (which a walk must
 * not enter, a file can be one too) from the mount table. A directory is
 * read a large chunk at a time and each chunk visited in inode order, the
 * order of the inode table and, mostly, of the kernel's inode cache: the
 * hash order of a directory scatters the opens over memory (and disk).
 *
 * Directories are shared out to a few threads, each with an fd table of
 * its own: no lock shared by every open and close, and the files a thread
 * opens take consecutive numbers, closed in runs. A queued directory is
 * then passed on as its path, which the thread taking it opens beneath the
 * root with openat2(). Without openat2 the threads share one table and
 * pass open directories.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "badblocks.h"
#include "private.h"

enum {
	MAX_THREADS = 4,
	MAX_QUEUED = 256,   /* directories waiting (each with an open fd without openat2) */
	PATH_CAP = PATH_MAX * 4,
	DIRENT_BUF = 64 * 1024,   /* one chunk of a directory, sorted by inode */
	CLOSE_RUN = 32,           /* files closed at once */
};

struct dir_job {
	int fd;   /* -1: open the path beneath the root */
	char *path;
};

struct walker {
	struct bb_scan *s;
	char **mounts;   /* mount points below the root, sorted */
	size_t nmounts;
	size_t root_len;
	bool by_path;    /* directories queued by path, not fd */
	pthread_mutex_t lock;   /* the queue, and the hits of the ranges */
	pthread_cond_t cond;
	struct dir_job queue[MAX_QUEUED];
	size_t queued, busy;
	int error;
};

struct walk_thread {
	struct walker *w;
	bool own_table;   /* to unshare its fd table */
	int rootfd;       /* the mount's root, in its fd table */
	char path[PATH_CAP];
};

/* Files mapped, not yet closed: a run of consecutive fds. */
struct fd_run {
	int first;
	unsigned int n;
};

static void close_run(struct fd_run *r)
{
	if (r->n > 1 && syscall(SYS_close_range, r->first, r->first + r->n - 1, 0) == 0)
		r->n = 0;
	while (r->n)
		close(r->first + --r->n);
}

/* @fd is closed with the run it extends, or after the run before it. */
static void close_later(struct fd_run *r, int fd)
{
	if (r->n && (fd != r->first + (int)r->n || r->n == CLOSE_RUN))
		close_run(r);
	if (!r->n)
		r->first = fd;
	r->n++;
}

/* A directory by its path from the root (@rel, "" for the root itself):
 * never through a symlink or into another filesystem. */
static int open_beneath(int rootfd, const char *rel)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_NOCTTY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS,
	};
	int fd, tries = 0;

	do   /* EAGAIN: a rename raced with the lookup */
		fd = (int)syscall(SYS_openat2, rootfd, *rel ? rel : ".", &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < 8);
	return fd;
}

static const char *rel_path(const struct walker *w, const char *path)
{
	path += w->root_len;
	return *path == '/' ? path + 1 : path;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_mount_point(const struct walker *w, const char *path)
{
	return w->nmounts && bsearch(&path, w->mounts, w->nmounts, sizeof(*w->mounts), by_string);
}

/* A subdirectory to the queue for any thread, as @fd or by path; false
 * when it is full (or the path too long for openat2): the caller walks
 * it. */
static bool queue_dir(struct walker *w, int fd, const char *path)
{
	char *copy;
	bool queued = false;

	if (w->by_path && strlen(rel_path(w, path)) >= PATH_MAX)
		return false;
	copy = strdup(path);
	if (!copy)
		return false;
	pthread_mutex_lock(&w->lock);
	if (w->queued < MAX_QUEUED) {
		w->queue[w->queued++] = (struct dir_job){ w->by_path ? -1 : fd, copy };
		pthread_cond_signal(&w->cond);
		queued = true;
	}
	pthread_mutex_unlock(&w->lock);
	if (!queued)
		free(copy);
	return queued;
}

static void walk_dir(struct walk_thread *t, int dirfd);

static int open_entry(int dirfd, const char *name, unsigned char type)
{
	return openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
		      (type == DT_DIR ? O_DIRECTORY : 0));
}

/* One entry of the directory @dirfd, whose path (@len long) is t->path. */
static void visit(struct walk_thread *t, int dirfd, const struct dirent64 *de, size_t len,
		  struct fd_run *later)
{
	struct walker *w = t->w;
	char *path = t->path;
	size_t n = strlen(de->d_name);
	unsigned char type = de->d_type;
	struct stat st;
	int fd, rc;

	if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || len + n + 2 > PATH_CAP ||
	    (type != DT_DIR && type != DT_REG && type != DT_UNKNOWN))
		return;
	path[len] = '/';
	memcpy(path + len + 1, de->d_name, n + 1);
	if (is_mount_point(w, path) || (type == DT_DIR && w->by_path && queue_dir(w, -1, path)))
		goto out;
	if (type != DT_REG)
		close_run(later);   /* a directory's fd must not fall inside the run */
	fd = open_entry(dirfd, de->d_name, type);
	if (fd < 0 && errno == EMFILE && later->n) {
		close_run(later);
		fd = open_entry(dirfd, de->d_name, type);
	}
	if (fd < 0)
		goto out;
	if (type == DT_UNKNOWN)
		type = fstat(fd, &st) < 0 || st.st_dev != w->s->dev ? DT_UNKNOWN :
		       S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
	if (type == DT_DIR) {
		if (w->by_path || !queue_dir(w, fd, path))
			walk_dir(t, fd);
		goto out;
	}
	rc = type == DT_REG ? bb_fiemap_map(w->s, &w->lock, fd, path, de->d_ino) : 0;
	if (rc < 0)
		__atomic_store_n(&w->error, rc, __ATOMIC_RELAXED);
	close_later(later, fd);
out:
	path[len] = '\0';
}

static int by_inode(const void *a, const void *b)
{
	const struct dirent64 *x = *(const struct dirent64 *const *)a;
	const struct dirent64 *y = *(const struct dirent64 *const *)b;

	return x->d_ino < y->d_ino ? -1 : x->d_ino > y->d_ino;
}

/* Read one directory (and close @dirfd) a chunk at a time, each in inode
 * order: map its regular files, pass its subdirectories on. Its path is
 * t->path, which has room for PATH_CAP bytes. */
static void walk_dir(struct walk_thread *t, int dirfd)
{
	size_t len = strlen(t->path), cap = DIRENT_BUF / 16;   /* no record is smaller */
	struct fd_run later = { 0 };
	char *buf = malloc(DIRENT_BUF);
	const struct dirent64 **ents = malloc(cap * sizeof(*ents));
	ssize_t got;

	if (!buf || !ents)
		__atomic_store_n(&t->w->error, -ENOMEM, __ATOMIC_RELAXED);
	while (!__atomic_load_n(&t->w->error, __ATOMIC_RELAXED) &&
	       (got = getdents64(dirfd, buf, DIRENT_BUF)) > 0) {
		size_t n = 0;

		for (ssize_t off = 0; off < got && n < cap; off += ents[n++]->d_reclen)
			ents[n] = (const struct dirent64 *)(buf + off);
		qsort(ents, n, sizeof(*ents), by_inode);
		for (size_t i = 0; i < n && !__atomic_load_n(&t->w->error, __ATOMIC_RELAXED); i++)
			visit(t, dirfd, ents[i], len, &later);
	}
	close_run(&later);
	free(ents);
	free(buf);
	close(dirfd);
}

/* The thread's own fd table, holding only the root, as fd 3 where it
 * can: what the thread opens then takes consecutive numbers. */
static void own_fd_table(struct walk_thread *t)
{
	int root = t->rootfd, fd;

	if (unshare(CLONE_FILES) < 0)
		return;   /* then shared: the walk is the same */
	if (root > 3)
		syscall(SYS_close_range, 3, root - 1, 0);
	syscall(SYS_close_range, root + 1, ~0U, 0);
	if (root > 3 && (fd = fcntl(root, F_DUPFD_CLOEXEC, 3)) >= 0) {
		close(fd == 3 ? root : fd);
		if (fd == 3)
			t->rootfd = 3;
	}
}

static void *worker(void *arg)
{
	struct walk_thread *t = arg;
	struct walker *w = t->w;

	if (t->own_table)
		own_fd_table(t);
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
		if (job.path) {
			snprintf(t->path, PATH_CAP, "%s", job.path);
			if (job.fd < 0)
				job.fd = open_beneath(t->rootfd, rel_path(w, t->path));
			if (job.fd >= 0)
				walk_dir(t, job.fd);   /* else its files stay unattributed */
		} else {
			if (job.fd >= 0)
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
	if (t->rootfd != w->s->rootfd)
		close(t->rootfd);
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
	struct walker w = { .s = s, .root_len = strlen(s->root) };
	struct walk_thread *threads = NULL;
	pthread_t ids[MAX_THREADS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = cpus < 1 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (size_t)cpus, started = 0;
	int rootfd, rc;

	rc = dp_mount_targets_below(ctx, s->root[0] ? s->root : "/", &w.mounts, &w.nmounts);
	if (rc < 0)
		return rc;
	if (w.nmounts)
		qsort(w.mounts, w.nmounts, sizeof(*w.mounts), by_string);
	threads = calloc(nthreads, sizeof(*threads));
	if (!threads) {
		rc = -ENOMEM;
		goto out;
	}
	/* Threads of their own fd tables where openat2() can open a queued
	 * directory for them. */
	rootfd = open_beneath(s->rootfd, "");
	w.by_path = rootfd >= 0;
	if (w.by_path) {
		close(rootfd);
		rootfd = -1;
	} else if ((rootfd = fcntl(s->rootfd, F_DUPFD_CLOEXEC, 0)) < 0) {
		rc = -errno;
		goto out;
	}
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	w.queue[w.queued++] = (struct dir_job){ rootfd, strdup(s->root) };
	if (!w.queue[0].path)
		w.error = -ENOMEM;
	for (; started < nthreads; started++) {
		threads[started].w = &w;
		threads[started].own_table = w.by_path;
		threads[started].rootfd = s->rootfd;
		if (pthread_create(&ids[started], NULL, worker, &threads[started]))
			break;
	}
	if (!started) {
		threads[0].own_table = false;   /* the caller's thread keeps its table */
		worker(&threads[0]);
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(ids[i], NULL);
	pthread_cond_destroy(&w.cond);
	pthread_mutex_destroy(&w.lock);
	rc = w.error;
	if (rc == 0)
		drop_duplicate_hits(s->bb);
out:
	free(threads);
	for (size_t i = 0; i < w.nmounts; i++)
		free(w.mounts[i]);
	free(w.mounts);
	return rc;
}
