// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The tree walk (walk.h): directory descriptors only, every directory
 * checked to be on the top's mount by its mount id, a chunk of a directory
 * at a time in inode order, shared out to threads with fd tables of their
 * own where openat2() can reopen a queued directory beneath the top.
 *
 * Why inode order and own fd tables: a file costs open and a share of a
 * close_range(); the hash order of a directory scatters the opens over the
 * inode cache (and disk), and a shared fd table makes every open and close
 * of every thread take one lock. A thread's files take consecutive numbers
 * in its own table, and are closed in runs.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

#include "kernel-abi.h"
#include "private.h"
#include "walk.h"

enum {
	MAX_THREADS = 8,
	MAX_QUEUED = 256,   /* directories waiting (each with an open fd without openat2) */
	PATH_CAP = PATH_MAX * 4,
	DIRENT_BUF = 64 * 1024,   /* one chunk of a directory, sorted by inode */
	CLOSE_RUN = 32,           /* files closed at once */
};

#define RESOLVE_TREE (RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)
#define MOUNT_POINT "a mount point: what is mounted here is not part of the tree"

struct dir_job {
	int fd;   /* -1: open the path beneath the top */
	char *path;
};

struct dp_walk {
	struct daxpolicy_ctx *ctx;
	const struct dp_walk_ops *ops;
	void *arg;
	const char *top;     /* the top's name in reports */
	size_t top_len;
	bool relative;       /* entries named from the top: "a/b", not "TOP/a/b" */
	uint64_t mnt_id;     /* the top's mount */
	bool mnt_unique;     /* ... as STATX_MNT_ID_UNIQUE */
	bool check_files;    /* mounts hang off the top's mount: check files too */
	bool by_path;        /* directories queued by path, not fd */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct dir_job queue[MAX_QUEUED];
	size_t queued, busy;
	int error;
};

struct walk_thread {
	struct dp_walk *w;
	bool own_table;   /* to unshare its fd table */
	int rootfd;       /* the top, in its fd table */
	char path[PATH_CAP];
};

/* ThreadSanitizer keeps one table of descriptors per process and sees only
 * the closes it intercepts: under it the threads share the table (as where
 * unshare() fails) and close one descriptor at a time. */
#ifdef __SANITIZE_THREAD__
#define UNDER_TSAN true
#else
#define UNDER_TSAN false
#endif

/* Files opened, not yet closed: a run of consecutive fds. */
struct dp_fd_run {
	int first;
	unsigned int n;
};

static void close_run(struct dp_fd_run *r)
{
	if (!UNDER_TSAN && r->n > 1 && syscall(SYS_close_range, r->first, r->first + r->n - 1, 0) == 0)
		r->n = 0;
	while (r->n)
		close(r->first + (int)--r->n);
}

void dp_walk_close_later(struct dp_walk_file *f, int fd)
{
	struct dp_fd_run *r = f->later;

	if (r->n && (fd != r->first + (int)r->n || r->n == CLOSE_RUN))
		close_run(r);
	if (!r->n)
		r->first = fd;
	r->n++;
}

/* The mount id from /proc/thread-self/fdinfo (the thread's own fd table). */
static int fdinfo_mount_id(int fd, uint64_t *id)
{
	char path[64], line[128];
	FILE *f;
	int rc = -ENODATA;

	dp_snprintf(path, sizeof(path), "/proc/thread-self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "mnt_id: %" SCNu64, id) == 1) {
			rc = 0;
			break;
		}
	fclose(f);
	return rc;
}

int dp_mount_id(int fd, uint64_t *id, bool *unique)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID_UNIQUE, &stx) == 0 &&
	    (stx.stx_mask & STATX_MNT_ID_UNIQUE)) {
		*id = stx.stx_mnt_id;
		*unique = true;
		return 0;
	}
	*unique = false;
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) == 0 &&
	    (stx.stx_mask & STATX_MNT_ID)) {
		*id = stx.stx_mnt_id;
		return 0;
	}
	return fdinfo_mount_id(fd, id);
}

/* Is @fd on the top's mount? (Same kind of id as the top's.) */
static bool on_top_mount(const struct dp_walk *w, int fd)
{
	struct statx stx;
	unsigned int mask = w->mnt_unique ? STATX_MNT_ID_UNIQUE : STATX_MNT_ID;
	uint64_t id;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, mask, &stx) == 0 && (stx.stx_mask & mask))
		return stx.stx_mnt_id == w->mnt_id;
	return fdinfo_mount_id(fd, &id) == 0 && id == w->mnt_id;
}

/* Are other mounts attached to the mount of @fd (old-style id @id)? Then a
 * file could be a mount point. On doubt, yes. */
static bool has_child_mounts(int fd)
{
	struct statx stx;
	char *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0 || !(stx.stx_mask & STATX_MNT_ID))
		return true;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return true;
	while (!found && getline(&line, &cap, f) > 0) {
		uint64_t id, parent;

		if (sscanf(line, "%" SCNu64 " %" SCNu64, &id, &parent) == 2 && parent == stx.stx_mnt_id &&
		    id != stx.stx_mnt_id)
			found = true;
	}
	free(line);
	fclose(f);
	return found;
}

