// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safe-file.h"

/* Whether @st, owned by the caller and not writable by group or others,
 * may be trusted; else the reason in @why. */
static bool trusted(const struct stat *st, const char *what, char *why, size_t n)
{
	if (st->st_uid != geteuid()) {
		snprintf(why, n, "the %s is owned by uid %u, not by uid %u running dax-admin; refused",
			 what, (unsigned int)st->st_uid, (unsigned int)geteuid());
		return false;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX))) {
		snprintf(why, n, "the %s has mode %04o, writable by %s; refused (chmod go-w)", what,
			 (unsigned int)(st->st_mode & 07777), st->st_mode & S_IWOTH ? "others" : "its group");
		return false;
	}
	return true;
}

static const char *type_name(mode_t mode)
{
	return S_ISLNK(mode) ? "a symbolic link" : S_ISFIFO(mode) ? "a FIFO" :
	       S_ISCHR(mode) ? "a character device" : S_ISBLK(mode) ? "a block device" :
	       S_ISSOCK(mode) ? "a socket" : S_ISDIR(mode) ? "a directory" : "not a regular file";
}

/* The directory @dir (created 0700 when missing, its parent must exist),
 * opened without following a symbolic link and checked; -1 with @why. */
static int open_dir(const char *dir, char *why, size_t n)
{
	struct stat st;
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			snprintf(why, n, "cannot create the directory %s: %s", dir, strerror(errno));
			return -1;
		}
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		snprintf(why, n, "cannot open the directory %s: %s", dir,
			 errno == ELOOP || errno == ENOTDIR ? "a symbolic link or not a directory; refused" :
							      strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(why, n, "%s is not a directory", dir);
		close(fd);
		return -1;
	}
	if (!trusted(&st, "directory", why, n)) {
		size_t len = strlen(why);

		snprintf(why + len, n - len, " (%s)", dir);
		close(fd);
		return -1;
	}
	return fd;
}

int safe_file_open(const char *path, bool *created, char *why, size_t n)
{
	const int flags = O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
	char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
	const char *base = slash ? slash + 1 : path;
	struct stat st, st2;
	int dfd, pfd, fd = -1;

	*created = false;
	if (!dir) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	if (!*base) {
		snprintf(why, n, "a file name is needed, not a directory");
		goto out_dir;
	}
	if (slash)
		slash[slash == dir] = '\0';
	dfd = open_dir(slash ? dir : ".", why, n);
	if (dfd < 0)
		goto out_dir;

	fd = openat(dfd, base, flags | O_CREAT | O_EXCL, 0600);
	if (fd >= 0) {
		*created = true;
		fsync(dfd);   /* the new name is durable too */
		goto out;
	}
	if (errno != EEXIST) {
		snprintf(why, n, "cannot create it: %s", strerror(errno));
		goto out;
	}
	/* There already: look at it before opening it for writing. */
	pfd = openat(dfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0 || fstat(pfd, &st) < 0) {
		snprintf(why, n, "cannot open it: %s", strerror(errno));
		if (pfd >= 0)
			close(pfd);
		goto out;
	}
	close(pfd);
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, n, "it is %s, not a regular file; refused", type_name(st.st_mode));
		goto out;
	}
	if (!trusted(&st, "file", why, n))
		goto out;
	if (st.st_nlink != 1) {
		snprintf(why, n, "it has %lu hard links; refused (a link to another file?)",
			 (unsigned long)st.st_nlink);
		goto out;
	}
	/* O_NONBLOCK: should it be swapped for a FIFO now, the open does not
	 * hang; the descriptor must then be the file just checked. */
	fd = openat(dfd, base, flags | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st2) < 0 || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino ||
	    fcntl(fd, F_SETFL, O_APPEND) < 0) {
		snprintf(why, n, "%s", fd < 0 ? strerror(errno) : "it was replaced while being opened; refused");
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
out:
	close(dfd);
out_dir:
	free(dir);
	return fd;
}
