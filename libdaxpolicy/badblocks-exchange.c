// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The atomic way off a bad block: XFS_IOC_EXCHANGE_RANGE (Linux 6.10, on
 * an XFS with the exchange-range feature). The block's new contents are
 * written into a new block of the quarantine file and made durable; then
 * one logged transaction swaps that block with the file's bad one. The bad
 * block goes straight from the file into the quarantine file and is never
 * free, so no other writer (an appending log under --force) can be handed
 * it; a crash leaves either the old mapping or the new one, never a hole.
 *
 * Also here: what the filesystem can do (reflink, exchange-range), probed by
 * trying both on two unnamed files of the quarantine directory, since the
 * kernel, the filesystem's features and its DAX mode all decide.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "badblocks.h"
#include "kernel-abi.h"
#include "private.h"

/* <xfs/xfs_fs.h> of xfsprogs 6.10 and later; older headers lack it. */
struct bb_xfs_exchange_range {
	int32_t file1_fd;
	uint32_t pad;
	uint64_t file1_offset, file2_offset, length, flags;
};
#define BB_XFS_IOC_EXCHANGE_RANGE _IOW('X', 129, struct bb_xfs_exchange_range)
#define BB_XFS_EXCHANGE_RANGE_DSYNC (1ull << 1)
#define BB_XFS_EXCHANGE_RANGE_DRY_RUN (1ull << 2)

/* Moves of the new contents off a quarantine block that is bad itself. */
#define EXCHANGE_TRIES 3

void bb_repair_probe(struct bb_repair *rp)
{
	struct file_clone_range clone = { 0 };
	struct bb_xfs_exchange_range x = { 0 };
	int a, b;

	rp->can_clone = rp->can_exchange = false;
	a = openat(rp->qdirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	b = a < 0 ? -1 : openat(rp->qdirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (b >= 0) {
		/* An empty clone: 0 where reflink works. */
		clone.src_fd = a;
		rp->can_clone = ioctl(b, FICLONERANGE, &clone) == 0;
		/* A dry run over one block of two sparse files. */
		x.file1_fd = a;
		x.length = rp->bs;
		x.flags = BB_XFS_EXCHANGE_RANGE_DRY_RUN;
		rp->can_exchange = ftruncate(a, (off_t)rp->bs) == 0 && ftruncate(b, (off_t)rp->bs) == 0 &&
				   ioctl(b, BB_XFS_IOC_EXCHANGE_RANGE, &x) == 0;
	}
	dbg(rp->ctx, "%s: reflink %s, exchange-range %s", rp->path, rp->can_clone ? "yes" : "no",
	    rp->can_exchange ? "yes" : "no");
	if (b >= 0)
		close(b);
	if (a >= 0)
		close(a);
}

int bb_exchange_block(struct bb_repair *rp, int qfd, uint64_t off, uint64_t len)
{
	struct bb_xfs_exchange_range x;
	uint64_t at = 0, p;
	ssize_t n;
	int rc;

	for (int i = 0;; i++, at += rp->bs) {
		bb_repair_step(rp, "write the new contents into the quarantine file, fsync it");
		n = pwrite(qfd, rp->buf, len, (off_t)at);
		if (n != (ssize_t)len)
			return n < 0 ? -errno : -EIO;
		if (fsync(qfd) < 0)
			return -errno;
		rc = bb_sector_of(&rp->s, qfd, at, &p, NULL);
		if (rc < 0)
			return rc;
		if (!bb_any_bad(rp->s.bb, p, rp->bs / 512))
			break;
		/* A bad block again: it stays in the quarantine file. */
		if (i + 1 == EXCHANGE_TRIES)
			return -EIO;
	}
	memset(&x, 0, sizeof(x));
	x.file1_fd = qfd;
	x.file1_offset = at;
	x.file2_offset = off;
	x.length = len;   /* the part below the end of the file: to its end */
	x.flags = BB_XFS_EXCHANGE_RANGE_DSYNC;
	bb_repair_step(rp, "exchange the block with the quarantine file's (XFS_IOC_EXCHANGE_RANGE, logged)");
	if (ioctl(rp->fd, BB_XFS_IOC_EXCHANGE_RANGE, &x) < 0) {
		rc = errno;
		dbg(rp->ctx, "%s: exchange-range of bytes %llu+%llu: %s", rp->path, (unsigned long long)off,
		    (unsigned long long)len, strerror(rc));
		return rc == ENOTTY || rc == EOPNOTSUPP || rc == EINVAL || rc == EXDEV ? -EOPNOTSUPP : -rc;
	}
	n = pread(rp->fd, rp->check, len, (off_t)off);
	if (n != (ssize_t)len)
		return n < 0 ? -errno : -EIO;
	return memcmp(rp->buf, rp->check, len) ? -EIO : 0;
}
