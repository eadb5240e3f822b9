// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * From a SIGBUS to the file: daxpolicy_sigbus_lookup(), which turns the
 * siginfo of a bus error into the file, the file offset and the bad sectors
 * of the poisoned range, from the registry of file mappings
 * (map-registry.c, whose top comment tells how a signal handler can search
 * it while other threads change it). Async-signal-safe throughout: no
 * lock, no allocation, no stdio.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <stdbool.h>
#include <unistd.h>

#include "kernel-abi.h"
#include "map-registry.h"
#include "private.h"
#include "sigsafe-str.h"

/* A reader that keeps seeing the registry change gives up with -EAGAIN. */
#define LOOKUP_TRIES 8

/* The badblocks attribute, read in small pieces ("SECTOR COUNT" lines). */
struct bb_reader {
	int fd;
	off_t pos;
	size_t len, i;
	int error;
	char buf[256];
};

static int bb_getc(struct bb_reader *r)
{
	if (r->i == r->len) {
		ssize_t n = pread(r->fd, r->buf, sizeof(r->buf), r->pos);

		if (n < 0)
			r->error = -errno;
		if (n <= 0)
			return -1;
		r->pos += n;
		r->len = (size_t)n;
		r->i = 0;
	}
	return (unsigned char)r->buf[r->i++];
}

/* The next range: 1, or 0 at the end (r->error tells a failed read). */
static int bb_next(struct bb_reader *r, uint64_t *sector, uint64_t *count)
{
	uint64_t v[2] = { 0, 0 };
	int c, field = 0;
	bool digits = false;

	while ((c = bb_getc(r)) >= 0) {
		if (c >= '0' && c <= '9') {
			v[field] = v[field] * 10 + (uint64_t)(c - '0');
			digits = true;
		} else if (c == '\n') {
			if (field == 1 && digits)
				break;
			field = 0;
			v[0] = v[1] = 0;
			digits = false;
		} else if (digits && field == 0) {
			field = 1;
			digits = false;
		}
	}
	if (c < 0 && !(field == 1 && digits))
		return 0;
	*sector = v[0];
	*count = v[1];
	return 1;
}

static void add_bad(struct daxpolicy_sigbus *out, uint64_t file_offset, uint64_t length,
		    uint64_t sector, uint64_t count)
{
	if (out->bad_count == DAXPOLICY_SIGBUS_BAD_MAX) {
		out->bad_truncated = true;
		return;
	}
	out->bad[out->bad_count++] = (struct daxpolicy_sigbus_bad){ file_offset, length, sector, count };
}

/* What a lookup found: the node, the file's device, its disk's badblocks
 * attribute. */
struct snapshot {
	struct dp_map_snapshot node;
	uint64_t part_start;
	int bb_fd;
};

/* The bad ranges of the disk inside the given extents of the poisoned
 * range [first, end) of the file. */
static int match_extents(const struct snapshot *snap, struct daxpolicy_sigbus *out,
			 const struct fiemap_extent *x, unsigned int n, uint64_t first, uint64_t end)
{
	struct bb_reader r = { .fd = snap->bb_fd };
	uint64_t bs, bc;

	while (bb_next(&r, &bs, &bc)) {
		for (unsigned int k = 0; k < n; k++) {
			uint64_t a = x[k].fe_logical > first ? x[k].fe_logical : first;
			uint64_t b = x[k].fe_logical + x[k].fe_length < end ?
				     x[k].fe_logical + x[k].fe_length : end;
			/* file byte X is at disk byte fe_physical + X - fe_logical */
			uint64_t base = snap->part_start * 512 + x[k].fe_physical - x[k].fe_logical;
			uint64_t bad_a = bs * 512, bad_b = (bs + bc) * 512;
			uint64_t lo, hi;

			if (x[k].fe_flags & (FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC |
					     FIEMAP_EXTENT_ENCODED | FIEMAP_EXTENT_DATA_INLINE))
				continue;
			if (a >= b || bad_b <= base + a || bad_a >= base + b)
				continue;
			lo = bad_a > base + a ? bad_a - base : a;
			hi = bad_b < base + b ? bad_b - base : b;
			/* The sectors holding [lo, hi). */
			add_bad(out, lo, hi - lo, (base + lo) / 512,
				(base + hi + 511) / 512 - (base + lo) / 512);
		}
	}
	return r.error;
}

