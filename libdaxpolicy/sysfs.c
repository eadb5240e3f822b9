// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Every /sys and /proc file the library reads itself goes through here, so
 * that tests can point the library at a captured tree (DAXPOLICY_SYSROOT).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "private.h"

int dp_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= len)
		return -ENAMETOOLONG;
	return n;
}

static int vsys_path(struct daxpolicy_ctx *ctx, char *buf, size_t len,
		     const char *fmt, va_list ap)
{
	size_t root = strlen(ctx->sysroot);
	int n;

	if (root >= len)
		return -ENAMETOOLONG;
	memcpy(buf, ctx->sysroot, root);
	n = vsnprintf(buf + root, len - root, fmt, ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= len - root)
		return -ENAMETOOLONG;
	return 0;
}

int dp_sys_path(struct daxpolicy_ctx *ctx, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vsys_path(ctx, buf, len, fmt, ap);
	va_end(ap);
	return rc;
}

static int read_small_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, len - 1);
	while (n < 0 && errno == EINTR);
	saved = errno;
	close(fd);
	if (n < 0)
		return -saved;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return (int)n;
}

static int vread_attr(struct daxpolicy_ctx *ctx, char *buf, size_t len,
		      const char *fmt, va_list ap)
{
	char path[PATH_MAX];
	int rc;

	rc = vsys_path(ctx, path, sizeof(path), fmt, ap);
	if (rc < 0)
		return rc;
	rc = read_small_file(path, buf, len);
	if (rc < 0)
		dbg(ctx, "%s: %s", path, strerror(-rc));
	return rc;
}

int dp_read_attr(struct daxpolicy_ctx *ctx, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vread_attr(ctx, buf, len, fmt, ap);
	va_end(ap);
	return rc;
}

int dp_read_u64(struct daxpolicy_ctx *ctx, uint64_t *val, const char *fmt, ...)
{
	char buf[64], *end;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vread_attr(ctx, buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno || *end != '\0')
		return -EINVAL;
	return 0;
}

static int vread_link(struct daxpolicy_ctx *ctx, char *buf, size_t len,
		      const char *fmt, va_list ap)
{
	char path[PATH_MAX];
	ssize_t n;
	int rc;

	rc = vsys_path(ctx, path, sizeof(path), fmt, ap);
	if (rc < 0)
		return rc;
	n = readlink(path, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

int dp_read_link(struct daxpolicy_ctx *ctx, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vread_link(ctx, buf, len, fmt, ap);
	va_end(ap);
	return rc;
}

int dp_read_link_name(struct daxpolicy_ctx *ctx, char *buf, size_t len, const char *fmt, ...)
{
	char target[PATH_MAX];
	const char *base;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vread_link(ctx, target, sizeof(target), fmt, ap);
	va_end(ap);
	if (rc < 0)
		return rc;
	base = strrchr(target, '/');
	return dp_snprintf(buf, len, "%s", base ? base + 1 : target);
}
