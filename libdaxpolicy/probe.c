// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Gathering the facts of one object: statx (effective DAX, mount id),
 * FS_IOC_FSGETXATTR (the DAX and realtime flags), statfs (block size), XFS
 * geometry, a real MAP_SYNC test mapping, the mount and the device. Nothing
 * here modifies the object; evaluate.c turns the facts into a verdict.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kernel-abi.h"
#include "private.h"

/* The value kernels 5.8 up to the Dec 2020 fix used (clashing with
 * STATX_ATTR_MOUNT_ROOT, which later kernels report under that bit). */
#define STATX_ATTR_DAX_LEGACY 0x00002000

/* The stable part of XFS_IOC_FSGEOMETRY_V1 (xfs_fs.h), to read the feature
 * flags without depending on the XFS headers. */
struct xfs_geom_v1 {
	uint32_t blocksize, rtextsize, agblocks, agcount, logblocks, sectsize,
		 inodesize, imaxpct;
	uint64_t datablocks, rtblocks, rtextents, logstart;
	unsigned char uuid[16];
	uint32_t sunit, swidth;
	int32_t version;
	uint32_t flags, logsectsize, rtsectsize, dirblocksize;
};
#define XFS_IOC_FSGEOMETRY_V1 _IOR('X', 100, struct xfs_geom_v1)
#define XFS_GEOM_FLAGS_RMAPBT 0x00080000
#define XFS_GEOM_FLAGS_REFLINK 0x00100000
#ifndef XFS_SUPER_MAGIC
#define XFS_SUPER_MAGIC 0x58465342
#endif

/* Effective S_DAX from statx, with the kernel's honesty checked first. */
static void statx_dax(struct dp_object *o, const struct statx *stx)
{
	if (stx->stx_attributes_mask & STATX_ATTR_DAX) {
		o->statx_dax_attr = STATX_ATTR_DAX;
	} else if ((stx->stx_attributes_mask & STATX_ATTR_DAX_LEGACY) &&
		   o->kernel_major == 5 && o->kernel_minor >= 8 && o->kernel_minor <= 10) {
		o->statx_dax_attr = STATX_ATTR_DAX_LEGACY;
	} else {
		o->statx_dax_attr = 0;
		return;
	}
	o->dax_now = (stx->stx_attributes & o->statx_dax_attr) != 0;
}

/* Try a MAP_SYNC mapping: the kernel's own answer, no side effect (nothing
 * is touched, so no fault, no atime). */
static void probe_map_sync(struct dp_object *o, int fd, long page)
{
	void *p = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0);

	if (p == MAP_FAILED) {
		o->map_sync_probe = 0;
		o->map_sync_errno = errno;
		return;
	}
	munmap(p, (size_t)page);
	o->map_sync_probe = 1;
}

/* What a new file in the directory gets: an unnamed O_TMPFILE inherits the
 * directory's flag, and disappears on close. */
static void probe_tmpfile(struct dp_object *o, int dirfd, long page)
{
	struct statx stx;
	int fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0)
		return;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) == 0 && o->statx_dax_attr) {
		o->tmpfile_dax = (stx.stx_attributes & o->statx_dax_attr) != 0;
		probe_map_sync(o, fd, page);
	}
	close(fd);
}

/* Block size and XFS geometry: per filesystem, remembered on the mount. */
static void fs_facts(struct dp_object *o, int fd)
{
	struct xfs_geom_v1 geom;
	struct statfs sfs;

	if (fstatfs(fd, &sfs) < 0)
		return;
	o->block_size = (unsigned long)sfs.f_bsize;
	if (sfs.f_type == XFS_SUPER_MAGIC && ioctl(fd, XFS_IOC_FSGEOMETRY_V1, &geom) == 0) {
		o->xfs_reflink = geom.flags & XFS_GEOM_FLAGS_REFLINK;
		o->xfs_rmapbt = geom.flags & XFS_GEOM_FLAGS_RMAPBT;
	}
}

static void inode_flags(struct dp_object *o, int fd)
{
	struct fsxattr fsx;

	if (ioctl(fd, FS_IOC_FSGETXATTR, &fsx) == 0) {
		o->flag = (fsx.fsx_xflags & FS_XFLAG_DAX) != 0;
		o->realtime = (fsx.fsx_xflags & FS_XFLAG_REALTIME) != 0;
	}
}

/* Mount, device and filesystem facts of @fd: from the entry remembered under
 * its unique mount id without any system call, else through the
 * (revalidated) mount table, the device cache and statfs. */