/* The extents of [first, end) of the file open at @fd against the disk's
 * bad ranges. */
static int find_bad(const struct snapshot *snap, int fd, struct daxpolicy_sigbus *out,
		    uint64_t first, uint64_t end)
{
	enum { BATCH = 8 };
	union {
		struct fiemap fm;
		char buf[sizeof(struct fiemap) + BATCH * sizeof(struct fiemap_extent)];
	} u;
	uint64_t at = first;
	int rc;

	while (at < end) {
		const struct fiemap_extent *last;

		memset(&u, 0, sizeof(u));
		u.fm.fm_start = at;
		u.fm.fm_length = end - at;
		u.fm.fm_extent_count = BATCH;
		if (ioctl(fd, FS_IOC_FIEMAP, &u.fm) < 0)
			return -errno;
		if (u.fm.fm_mapped_extents == 0)
			break;
		rc = match_extents(snap, out, u.fm.fm_extents, u.fm.fm_mapped_extents, first, end);
		if (rc < 0)
			return rc;
		last = &u.fm.fm_extents[u.fm.fm_mapped_extents - 1];
		if ((last->fe_flags & FIEMAP_EXTENT_LAST) || last->fe_logical + last->fe_length <= at)
			break;
		at = last->fe_logical + last->fe_length;
	}
	return 0;
}

/* The disk under device @dev (its name in out->disk) and the start of
 * the device on it; its badblocks attribute opened, or -ENODEV. From
 * sysfs: /sys/dev/block/MAJ:MIN leads to .../block/DISK or
 * .../block/DISK/PARTITION. */
static int open_badblocks(const char *sysroot, uint64_t dev, struct daxpolicy_sigbus *out,
			  uint64_t *part_start)
{
	char path[512], link[512], num[24];
	const char *name = NULL, *slash;
	size_t len = 0, dlen;
	ssize_t n;
	int fd;

	*part_start = 0;
	if (major(dev) == 0)
		return -ENODEV;   /* no block device: tmpfs, overlay, NFS ... */
	if (!dp_sig_append(path, sizeof(path), &len, sysroot) ||
	    !dp_sig_append(path, sizeof(path), &len, "/sys/dev/block/") ||
	    !dp_sig_append_num(path, sizeof(path), &len, major(dev), 10) ||
	    !dp_sig_append(path, sizeof(path), &len, ":") ||
	    !dp_sig_append_num(path, sizeof(path), &len, minor(dev), 10))
		return -ENAMETOOLONG;
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -ENODEV;
	link[n] = '\0';
	for (const char *p = link; (p = strstr(p, "/block/")) != NULL; p++)
		name = p + strlen("/block/");
	if (!name || !*name)
		return -ENODEV;
	slash = strchr(name, '/');
	dlen = slash ? (size_t)(slash - name) : strlen(name);
	if (dlen >= sizeof(out->disk))
		return -ENODEV;
	memcpy(out->disk, name, dlen);
	out->disk[dlen] = '\0';
	if (slash) {
		/* A partition: its start, in 512-byte sectors. */
		if (!dp_sig_append(path, sizeof(path), &len, "/start"))
			return -ENAMETOOLONG;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			n = read(fd, num, sizeof(num) - 1);
			close(fd);
			for (ssize_t i = 0; i < n && num[i] >= '0' && num[i] <= '9'; i++)
				*part_start = *part_start * 10 + (uint64_t)(num[i] - '0');
		}
	}
	len = 0;
	if (!dp_sig_append(path, sizeof(path), &len, sysroot) ||
	    !dp_sig_append(path, sizeof(path), &len, "/sys/block/") ||
	    !dp_sig_append(path, sizeof(path), &len, out->disk) ||
	    !dp_sig_append(path, sizeof(path), &len, "/badblocks"))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -ENODEV : fd;
}

