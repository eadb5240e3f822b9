// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * daxpolicy_badblocks_repair(): move the named bytes of one file off bad
 * sectors. Each filesystem block holding a bad sector of the range gets new
 * contents (its good sectors, read from the device a sector at a time, and
 * zeros for the bad ones), written in place where the platform clears the
 * error, otherwise into a new block while the bad one is kept out of use in
 * a quarantine file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "badblocks.h"
#include "kernel-abi.h"
#include "private.h"

#ifndef FICLONERANGE
struct file_clone_range {
	int64_t src_fd;
	uint64_t src_offset, src_length, dest_offset;
};
#define FICLONERANGE _IOW(0x94, 13, struct file_clone_range)
#endif

/* Far beyond any file's data: where the quarantine file keeps the block it
 * uses to aim the allocator (in blocks). */
#define ANCHOR_BLOCK (1ull << 24)

struct repair {
	struct daxpolicy_ctx *ctx;
	struct bb_scan s;
	int fd, devfd, qdirfd;
	struct stat st;
	uint64_t bs;
	unsigned char *buf, *check;
	struct daxpolicy_repair *out;
};

DAXPOLICY_EXPORT void daxpolicy_repair_free(struct daxpolicy_repair *r)
{
	if (!r)
		return;
	free(r->zeroed);
	free(r->blocks);
	free(r);
}

/* The disk sector of byte @off of the file open at @fd, and whether its
 * extent is unwritten; -ENOENT for a hole. */
static int sector_of(const struct bb_scan *s, int fd, uint64_t off, uint64_t *sector, bool *unwritten)
{
	union {
		struct fiemap fm;
		char buf[sizeof(struct fiemap) + sizeof(struct fiemap_extent)];
	} u;
	const struct fiemap_extent *x = &u.fm.fm_extents[0];

	memset(&u, 0, sizeof(u));
	u.fm.fm_start = off;
	u.fm.fm_length = 1;
	u.fm.fm_flags = FIEMAP_FLAG_SYNC;
	u.fm.fm_extent_count = 1;
	if (ioctl(fd, FS_IOC_FIEMAP, &u.fm) < 0)
		return -errno;
	if (u.fm.fm_mapped_extents == 0 || x->fe_logical > off || x->fe_logical + x->fe_length <= off)
		return -ENOENT;
	*sector = s->fs_first + (x->fe_physical + (off - x->fe_logical)) / 512;
	if (unwritten)
		*unwritten = x->fe_flags & FIEMAP_EXTENT_UNWRITTEN;
	return 0;
}

static bool sector_is_bad(const struct daxpolicy_badblocks *bb, uint64_t sector)
{
	size_t k = bb_first_range_after(bb, sector);

	return k < bb->count && bb->ranges[k].sector <= sector;
}

/* Sectors [sector, sector + n) of the disk, read from the filesystem's
 * device with O_DIRECT (a bad sector elsewhere in the page does not
 * matter there). */
static int read_device(struct repair *rp, uint64_t sector, unsigned char *to, size_t n)
{
	off_t at = (off_t)(sector - rp->s.fs_first) * 512;
	ssize_t got;

	if (rp->devfd < 0) {
		char node[80];
		struct stat st;

		dp_snprintf(node, sizeof(node), "/dev/%s", rp->s.device->name);
		rp->devfd = open(node, O_RDONLY | O_DIRECT | O_CLOEXEC);
		if (rp->devfd < 0)
			return -errno;
		if (fstat(rp->devfd, &st) < 0 || !S_ISBLK(st.st_mode) || st.st_rdev != rp->s.dev)
			return -ENODEV;
	}
	got = pread(rp->devfd, to, n * 512, at);
	return got == (ssize_t)(n * 512) ? 0 : got < 0 ? -errno : -EIO;
}

/* The new contents of a block of @len bytes starting at disk sector
 * @first: good sectors as on the device (zeros in an unwritten extent), bad
 * ones zero. */