static int mount_facts(struct daxpolicy_ctx *ctx, int fd, const struct statx *stx,
		       const char *path, struct daxpolicy_report *r)
{
	dev_t dev = makedev(stx->stx_dev_major, stx->stx_dev_minor);
	uint64_t unique = (stx->stx_mask & STATX_MNT_ID_UNIQUE) ? stx->stx_mnt_id : 0;
	char link[64], resolved[PATH_MAX];
	struct dp_mount *m;
	int mnt_id = -1, rc;
	struct statx again;
	ssize_t n;

	if (unique) {
		m = dp_mount_find_unique(ctx, unique, &r->obj, &r->device);
		if (m) {
			r->mount = m;
			return 0;
		}
		if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &again) == 0 &&
		    (again.stx_mask & STATX_MNT_ID))
			mnt_id = (int)again.stx_mnt_id;
	} else if (stx->stx_mask & STATX_MNT_ID) {
		mnt_id = (int)stx->stx_mnt_id;
	}
	if (mnt_id < 0) {
		/* No mount id (before 5.8): go by the object's real path. */
		dp_snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, resolved, sizeof(resolved) - 1);
		if (n > 0) {
			resolved[n] = '\0';
			path = resolved;
		}
	}
	rc = dp_mount_lookup(ctx, mnt_id, dev, path, &m);
	if (rc == -ENOENT)
		info(ctx, "%s: its mount is not in the mount table", path);
	else if (rc < 0)
		return rc;
	else
		r->mount = m;
	rc = dp_device_lookup(ctx, dev, &r->device);
	if (rc < 0)
		return rc;
	fs_facts(&r->obj, fd);
	dp_mount_remember(ctx, r->mount, unique, &r->obj, r->device);
	return 0;
}

/* The directory policy in force: the directory's own, or for a file its
 * parent's (found through the path: a file descriptor has no parent). */
static int policy_facts(struct daxpolicy_ctx *ctx, int fd, const char *path, struct dp_object *o)
{
	enum daxpolicy_policy own;
	char source[PATH_MAX], parent[PATH_MAX], *slash;
	int dirfd = fd, rc;

	if (o->type == DAXPOLICY_OBJECT_FILE) {
		if (dp_snprintf(parent, sizeof(parent), "%s", path) < 0)
			return 0;
		slash = strrchr(parent, '/');
		if (!slash)
			strcpy(parent, ".");
		else if (slash == parent)
			parent[1] = '\0';
		else
			*slash = '\0';
		dirfd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			return 0;   /* e.g. a path from an fd whose directory is gone */
	} else if (o->type != DAXPOLICY_OBJECT_DIRECTORY) {
		return 0;
	}
	rc = daxpolicy_dir_get_policy(ctx, dirfd, &own, &o->policy, source, sizeof(source));
	if (dirfd != fd)
		close(dirfd);
	if (rc == -ENOMEM)
		return rc;
	if (rc == 0 && source[0]) {
		o->policy_source = strdup(source);
		if (!o->policy_source)
			return -ENOMEM;
	}
	return 0;
}

static int probe(struct daxpolicy_ctx *ctx, int fd, const char *path,
		 unsigned int flags, struct daxpolicy_report **out)
{
	struct daxpolicy_report *r;
	struct statx stx;
	long page = sysconf(_SC_PAGESIZE);
	bool readable = false, fast;
	int rc;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_MODE | STATX_MNT_ID | STATX_MNT_ID_UNIQUE,
		  &stx) < 0)
		return -errno;
	/* A FAST verdict depends only on the mount, the type and the DAX bit:
	 * one seen before on this mount is the answer (reports are immutable
	 * and reference counted). */
	fast = (flags & DAXPOLICY_PROBE_FAST) && (stx.stx_mask & (STATX_MNT_ID_UNIQUE | STATX_MNT_ID)) &&
	       (stx.stx_attributes_mask & STATX_ATTR_DAX) && !path[0];
	if (fast) {
		struct dp_mount_key key = {
			.unique_id = (stx.stx_mask & STATX_MNT_ID_UNIQUE) ? stx.stx_mnt_id : 0,
			.id = (stx.stx_mask & STATX_MNT_ID) ? (int)stx.stx_mnt_id : -1,
			.dev = makedev(stx.stx_dev_major, stx.stx_dev_minor),
		};

		r = dp_mount_fast_verdict(ctx, &key,
					  S_ISREG(stx.stx_mode) ? DAXPOLICY_OBJECT_FILE :
					  S_ISDIR(stx.stx_mode) ? DAXPOLICY_OBJECT_DIRECTORY :
					  DAXPOLICY_OBJECT_OTHER,
					  (stx.stx_attributes & STATX_ATTR_DAX) != 0);
		if (r) {
			*out = r;
			return 0;
		}
	}
	r = dp_report_new(path);
	if (!r)
		return -ENOMEM;
	r->page_size = (unsigned long)page;
	r->obj.kernel_major = ctx->kernel_major;
	r->obj.kernel_minor = ctx->kernel_minor;
	if (S_ISREG(stx.stx_mode))
		r->obj.type = DAXPOLICY_OBJECT_FILE;
	else if (S_ISDIR(stx.stx_mode))
		r->obj.type = DAXPOLICY_OBJECT_DIRECTORY;
	else
		r->obj.type = DAXPOLICY_OBJECT_OTHER;
	statx_dax(&r->obj, &stx);

	rc = mount_facts(ctx, fd, &stx, path, r);
	if (rc < 0)
		goto fail;

	if (!(flags & DAXPOLICY_PROBE_FAST)) {
		readable = (fcntl(fd, F_GETFL) & O_PATH) == 0;
		if (readable)
			inode_flags(&r->obj, fd);
	}
	if (!(flags & DAXPOLICY_PROBE_FAST)) {
		rc = policy_facts(ctx, fd, path, &r->obj);
		if (rc < 0)
			goto fail;
	}
	if (readable && r->obj.type == DAXPOLICY_OBJECT_FILE && !(flags & DAXPOLICY_PROBE_NO_MMAP))
		probe_map_sync(&r->obj, fd, page);
	if (r->obj.type == DAXPOLICY_OBJECT_DIRECTORY && (flags & DAXPOLICY_PROBE_TMPFILE))
		probe_tmpfile(&r->obj, fd, page);

	rc = dp_evaluate(r);
	if (rc < 0)
		goto fail;
	if (fast)
		dp_mount_keep_fast_verdict(ctx, r->mount, r);
	*out = r;
	return 0;
