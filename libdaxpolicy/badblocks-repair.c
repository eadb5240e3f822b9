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
#include <signal.h>
#include <unistd.h>

#include "badblocks.h"
#include "kernel-abi.h"
#include "private.h"

/* Far beyond any file's data: where the quarantine file keeps the block it
 * uses to aim the allocator (in blocks). */
#define ANCHOR_BLOCK (1ull << 24)

/* Tries of a block whose good sectors changed under a --force repair. */
#define FORCE_RETRIES 3
/* Moves of a block that landed on a bad block again. */
#define MOVE_RETRIES 3

DAXPOLICY_EXPORT void daxpolicy_repair_free(struct daxpolicy_repair *r)
{
	if (!r)
		return;
	free(r->zeroed);
	free(r->blocks);
	free(r);
}

/* Each step that changes something on disk is counted and logged at debug
 * level, so that a test can kill the repair at every one of them
 * (DAXPOLICY_TEST_KILL_AT=N raises SIGKILL just before step N), or stop it
 * there (DAXPOLICY_TEST_STOP_AT=N raises SIGSTOP) to act while it waits. */
static void step(struct bb_repair *rp, const char *what)
{
	rp->step++;
	dbg(rp->ctx, "repair step %u: %s", rp->step, what);
	if (rp->kill_at && rp->step == rp->kill_at)
		raise(SIGKILL);
	if (rp->stop_at && rp->step == rp->stop_at)
		raise(SIGSTOP);
}

void bb_repair_step(struct bb_repair *rp, const char *what)
{
	step(rp, what);
}

void bb_repair_init(struct daxpolicy_ctx *ctx, struct bb_repair *rp, unsigned int flags)
{
	const char *kill_at = secure_getenv("DAXPOLICY_TEST_KILL_AT");
	const char *still_bad = secure_getenv("DAXPOLICY_TEST_STILL_BAD");
	const char *stop_at = secure_getenv("DAXPOLICY_TEST_STOP_AT");

	memset(rp, 0, sizeof(*rp));
	rp->ctx = ctx;
	rp->s.rootfd = rp->fd = rp->devfd = rp->qdirfd = -1;
	rp->flags = flags;
	rp->kill_at = kill_at ? (unsigned int)strtoul(kill_at, NULL, 10) : 0;
	rp->stop_at = stop_at ? (unsigned int)strtoul(stop_at, NULL, 10) : 0;
	rp->test_still_bad = still_bad && *still_bad == '1';
}

void bb_repair_finish(struct bb_repair *rp)
{
	free(rp->buf);
	free(rp->check);
	bb_finish(&rp->s);
	if (rp->leased)
		fcntl(rp->fd, F_SETLEASE, F_UNLCK);
	if (rp->qdirfd >= 0)
		close(rp->qdirfd);
	if (rp->devfd >= 0)
		close(rp->devfd);
	if (rp->fd >= 0)
		close(rp->fd);
}

/* Hold the file against every other opener for the whole repair: a write
 * lease, granted only when no other process has it open or mapped. A new
 * opener (or truncate) breaks it; the repair sees that before each block
 * and stops. No signal is wanted for the break: the lease's owner is
 * cleared (the signal in the instant before is SIGURG, ignored by
 * default).
 *
 * --force goes without it. Where a block's move would free its bad block
 * (no reflink and no exchange-range, or a block wholly beyond the end of
 * the file) it takes the lease all the same when no one else has the file
 * open; if someone has, such a move is refused when it comes to it
 * (quarantine()): a writer of the file could be handed the free bad block
 * and lose its write (6.1 XFS even shuts down, unable to zero it for DAX). */
int bb_repair_lease(struct bb_repair *rp, const char *path)
{
	bool force = rp->flags & DAXPOLICY_REPAIR_FORCE;

	bb_repair_probe(rp);
	if (force && (rp->can_clone || rp->can_exchange) && !rp->beyond_eof)
		return 0;
	if (fcntl(rp->fd, F_SETSIG, SIGURG) < 0 || fcntl(rp->fd, F_SETLEASE, F_WRLCK) < 0) {
		int e = errno;

		if (force) {
			dbg(rp->ctx, "%s: no write lease (%s): a block that must be moved is refused", path,
			    strerror(e));
			return 0;
		}
		if (e == EAGAIN || e == EBUSY) {
			err(rp->ctx, "%s is open or mapped by another process: a repair needs it to itself, "
			    "so that no write is lost; stop that process, or --force", path);
			return -EBUSY;
		}
		err(rp->ctx, "%s: no write lease (%s): refused; --force repairs without one", path, strerror(e));
		return -e;
	}
	rp->leased = true;
	fcntl(rp->fd, F_SETOWN, 0);
	return 0;
}

