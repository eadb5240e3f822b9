// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * From a SIGBUS to the file: a registry of file mappings that a signal
 * handler can search, and daxpolicy_sigbus_lookup(), which turns the siginfo
 * of a bus error into the file, the file offset and the bad sectors of the
 * poisoned range.
 *
 * The handler may interrupt anything, a change of the registry included, so
 * readers never wait and never write. Slots live in chunks that are only
 * ever added (and freed with the context). Each slot is a sequence lock: the
 * writer makes the count odd, changes the slot, makes it even again; a
 * reader keeps what it copied only when the count was even and did not
 * move. Writers (registration, unregistration) are serialized by a mutex;
 * they never run in a signal handler.
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
#include <unistd.h>

#include "kernel-abi.h"
#include "private.h"

#define SLOTS_PER_CHUNK 16
/* A reader that keeps seeing a slot change gives up with -EAGAIN. */
#define LOOKUP_TRIES 4

/* Every field but seq is written with release and read with acquire
 * stores and loads, so that a reader racing a writer sees either value of
 * each field, never a torn one, and the sequence count tells it so. */
struct slot {
	unsigned int seq;          /* odd while the slot changes */
	uintptr_t start;
	size_t length;             /* 0: free */
	uint64_t offset;           /* file offset of start */
	int fd;                    /* a duplicate of the mapped file's descriptor */
	int bb_fd;                 /* /sys/block/DISK/badblocks, or -1 */
	uint64_t dev, ino;
	uint64_t part_start;       /* of the filesystem's device, in disk sectors */
	char disk[DAXPOLICY_SIGBUS_DISK_MAX];
	char path[DAXPOLICY_SIGBUS_PATH_MAX];
};

struct chunk {
	struct chunk *next;        /* set before the chunk is published */
	struct slot slots[SLOTS_PER_CHUNK];
};

struct dp_sigbus_registry {
	pthread_mutex_t lock;      /* writers only */
	struct chunk *chunks;      /* published with a release store */
	unsigned long page_size;
};

#define PUT(field, val) __atomic_store_n(&(field), (val), __ATOMIC_RELEASE)
#define GET(field) __atomic_load_n(&(field), __ATOMIC_ACQUIRE)

/* What a registration knows about its file, before it has a slot. */
struct file_facts {
	int fd, bb_fd;
	uint64_t dev, ino, part_start;
	char disk[DAXPOLICY_SIGBUS_DISK_MAX];
	char path[DAXPOLICY_SIGBUS_PATH_MAX];
};

struct dp_sigbus_registry *dp_sigbus_registry_new(void)
{
	struct dp_sigbus_registry *reg = calloc(1, sizeof(*reg));
	long page = sysconf(_SC_PAGESIZE);

	if (!reg)
		return NULL;
	pthread_mutex_init(&reg->lock, NULL);
	reg->page_size = page > 0 ? (unsigned long)page : 4096;
	return reg;
}

void dp_sigbus_registry_free(struct dp_sigbus_registry *reg)
{
	struct chunk *c, *next;

	if (!reg)
		return;
	for (c = reg->chunks; c; c = next) {
		next = c->next;
		for (size_t i = 0; i < SLOTS_PER_CHUNK; i++) {
			if (!c->slots[i].length)
				continue;
			close(c->slots[i].fd);
			if (c->slots[i].bb_fd >= 0)
				close(c->slots[i].bb_fd);
		}
		free(c);
	}
	pthread_mutex_destroy(&reg->lock);
	free(reg);
}

/* ---- writers: called with reg->lock held ---- */

static void slot_begin(struct slot *s)
{
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELAXED);
}

static void slot_end(struct slot *s)
{
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELEASE);
}

static void put_string(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i]; i++)
		PUT(dst[i], src[i]);
	PUT(dst[i], '\0');
}

static struct slot *free_slot(struct dp_sigbus_registry *reg)
{
	struct chunk *c;

	for (c = reg->chunks; c; c = c->next)
		for (size_t i = 0; i < SLOTS_PER_CHUNK; i++)
			if (!c->slots[i].length)
				return &c->slots[i];
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->next = reg->chunks;
	__atomic_store_n(&reg->chunks, c, __ATOMIC_RELEASE);
	return &c->slots[0];
}

