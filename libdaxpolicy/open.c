// SPDX-License-Identifier: LGPL-2.1-or-later
/* daxpolicy_open(): open(2) that meets a requirement or fails, and leaves no
 * file behind that it created in vain. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"

/* What the directory policy over @path adds to a requirement. */
static unsigned int policy_requirement(struct daxpolicy_ctx *ctx, const char *path, int flags)
{
	enum daxpolicy_policy own, effective;
	char dir[PATH_MAX], *slash;
	int fd;

	if ((flags & O_TMPFILE) == O_TMPFILE) {
		dp_snprintf(dir, sizeof(dir), "%s", path);
	} else {
		if (dp_snprintf(dir, sizeof(dir), "%s", path) < 0)
			return 0;
		slash = strrchr(dir, '/');
		if (!slash)
			strcpy(dir, ".");
		else if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
	}
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (daxpolicy_dir_get_policy(ctx, fd, &own, &effective, NULL, 0) < 0)
		effective = DAXPOLICY_POLICY_INHERIT;
	close(fd);
	switch (effective) {
	case DAXPOLICY_POLICY_SYNC: return DAXPOLICY_REQ_SYNC;
	case DAXPOLICY_POLICY_DIRECT: return DAXPOLICY_REQ_DIRECT;
	default: return 0;
	}
}

/* Remove the file we created at @path, if it still is the inode @fd. */
static void remove_created(const char *path, int fd)
{
	struct stat ours, there;

	if (fstat(fd, &ours) == 0 && lstat(path, &there) == 0 &&
	    ours.st_dev == there.st_dev && ours.st_ino == there.st_ino)
		unlink(path);
}

DAXPOLICY_EXPORT int daxpolicy_open(struct daxpolicy_ctx *ctx, const char *path, int flags,
				    mode_t mode, unsigned int req)
{
	bool created = false;
	int fd, rc;

	if (!ctx || !path || (req & ~DAXPOLICY_REQ_MASK))
		return -EINVAL;
	req |= ctx->env_req | policy_requirement(ctx, path, flags);
	flags |= O_CLOEXEC;
	if ((flags & O_CREAT) && !(flags & O_EXCL)) {
		/* Tell "opened" from "created": try without O_CREAT first. */
		fd = open(path, flags & ~O_CREAT, mode);
		if (fd < 0 && errno == ENOENT) {
			fd = open(path, flags | O_EXCL, mode);
			created = fd >= 0;
			if (fd < 0 && errno == EEXIST)   /* created meanwhile by another */
				fd = open(path, flags & ~O_CREAT, mode);
		}
	} else {
		fd = open(path, flags, mode);
		created = fd >= 0 && (flags & O_CREAT) && (flags & O_EXCL);
	}
	if (fd < 0)
		return -errno;
	if (!req)
		return fd;
	rc = daxpolicy_require_fd(ctx, fd, req);
	if (rc < 0) {
		if (created)
			remove_created(path, fd);
		close(fd);
		return rc;
	}
	return fd;
}
