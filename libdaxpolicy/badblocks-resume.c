// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Finishing repairs that were interrupted (killed, or cut by a power
 * failure): every intent record left in the quarantine directory names a
 * file (by handle, inode and generation), a block of it and the block's
 * saved contents. The block is given those contents again, by the same
 * steps as a repair (badblocks-repair.c), and the record is removed. A
 * record that does not check out was never complete, so nothing had been
 * changed yet: it is removed. A block that someone changed since the crash
 * is not overwritten (the record stays, and the error says so).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "badblocks.h"
#include "private.h"

/* Reopen the file a record names; -ESTALE when it no longer exists.
 *
 * The file is the one of the record when the handle opens it on the
 * filesystem of @rootfd (the one holding the record) with the same inode
 * and generation. The device number in the record is not compared: it is
 * that of the boot that wrote the record, and block devices are numbered
 * in probe order (pmem, loop, nvme minors change from one boot to the
 * next). Taking another number for another file would remove the record,
 * the only copy of a block that an interrupted move had punched out. */
static int reopen(struct daxpolicy_ctx *ctx, int rootfd, const struct bb_intent *in)
{
	struct {
		struct file_handle fh;
		unsigned char buf[BB_INTENT_MAX_HANDLE];
	} h;
	struct stat st, root;
	int fd, gen;

	h.fh.handle_bytes = in->handle_bytes;
	h.fh.handle_type = (int)in->handle_type;
	memcpy(h.fh.f_handle, in->handle, in->handle_bytes);
	fd = open_by_handle_at(rootfd, &h.fh, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESTALE : -errno;
	if (fstat(fd, &st) < 0 || fstat(rootfd, &root) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	if (st.st_dev != root.st_dev) {
		/* Not on the filesystem of the record: never taken for gone. */
		err(ctx, "%s: the file of a record of %s opened on another filesystem (device %u:%u)",
		    in->path, DAXPOLICY_QUARANTINE_DIR, major(st.st_dev), minor(st.st_dev));
		close(fd);
		return -EXDEV;
	}
	if (st.st_dev != in->dev)
		dbg(ctx, "%s: the filesystem's device is %u:%u now, %u:%u when the record was written", in->path,
		    major(st.st_dev), minor(st.st_dev), major((dev_t)in->dev), minor((dev_t)in->dev));
	if (in->have_generation && ioctl(fd, FS_IOC_GETVERSION, &gen) < 0) {
		/* Not known to be another file: the record stays. */
		int e = errno;

		err(ctx, "%s: cannot read the generation of inode %llu to match a record of %s: %s", in->path,
		    (unsigned long long)in->ino, DAXPOLICY_QUARANTINE_DIR, strerror(e));
		close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode) || st.st_ino != in->ino ||
	    (in->have_generation && (uint32_t)gen != in->generation)) {
		dbg(ctx, "inode %llu is another file now", (unsigned long long)in->ino);
		close(fd);
		return -ESTALE;
	}
	return fd;
}

static int finish_one(struct daxpolicy_ctx *ctx, int rootfd, int qdirfd, const char *name,
		      unsigned int flags, struct daxpolicy_repair *out)
{
	struct daxpolicy_sector_range list[BB_INTENT_MAX_SECTORS];
	struct daxpolicy_repair_block *b;
	struct bb_repair rp;
	struct bb_intent in;
	size_t count = 0;
	int rc;

	rc = bb_intent_read(qdirfd, name, &in);
	if (rc == -EBADMSG) {
		info(ctx, "%s/%s: incomplete record (interrupted before anything was changed): removed",
		     DAXPOLICY_QUARANTINE_DIR, name);
		return bb_intent_remove(qdirfd, name);
	}
	if (rc < 0)
		return rc;
	bb_repair_init(ctx, &rp, flags);
	rp.fd = reopen(ctx, rootfd, &in);
	if (rp.fd == -ESTALE) {
		info(ctx, "%s: the file of %s/%s was removed since: nothing to finish", in.path,
		     DAXPOLICY_QUARANTINE_DIR, name);
		free(in.data);
		rp.fd = -1;
		bb_repair_finish(&rp);
		return bb_intent_remove(qdirfd, name);
	}
	rc = rp.fd < 0 ? rp.fd : 0;
	for (uint64_t i = 0; i < in.block_size / 512; i++)
		if (in.bad[i / 8] & (1u << (i % 8)))
			list[count++] = (struct daxpolicy_sector_range){ in.old_sector + i, 1 };
	if (rc == 0 && fstat(rp.fd, &rp.st) < 0)
		rc = -errno;
	rp.size = (uint64_t)rp.st.st_size;
	if (rc == 0)
		rc = bb_prepare(ctx, rp.fd, list, count, &rp.s);
	rp.bs = in.block_size;
	if (rc == 0) {
		bb_repair_set_path(&rp, in.path);
		rc = bb_repair_buffers(&rp);
	}
	if (rc == 0) {
		memcpy(rp.buf, in.data, rp.bs);
		rc = bb_qdir_open(ctx, rp.s.rootfd, rp.s.dev, false, &rp.qdirfd);
	}
	rp.beyond_eof = in.file_offset >= rp.size;
	if (rc == 0)
		rc = bb_repair_lease(&rp, rp.path);
	if (rc == 0) {
		b = bb_repair_add_block(out);
		rc = b ? bb_repair_block(&rp, in.file_offset, b, name, in.bad) : -ENOMEM;
	}
	for (uint64_t i = 0; rc == 0 && i < in.block_size / 512; i++)
		if ((in.bad[i / 8] & (1u << (i % 8))) && in.file_offset + i * 512 < rp.size)
			rc = bb_repair_add_zeroed(out, in.file_offset + i * 512, 512);
	if (rc == 0)
		info(ctx, "%s: the interrupted repair of bytes %llu+%llu is finished", rp.path,
		     (unsigned long long)in.file_offset, (unsigned long long)in.block_size);
	free(in.data);
	bb_repair_finish(&rp);
	return rc;
}

int bb_finish_interrupted(struct daxpolicy_ctx *ctx, int fd, unsigned int flags, struct daxpolicy_repair *out)
{
	const struct daxpolicy_sector_range none = { 0, 0 };
	struct bb_scan s;
	struct dirent *de;
	int qfd, rc;
	DIR *dir;

	rc = bb_prepare(ctx, fd, &none, 0, &s);
	if (rc == 0 && s.rootfd < 0)
		rc = -ENODEV;
	if (rc == 0)
		rc = bb_qdir_open(ctx, s.rootfd, s.dev, false, &qfd);
	if (rc == -ENOENT) {
		bb_finish(&s);
		return 0;
	}
	if (rc < 0) {
		bb_finish(&s);
		return rc;
	}
	dir = fdopendir(qfd);
	if (!dir) {
		close(qfd);
		bb_finish(&s);
		return -ENOMEM;
	}
	while (rc == 0 && (de = readdir(dir)))
		if (bb_intent_is_record(de->d_name))
			rc = finish_one(ctx, s.rootfd, dirfd(dir), de->d_name, flags, out);
	closedir(dir);
	bb_finish(&s);
	return rc;
}

DAXPOLICY_EXPORT int daxpolicy_badblocks_finish(struct daxpolicy_ctx *ctx, const char *path,
						unsigned int flags, struct daxpolicy_repair **result)
{
	struct daxpolicy_repair *r;
	int fd, rc;

	if (!ctx || !path || !result || (flags & ~DAXPOLICY_REPAIR_FORCE))
		return -EINVAL;
	*result = NULL;
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = calloc(1, sizeof(*r));
	rc = r ? bb_finish_interrupted(ctx, fd, flags, r) : -ENOMEM;
	close(fd);
	if (rc < 0) {
		daxpolicy_repair_free(r);
		return rc;
	}
	*result = r;
	return 0;
}