static void skip(struct dp_walk *w, const char *path, const char *why)
{
	if (w->ops->skip)
		w->ops->skip(w->arg, path, why);
}

static void fail(struct dp_walk *w, const char *path, int err)
{
	if (w->ops->fail)
		w->ops->fail(w->arg, path, err);
}

static void set_error(struct dp_walk *w, int rc)
{
	__atomic_store_n(&w->error, rc, __ATOMIC_RELAXED);
}

static int get_error(struct dp_walk *w)
{
	return __atomic_load_n(&w->error, __ATOMIC_RELAXED);
}

/* A directory by its path from @dirfd: never through a symlink, a
 * magic link, "..", or into another mount. */
static int open_beneath(int dirfd, const char *rel)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_NOCTTY | O_CLOEXEC,
		.resolve = RESOLVE_TREE,
	};
	int fd, tries = 0;

	do   /* EAGAIN: a rename raced with the lookup */
		fd = (int)syscall(SYS_openat2, dirfd, *rel ? rel : ".", &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < 8);
	return fd;
}

/* A subdirectory @name of @dirfd. */
static int open_dir(const struct dp_walk *w, int dirfd, const char *name)
{
	if (w->by_path)
		return open_beneath(dirfd, name);
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
}

static const char *rel_path(const struct dp_walk *w, const char *path)
{
	path += w->top_len;
	return *path == '/' ? path + 1 : path;
}

/* A subdirectory to the queue for any thread, as @fd or by path; false
 * when it is full (or the path too long for openat2): the caller walks
 * it. */
static bool queue_dir(struct dp_walk *w, int fd, const char *path)
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

/* A directory just opened at @fd (named t->path): walk it when it is on
 * the top's mount and the caller wants it; @fd is closed. */
static void enter_dir(struct walk_thread *t, int fd)
{
	struct dp_walk *w = t->w;
	int rc = 0;

	if (!on_top_mount(w, fd)) {
		skip(w, t->path, MOUNT_POINT);
		close(fd);
		return;
	}
	if (w->ops->dir)
		rc = w->ops->dir(w->arg, fd, t->path);
	if (rc < 0)
		set_error(w, rc);
	if (rc)
		close(fd);
	else
		walk_dir(t, fd);
}

static void open_failed(struct dp_walk *w, const char *path, int err)
{
	if (err == EXDEV)
		skip(w, path, MOUNT_POINT);
	else if (err != ENOENT && err != ELOOP && err != ENOTDIR)
		fail(w, path, err);   /* else: removed, or swapped for a non-directory */
}

int dp_walk_open_file(struct dp_walk_file *f, int flags)
{
	struct dp_walk *w = f->w;
	int fd;

	flags |= O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	fd = openat(f->dirfd, f->name, flags);
	if (fd < 0 && errno == EMFILE && f->later->n) {
		close_run(f->later);
		fd = openat(f->dirfd, f->name, flags);
	}
	if (fd < 0)
		return -errno;
	if (w->check_files && !on_top_mount(w, fd)) {
		close(fd);
		skip(w, f->path, MOUNT_POINT);
		return -EXDEV;
	}
	return fd;
}

/* One entry of the directory @dirfd, whose path (@len long) is t->path. */
static void visit(struct walk_thread *t, int dirfd, const struct dirent64 *de, size_t len,
		  struct dp_fd_run *later)
{
	struct dp_walk *w = t->w;
	char *path = t->path;
	size_t n = strlen(de->d_name);
	unsigned char type = de->d_type;
	size_t at = len;
	int fd, rc;

