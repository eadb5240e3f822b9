/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The result of a badblocks scan and what its parts share: the sources of
 * bad ranges (badblocks.c), the attribution of ranges to files with FIEMAP
 * (badblocks-fiemap.c) over a walk of the filesystem (badblocks-walk.c) or
 * with the reverse map of GETFSMAP (badblocks-fsmap.c).
 */
#ifndef LIBDAXPOLICY_BADBLOCKS_H
#define LIBDAXPOLICY_BADBLOCKS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <daxpolicy/libdaxpolicy.h>

#include "private.h"

struct daxpolicy_badhit {
	struct daxpolicy_badhit *next;
	enum daxpolicy_hit_kind kind;
	uint64_t sector, count;
	char *path;
	uint64_t inode, file_offset, length;
	bool unwritten, shared;
};

/* One piece of a CXL poison record on the disk. */
struct daxpolicy_poison {
	struct daxpolicy_poison *next;
	char memdev[32];
	uint64_t dpa, dpa_length;        /* the record, as the memdev lists it */
	uint64_t offset, length;         /* the disk's bytes it poisons */
};

struct daxpolicy_badrange {
	struct daxpolicy_badrange *next;
	uint64_t sector, count;
	const char *source;
	struct daxpolicy_badhit *hits;   /* in sector order */
	struct daxpolicy_poison *poison; /* CXL: the records in it, in disk order */
	bool bytes_exact;                /* made of poison only: hits narrowed to its bytes */
};

struct daxpolicy_badblocks {
	char disk[64];
	char *mount;
	const char *source;
	size_t count;
	struct daxpolicy_badrange *ranges;   /* sorted, merged, linked in order */
	struct daxpolicy_reason *reasons, **reasons_tail;   /* about the scan as a whole */
};