static int build_block(struct repair *rp, uint64_t first, bool unwritten, uint64_t len)
{
	int rc;

	memset(rp->buf, 0, rp->bs);
	for (uint64_t i = 0; i < (len + 511) / 512 && !unwritten;) {
		uint64_t n = 0;

		if (sector_is_bad(rp->s.bb, first + i)) {
			i++;
			continue;
		}
		while (i + n < (len + 511) / 512 && !sector_is_bad(rp->s.bb, first + i + n))
			n++;
		rc = read_device(rp, first + i, rp->buf + i * 512, n);
		if (rc < 0)
			return rc;
		i += n;
	}
	return 0;
}

/* Write the block and read it back through the file. */
static int write_block(struct repair *rp, uint64_t off, uint64_t len)
{
	ssize_t n = pwrite(rp->fd, rp->buf, len, off);

	if (n != (ssize_t)len)
		return n < 0 ? -errno : -EIO;
	if (fsync(rp->fd) < 0)
		return -errno;
	n = pread(rp->fd, rp->check, len, off);
	if (n != (ssize_t)len)
		return n < 0 ? -errno : -EIO;
	return memcmp(rp->buf, rp->check, len) ? -EIO : 0;
}

/* Give the block at file offset @off (disk sector @bad) of the file its new
 * contents in a new block, and keep the old one out of use in a new file of
 * the quarantine directory: by reflink, else by asking the allocator for
 * exactly that block once it is free. -EAGAIN or -ERANGE: the file has its
 * new block, but the bad one is free. */
static int quarantine(struct repair *rp, uint64_t off, uint64_t len, uint64_t bad,
		      struct daxpolicy_repair_block *blk)
{
	struct file_clone_range clone = { .src_fd = rp->fd, .src_offset = off, .src_length = len };
	uint64_t anchor = ANCHOR_BLOCK * rp->bs, p, got, target;
	char name[sizeof(blk->quarantine)];
	int qfd = -1, rc;

