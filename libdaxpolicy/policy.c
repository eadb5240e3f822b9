// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Directory policy: the FS_XFLAG_DAX flag that new files inherit, and the
 * "user.daxpolicy" extended attribute that records the policy, found by
 * walking up to the mount root.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "kernel-abi.h"
#include "private.h"

#define POLICY_XATTR "user.daxpolicy"

static const char *const names[] = {
	[DAXPOLICY_POLICY_INHERIT] = "inherit",
	[DAXPOLICY_POLICY_DIRECT] = "direct",
	[DAXPOLICY_POLICY_SYNC] = "sync",
	[DAXPOLICY_POLICY_PAGE_CACHE] = "page-cache",
};

DAXPOLICY_EXPORT const char *daxpolicy_policy_name(enum daxpolicy_policy policy)
{
	return (unsigned int)policy < sizeof(names) / sizeof(names[0]) ? names[policy] : "unknown";
}

DAXPOLICY_EXPORT int daxpolicy_policy_from_name(const char *name, enum daxpolicy_policy *policy)
{
	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) == 0) {
			*policy = (enum daxpolicy_policy)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* /proc/self/fd/N reaches the directory of an O_PATH descriptor too. */
static void fd_path(int fd, char *buf, size_t len)
{
	dp_snprintf(buf, len, "/proc/self/fd/%d", fd);
}

int dp_policy_parse_record(const char *value, size_t len, enum daxpolicy_policy *policy)
{
	char name[16];

	*policy = DAXPOLICY_POLICY_INHERIT;
	/* Exactly a policy's name: no NUL inside, nothing after it. */
	if (len >= sizeof(name) || memchr(value, '\0', len))
		return -EINVAL;
	memcpy(name, value, len);
	name[len] = '\0';
	return daxpolicy_policy_from_name(name, policy) < 0 ? -EINVAL : 0;
}

/* The policy recorded on @fd (INHERIT when there is none). */
static int read_record(int fd, enum daxpolicy_policy *policy)
{
	char path[64], value[32];
	ssize_t n;

	fd_path(fd, path, sizeof(path));
	n = getxattr(path, POLICY_XATTR, value, sizeof(value));
	if (n < 0) {
		/* No record, no user xattrs here, or not ours to read (a
		 * directory of another user), or longer than any policy's
		 * name (ERANGE): nothing recorded that we see. */
		*policy = DAXPOLICY_POLICY_INHERIT;
		return errno == ENOMEM ? -ENOMEM : 0;
	}
	/* An unknown value (a newer version's, or garbage) counts as none. */
	dp_policy_parse_record(value, (size_t)n, policy);
	return 0;
}

/* FS_XFLAG_DAX through an fd that can take ioctls (not O_PATH). */
static int dax_flag(int fd, bool *set)
{
	struct fsxattr fsx;

	if (ioctl(fd, FS_IOC_FSGETXATTR, &fsx) < 0)
		return -errno;
	*set = (fsx.fsx_xflags & FS_XFLAG_DAX) != 0;
	return 0;
}

DAXPOLICY_EXPORT int daxpolicy_set_dax_flag(struct daxpolicy_ctx *ctx, int fd, bool on,
					    bool *changed)
{
	struct fsxattr fsx;

	if (changed)
		*changed = false;
	if (!ctx || fd < 0)
		return -EINVAL;
	if (ioctl(fd, FS_IOC_FSGETXATTR, &fsx) < 0)
		return -errno;
	if (!!(fsx.fsx_xflags & FS_XFLAG_DAX) == on)
		return 0;
	fsx.fsx_xflags = on ? fsx.fsx_xflags | FS_XFLAG_DAX : fsx.fsx_xflags & ~FS_XFLAG_DAX;
	if (ioctl(fd, FS_IOC_FSSETXATTR, &fsx) < 0)
		return -errno;
	if (changed)
		*changed = true;
	return 0;
}

/* A descriptor of @fd's directory that takes ioctls. */
static int reopen_dir(int fd)
{
	char path[64];

	fd_path(fd, path, sizeof(path));
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

DAXPOLICY_EXPORT int daxpolicy_dir_set_policy(struct daxpolicy_ctx *ctx, int dirfd,
					      enum daxpolicy_policy policy)
{
	char path[64];
	bool on = false;
	int fd, rc;

	if (!ctx || dirfd < 0 || (unsigned int)policy >= sizeof(names) / sizeof(names[0]))
		return -EINVAL;
	fd = reopen_dir(dirfd);
	if (fd < 0)
		return -errno;
	if (policy == DAXPOLICY_POLICY_INHERIT) {
		int parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		rc = parent < 0 ? -errno : dax_flag(parent, &on);
		if (parent >= 0)
			close(parent);
		if (rc < 0)
			goto out;
	} else {
		on = policy != DAXPOLICY_POLICY_PAGE_CACHE;
	}
	rc = daxpolicy_set_dax_flag(ctx, fd, on, NULL);
	if (rc < 0) {
		err(ctx, "cannot %s the DAX flag: %s", on ? "set" : "clear", strerror(-rc));
		goto out;
	}
	fd_path(fd, path, sizeof(path));
	if (policy == DAXPOLICY_POLICY_INHERIT) {
		if (removexattr(path, POLICY_XATTR) < 0 && errno != ENODATA)
			rc = -errno;
	} else if (setxattr(path, POLICY_XATTR, names[policy], strlen(names[policy]), 0) < 0) {
		rc = -errno;
	}
	if (rc < 0)
		err(ctx, "cannot record the policy: %s", strerror(-rc));
out:
	close(fd);
	return rc;
}

DAXPOLICY_EXPORT int daxpolicy_dir_forget_policy(struct daxpolicy_ctx *ctx, int dirfd, bool *had)
{
	char path[64];

	if (had)
		*had = false;
	if (!ctx || dirfd < 0)
		return -EINVAL;
	fd_path(dirfd, path, sizeof(path));
	if (removexattr(path, POLICY_XATTR) == 0) {
		if (had)
			*had = true;
		return 0;
	}
	return errno == ENODATA || errno == ENOTSUP ? 0 : -errno;
}

DAXPOLICY_EXPORT int daxpolicy_dir_get_policy(struct daxpolicy_ctx *ctx, int dirfd,
					      enum daxpolicy_policy *own,
					      enum daxpolicy_policy *effective,
					      char *source, size_t len)
{
	enum daxpolicy_policy found = DAXPOLICY_POLICY_INHERIT;
	struct stat st, up;
	char link[64], where[PATH_MAX];
	int fd, next, rc;
	bool flag = false;

	if (!ctx || dirfd < 0 || !own || !effective)
		return -EINVAL;
	if (fstat(dirfd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	rc = read_record(dirfd, own);
	if (rc < 0)
		return rc;
	if (source && len)
		source[0] = '\0';
	/* Walk up through "..", never across the mount's root: a different
	 * device, or the same inode (the root of the namespace). */
	fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	while (fd >= 0) {
		rc = read_record(fd, &found);
		if (rc < 0 || found != DAXPOLICY_POLICY_INHERIT)
			break;
		next = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (next < 0 || fstat(next, &up) < 0 || up.st_dev != st.st_dev ||
		    (up.st_ino == st.st_ino && up.st_dev == st.st_dev)) {
			if (next >= 0)
				close(next);
			break;
		}
		/* A bind mount inside the same filesystem: its root's ".." is
		 * in the same filesystem, which is the right place to keep
		 * looking, since the record is about that filesystem. */
		close(fd);
		fd = next;
		st = up;
	}
	if (fd >= 0 && found != DAXPOLICY_POLICY_INHERIT && source && len) {
		ssize_t n;

		fd_path(fd, link, sizeof(link));
		n = readlink(link, where, sizeof(where) - 1);
		if (n > 0) {
			where[n] = '\0';
			dp_snprintf(source, len, "%s", where);
		}
	}
	if (fd >= 0)
		close(fd);
	if (found == DAXPOLICY_POLICY_INHERIT) {
		/* No record up to the root: the flag tells what new files get. */
		int rfd = reopen_dir(dirfd);

		if (rfd >= 0) {
			if (dax_flag(rfd, &flag) == 0 && flag)
				found = DAXPOLICY_POLICY_DIRECT;
			close(rfd);
		}
	}
	*effective = found;
	return rc < 0 ? rc : 0;
}