/* Append a reason (a catalogued code) to the scan's result. 0 or -ENOMEM. */
int bb_add_reason(struct daxpolicy_badblocks *bb, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One scan of one mounted filesystem. */
struct bb_scan {
	struct daxpolicy_badblocks *bb;
	struct dp_mount *mnt;
	struct dp_device *device;        /* the filesystem's (a partition, say) */
	uint64_t fs_first, fs_sectors;   /* the filesystem's device, in disk sectors */
	dev_t dev;
	int rootfd;                      /* the mount's root directory */
	uint64_t block_size;             /* the filesystem's */
	const char *root;                /* its path, "" for / */
};

/* The known bad ranges of the disk under @dev (the whole disk of a
 * partition), numbered like that disk: libndctl's lists of a pmem disk,
 * /sys/block/DISK/badblocks of another, and for a device-mapper device the
 * ranges of the devices beneath its linear targets moved through its table
 * (-EOPNOTSUPP when another kind of target maps a device). *@source says
 * which: "nvdimm", "sysfs" or "dm". A disk that keeps no list at all (a
 * loop disk, say), beneath or not, is -EOPNOTSUPP too; both leave the
 * calling thread's refusal with the reason no_error_source, naming the
 * device. (badblocks-source.c) */
int bb_device_ranges(struct daxpolicy_ctx *ctx, const struct dp_device *dev, dp_range_fn fn, void *arg,
		     const char **source);

/* The refusal no_error_source for disk @name, with a message made of
 * @fmt; -EOPNOTSUPP. (badblocks-source.c) */
int bb_no_source(struct daxpolicy_ctx *ctx, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- badblocks-cxl.c: CXL poison lists ---- */

/* The poison of the memdevs behind pmem disk @disk's CXL region, passed to
 * @fn as sector ranges with source "cxl"; during each call
 * bb_cxl_poison_now points at the piece's exact bytes and record.
 * -ENOENT when the disk is not on a CXL region; a refusal
 * (no_error_source) when the lists cannot be read. */
int bb_cxl_ranges(struct daxpolicy_ctx *ctx, const char *disk, dp_range_fn fn, void *arg);
extern _Thread_local const struct daxpolicy_poison *bb_cxl_poison_now;
/* Clear, through each memdev's debugfs clear_poison, the listed poison in
 * disk bytes [@offset, @offset + @length) of @disk, 64 bytes at a time (the
 * kernel writes zeros there); *@units: how many were accepted. 0 when it
 * was offered (some may still stay listed: re-read the list to know);
 * -EOPNOTSUPP when no memdev offers it (no debugfs, not root, a test list
 * from DAXPOLICY_TEST_CXL_POISON); -ENOENT when @disk is not on CXL. */
int bb_cxl_clear(struct daxpolicy_ctx *ctx, const char *disk, uint64_t offset, uint64_t length, size_t *units);
/* After attribution: narrow the file hits of poison-only ranges to the
 * poisoned bytes (64-byte precision). */
int bb_cxl_narrow_hits(struct daxpolicy_badblocks *bb);

/* Set up a scan of the filesystem holding @fd: its disk, where it lies on
 * it, the bad ranges (@list, or the device's), its root. bb_finish() frees
 * what it holds, even after a failure. */
int bb_prepare(struct daxpolicy_ctx *ctx, int fd, const struct daxpolicy_sector_range *list,
	       size_t count, struct bb_scan *s);
void bb_finish(struct bb_scan *s);

/* A new hit of @kind on range @r, kept in sector order; NULL when out of
 * memory. */
struct daxpolicy_badhit *bb_new_hit(struct daxpolicy_badrange *r, enum daxpolicy_hit_kind kind,
				    uint64_t sector, uint64_t count);
void bb_free_hits(struct daxpolicy_badhit *h);
/* The index of the first range that ends after @sector. */
size_t bb_first_range_after(const struct daxpolicy_badblocks *bb, uint64_t sector);

/* Attribute every range with the filesystem's reverse map (GETFSMAP). 1 when
 * it named the owner of every bad sector (XFS with rmapbt; or no file data
 * hit at all), 0 when file data has no named owner (ext4, XFS without
 * rmapbt, no GETFSMAP) and a FIEMAP walk is needed; the hits are then
 * dropped. Negative errno on failure. */
int bb_fsmap_attribute(struct bb_scan *s);
/* After a FIEMAP walk: what no file covers is metadata, free space or
 * unknown, from GETFSMAP where the filesystem has it. */
int bb_fsmap_classify_gaps(struct bb_scan *s, struct daxpolicy_badrange *r);
/* Walk the filesystem (badblocks-walk.c) and map every regular file with
 * FIEMAP; a file with several names is mapped under one. */
int bb_fiemap_walk(struct daxpolicy_ctx *ctx, struct bb_scan *s);
/* Map one open regular file, inode @ino, named @path in the hits, with
 * FIEMAP; its hits are added under @lock unless NULL. */
int bb_fiemap_map(struct bb_scan *s, pthread_mutex_t *lock, int fd, const char *path, uint64_t ino);

/* ---- badblocks-intent.c: the repair's intent records and their directory ---- */

#define BB_INTENT_MAX_SECTORS 128   /* a 64 KiB filesystem block */
#define BB_INTENT_MAX_HANDLE 128    /* MAX_HANDLE_SZ */
#define BB_INTENT_MAX_PATH 1024     /* for messages only; the handle identifies */

/* What a repair is about to do to one block of one file. */
struct bb_intent {
	uint64_t dev, ino, generation;   /* the file */
	bool have_generation;
	uint32_t handle_type, handle_bytes;   /* name_to_handle_at(), to reopen it */
	unsigned char handle[BB_INTENT_MAX_HANDLE];
	char path[BB_INTENT_MAX_PATH];   /* from the mount point */
	uint64_t file_offset;    /* the block */
	uint64_t length;         /* its bytes below the file's end (0: all beyond) */
	uint64_t block_size, old_sector, file_size;
	uint8_t bad[BB_INTENT_MAX_SECTORS / 8];   /* its bad sectors, bit i: sector i */
	unsigned char *data;     /* block_size bytes: the new contents */
};

/* Open DAXPOLICY_QUARANTINE_DIR under @rootfd (creating it 0700 when
 * @create): -ENOENT when it is not there; -EPERM (with a message unless
 * @ctx is NULL) when it is not a directory of @dev owned by root or the
 * caller and closed to others. */
int bb_qdir_open(struct daxpolicy_ctx *ctx, int rootfd, dev_t dev, bool create, int *dirfd);
/* Whether a name in that directory is a record's. */
bool bb_intent_is_record(const char *name);
/* Write @in as a new record, durable (file and directory fsynced) before
 * this returns; its name into @name. */
int bb_intent_write(int dirfd, const struct bb_intent *in, char *name, size_t size);
/* Read a record (@in->data allocated); -EBADMSG for one that does not
 * check out (torn while it was written). */
int bb_intent_read(int dirfd, const char *name, struct bb_intent *in);
/* Remove a record, durably. */
int bb_intent_remove(int dirfd, const char *name);

/* ---- badblocks-repair.c, badblocks-resume.c: the repair of one file ---- */

struct bb_repair {
	struct daxpolicy_ctx *ctx;
	struct bb_scan s;
	int fd, devfd, qdirfd;
	struct stat st;
	uint64_t bs, size;               /* block size; the file's size at the start */
	unsigned char *buf, *check;      /* the block's new contents; scratch */
	struct daxpolicy_repair *out;
	unsigned int flags;              /* DAXPOLICY_REPAIR_* */
	bool leased;
	bool can_clone, can_exchange;    /* probed: reflink, XFS exchange-range */
	bool beyond_eof;                 /* a block to repair lies wholly beyond the end */
	unsigned int step, kill_at, stop_at;   /* steps taken; DAXPOLICY_TEST_KILL_AT, _STOP_AT */
	bool test_still_bad, written_in_place;   /* DAXPOLICY_TEST_STILL_BAD */
	char path[BB_INTENT_MAX_PATH];   /* from the mount point */
};

void bb_repair_init(struct daxpolicy_ctx *ctx, struct bb_repair *rp, unsigned int flags);
void bb_repair_finish(struct bb_repair *rp);
/* The write lease on rp->fd; -EBUSY when another process has the file
 * open. With DAXPOLICY_REPAIR_FORCE none, where every block can be moved
 * without freeing the bad one (reflink or exchange-range); else the lease
 * all the same, and -ETXTBSY when another process has the file open. */
int bb_repair_lease(struct bb_repair *rp, const char *path);
/* Count and log a step that changes something (test hooks: see
 * badblocks-repair.c). */
void bb_repair_step(struct bb_repair *rp, const char *what);
bool bb_any_bad(const struct daxpolicy_badblocks *bb, uint64_t sector, uint64_t n);
/* badblocks-exchange.c: set rp->can_clone and rp->can_exchange (needs
 * rp->qdirfd and rp->bs). */
void bb_repair_probe(struct bb_repair *rp);
/* Give the file's block at @off (its first @len bytes below the end of the
 * file) rp->buf's contents by writing them into the quarantine file @qfd
 * and exchanging the blocks; the bad block ends in @qfd. -EOPNOTSUPP: not
 * exchanged, the file unchanged. */
int bb_exchange_block(struct bb_repair *rp, int qfd, uint64_t off, uint64_t len);
void bb_repair_set_path(struct bb_repair *rp, const char *fallback);
int bb_repair_buffers(struct bb_repair *rp);
/* Repair the block at file offset @off: from the device's good sectors, or
 * with @record (the name of an interrupted repair's record), from the saved
 * contents already in rp->buf; @bad then marks the block's bad sectors (the
 * record's bitmap). */
int bb_repair_block(struct bb_repair *rp, uint64_t off, struct daxpolicy_repair_block *blk,
		    const char *record, const uint8_t *bad);
int bb_repair_add_zeroed(struct daxpolicy_repair *r, uint64_t offset, uint64_t length);
struct daxpolicy_repair_block *bb_repair_add_block(struct daxpolicy_repair *r);
int bb_sector_of(const struct bb_scan *s, int fd, uint64_t off, uint64_t *sector, bool *unwritten);
/* ---- badblocks-cxl-clear.c: the repair on a CXL region ---- */
/* The scan's errors are CXL poison. */
bool bb_cxl_repair(const struct bb_repair *rp);
/* In @bytes, sector @sector as read from the device: zero its poisoned
 * bytes, keep the rest. -ENOENT when the poison in it is not known to the
 * byte (then the whole sector is bad). */
int bb_cxl_keep_good(const struct daxpolicy_badblocks *bb, uint64_t sector, unsigned char *bytes);
/* After the in-place write of the block at disk sector @first: clear its
 * poison through the kernel and re-read the poison list. 1 when the fresh
 * list holds none of the block's bytes; 0 when it still does, or clearing
 * is not offered (the block must be moved); negative errno. */
int bb_cxl_clear_block(struct bb_repair *rp, uint64_t first);

/* Finish every interrupted repair on the filesystem holding @fd, adding
 * what was done to @out. (badblocks-resume.c) */
int bb_finish_interrupted(struct daxpolicy_ctx *ctx, int fd, unsigned int flags, struct daxpolicy_repair *out);

#endif