	if (rp->qdirfd < 0) {
		struct stat st;

		if (mkdirat(rp->s.rootfd, DAXPOLICY_QUARANTINE_DIR, 0700) < 0 && errno != EEXIST)
			return -errno;
		rp->qdirfd = openat(rp->s.rootfd, DAXPOLICY_QUARANTINE_DIR,
				    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (rp->qdirfd < 0)
			return -errno;
		if (fstat(rp->qdirfd, &st) < 0 || st.st_dev != rp->s.dev)
			return -EXDEV;
	}
	for (int i = 0; qfd < 0 && i < 100; i++) {
		dp_snprintf(name, sizeof(name), i ? "%s-%llu-%d" : "%s-%llu", rp->s.bb->disk,
			    (unsigned long long)bad, i);
		qfd = openat(rp->qdirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (qfd < 0 && errno != EEXIST)
			return -errno;
	}
	if (qfd < 0)
		return -EEXIST;
	dp_snprintf(blk->quarantine, sizeof(blk->quarantine), "%s/%s", DAXPOLICY_QUARANTINE_DIR, name);

	if (ioctl(qfd, FICLONERANGE, &clone) == 0) {
		rc = fallocate(rp->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, rp->bs) < 0 ? -errno : 0;
		if (rc == 0)
			rc = write_block(rp, off, len);
		close(qfd);
		return rc;
	}
	dbg(rp->ctx, "%s: no reflink (%s): asking the allocator for the bad block", name, strerror(errno));
	/* Free the block and write the new one before the freeing is
	 * committed: until then the block is not reusable, and the file cannot
	 * get it back (ext4 aims a block between two of the file's at exactly
	 * the one in line with them). Then commit, and aim an allocation of the
	 * quarantine file at it: the allocator's goal for a block is in line
	 * with the file's nearest extent. That works on XFS; ext4 tries its
	 * goal only for a block next to one of the same file's (in
	 * ext4_mb_normalize_request()), never for a fallocate, so the bad
	 * block stays free there (-EAGAIN). */
	if (fallocate(rp->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, rp->bs) < 0) {
		rc = -errno;
		goto fail;
	}
	rc = write_block(rp, off, len);
	if (rc < 0)
		goto fail;
	if (syncfs(rp->fd) < 0 || fallocate(qfd, 0, anchor, rp->bs) < 0) {
		rc = -errno;
		goto fail;
	}
	rc = sector_of(&rp->s, qfd, anchor, &p, NULL);
	if (rc < 0)
		goto fail;
	if (p != bad) {
		target = anchor + (bad - p) * 512;   /* wraps below the anchor */
		if (bad < p && (p - bad) * 512 > anchor) {
			rc = -ERANGE;
			goto fail;
		}
		if (fallocate(qfd, 0, target, rp->bs) < 0 ||
		    fallocate(qfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, anchor, rp->bs) < 0) {
			rc = -errno;
			goto fail;
		}
		rc = sector_of(&rp->s, qfd, target, &got, NULL);
		dbg(rp->ctx, "%s: anchor at sector %llu, aimed at %llu, got %llu", name,
		    (unsigned long long)p, (unsigned long long)bad, rc < 0 ? 0ull : (unsigned long long)got);
		if (rc < 0 || got != bad) {
			rc = -EAGAIN;
			goto fail;
		}
	}
	close(qfd);
	return 0;
fail:
	close(qfd);
	unlinkat(rp->qdirfd, name, 0);
	blk->quarantine[0] = '\0';
	return rc;
}

/* Repair one filesystem block of the file. */
static int repair_block(struct repair *rp, uint64_t off, struct daxpolicy_repair_block *blk)
{
	uint64_t len = (uint64_t)rp->st.st_size - off < rp->bs ? (uint64_t)rp->st.st_size - off : rp->bs;
	uint64_t old, new;
	bool unwritten;
	int rc;

	blk->file_offset = off;
	blk->length = len;
	rc = sector_of(&rp->s, rp->fd, off, &old, &unwritten);
	if (rc < 0)
		return rc;
	blk->old_sector = old;
	rc = build_block(rp, old, unwritten, len);
	if (rc < 0)
		return rc;
	/* In place: the platform clears the error on a write where it can. */
	if (write_block(rp, off, len) == 0 && read_device(rp, old, rp->check, (len + 511) / 512) == 0) {
		blk->new_sector = old;
		blk->cleared = true;
		return 0;
	}
	rc = quarantine(rp, off, len, old, blk);
	if (rc < 0 && rc != -EAGAIN && rc != -ERANGE)
		return rc;
	if (rc < 0)
		info(rp->ctx, "%s: the bad block at sector %llu could not be kept out of use; it is free again",
		     rp->s.bb->disk, (unsigned long long)old);
	rc = sector_of(&rp->s, rp->fd, off, &new, NULL);
	if (rc < 0)
		return rc;
	blk->new_sector = new;
	for (uint64_t i = 0; i < (len + 511) / 512; i++)
		if (sector_is_bad(rp->s.bb, new + i)) {
			err(rp->ctx, "%s: the filesystem gave the bad block at sector %llu back",
			    rp->s.bb->disk, (unsigned long long)new);
			return -EIO;
		}
	return 0;
}

static int add_zeroed(struct daxpolicy_repair *r, uint64_t offset, uint64_t length)
{
	struct daxpolicy_byte_range *v = realloc(r->zeroed, (r->zeroed_count + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	r->zeroed = v;
	v[r->zeroed_count++] = (struct daxpolicy_byte_range){ offset, length };
	return 0;
}

/* The bad bytes of the file inside [offset, end), and the blocks holding
 * them; -EINVAL when such a block also holds bad bytes outside. */
static int plan(struct repair *rp, uint64_t offset, uint64_t end)
{
	struct daxpolicy_repair *r = rp->out;
	uint64_t first_block = offset / rp->bs * rp->bs, end_block = (end + rp->bs - 1) / rp->bs * rp->bs;
	int rc = 0;

	for (size_t i = 0; i < rp->s.bb->count; i++) {
		for (struct daxpolicy_badhit *h = rp->s.bb->ranges[i].hits; h && rc == 0; h = h->next) {
			uint64_t a = h->file_offset > offset ? h->file_offset : offset;
			uint64_t b = h->file_offset + h->length < end ? h->file_offset + h->length : end;

			if (h->kind != DAXPOLICY_HIT_FILE || a >= b)
				continue;
			rc = add_zeroed(r, a, b - a);
		}
	}
	if (rc < 0 || r->zeroed_count == 0)
		return rc < 0 ? rc : -ENODATA;
	/* Every bad byte of a touched block must lie in the range. */
	for (size_t i = 0; i < rp->s.bb->count; i++) {
		for (struct daxpolicy_badhit *h = rp->s.bb->ranges[i].hits; h; h = h->next) {
			uint64_t first = h->file_offset / rp->bs * rp->bs;
			uint64_t last = (h->file_offset + h->length + rp->bs - 1) / rp->bs * rp->bs;

			if (h->kind != DAXPOLICY_HIT_FILE || last <= first_block || first >= end_block)
				continue;
			if (h->file_offset < offset || h->file_offset + h->length > end) {
				err(rp->ctx, "bytes %llu+%llu are bad too and share a block with the range: "
				    "include them", (unsigned long long)h->file_offset,
				    (unsigned long long)h->length);
				return -EINVAL;
			}
		}
	}
	return 0;
}

DAXPOLICY_EXPORT int daxpolicy_badblocks_repair(struct daxpolicy_ctx *ctx, const char *path,
						uint64_t offset, uint64_t length,
						const struct daxpolicy_sector_range *list, size_t count,
						struct daxpolicy_repair **result)
{
	struct repair rp = { .ctx = ctx, .s = { .rootfd = -1 }, .fd = -1, .devfd = -1, .qdirfd = -1 };
	struct daxpolicy_repair *r;
	uint64_t end = offset + length, last = UINT64_MAX;
	int rc;

	if (!ctx || !path || !result || !length || end < offset || (count && !list))
		return -EINVAL;
	*result = NULL;
	rp.fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (rp.fd < 0)
		return -errno;
	rp.out = r = calloc(1, sizeof(*r));
	rc = !r ? -ENOMEM : fstat(rp.fd, &rp.st) < 0 ? -errno : !S_ISREG(rp.st.st_mode) ? -EINVAL : 0;
	if (rc == 0)
		rc = bb_prepare(ctx, rp.fd, list, count, &rp.s);
	if (rc == 0)
		rc = bb_fiemap_map(&rp.s, NULL, rp.fd, path, rp.st.st_ino);
	rp.bs = rp.s.block_size ? rp.s.block_size : 4096;   /* the filesystem's (statfs) */
	if (rc == 0)
		rc = plan(&rp, offset, end);
	if (rc == 0 && (posix_memalign((void **)&rp.buf, 4096, rp.bs) ||
			posix_memalign((void **)&rp.check, 4096, rp.bs)))
		rc = -ENOMEM;
	for (size_t i = 0; rc == 0 && i < r->zeroed_count; i++) {
		for (uint64_t off = r->zeroed[i].offset / rp.bs * rp.bs;
		     rc == 0 && off < r->zeroed[i].offset + r->zeroed[i].length; off += rp.bs) {
			struct daxpolicy_repair_block *v;

			if (off == last)
				continue;
			last = off;
			v = realloc(r->blocks, (r->block_count + 1) * sizeof(*v));
			if (!v) {
				rc = -ENOMEM;
				break;
			}
			r->blocks = v;
			memset(&v[r->block_count], 0, sizeof(*v));
			rc = repair_block(&rp, off, &v[r->block_count++]);
		}
	}
	if (rc == 0) {
		*result = r;
		r = NULL;
	}
	daxpolicy_repair_free(r);
	free(rp.buf);
	free(rp.check);
	bb_finish(&rp.s);
	if (rp.qdirfd >= 0)
		close(rp.qdirfd);
	if (rp.devfd >= 0)
		close(rp.devfd);
	close(rp.fd);
	return rc;
}
