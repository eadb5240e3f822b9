// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Linked into a unit test (not preloaded, so it works under ASan too): file
 * system calls on /sys/... and /proc/... are redirected into the captured
 * tree named by DAXPOLICY_SYSROOT, so that libndctl and libcxl, which have
 * no root prefix of their own, read a fixture exactly like the library does.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <daxpolicy/libdaxpolicy.h>
#include "sysroot-shim.h"

static char shim_root[PATH_MAX];

void sysroot_shim_set(const char *root)
{
	snprintf(shim_root, sizeof(shim_root), "%s", root ? root : "");
}

struct daxpolicy_ctx *sysroot_ctx_new(const char *root)
{
	struct daxpolicy_ctx *ctx;

	setenv("DAXPOLICY_SYSROOT", root, 1);
	sysroot_shim_set(root);
	return daxpolicy_new(&ctx) == 0 ? ctx : NULL;
}

/* The redirected path in @buf, or @path itself when it is not redirected. */
static const char *redirect(const char *path, char *buf, size_t len)
{
	size_t rlen = strlen(shim_root);

	if (!rlen || !path || path[0] != '/' || strncmp(path, shim_root, rlen) == 0)
		return path;
	if (strncmp(path, "/sys/", 5) && strcmp(path, "/sys") &&
	    strncmp(path, "/proc/", 6) && strcmp(path, "/proc"))
		return path;
	if ((size_t)snprintf(buf, len, "%s%s", shim_root, path) >= len)
		return path;
	return buf;
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

#define OPEN_LIKE(name)                                                       \
	int name(const char *path, int flags, ...)                            \
	{                                                                     \
		char buf[PATH_MAX];                                           \
		mode_t mode = 0;                                              \
		if (flags & (O_CREAT | O_TMPFILE)) {                          \
			va_list ap;                                           \
			va_start(ap, flags);                                  \
			mode = va_arg(ap, mode_t);                            \
			va_end(ap);                                           \
		}                                                             \
		return REAL(name)(redirect(path, buf, sizeof(buf)), flags, mode); \
	}
OPEN_LIKE(open)
OPEN_LIKE(open64)

int __open_2(const char *path, int flags);
int __open_2(const char *path, int flags)
{
	char buf[PATH_MAX];

	return REAL(open)(redirect(path, buf, sizeof(buf)), flags);
}

int __open64_2(const char *path, int flags);
int __open64_2(const char *path, int flags)
{
	char buf[PATH_MAX];

	return REAL(open64)(redirect(path, buf, sizeof(buf)), flags);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	char buf[PATH_MAX];
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return REAL(openat)(dirfd, redirect(path, buf, sizeof(buf)), flags, mode);
}

FILE *fopen(const char *path, const char *mode)
{
	char buf[PATH_MAX];

	return REAL(fopen)(redirect(path, buf, sizeof(buf)), mode);
}

FILE *fopen64(const char *path, const char *mode)
{
	char buf[PATH_MAX];

	return REAL(fopen64)(redirect(path, buf, sizeof(buf)), mode);
}

DIR *opendir(const char *path)
{
	char buf[PATH_MAX];

	return REAL(opendir)(redirect(path, buf, sizeof(buf)));
}

/* libcxl lists a memdev only when /dev/cxl/memN exists: while redirecting,
 * stat of /dev/cxl/NAME answers with a character device numbered as the
 * tree's /sys/bus/cxl/devices/NAME/dev says (there is no node to open: the
 * mailbox commands still fail). 1 when @path is such a name. */
static int fake_cxl_node(const char *path, dev_t *rdev)
{
	char attr[PATH_MAX];
	unsigned int maj, min;
	FILE *f;
	int n;

	if (!shim_root[0] || !path || strncmp(path, "/dev/cxl/", 9) || strchr(path + 9, '/'))
		return 0;
	snprintf(attr, sizeof(attr), "%s/sys/bus/cxl/devices/%s/dev", shim_root, path + 9);
	f = REAL(fopen)(attr, "r");
	if (!f)
		return -1;
	n = fscanf(f, "%u:%u", &maj, &min);
	fclose(f);
	if (n != 2)
		return -1;
	*rdev = makedev(maj, min);
	return 1;
}

#define STAT_LIKE(name, type)                                                 \
	int name(const char *path, type *st)                                  \
	{                                                                     \
		char buf[PATH_MAX];                                           \
		dev_t rdev;                                                   \
		int fake = fake_cxl_node(path, &rdev);                       \
		if (fake < 0) {                                               \
			errno = ENOENT;                                       \
			return -1;                                            \
		}                                                             \
		if (fake) {                                                   \
			memset(st, 0, sizeof(*st));                           \
			st->st_mode = S_IFCHR | 0600;                         \
			st->st_rdev = rdev;                                   \
			return 0;                                             \
		}                                                             \
		return REAL(name)(redirect(path, buf, sizeof(buf)), st);      \
	}
STAT_LIKE(stat, struct stat)
STAT_LIKE(lstat, struct stat)
STAT_LIKE(stat64, struct stat64)
STAT_LIKE(lstat64, struct stat64)

int access(const char *path, int mode)
{
	char buf[PATH_MAX];

	return REAL(access)(redirect(path, buf, sizeof(buf)), mode);
}

ssize_t readlink(const char *path, char *out, size_t len)
{
	char buf[PATH_MAX];

	return REAL(readlink)(redirect(path, buf, sizeof(buf)), out, len);
}

char *realpath(const char *path, char *resolved)
{
	char buf[PATH_MAX];

	return REAL(realpath)(redirect(path, buf, sizeof(buf)), resolved);
}