static void fill_slot(struct slot *s, uintptr_t start, size_t length, uint64_t offset,
		      const struct file_facts *f)
{
	slot_begin(s);
	PUT(s->start, start);
	PUT(s->offset, offset);
	PUT(s->fd, f->fd);
	PUT(s->bb_fd, f->bb_fd);
	PUT(s->dev, f->dev);
	PUT(s->ino, f->ino);
	PUT(s->part_start, f->part_start);
	put_string(s->disk, f->disk, sizeof(s->disk));
	put_string(s->path, f->path, sizeof(s->path));
	PUT(s->length, length);   /* live from here */
	slot_end(s);
}

static void set_range(struct slot *s, uintptr_t start, size_t length, uint64_t offset)
{
	slot_begin(s);
	PUT(s->start, start);
	PUT(s->offset, offset);
	PUT(s->length, length);
	slot_end(s);
}

static void clear_slot(struct slot *s)
{
	int fd = s->fd, bb_fd = s->bb_fd;

	slot_begin(s);
	PUT(s->length, (size_t)0);
	PUT(s->fd, -1);
	PUT(s->bb_fd, -1);
	slot_end(s);
	/* A reader holding the old numbers checks the sequence count after
	 * using them, and the file's identity before: a reused number cannot
	 * give it a wrong answer. */
	close(fd);
	if (bb_fd >= 0)
		close(bb_fd);
}

/* A copy of the slot's file for a second slot: its own descriptors. */
static int dup_facts(const struct slot *s, struct file_facts *f)
{
	f->fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);
	if (f->fd < 0)
		return -errno;
	f->bb_fd = -1;
	if (s->bb_fd >= 0) {
		f->bb_fd = fcntl(s->bb_fd, F_DUPFD_CLOEXEC, 0);
		if (f->bb_fd < 0) {
			int rc = -errno;

			close(f->fd);
			return rc;
		}
	}
	f->dev = s->dev;
	f->ino = s->ino;
	f->part_start = s->part_start;
	memcpy(f->disk, s->disk, sizeof(f->disk));
	memcpy(f->path, s->path, sizeof(f->path));
	return 0;
}

/*
 * Take [start, end) out of every slot. A slot with a hole punched in its
 * middle keeps its head and gets a new slot for its tail; when that cannot
 * be made the tail is forgotten (never kept pointing at the hole) and the
 * error returned.
 */
static int remove_range(struct dp_sigbus_registry *reg, uintptr_t start, uintptr_t end)
{
	int rc = 0;

	for (struct chunk *c = reg->chunks; c; c = c->next) {
		for (size_t i = 0; i < SLOTS_PER_CHUNK; i++) {
			struct slot *s = &c->slots[i];
			uintptr_t a = s->start, b = a + s->length;

			if (!s->length || b <= start || a >= end)
				continue;
			if (a >= start && b <= end) {
				clear_slot(s);
			} else if (a < start && b > end) {
				struct file_facts f;
				struct slot *tail = NULL;
				int err = dup_facts(s, &f);

				if (err == 0) {
					tail = free_slot(reg);
					if (!tail) {
						close(f.fd);
						if (f.bb_fd >= 0)
							close(f.bb_fd);
						err = -ENOMEM;
					}
				}
				/* The tail first: until the head is cut, both
				 * slots hold it, with the same answer. */
				if (tail)
					fill_slot(tail, end, b - end, s->offset + (end - a), &f);
				else
					rc = err;
				set_range(s, a, start - a, s->offset);
			} else if (a < start) {
				set_range(s, a, start - a, s->offset);
			} else {
				set_range(s, end, b - end, s->offset + (end - a));
			}
		}
	}
	return rc;
}

/* Mappings cover whole pages: the end of the page holding @end - 1. */
static uintptr_t page_end(const struct dp_sigbus_registry *reg, uintptr_t end)
{
	uintptr_t rounded = (end + reg->page_size - 1) & ~(uintptr_t)(reg->page_size - 1);

	return rounded < end ? end : rounded;
}