/* Still ours: nobody has opened the file since the lease was taken. */
static bool lease_held(struct bb_repair *rp)
{
	return !rp->leased || fcntl(rp->fd, F_GETLEASE) == F_WRLCK;
}

/* The disk sector of byte @off of the file open at @fd, and whether its
 * extent is unwritten; -ENOENT for a hole. */
int bb_sector_of(const struct bb_scan *s, int fd, uint64_t off, uint64_t *sector, bool *unwritten)
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

bool bb_any_bad(const struct daxpolicy_badblocks *bb, uint64_t sector, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (sector_is_bad(bb, sector + i))
			return true;
	return false;
}

/* Sectors [sector, sector + n) of the disk, read from the filesystem's
 * device with O_DIRECT (a bad sector elsewhere in the page does not
 * matter there). DAXPOLICY_TEST_STILL_BAD=1 (tests only) makes a listed bad
 * sector fail to read after the in-place write, as on a platform that
 * cannot clear errors. */
static int read_device(struct bb_repair *rp, uint64_t sector, unsigned char *to, size_t n)
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
	if (rp->test_still_bad && rp->written_in_place && bb_any_bad(rp->s.bb, sector, n))
		return -EIO;
	got = pread(rp->devfd, to, n * 512, at);
	return got == (ssize_t)(n * 512) ? 0 : got < 0 ? -errno : -EIO;
}

/* The good sectors of the whole block at disk sector @first, as on the
 * device, into @to (zeros for the bad ones, and for an unwritten extent). */
static int read_good(struct bb_repair *rp, uint64_t first, bool unwritten, unsigned char *to)
{
	uint64_t sectors = rp->bs / 512;
	int rc;

	memset(to, 0, rp->bs);
	for (uint64_t i = 0; i < sectors && !unwritten;) {
		uint64_t n = 0;

		if (sector_is_bad(rp->s.bb, first + i)) {
			/* CXL: poison known to 64 bytes; the sector's other
			 * bytes are kept where it reads. */
			if (bb_cxl_repair(rp) && (read_device(rp, first + i, to + i * 512, 1) < 0 ||
						  bb_cxl_keep_good(rp->s.bb, first + i, to + i * 512) < 0))
				memset(to + i * 512, 0, 512);
			i++;
			continue;
		}
		while (i + n < sectors && !sector_is_bad(rp->s.bb, first + i + n))
			n++;
		rc = read_device(rp, first + i, to + i * 512, n);
		if (rc < 0)
			return rc;
		i += n;
	}
	return 0;
}

/* Give the block its contents: its bytes below the end of the file written
 * and read back through the file; a block wholly beyond the end
 * (preallocated with FALLOC_FL_KEEP_SIZE) is allocated unwritten again.
 * The file's size never changes. */
static int write_block(struct bb_repair *rp, uint64_t off, uint64_t len)
{
	ssize_t n;

	if (len == 0) {
		step(rp, "allocate the block beyond the end of the file, unwritten");
		return fallocate(rp->fd, FALLOC_FL_KEEP_SIZE, off, rp->bs) < 0 ? -errno : 0;
	}
	step(rp, "write the block through the file");
	n = pwrite(rp->fd, rp->buf, len, off);
	if (n != (ssize_t)len)
		return n < 0 ? -errno : -EIO;
	step(rp, "fsync the file");
	if (fsync(rp->fd) < 0)
		return -errno;
	n = pread(rp->fd, rp->check, len, off);
	if (n != (ssize_t)len)
		return n < 0 ? -errno : -EIO;
	return memcmp(rp->buf, rp->check, len) ? -EIO : 0;
}

static int punch(struct bb_repair *rp, uint64_t off)
{
	step(rp, "punch the block out of the file");
	return fallocate(rp->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, rp->bs) < 0 ? -errno : 0;
}