fail:
	daxpolicy_report_free(r);
	return rc;
}

DAXPOLICY_EXPORT int daxpolicy_probe_fd(struct daxpolicy_ctx *ctx, int fd, unsigned int flags,
					struct daxpolicy_report **report)
{
	char link[64], path[PATH_MAX];
	ssize_t n;

	if (!ctx || fd < 0 || !report)
		return -EINVAL;
	if (flags & DAXPOLICY_PROBE_FAST)
		return probe(ctx, fd, "", flags, report);
	dp_snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		n = dp_snprintf(path, sizeof(path), "fd %d", fd);
	path[n] = '\0';
	return probe(ctx, fd, path, flags, report);
}

DAXPOLICY_EXPORT int daxpolicy_probe_path(struct daxpolicy_ctx *ctx, const char *path,
					  unsigned int flags, struct daxpolicy_report **report)
{
	struct stat st;
	char proc[64];
	int fd, rfd, rc;

	if (!ctx || !path || !report)
		return -EINVAL;
	if (!path[0])
		return -ENOENT;
	/* O_PATH first: opening a device node or FIFO for reading could have
	 * side effects or block. Reopen only files and directories. */
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
		dp_snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		rfd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (rfd >= 0) {
			close(fd);
			fd = rfd;
		} else {
			dbg(ctx, "%s: %s; probing without reading", path, strerror(errno));
		}
	}
	rc = probe(ctx, fd, path, flags, report);
	close(fd);
	return rc;
}

DAXPOLICY_EXPORT int daxpolicy_probe_device(struct daxpolicy_ctx *ctx, const char *name,
					    unsigned int flags, struct daxpolicy_report **report)
{
	struct daxpolicy_report *r;
	const char *base;
	char text[32];
	unsigned int maj, min;
	int rc;

	if (!ctx || !name || !report)
		return -EINVAL;
	base = strncmp(name, "/dev/", 5) == 0 ? name + 5 : name;
	if (!base[0] || strchr(base, '/'))
		return -ENOENT;
	r = dp_report_new(name);
	if (!r)
		return -ENOMEM;
	r->obj.type = DAXPOLICY_OBJECT_DEVICE;
	r->page_size = (unsigned long)sysconf(_SC_PAGESIZE);
	r->device = dp_device_new();
	if (!r->device) {
		rc = -ENOMEM;
		goto fail;
	}
	if (strncmp(base, "namespace", 9) == 0) {
		rc = dp_nvdimm_namespace(ctx, base, r->device);
	} else if (dp_read_attr(ctx, text, sizeof(text), "/sys/class/block/%s/dev", base) > 0 &&
		   sscanf(text, "%u:%u", &maj, &min) == 2) {
		dp_device_read(ctx, makedev(maj, min), r->device);
		rc = 0;
	} else {
		rc = -ENOENT;
	}
	if (rc == 0)
		rc = dp_evaluate(r);
	if (rc < 0)
		goto fail;
	*report = r;
	return 0;
fail:
	daxpolicy_report_free(r);
	return rc;
}