/* Facts about the file open at @fd, with descriptors of their own. */
static int gather_facts(struct daxpolicy_ctx *ctx, int fd, struct file_facts *f)
{
	char link[64], bb_path[PATH_MAX];
	struct dp_device *dev = NULL;
	struct stat st;
	ssize_t n;

	memset(f, 0, sizeof(*f));
	f->bb_fd = -1;
	if (fstat(fd, &st) < 0)
		return -errno;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	dp_snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, f->path, sizeof(f->path) - 1);
	f->path[n > 0 ? n : 0] = '\0';
	if (major(st.st_dev) != 0 && dp_device_lookup(ctx, st.st_dev, &dev) == 0) {
		/* Sectors are numbered on the whole disk, as in its badblocks. */
		dp_snprintf(f->disk, sizeof(f->disk), "%s", dev->disk[0] ? dev->disk : dev->name);
		f->part_start = dev->start / 512;
		dp_device_unref(dev);
	}
	if (f->disk[0] &&
	    dp_sys_path(ctx, bb_path, sizeof(bb_path), "/sys/block/%s/badblocks", f->disk) == 0)
		f->bb_fd = open(bb_path, O_RDONLY | O_CLOEXEC);
	f->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (f->fd < 0) {
		int rc = -errno;

		if (f->bb_fd >= 0)
			close(f->bb_fd);
		return rc;
	}
	return 0;
}

DAXPOLICY_EXPORT int daxpolicy_register_mapping(struct daxpolicy_ctx *ctx, void *addr, size_t length,
						int fd, off_t offset)
{
	uintptr_t start = (uintptr_t)addr;
	struct dp_sigbus_registry *reg;
	struct file_facts f;
	struct slot *s;
	int rc;

	if (!ctx || !addr || !length || fd < 0 || offset < 0 || start + length < start)
		return -EINVAL;
	reg = dp_mappings_sigbus(ctx, true);
	if (!reg)
		return -ENOMEM;
	length = page_end(reg, start + length) - start;
	rc = gather_facts(ctx, fd, &f);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&reg->lock);
	/* Addresses the kernel gave out again: the new mapping replaces
	 * whatever was registered there. */
	rc = remove_range(reg, start, start + length);
	s = free_slot(reg);
	if (s)
		fill_slot(s, start, length, (uint64_t)offset, &f);
	pthread_mutex_unlock(&reg->lock);
	if (!s) {
		close(f.fd);
		if (f.bb_fd >= 0)
			close(f.bb_fd);
		return -ENOMEM;
	}
	return rc;
}

DAXPOLICY_EXPORT int daxpolicy_unregister_mapping(struct daxpolicy_ctx *ctx, void *addr, size_t length)
{
	uintptr_t start = (uintptr_t)addr;
	struct dp_sigbus_registry *reg;
	int rc;

	if (!ctx || !length || start + length < start)
		return -EINVAL;
	reg = dp_mappings_sigbus(ctx, false);
	if (!reg)
		return 0;
	pthread_mutex_lock(&reg->lock);
	rc = remove_range(reg, start, page_end(reg, start + length));
	pthread_mutex_unlock(&reg->lock);
	return rc;
}

/* ---- the reader: async-signal-safe from here on ---- */

struct snapshot {
	struct slot *slot;
	unsigned int seq;
	uintptr_t start;
	size_t length;
	uint64_t offset, dev, ino, part_start;
	int fd, bb_fd;
};

static bool unchanged(const struct snapshot *snap)
{
	return GET(snap->slot->seq) == snap->seq;
}

static void get_string(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && (dst[i] = GET(src[i])); i++)
		;
	dst[i] = '\0';
}

/* The slot holding @addr: 0, -ENOENT, or -EAGAIN when a slot changed under
 * the reader (it might have been the one). */
static int find_slot(struct dp_sigbus_registry *reg, uintptr_t addr, struct snapshot *snap)
{
	bool moving = false;

	for (struct chunk *c = GET(reg->chunks); c; c = c->next) {
		for (size_t i = 0; i < SLOTS_PER_CHUNK; i++) {
			struct slot *s = &c->slots[i];
			unsigned int seq = GET(s->seq);

			if (seq & 1) {
				moving = true;
				continue;
			}
			snap->length = GET(s->length);
			snap->start = GET(s->start);
			if (!snap->length || addr < snap->start || addr - snap->start >= snap->length) {
				/* A range read while it changed may be torn. */
				if (GET(s->seq) != seq)
					moving = true;
				continue;
			}
			snap->offset = GET(s->offset);
			snap->dev = GET(s->dev);
			snap->ino = GET(s->ino);
			snap->part_start = GET(s->part_start);
			snap->fd = GET(s->fd);
			snap->bb_fd = GET(s->bb_fd);
			snap->slot = s;
			snap->seq = seq;
			if (!unchanged(snap)) {
				moving = true;
				continue;
			}
			return 0;
		}
	}
	return moving ? -EAGAIN : -ENOENT;
}

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

