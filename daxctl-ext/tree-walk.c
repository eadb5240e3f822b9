// SPDX-License-Identifier: GPL-2.0-or-later
/* Applying a DAX flag to an existing tree from directory descriptors. */
#include "config.h"

#include <dirent.h>
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

static void failed(struct tree_walk *w, const char *path, int err)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "path", json_path(path));
	json_object_object_add(o, "errno", json_object_new_int(err));
	json_object_object_add(o, "error", json_object_new_string(strerror(err)));
	json_object_array_add(w->failed, o);
}

static void skipped(struct tree_walk *w, const char *path, const char *why)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "path", json_path(path));
	json_object_object_add(o, "reason", json_object_new_string(why));
	json_object_array_add(w->skipped, o);
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
		failed(w, path, -rc);
		return 0;
	}
	json_object_array_add(changed ? w->changed : w->unchanged, json_path(path));
	if (changed && !w->dry_run && S_ISREG(st->st_mode))
		return remember_file(w, path, st);
	return 0;
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
		failed(w, path, errno);
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
			failed(w, path, ENAMETOOLONG);
			continue;
		}
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, nlen + 1);
		if (type == DT_UNKNOWN) {
			if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				failed(w, path, errno);
				goto next;
			}
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
		}
		if (type != DT_DIR && type != DT_REG) {
			/* Symlinks, devices, FIFOs, sockets: no DAX, not followed. */
			goto next;
		}
		/* O_NOFOLLOW and O_NONBLOCK: whatever was swapped in since
		 * readdir, it is neither followed nor allowed to block us. */
		fd = openat(dirfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
			    O_CLOEXEC | (type == DT_DIR ? O_DIRECTORY : 0));
		if (fd < 0) {
			if (errno != ENOENT)   /* removed meanwhile: nothing to do */
				failed(w, path, errno);
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
			if (rc == 0 && type == DT_DIR)
				rc = walk_dir(w, fd, path, len + 1 + nlen, cap);
		}
		close(fd);
next:
		path[len] = '\0';
	}
	if (rc == 0 && errno)
		failed(w, path, errno);
	closedir(dir);
	return rc;
}

int tree_walk(struct tree_walk *w, int dirfd, const char *path)
{
	char *buf = malloc(PATH_MAX * 4);
	int rc;

	if (!buf)
		return -ENOMEM;
	snprintf(buf, PATH_MAX * 4, "%s", path);
	/* "dir/" given on the command line: no double slash in reports. */
	for (size_t n = strlen(buf); n > 1 && buf[n - 1] == '/'; n--)
		buf[n - 1] = '\0';
	rc = walk_dir(w, dirfd, buf, strlen(buf), PATH_MAX * 4);
	free(buf);
	return rc;
}

void tree_walk_release(struct tree_walk *w)
{
	for (size_t i = 0; i < w->nfiles; i++)
		free(w->files[i].path);
	free(w->files);
	w->files = NULL;
	w->nfiles = w->cap = 0;
}