/* Give the block at file offset @off (disk sector @bad) of the file its new
 * contents in a new block, and keep the old one out of use in a new file of
 * the quarantine directory: by reflink, else by asking the allocator for
 * exactly that block once it is free. -EAGAIN or -ERANGE: the file has its
 * new block, but the bad one is free. */
static int quarantine(struct bb_repair *rp, uint64_t off, uint64_t len, uint64_t bad,
		      struct daxpolicy_repair_block *blk)
{
	struct file_clone_range clone = { .src_fd = rp->fd, .src_offset = off, .src_length = len };
	uint64_t anchor = ANCHOR_BLOCK * rp->bs, p, got, target;
	char name[sizeof(blk->quarantine)];
	int qfd = -1, rc;

	for (int i = 0; qfd < 0 && i < 100; i++) {
		dp_snprintf(name, sizeof(name), i ? "%s-%llu-%d" : "%s-%llu", rp->s.bb->disk,
			    (unsigned long long)bad, i);
		if (i == 0)
			step(rp, "create the quarantine file");
		qfd = openat(rp->qdirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (qfd < 0 && errno != EEXIST)
			return -errno;
	}
	if (qfd < 0)
		return -EEXIST;
	dp_snprintf(blk->quarantine, sizeof(blk->quarantine), "%s/%s", DAXPOLICY_QUARANTINE_DIR, name);

	/* A block beyond the end of the file cannot be cloned (the source
	 * range must lie inside the file). */
	if (len)
		step(rp, "clone the bad block into the quarantine file");
	if (len && ioctl(qfd, FICLONERANGE, &clone) == 0) {
		rc = punch(rp, off);
		if (rc == 0)
			rc = write_block(rp, off, len);
		close(qfd);
		return rc;
	}
	/* Exchange-range: the bad block moves into the quarantine file in
	 * one logged step, and is never free. */
	if (len && rp->can_exchange) {
		rc = bb_exchange_block(rp, qfd, off, len);
		if (rc != -EOPNOTSUPP) {
			/* Kept also after a failure: it may hold the bad block. */
			close(qfd);
			return rc;
		}
		if (ftruncate(qfd, 0) < 0) {
			rc = -errno;
			goto fail;
		}
	}
	/* The way below frees the bad block for an instant: never while
	 * others may write the file (bb_repair_lease() took the lease where
	 * it would be needed; this is in case exchange-range failed). */
	if ((rp->flags & DAXPOLICY_REPAIR_FORCE) && !rp->leased) {
		err(rp->ctx, "%s: bytes %llu+%llu must move off the bad sector, which frees the bad block "
		    "for an instant here (%s), and another process has the file open: a writer could be "
		    "given that block and lose its write; refused, the block is as it was; stop them "
		    "and repair again", rp->path, (unsigned long long)off, (unsigned long long)rp->bs,
		    !len ? "the block lies beyond the end of the file" :
			   "neither reflink nor exchange-range (XFS_IOC_EXCHANGE_RANGE)");
		rc = -ETXTBSY;
		goto fail;
	}
	dbg(rp->ctx, "%s: no reflink: asking the allocator for the bad block", name);
	/* Free the block and write the new one before the freeing is
	 * committed: until then the block is not reusable, and the file cannot
	 * get it back (ext4 aims a block between two of the file's at exactly
	 * the one in line with them). Then commit, and aim an allocation of the
	 * quarantine file at it: the allocator's goal for a block is in line
	 * with the file's nearest extent. That works on XFS; ext4 tries its
	 * goal only for a block next to one of the same file's (in
	 * ext4_mb_normalize_request()), never for a fallocate, so the bad
	 * block stays free there (-EAGAIN). */
	rc = punch(rp, off);
	if (rc < 0)
		goto fail;
	/* A block beyond the end of the file holds no data: it is allocated
	 * again only once the quarantine file holds the bad one. */
	rc = len ? write_block(rp, off, len) : 0;
	if (rc < 0)
		goto fail;
	step(rp, "commit the filesystem (syncfs)");
	if (syncfs(rp->fd) < 0) {
		rc = -errno;
		goto fail;
	}
	step(rp, "allocate the quarantine file's anchor block");
	if (fallocate(qfd, 0, anchor, rp->bs) < 0) {
		rc = -errno;
		goto fail;
	}
	rc = bb_sector_of(&rp->s, qfd, anchor, &p, NULL);
	if (rc < 0)
		goto fail;
	if (p != bad) {
		target = anchor + (bad - p) * 512;   /* wraps below the anchor */
		if (bad < p && (p - bad) * 512 > anchor) {
			rc = -ERANGE;
			goto fail;
		}
		step(rp, "aim the quarantine file at the bad block");
		if (fallocate(qfd, 0, target, rp->bs) < 0 ||
		    fallocate(qfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, anchor, rp->bs) < 0) {
			rc = -errno;
			goto fail;
		}
		rc = bb_sector_of(&rp->s, qfd, target, &got, NULL);
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

/* The record of what is about to be done to the block at @off. */
static int fill_intent(struct bb_repair *rp, uint64_t off, uint64_t len, uint64_t old, bool mapped,
		       struct bb_intent *in)
{
	struct {
		struct file_handle fh;
		unsigned char buf[BB_INTENT_MAX_HANDLE];
	} h;
	int mnt_id, gen;

	memset(in, 0, sizeof(*in));
	in->dev = rp->st.st_dev;
	in->ino = rp->st.st_ino;
	if (ioctl(rp->fd, FS_IOC_GETVERSION, &gen) == 0) {
		in->generation = (uint32_t)gen;
		in->have_generation = true;
	}
	h.fh.handle_bytes = BB_INTENT_MAX_HANDLE;
	if (name_to_handle_at(rp->fd, "", &h.fh, &mnt_id, AT_EMPTY_PATH) < 0)
		return -errno;   /* then it could not be found again after a crash */
	in->handle_type = (uint32_t)h.fh.handle_type;
	in->handle_bytes = h.fh.handle_bytes;
	memcpy(in->handle, h.fh.f_handle, h.fh.handle_bytes);
	dp_snprintf(in->path, sizeof(in->path), "%s", rp->path);
	in->file_offset = off;
	in->length = len;
	in->block_size = rp->bs;
	in->old_sector = old;
	in->file_size = (uint64_t)rp->st.st_size;
	for (uint64_t i = 0; mapped && i < rp->bs / 512 && i < BB_INTENT_MAX_SECTORS; i++)
		if (sector_is_bad(rp->s.bb, old + i))
			in->bad[i / 8] |= 1u << (i % 8);
	in->data = rp->buf;
	return 0;
}

/* After a crash, what the block holds: 1 when it already holds the saved
 * contents, 0 when it holds what an interrupted repair leaves (its old
 * contents, unreadable; a hole; the saved contents partly written over
 * zeros), -EBUSY when someone has written other data there since. */
static int resume_state(struct bb_repair *rp, uint64_t off, uint64_t len, bool mapped, const uint8_t *bad)
{
	bool same = true;
	ssize_t n;

	if (!mapped || len == 0)
		return 0;
	n = pread(rp->fd, rp->check, len, off);
	if (n != (ssize_t)len)
		return 0;   /* still on the bad sectors */
	/* The bad sectors' bytes may be anything that reads (their old
	 * contents where the device lets them be read, zeros). */
	for (uint64_t i = 0; i < len; i++) {
		if (bad[i / 512 / 8] & (1u << (i / 512 % 8)))
			continue;
		if (rp->check[i] != rp->buf[i]) {
			same = false;
			if (rp->check[i] != 0)
				return -EBUSY;
		}
	}
	return same ? 1 : 0;
}

/* Where the block is now, after a failed move. */
static int remap(struct bb_repair *rp, uint64_t off, uint64_t *old, bool *mapped,
		 struct daxpolicy_repair_block *blk)
{
	int rc = bb_sector_of(&rp->s, rp->fd, off, old, NULL);

	if (rc < 0 && rc != -ENOENT)
		return rc;
	*mapped = rc == 0;
	blk->old_sector = *mapped ? *old : blk->old_sector;
	dbg(rp->ctx, "%s: bytes %llu+%llu: the move is tried again", rp->path, (unsigned long long)off,
	    (unsigned long long)rp->bs);
	return 0;
}

int bb_repair_block(struct bb_repair *rp, uint64_t off, struct daxpolicy_repair_block *blk,
		    const char *record, const uint8_t *bad)
{
	char name[128];
	struct bb_intent in;
	uint64_t len, old = 0, new;
	bool unwritten = false, mapped;
	int rc, tries = 0, moves = 0;

	rp->written_in_place = false;
	if (fstat(rp->fd, &rp->st) < 0)
		return -errno;
	len = off >= (uint64_t)rp->st.st_size ? 0 :
	      (uint64_t)rp->st.st_size - off < rp->bs ? (uint64_t)rp->st.st_size - off : rp->bs;
	blk->file_offset = off;
	blk->length = len;
	rc = bb_sector_of(&rp->s, rp->fd, off, &old, &unwritten);
	if (rc < 0 && (rc != -ENOENT || !record))
		return rc;
	mapped = rc == 0;
	blk->old_sector = old;
	if (record) {
		/* Finishing an interrupted repair: rp->buf holds the saved
		 * contents. */
		blk->resumed = true;
		dp_snprintf(name, sizeof(name), "%s", record);
		rc = resume_state(rp, off, len, mapped, bad);
		if (rc == -EBUSY) {
			err(rp->ctx, "%s: bytes %llu+%llu were changed since the repair was interrupted: "
			    "not overwritten; the saved contents stay in %s/%s", rp->path,
			    (unsigned long long)off, (unsigned long long)len, DAXPOLICY_QUARANTINE_DIR, name);
			return rc;
		}
		if (rc == 1 && !bb_any_bad(rp->s.bb, old, rp->bs / 512)) {
			blk->new_sector = old;
			blk->cleared = true;
			step(rp, "remove the intent record");
			return bb_intent_remove(rp->qdirfd, name);
		}
	} else {
again:
		rc = read_good(rp, old, unwritten || len == 0, rp->buf);
		if (rc < 0)
			return rc;
		rc = fill_intent(rp, off, len, old, mapped, &in);
		if (rc < 0)
			return rc;
		step(rp, "write the intent record (saved contents), fsync it and the directory");
		rc = bb_intent_write(rp->qdirfd, &in, name, sizeof(name));
		if (rc < 0)
			return rc;
		if (rp->flags & DAXPOLICY_REPAIR_FORCE) {
			/* Others have the file open: a write since the good
			 * sectors were read must not be undone. */
			rc = read_good(rp, old, unwritten || len == 0, rp->check);
			if (rc == 0 && memcmp(rp->buf, rp->check, rp->bs)) {
				bb_intent_remove(rp->qdirfd, name);
				if (++tries < FORCE_RETRIES)
					goto again;
				err(rp->ctx, "%s: bytes %llu+%llu keep changing under the repair: stopped, "
				    "nothing was changed in them", rp->path, (unsigned long long)off,
				    (unsigned long long)rp->bs);
				return -EBUSY;
			}
			if (rc < 0)
				return rc;
		}
	}
	if (!lease_held(rp)) {
		if (!record)
			bb_intent_remove(rp->qdirfd, name);
		err(rp->ctx, "%s: another process opened the file during the repair: stopped before "
		    "bytes %llu+%llu, which are unchanged", rp->path, (unsigned long long)off,
		    (unsigned long long)rp->bs);
		return -EBUSY;
	}
	/* In place: the platform clears the error on a write where it can. */
	if (mapped && len && write_block(rp, off, len) == 0) {
		rp->written_in_place = true;
		if (bb_cxl_repair(rp) ? bb_cxl_clear_block(rp, old) == 1 :
		    read_device(rp, old, rp->check, rp->bs / 512) == 0) {
			blk->new_sector = old;
			blk->cleared = true;
			step(rp, "remove the intent record");
			return bb_intent_remove(rp->qdirfd, name);
		}
	}
	/* Another process's fsync can commit the freeing of the bad block
	 * early (ext4's journal is shared), so that the new block is the bad
	 * one again: the move is tried again, from the saved contents. */
move:
	/* A hole (an interrupted move had punched it): write; when the
	 * allocator hands out the bad block again, move off it. */
	if (!mapped) {
		rc = write_block(rp, off, len);
		if (rc < 0 && moves++ < MOVE_RETRIES && remap(rp, off, &old, &mapped, blk) == 0)
			goto move;
		if (rc < 0)
			return rc;
		if (bb_sector_of(&rp->s, rp->fd, off, &old, NULL) == 0 && bb_any_bad(rp->s.bb, old, rp->bs / 512)) {
			mapped = true;
			blk->old_sector = old;
		}
	}
	rc = mapped ? quarantine(rp, off, len, old, blk) : 0;
	if (rc == -ETXTBSY && !record) {
		/* Refused before the punch: the block still has its good
		 * sectors, the record is not needed. */
		step(rp, "remove the intent record");
		bb_intent_remove(rp->qdirfd, name);
		return rc;
	}
	if (rc == -ETXTBSY)
		return rc;
	if (rc < 0 && rc != -EAGAIN && rc != -ERANGE && moves++ < MOVE_RETRIES &&
	    remap(rp, off, &old, &mapped, blk) == 0)
		goto move;
	if (rc < 0 && rc != -EAGAIN && rc != -ERANGE)
		return rc;
	if (rc < 0)
		info(rp->ctx, "%s: the bad block at sector %llu could not be kept out of use; it is free again",
		     rp->s.bb->disk, (unsigned long long)old);
	if (mapped && len == 0 && bb_sector_of(&rp->s, rp->fd, off, &new, NULL) == -ENOENT) {
		rc = write_block(rp, off, 0);
		if (rc < 0)
			return rc;
	}
	rc = bb_sector_of(&rp->s, rp->fd, off, &new, NULL);
	if (rc < 0)
		return rc;
	blk->new_sector = new;
	if (len == 0 && bb_any_bad(rp->s.bb, new, rp->bs / 512)) {
		/* Beyond the end, nothing is lost by leaving a hole. */
		info(rp->ctx, "%s: bytes %llu+%llu beyond the end of the file are no longer preallocated",
		     rp->path, (unsigned long long)off, (unsigned long long)rp->bs);
		rc = punch(rp, off);
		if (rc < 0)
			return rc;
		blk->new_sector = 0;
	} else if (bb_any_bad(rp->s.bb, new, rp->bs / 512) && moves++ < MOVE_RETRIES) {
		old = new;
		mapped = true;
		blk->old_sector = old;
		goto move;
	} else if (bb_any_bad(rp->s.bb, new, rp->bs / 512)) {
		err(rp->ctx, "%s: the filesystem gave the bad block at sector %llu back; the saved "
		    "contents stay in %s/%s", rp->s.bb->disk, (unsigned long long)new,
		    DAXPOLICY_QUARANTINE_DIR, name);
		return -EIO;
	}
	step(rp, "remove the intent record");
	return bb_intent_remove(rp->qdirfd, name);
}

int bb_repair_add_zeroed(struct daxpolicy_repair *r, uint64_t offset, uint64_t length)
{
	struct daxpolicy_byte_range *v = realloc(r->zeroed, (r->zeroed_count + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	r->zeroed = v;
	v[r->zeroed_count++] = (struct daxpolicy_byte_range){ offset, length };
	return 0;
}

struct daxpolicy_repair_block *bb_repair_add_block(struct daxpolicy_repair *r)
{
	struct daxpolicy_repair_block *v = realloc(r->blocks, (r->block_count + 1) * sizeof(*v));

	if (!v)
		return NULL;
	r->blocks = v;
	memset(&v[r->block_count], 0, sizeof(*v));
	return &v[r->block_count++];
}

/* The bad bytes of the file inside [offset, end), and the blocks holding
 * them; -EINVAL when such a block also holds bad bytes outside. */
static int plan(struct bb_repair *rp, uint64_t offset, uint64_t end)
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
			rc = bb_repair_add_zeroed(r, a, b - a);
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

/* The file's path from its mount point, for records and messages. */
void bb_repair_set_path(struct bb_repair *rp, const char *fallback)
{
	char link[64], real[PATH_MAX];
	size_t n = strlen(rp->s.root);
	ssize_t got;

	dp_snprintf(link, sizeof(link), "/proc/self/fd/%d", rp->fd);
	got = readlink(link, real, sizeof(real) - 1);
	real[got > 0 ? got : 0] = '\0';
	if (got > 0 && !strncmp(real, rp->s.root, n) && real[n] == '/')
		dp_snprintf(rp->path, sizeof(rp->path), "%s", real + n + 1);
	else
		dp_snprintf(rp->path, sizeof(rp->path), "%s", fallback);
}

int bb_repair_buffers(struct bb_repair *rp)
{
	if (rp->bs % 512 || rp->bs > BB_INTENT_MAX_SECTORS * 512)
		return -EOPNOTSUPP;
	if (posix_memalign((void **)&rp->buf, 4096, rp->bs) || posix_memalign((void **)&rp->check, 4096, rp->bs))
		return -ENOMEM;
	return 0;
}

DAXPOLICY_EXPORT int daxpolicy_badblocks_repair_flags(struct daxpolicy_ctx *ctx, const char *path,
						      uint64_t offset, uint64_t length,
						      const struct daxpolicy_sector_range *list, size_t count,
						      unsigned int flags, struct daxpolicy_repair **result)
{
	struct bb_repair rp;
	struct daxpolicy_repair *r;
	uint64_t end = offset + length, last = UINT64_MAX;
	int rc;

	if (!ctx || !path || !result || !length || end < offset || (count && !list) ||
	    (flags & ~DAXPOLICY_REPAIR_FORCE))
		return -EINVAL;
	*result = NULL;
	bb_repair_init(ctx, &rp, flags);
	rp.out = r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	/* Interrupted repairs on this filesystem first: their records hold
	 * the only good copy of their blocks. (Through an O_PATH descriptor,
	 * which does not count as an opener against their leases.) */
	rp.fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	rc = rp.fd < 0 ? -errno : bb_finish_interrupted(ctx, rp.fd, flags, r);
	if (rp.fd >= 0)
		close(rp.fd);
	rp.fd = -1;
	if (rc == 0) {
		rp.fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		rc = rp.fd < 0 ? -errno : 0;
	}
	if (rc == 0)
		rc = fstat(rp.fd, &rp.st) < 0 ? -errno : !S_ISREG(rp.st.st_mode) ? -EINVAL : 0;
	rp.size = (uint64_t)rp.st.st_size;
	if (rc == 0)
		rc = bb_prepare(ctx, rp.fd, list, count, &rp.s);
	if (rc == 0)
		rc = bb_fiemap_map(&rp.s, NULL, rp.fd, path, rp.st.st_ino);
	if (rc == 0)
		rc = bb_cxl_narrow_hits(rp.s.bb);   /* CXL: the poisoned bytes */
	rp.bs = rp.s.block_size ? rp.s.block_size : 4096;   /* the filesystem's (statfs) */
	if (rc == 0) {
		bb_repair_set_path(&rp, path);
		rc = plan(&rp, offset, end);
	}
	if (rc == 0)
		rc = bb_repair_buffers(&rp);
	if (rc == 0)
		rc = bb_qdir_open(ctx, rp.s.rootfd, rp.s.dev, true, &rp.qdirfd);
	for (size_t i = 0; rc == 0 && i < r->zeroed_count; i++)
		if (r->zeroed[i].offset + r->zeroed[i].length > (rp.size + rp.bs - 1) / rp.bs * rp.bs)
			rp.beyond_eof = true;
	if (rc == 0)
		rc = bb_repair_lease(&rp, path);
	for (size_t i = 0; rc == 0 && i < r->zeroed_count; i++) {
		for (uint64_t off = r->zeroed[i].offset / rp.bs * rp.bs;
		     rc == 0 && off < r->zeroed[i].offset + r->zeroed[i].length; off += rp.bs) {
			struct daxpolicy_repair_block *b;

			if (off == last)
				continue;
			last = off;
			b = bb_repair_add_block(r);
			rc = b ? bb_repair_block(&rp, off, b, NULL, NULL) : -ENOMEM;
		}
	}
	/* The repair never changes the size; with the lease, nobody else can. */
	if (rc == 0 && rp.leased && (fstat(rp.fd, &rp.st) < 0 || rp.st.st_size != (off_t)rp.size)) {
		err(ctx, "%s: the size changed during the repair", path);
		rc = -EIO;
	}
	if (rc == 0) {
		*result = r;
		r = NULL;
	}
	daxpolicy_repair_free(r);
	bb_repair_finish(&rp);
	return rc;
}

DAXPOLICY_EXPORT int daxpolicy_badblocks_repair(struct daxpolicy_ctx *ctx, const char *path, uint64_t offset,
						uint64_t length, const struct daxpolicy_sector_range *list,
						size_t count, struct daxpolicy_repair **result)
{
	return daxpolicy_badblocks_repair_flags(ctx, path, offset, length, list, count, 0, result);
}