/* The extents of [first, end) of the file against the disk's bad ranges. */
static int find_bad(const struct snapshot *snap, struct daxpolicy_sigbus *out,
		    uint64_t first, uint64_t end)
{
	enum { BATCH = 8 };
	union {
		struct fiemap fm;
		char buf[sizeof(struct fiemap) + BATCH * sizeof(struct fiemap_extent)];
	} u;
	uint64_t at = first;
	struct stat st;
	int rc;

	if (snap->bb_fd < 0)
		return -ENODEV;
	/* The descriptor is the file's, unless the slot was freed and its
	 * number reused since the snapshot. */
	if (fstat(snap->fd, &st) < 0 || (uint64_t)st.st_dev != snap->dev ||
	    (uint64_t)st.st_ino != snap->ino)
		return -EAGAIN;
	while (at < end) {
		const struct fiemap_extent *last;

		memset(&u, 0, sizeof(u));
		u.fm.fm_start = at;
		u.fm.fm_length = end - at;
		u.fm.fm_extent_count = BATCH;
		if (ioctl(snap->fd, FS_IOC_FIEMAP, &u.fm) < 0)
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

static int lookup_once(struct dp_sigbus_registry *reg, const siginfo_t *si,
		       struct daxpolicy_sigbus *out)
{
	uintptr_t addr = (uintptr_t)si->si_addr, gfirst, gend;
	struct snapshot snap;
	unsigned long granule = reg->page_size;
	int rc;

	rc = find_slot(reg, addr, &snap);
	if (rc < 0)
		return rc;
	memset(out, 0, sizeof(*out));
	out->code = si->si_code;
	out->addr = si->si_addr;
	out->dev = snap.dev;
	out->ino = snap.ino;
	out->file_offset = snap.offset + (addr - snap.start);
	/* A machine check tells the size of the poisoned granule; otherwise
	 * the kernel failed the fault of one page. */
	if ((si->si_code == BUS_MCEERR_AR || si->si_code == BUS_MCEERR_AO) &&
	    si->si_addr_lsb > 0 && si->si_addr_lsb < 8 * (int)sizeof(uintptr_t))
		granule = 1ul << si->si_addr_lsb;
	gfirst = addr & ~(uintptr_t)(granule - 1);
	gend = gfirst + granule;
	/* Only the part inside the mapping has a known file offset. */
	if (gfirst < snap.start)
		gfirst = snap.start;
	if (gend < gfirst || gend > snap.start + snap.length)
		gend = snap.start + snap.length;
	out->range_offset = snap.offset + (gfirst - snap.start);
	out->range_length = gend - gfirst;
	get_string(out->path, snap.slot->path, sizeof(out->path));
	get_string(out->disk, snap.slot->disk, sizeof(out->disk));
	if (!unchanged(&snap))
		return -EAGAIN;
	out->bad_error = find_bad(&snap, out, out->range_offset, out->range_offset + out->range_length);
	if (!unchanged(&snap) || out->bad_error == -EAGAIN)
		return -EAGAIN;
	return 0;
}

DAXPOLICY_EXPORT int daxpolicy_sigbus_lookup(struct daxpolicy_ctx *ctx, const siginfo_t *si,
					     struct daxpolicy_sigbus *out)
{
	struct dp_sigbus_registry *reg;
	int saved_errno = errno, rc = -EAGAIN;

	if (!ctx || !si || !out || si->si_signo != SIGBUS || si->si_code <= 0)
		return -EINVAL;
	reg = dp_mappings_sigbus(ctx, false);
	if (!reg)
		return -ENOENT;
	for (int i = 0; i < LOOKUP_TRIES && rc == -EAGAIN; i++)
		rc = lookup_once(reg, si, out);
	errno = saved_errno;
	return rc;
}