	if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
		return;
	if (type != DT_DIR && type != DT_REG && type != DT_UNKNOWN)
		return;   /* symlinks, devices, FIFOs, sockets: no DAX, not followed */
	if (len || !w->relative)
		path[at++] = '/';
	if (at + n + 1 > PATH_CAP) {
		path[len] = '\0';
		fail(w, path, ENAMETOOLONG);
		return;
	}
	memcpy(path + at, de->d_name, n + 1);
	if (type == DT_UNKNOWN) {
		struct statx stx;

		if (statx(dirfd, de->d_name, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx) < 0)
			goto out;
		type = S_ISDIR(stx.stx_mode) ? DT_DIR : S_ISREG(stx.stx_mode) ? DT_REG : DT_UNKNOWN;
	}
	if (type == DT_DIR) {
		if (w->by_path && queue_dir(w, -1, path))
			goto out;
		close_run(later);   /* a directory's fd must not fall inside the run */
		fd = open_dir(w, dirfd, de->d_name);
		if (fd < 0) {
			open_failed(w, path, errno);
			goto out;
		}
		if (!w->by_path && queue_dir(w, fd, path))
			goto out;   /* the queue owns fd now, entered by whoever takes it */
		enter_dir(t, fd);
	} else if (type == DT_REG) {
		struct dp_walk_file f = {
			.w = w, .later = later, .dirfd = dirfd, .name = de->d_name,
			.path = path, .ino = de->d_ino,
		};

		rc = w->ops->file(w->arg, &f);
		if (rc < 0)
			set_error(w, rc);
	}
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
 * order. Its path is t->path, which has room for PATH_CAP bytes. */
static void walk_dir(struct walk_thread *t, int dirfd)
{
	size_t len = strlen(t->path), cap = DIRENT_BUF / 16;   /* no record is smaller */
	struct dp_fd_run later = { 0 };
	char *buf = malloc(DIRENT_BUF);
	const struct dirent64 **ents = malloc(cap * sizeof(*ents));
	ssize_t got = 0;

	if (!buf || !ents)
		set_error(t->w, -ENOMEM);
	while (!get_error(t->w) && (got = getdents64(dirfd, buf, DIRENT_BUF)) > 0) {
		size_t n = 0;

		for (ssize_t off = 0; off < got && n < cap; off += ents[n++]->d_reclen)
			ents[n] = (const struct dirent64 *)(buf + off);
		qsort(ents, n, sizeof(*ents), by_inode);
		for (size_t i = 0; i < n && !get_error(t->w); i++)
			visit(t, dirfd, ents[i], len, &later);
	}
	if (got < 0)
		fail(t->w, t->path, errno);
	close_run(&later);
	free(ents);
	free(buf);
	close(dirfd);
}

/* The thread's own fd table, holding only the top, as fd 3 where it can:
 * what the thread opens then takes consecutive numbers. */
static void own_fd_table(struct walk_thread *t)
{
	int root = t->rootfd, fd;

	if (unshare(CLONE_FILES) < 0) {
		t->own_table = false;   /* then shared: the walk is the same */
		return;
	}
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
	struct dp_walk *w = t->w;

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
			dp_snprintf(t->path, PATH_CAP, "%s", job.path);
			if (job.fd >= 0 && !*rel_path(w, t->path)) {
				walk_dir(t, job.fd);   /* the top */
			} else if (job.fd >= 0) {
				enter_dir(t, job.fd);
			} else if (!*rel_path(w, t->path)) {
				job.fd = fcntl(t->rootfd, F_DUPFD_CLOEXEC, 0);
				if (job.fd >= 0)
					walk_dir(t, job.fd);   /* the top */
			} else if ((job.fd = open_beneath(t->rootfd, rel_path(w, t->path))) >= 0) {
				enter_dir(t, job.fd);
			} else {
				open_failed(w, t->path, errno);
			}
		} else {
			if (job.fd >= 0)
				close(job.fd);
			set_error(w, -ENOMEM);
		}
		free(job.path);
		pthread_mutex_lock(&w->lock);
		w->busy--;
		if (!w->busy)
			pthread_cond_broadcast(&w->cond);
	}
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	if (t->own_table && t->rootfd >= 0)
		close(t->rootfd);
	return NULL;
}

int dp_walk_tree(struct daxpolicy_ctx *ctx, int topfd, const char *top,
		 const struct dp_walk_ops *ops, void *arg)
{
	struct dp_walk w = { .ctx = ctx, .ops = ops, .arg = arg, .top = top ? top : "", .relative = !top };
	struct walk_thread *threads;
	pthread_t ids[MAX_THREADS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = ops->max_threads ? ops->max_threads : 1, started = 0;
	int fd;

	w.top_len = strlen(w.top);
	if (cpus > 0 && ops->threads_per_cpu && (size_t)cpus * ops->threads_per_cpu < nthreads)
		nthreads = (size_t)cpus * ops->threads_per_cpu;
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	if (dp_mount_id(topfd, &w.mnt_id, &w.mnt_unique) < 0) {
		err(ctx, "cannot tell the mount of the directory to walk: %s", strerror(errno));
		return -EOPNOTSUPP;
	}
	w.check_files = has_child_mounts(topfd);
	threads = calloc(nthreads, sizeof(*threads));
	if (!threads)
		return -ENOMEM;
	/* Threads of their own fd tables where openat2() can open a queued
	 * directory for them. The tests take the other way too, by asking. */
	fd = secure_getenv("DAXPOLICY_TEST_NO_OPENAT2") ? -1 : open_beneath(topfd, "");
	w.by_path = fd >= 0;
	if (w.by_path) {
		close(fd);
		fd = -1;
	} else if ((fd = fcntl(topfd, F_DUPFD_CLOEXEC, 0)) < 0) {
		free(threads);
		return -errno;
	}
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	w.queue[w.queued++] = (struct dir_job){ fd, strdup(w.top) };
	if (!w.queue[0].path)
		w.error = -ENOMEM;
	for (; started < nthreads; started++) {
		threads[started].w = &w;
		threads[started].own_table = w.by_path && !UNDER_TSAN;
		threads[started].rootfd = topfd;
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
	free(threads);
	return w.error;
}
