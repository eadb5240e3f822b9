// SPDX-License-Identifier: GPL-2.0-or-later
/* Applying a DAX flag to an existing tree from directory descriptors. */
#include "config.h"

#include <dirent.h>
#include <libmount.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <linux/fs.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <daxpolicy/libdaxpolicy.h>

#include "json.h"
#include "tree-walk.h"

/* file_getattr(2)/file_setattr(2) (Linux 6.17): the DAX flag of a file
 * without opening it, half the system calls of open+ioctl+ioctl+close. */
#ifndef __NR_file_getattr
#define __NR_file_getattr 468
#define __NR_file_setattr 469
#endif
struct file_attr_v0 {
	uint64_t fa_xflags;
	uint32_t fa_extsize, fa_nextents, fa_projid, fa_cowextsize;
};

static int file_getattr(int dirfd, const char *name, struct file_attr_v0 *fa)
{
	return (int)syscall(__NR_file_getattr, dirfd, name, fa, sizeof(*fa), AT_SYMLINK_NOFOLLOW);
}

static int file_setattr(int dirfd, const char *name, struct file_attr_v0 *fa)
{
	return (int)syscall(__NR_file_setattr, dirfd, name, fa, sizeof(*fa), AT_SYMLINK_NOFOLLOW);
}

/* A directory to walk: its open descriptor and its name for reports. */
struct walk_item {
	struct walk_item *next;
	int fd;
	char *path;
};

/* Beyond this many queued directories, walk inline: bounded descriptors. */
#define MAX_QUEUED 256

/* JSON and the changed-file list are shared: callers hold w->lock. */
static void failed(struct tree_walk *w, const char *path, int err)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "path", json_path(path));
	json_object_object_add(o, "errno", json_object_new_int(err));
	json_object_object_add(o, "error", json_object_new_string(strerror(err)));
	json_object_array_add(w->failed, o);
}

static void failed_locked(struct tree_walk *w, const char *path, int err)
{
	pthread_mutex_lock(&w->lock);
	failed(w, path, err);
	pthread_mutex_unlock(&w->lock);
}

static void skipped(struct tree_walk *w, const char *path, const char *why)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "path", json_path(path));
	json_object_object_add(o, "reason", json_object_new_string(why));
	pthread_mutex_lock(&w->lock);
	json_object_array_add(w->skipped, o);
	pthread_mutex_unlock(&w->lock);
}

static int remember_file(struct tree_walk *w, const char *path, const struct stat *st)
{
	if (w->nfiles == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		struct changed_file *bigger = realloc(w->files, cap * sizeof(*bigger));

		if (!bigger)
			return -ENOMEM;
		w->files = bigger;
		w->cap = cap;
	}
	w->files[w->nfiles].path = strdup(path);
	if (!w->files[w->nfiles].path)
		return -ENOMEM;
	w->files[w->nfiles].dev = st->st_dev;
	w->files[w->nfiles].ino = st->st_ino;
	w->nfiles++;
	return 0;
}