static int lookup_once(struct daxpolicy_ctx *ctx, struct dp_map_registry *reg, const siginfo_t *si,
		       struct daxpolicy_sigbus *out)
{
	uintptr_t addr = (uintptr_t)si->si_addr, gfirst, gend, start;
	unsigned long granule = dp_map_registry_page(reg);
	struct snapshot snap;
	uint64_t dev = 0, ino = 0, off;
	int rc, fd;

	rc = dp_map_find(reg, addr, &snap.node);
	if (rc < 0)
		return rc;
	start = snap.node.start;
	memset(out, 0, sizeof(*out));
	out->code = si->si_code;
	out->addr = si->si_addr;
	out->file_offset = snap.node.offset + (addr - start);
	/* A machine check tells the size of the poisoned granule; otherwise
	 * the kernel failed the fault of one page. */
	if ((si->si_code == BUS_MCEERR_AR || si->si_code == BUS_MCEERR_AO) &&
	    si->si_addr_lsb > 0 && si->si_addr_lsb < 8 * (int)sizeof(uintptr_t))
		granule = 1ul << si->si_addr_lsb;
	gfirst = addr & ~(uintptr_t)(granule - 1);
	gend = gfirst + granule;
	/* Only the part inside the mapping has a known file offset. */
	if (gfirst < start)
		gfirst = start;
	if (gend < gfirst || gend > start + snap.node.length)
		gend = start + snap.node.length;
	out->range_offset = snap.node.offset + (gfirst - start);
	out->range_length = gend - gfirst;

	/* The file, as the kernel names it now: by the mapping when the
	 * range is one VMA as registered, else by the line of
	 * /proc/self/maps holding the address. */
	if (dp_vma_name(start, start + snap.node.length, out->path, sizeof(out->path)) < 0) {
		rc = dp_vma_by_maps(addr, out->path, sizeof(out->path), &dev, &ino, &off);
		if (rc < 0)
			return rc == -ENOENT && !dp_map_unchanged(&snap.node) ? -EAGAIN : rc;
	}
	fd = dp_vma_open(out->path, &dev, &ino, O_RDONLY);
	if (fd < 0 && !dev)   /* deleted, say: its numbers at least */
		dp_vma_by_maps(addr, out->path, sizeof(out->path), &dev, &ino, &off);
	out->dev = dev;
	out->ino = ino;
	snap.bb_fd = -1;
	if (fd < 0) {
		out->bad_error = fd;
	} else {
		snap.bb_fd = open_badblocks(ctx->sysroot, dev, out, &snap.part_start);
		out->bad_error = snap.bb_fd < 0 ? snap.bb_fd :
			find_bad(&snap, fd, out, out->range_offset, out->range_offset + out->range_length);
		if (snap.bb_fd >= 0)
			close(snap.bb_fd);
		close(fd);
	}
	/* The address was given to another mapping meanwhile: again. */
	if (!dp_map_unchanged(&snap.node))
		return -EAGAIN;
	return 0;
}

DAXPOLICY_EXPORT int daxpolicy_sigbus_lookup(struct daxpolicy_ctx *ctx, const siginfo_t *si,
					     struct daxpolicy_sigbus *out)
{
	struct dp_map_registry *reg;
	int saved_errno = errno, rc = -EAGAIN;

	if (!ctx || !si || !out || si->si_signo != SIGBUS || si->si_code <= 0)
		return -EINVAL;
	reg = dp_mappings_sigbus(ctx, false);
	if (!reg)
		return -ENOENT;
	for (int i = 0; i < LOOKUP_TRIES && rc == -EAGAIN; i++)
		rc = lookup_once(ctx, reg, si, out);
	errno = saved_errno;
	return rc;
}