/* Set the flag of one open entry; a changed regular file is remembered. */
static int apply(struct tree_walk *w, int fd, const char *path, const struct stat *st)
{
	struct json_object *name;
	struct fsxattr fsx;
	bool changed = false;
	int rc;

	if (w->dry_run) {
		rc = ioctl(fd, FS_IOC_FSGETXATTR, &fsx) < 0 ? -errno : 0;
		changed = rc == 0 && !!(fsx.fsx_xflags & FS_XFLAG_DAX) != w->on;
	} else {
		rc = daxpolicy_set_dax_flag(w->ctx, fd, w->on, &changed);
		/* The whole tree follows the top's record now. */
		if (rc == 0 && S_ISDIR(st->st_mode)) {
			bool had;

			rc = daxpolicy_dir_forget_policy(w->ctx, fd, &had);
			changed |= had;
		}
	}
	if (rc < 0) {
		failed_locked(w, path, -rc);
		return 0;
	}
	name = json_path(path);
	pthread_mutex_lock(&w->lock);
	json_object_array_add(changed ? w->changed : w->unchanged, name);
	if (changed && !w->dry_run && S_ISREG(st->st_mode))
		rc = remember_file(w, path, st);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

static bool is_mount_point(struct tree_walk *w, const char *path)
{
	for (size_t i = 0; i < w->nmount_points; i++)
		if (strcmp(w->mount_points[i], path) == 0)
			return true;
	return false;
}

/* A regular file through file_getattr/file_setattr: 0 done, 1 when the
 * kernel lacks them (use the open path), -ENOMEM. */
static int apply_file_attr(struct tree_walk *w, int dirfd, const char *name, const char *path,
			   ino_t ino)
{
	struct file_attr_v0 fa = { 0 };
	struct stat st = { .st_mode = S_IFREG, .st_dev = w->dev, .st_ino = ino };
	struct json_object *obj;
	bool changed;
	int rc = 0;

	if (file_getattr(dirfd, name, &fa) < 0) {
		if (errno == ENOSYS) {
			__atomic_store_n(&w->no_file_attr, true, __ATOMIC_RELAXED);
			return 1;
		}
		if (errno != ENOENT)
			failed_locked(w, path, errno);
		return 0;
	}
	changed = !!(fa.fa_xflags & FS_XFLAG_DAX) != w->on;
	if (changed && !w->dry_run) {
		fa.fa_xflags = w->on ? fa.fa_xflags | FS_XFLAG_DAX : fa.fa_xflags & ~FS_XFLAG_DAX;
		fa.fa_xflags &= ~(uint64_t)FS_XFLAG_HASATTR;   /* read-only */
		if (file_setattr(dirfd, name, &fa) < 0) {
			failed_locked(w, path, errno);
			return 0;
		}
	}
	obj = json_path(path);
	pthread_mutex_lock(&w->lock);
	json_object_array_add(changed ? w->changed : w->unchanged, obj);
	if (changed && !w->dry_run)
		rc = remember_file(w, path, &st);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

/* Hand a subdirectory to another thread; false when the queue is full. */
static bool enqueue(struct tree_walk *w, int fd, const char *path)
{
	struct walk_item *item;

	if (__atomic_load_n(&w->queued, __ATOMIC_RELAXED) >= MAX_QUEUED)
		return false;
	item = malloc(sizeof(*item));
	if (!item)
		return false;
	item->fd = fd;
	item->path = strdup(path);
	if (!item->path) {
		free(item);
		return false;
	}
	pthread_mutex_lock(&w->lock);
	item->next = w->queue;
	w->queue = item;
	w->queued++;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	return true;
}

static int walk_dir(struct tree_walk *w, int dirfd, char *path, size_t len, size_t cap)
{
	struct dirent *de;
	int rc = 0, dup_fd;
	DIR *dir;

	dup_fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	dir = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	if (!dir) {
		if (dup_fd >= 0)
			close(dup_fd);
		failed_locked(w, path, errno);
		return 0;
	}
	while (rc == 0 && (errno = 0, de = readdir(dir))) {
		size_t nlen = strlen(de->d_name);
		unsigned char type = de->d_type;
		struct stat st;
		int fd;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (len + 1 + nlen + 1 > cap) {
			failed_locked(w, path, ENAMETOOLONG);
			continue;
		}
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, nlen + 1);
		if (type == DT_UNKNOWN) {
			if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				failed_locked(w, path, errno);
				goto next;
			}
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
		}
		if (type != DT_DIR && type != DT_REG) {
			/* Symlinks, devices, FIFOs, sockets: no DAX, not followed. */
			goto next;
		}
		if (is_mount_point(w, path)) {
			skipped(w, path, "another filesystem is mounted here");
			goto next;
		}
		if (type == DT_REG && !__atomic_load_n(&w->no_file_attr, __ATOMIC_RELAXED)) {
			rc = apply_file_attr(w, dirfd, de->d_name, path, de->d_ino);
			if (rc <= 0)
				goto next;
			rc = 0;
		}
		/* O_NOFOLLOW and O_NONBLOCK: whatever was swapped in since
		 * readdir, it is neither followed nor allowed to block us. */
		fd = openat(dirfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
			    O_CLOEXEC | (type == DT_DIR ? O_DIRECTORY : 0));
		if (fd < 0) {
			if (errno != ENOENT)   /* removed meanwhile: nothing to do */
				failed_locked(w, path, errno);
			goto next;
		}
		if (fstat(fd, &st) < 0 || (type == DT_REG && !S_ISREG(st.st_mode))) {
			close(fd);
			goto next;
		}
		if (st.st_dev != w->dev) {
			skipped(w, path, "another filesystem is mounted here");
		} else {
			rc = apply(w, fd, path, &st);
			if (rc == 0 && type == DT_DIR) {
				if (enqueue(w, fd, path))
					goto next;   /* the queue owns fd now */
				rc = walk_dir(w, fd, path, len + 1 + nlen, cap);
			}
		}
		close(fd);
next:
		path[len] = '\0';
	}
	if (rc == 0 && errno)
		failed_locked(w, path, errno);
	closedir(dir);
	return rc;
}

/* A worker: take queued directories until none is left and none is being
 * walked (a walk can queue more). */
static void *worker(void *arg)
{
	struct tree_walk *w = arg;
	size_t cap = PATH_MAX * 4;
	char *buf = malloc(cap);

	for (;;) {
		struct walk_item *item;
		int rc;

		pthread_mutex_lock(&w->lock);
		while (!w->queue && w->busy > 0)
			pthread_cond_wait(&w->wake, &w->lock);
		item = w->queue;
		if (!item) {
			pthread_cond_broadcast(&w->wake);
			pthread_mutex_unlock(&w->lock);
			break;
		}
		w->queue = item->next;
		w->queued--;
		w->busy++;
		pthread_mutex_unlock(&w->lock);

		rc = buf ? 0 : -ENOMEM;
		if (rc == 0) {
			snprintf(buf, cap, "%s", item->path);
			rc = walk_dir(w, item->fd, buf, strlen(buf), cap);
		}
		close(item->fd);
		free(item->path);
		free(item);

		pthread_mutex_lock(&w->lock);
		if (rc < 0)
			w->error = rc;
		w->busy--;
		if (!w->queue && w->busy == 0)
			pthread_cond_broadcast(&w->wake);
		pthread_mutex_unlock(&w->lock);
	}
	free(buf);
	return NULL;
}

/* The mount points below the top directory, spelled as the walk spells
 * its paths (the top as given, then the names below it). */
static void find_mount_points(struct tree_walk *w, int dirfd, const char *top)
{
	char link[64], real[PATH_MAX];
	struct libmnt_table *tb;
	struct libmnt_iter *itr;
	struct libmnt_fs *fs;
	size_t rlen;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
	n = readlink(link, real, sizeof(real) - 1);
	if (n <= 0)
		return;
	real[n] = '\0';
	rlen = strcmp(real, "/") == 0 ? 0 : (size_t)n;
	tb = mnt_new_table_from_file("/proc/self/mountinfo");
	itr = mnt_new_iter(MNT_ITER_FORWARD);
	while (tb && itr && mnt_table_next_fs(tb, itr, &fs) == 0) {
		const char *target = mnt_fs_get_target(fs);
		char **bigger, *spelled;

		if (!target || strncmp(target, real, rlen) != 0 || target[rlen] != '/')
			continue;
		if (asprintf(&spelled, "%s%s", top, target + rlen) < 0)
			break;
		bigger = realloc(w->mount_points, (w->nmount_points + 1) * sizeof(*bigger));
		if (!bigger) {
			free(spelled);
			break;
		}
		w->mount_points = bigger;
		w->mount_points[w->nmount_points++] = spelled;
	}
	mnt_free_iter(itr);
	mnt_unref_table(tb);
}

int tree_walk(struct tree_walk *w, int dirfd, const char *path)
{
	/* Cold inodes make the walk wait for reads: more threads than CPUs
	 * keep the device busy. */
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int nthreads = cpus < 1 ? 4 : cpus * 4 > 8 ? 8 : (int)cpus * 4;
	pthread_t threads[8];
	char top[PATH_MAX];
	int fd, started = 0;

	snprintf(top, sizeof(top), "%s", path);
	/* "dir/" given on the command line: no double slash in reports. */
	for (size_t n = strlen(top); n > 1 && top[n - 1] == '/'; n--)
		top[n - 1] = '\0';
	find_mount_points(w, dirfd, top);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0 || !enqueue(w, fd, top)) {
		if (fd >= 0)
			close(fd);
		w->error = -ENOMEM;
	}
	for (int i = 1; i < nthreads; i++)
		if (pthread_create(&threads[started], NULL, worker, w) == 0)
			started++;
	worker(w);
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	return w->error;
}

void tree_walk_release(struct tree_walk *w)
{
	for (size_t i = 0; i < w->nmount_points; i++)
		free(w->mount_points[i]);
	free(w->mount_points);
	w->mount_points = NULL;
	w->nmount_points = 0;
	for (size_t i = 0; i < w->nfiles; i++)
		free(w->files[i].path);
	free(w->files);
	w->files = NULL;
	w->nfiles = w->cap = 0;
}
