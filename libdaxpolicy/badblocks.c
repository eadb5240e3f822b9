// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Media errors to files: the bad ranges of the disk under a filesystem
 * (from /sys/block/DISK/badblocks, or a list the caller has), attributed
 * to file byte ranges with a FIEMAP walk of the filesystem, and to metadata
 * or free space with GETFSMAP.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/fsmap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "badblocks.h"
#include "kernel-abi.h"
#include "private.h"

static void bb_free_poison(struct daxpolicy_poison *p);

void bb_free_hits(struct daxpolicy_badhit *h)
{
	while (h) {
		struct daxpolicy_badhit *next = h->next;

		free(h->path);
		free(h);
		h = next;
	}
}

DAXPOLICY_EXPORT void daxpolicy_badblocks_free(struct daxpolicy_badblocks *bb)
{
	if (!bb)
		return;
	for (size_t i = 0; i < bb->count; i++) {
		bb_free_hits(bb->ranges[i].hits);
		bb_free_poison(bb->ranges[i].poison);
	}
	for (struct daxpolicy_reason *r = bb->reasons, *next; r; r = next) {
		next = r->next;
		free(r->message);
		free(r);
	}
	free(bb->ranges);
	free(bb->mount);
	free(bb);
}

static void bb_free_poison(struct daxpolicy_poison *p)
{
	while (p) {
		struct daxpolicy_poison *next = p->next;

		free(p);
		p = next;
	}
}

/* Join two lists of poison pieces, each in disk order, into one. */
static struct daxpolicy_poison *merge_poison(struct daxpolicy_poison *a, struct daxpolicy_poison *b)
{
	struct daxpolicy_poison *head = NULL, **tail = &head;

	while (a && b) {
		struct daxpolicy_poison **min = a->offset <= b->offset ? &a : &b;

		*tail = *min;
		*min = (*min)->next;
		tail = &(*tail)->next;
	}
	*tail = a ? a : b;
	return head;
}

static int by_sector(const void *a, const void *b)
{
	const struct daxpolicy_badrange *x = a, *y = b;

	if (x->sector != y->sector)
		return x->sector < y->sector ? -1 : 1;
	return strcmp(x->source, y->source);   /* "namespace" before "region" */
}

/* Sort, merge overlapping or adjacent ranges, and link them in order. */
static void normalize(struct daxpolicy_badblocks *bb)
{
	size_t out = 0;

	if (bb->count == 0)
		return;
	qsort(bb->ranges, bb->count, sizeof(bb->ranges[0]), by_sector);
	for (size_t i = 0; i < bb->count; i++) {
		struct daxpolicy_badrange *prev = out ? &bb->ranges[out - 1] : NULL;

		if (prev && bb->ranges[i].sector <= prev->sector + prev->count) {
			uint64_t end = bb->ranges[i].sector + bb->ranges[i].count;

			if (end > prev->sector + prev->count)
				prev->count = end - prev->sector;
			/* Exact bytes only while every part is poison. */
			prev->bytes_exact = prev->bytes_exact && bb->ranges[i].bytes_exact;
			prev->poison = merge_poison(prev->poison, bb->ranges[i].poison);
			continue;
		}
		bb->ranges[out++] = bb->ranges[i];
	}
	bb->count = out;
	for (size_t i = 0; i < out; i++)
		bb->ranges[i].next = i + 1 < out ? &bb->ranges[i + 1] : NULL;
}

struct daxpolicy_badhit *bb_new_hit(struct daxpolicy_badrange *r, enum daxpolicy_hit_kind kind,
				    uint64_t sector, uint64_t count)
{
	struct daxpolicy_badhit *h = calloc(1, sizeof(*h)), **pos;

	if (!h)
		return NULL;
	h->kind = kind;
	h->sector = sector;
	h->count = count;
	/* Keep the hits of a range in sector order. */
	for (pos = &r->hits; *pos && (*pos)->sector <= sector; pos = &(*pos)->next)
		;
	h->next = *pos;
	*pos = h;
	return h;
}

size_t bb_first_range_after(const struct daxpolicy_badblocks *bb, uint64_t sector)
{
	size_t lo = 0, hi = bb->count;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (bb->ranges[mid].sector + bb->ranges[mid].count <= sector)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The filesystem mounted at or containing @fd: its mount, device, and
 * where it lies on its disk. */
static int locate(struct daxpolicy_ctx *ctx, int fd, const struct stat *st, struct bb_scan *s,
		  struct dp_mount **mnt, struct dp_device **dev)
{
	struct daxpolicy_badblocks *bb = s->bb;
	uint64_t disk_sectors = 0;
	struct statx stx;
	char link[64], real[PATH_MAX];
	ssize_t n;
	int mnt_id = -1, rc;

	if (S_ISBLK(st->st_mode)) {
		/* A device: its filesystem if it is mounted, else none. */
		s->dev = st->st_rdev;
		rc = dp_mount_lookup(ctx, -1, s->dev, NULL, mnt);
		if (rc == -ENOENT)
			rc = 0;
	} else {
		s->dev = st->st_dev;
		if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) == 0 && (stx.stx_mask & STATX_MNT_ID))
			mnt_id = (int)stx.stx_mnt_id;
		dp_snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, real, sizeof(real) - 1);
		real[n > 0 ? n : 0] = '\0';
		rc = dp_mount_lookup(ctx, mnt_id, s->dev, real, mnt);
	}
	if (rc == 0)
		rc = dp_device_lookup(ctx, s->dev, dev);
	if (rc < 0)
		return rc;
	if (!strcmp((*dev)->kind, "none") || !(*dev)->name[0])
		return -ENODEV;
	dp_snprintf(bb->disk, sizeof(bb->disk), "%s", (*dev)->disk[0] ? (*dev)->disk : (*dev)->name);
	if (*mnt && !(bb->mount = strdup((*mnt)->target)))
		return -ENOMEM;
	s->fs_first = (*dev)->start / 512;
	if (dp_read_u64(ctx, &s->fs_sectors, "/sys/class/block/%s/size", (*dev)->name) < 0 &&
	    dp_read_u64(ctx, &disk_sectors, "/sys/block/%s/size", bb->disk) == 0)
		s->fs_sectors = disk_sectors - s->fs_first;
	return 0;
}

/* Where the bad ranges of a scan are gathered. */
struct collect {
	struct daxpolicy_badblocks *bb;
	size_t cap;
};

/* The CXL poison piece being passed (bb_cxl_poison_now) kept with its
 * range, now sectors @sector + @count: moved with the range when a window
 * (a device-mapper table) moved it whole, else (cut) sector precise. */
static int add_poison(struct daxpolicy_badrange *r, uint64_t sector, uint64_t count)
{
	const struct daxpolicy_poison *now = bb_cxl_poison_now;
	uint64_t first = now->offset / 512, end = (now->offset + now->length + 511) / 512;
	struct daxpolicy_poison *p = malloc(sizeof(*p));

	if (!p)
		return -ENOMEM;
	*p = *now;
	p->next = NULL;
	if (count == end - first) {
		p->offset = now->offset - first * 512 + sector * 512;
		r->bytes_exact = true;
	} else {
		p->offset = sector * 512;
		p->length = count * 512;
	}
	r->poison = p;
	return 0;
}

static int collect_range(void *arg, uint64_t sector, uint64_t count, const char *source)
{
	struct collect *c = arg;
	struct daxpolicy_badblocks *bb = c->bb;

	if (bb->count == c->cap) {
		size_t n = c->cap ? c->cap * 2 : 16;
		struct daxpolicy_badrange *v = realloc(bb->ranges, n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		bb->ranges = v;
		c->cap = n;
	}
	bb->ranges[bb->count++] = (struct daxpolicy_badrange){
		.sector = sector, .count = count, .source = source };
	if (bb_cxl_poison_now && !strcmp(source, "cxl"))
		return add_poison(&bb->ranges[bb->count - 1], sector, count);
	return 0;
}

int bb_prepare(struct daxpolicy_ctx *ctx, int fd, const struct daxpolicy_sector_range *list,
	       size_t count, struct bb_scan *s)
{
	struct daxpolicy_badblocks *bb;
	uint64_t disk_sectors = 0;
	struct collect c;
	struct statfs sfs;
	struct stat st;
	int rc;

	memset(s, 0, sizeof(*s));
	s->rootfd = -1;
	s->bb = bb = calloc(1, sizeof(*bb));
	if (!bb)
		return -ENOMEM;
	bb->reasons_tail = &bb->reasons;
	c = (struct collect){ .bb = bb };
	rc = fstat(fd, &st) < 0 ? -errno : locate(ctx, fd, &st, s, &s->mnt, &s->device);
	if (rc < 0)
		return rc;
	dp_read_u64(ctx, &disk_sectors, "/sys/block/%s/size", bb->disk);
	if (list) {
		bb->source = "list";
		for (size_t i = 0; rc == 0 && i < count; i++) {
			if (!list[i].count || (disk_sectors && list[i].sector + list[i].count > disk_sectors))
				rc = -EINVAL;
			else
				rc = collect_range(&c, list[i].sector, list[i].count, "list");
		}
	} else {
		rc = bb_device_ranges(ctx, s->device, collect_range, &c, &bb->source);
	}
	if (rc < 0)
		return rc;
	normalize(bb);
	if (!s->mnt)
		return 0;   /* no filesystem: nothing to attribute to */
	s->rootfd = open(s->mnt->target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd < 0 || fstatfs(s->rootfd, &sfs) < 0)
		return -errno;
	s->block_size = (uint64_t)sfs.f_bsize;
	s->root = strcmp(s->mnt->target, "/") ? s->mnt->target : "";
	return 0;
}

void bb_finish(struct bb_scan *s)
{
	daxpolicy_badblocks_free(s->bb);
	if (s->rootfd >= 0)
		close(s->rootfd);
	if (s->mnt)
		dp_mount_unref(s->mnt);
	if (s->device)
		dp_device_unref(s->device);
}

/* Hits on files kept in the quarantine directory are bad blocks that a
 * repair took out of use. */
static void mark_quarantined(struct bb_scan *s)
{
	char prefix[PATH_MAX];
	size_t n;

	if (dp_snprintf(prefix, sizeof(prefix), "%s/%s/", s->root, DAXPOLICY_QUARANTINE_DIR) < 0)
		return;
	n = strlen(prefix);
	for (size_t i = 0; i < s->bb->count; i++)
		for (struct daxpolicy_badhit *h = s->bb->ranges[i].hits; h; h = h->next)
			if (h->kind == DAXPOLICY_HIT_FILE && h->path && !strncmp(h->path, prefix, n))
				h->kind = DAXPOLICY_HIT_QUARANTINED;
}

int bb_add_reason(struct daxpolicy_badblocks *bb, const char *code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = dp_reason_append(&bb->reasons_tail, code, fmt, ap);
	va_end(ap);
	return rc;
}

/* Repairs that were interrupted (their records are still in the quarantine
 * directory), and a quarantine directory that others could change. A scan
 * only reports them: finishing a repair writes to a file. */
static int check_repairs(struct daxpolicy_ctx *ctx, struct bb_scan *s)
{
	const char *m = s->bb->mount;
	struct dirent *de;
	int qfd, rc;
	DIR *dir;

	(void)ctx;
	rc = bb_qdir_open(NULL, s->rootfd, s->dev, false, &qfd);   /* the reason says it */
	if (rc == -ENOENT)
		return 0;
	if (rc == -EPERM)
		return bb_add_reason(s->bb, "quarantine_dir_unsafe",
				     "%s/%s is not a directory owned by root and closed to other users",
				     m, DAXPOLICY_QUARANTINE_DIR);
	if (rc < 0)
		return 0;   /* not readable by this user: nothing to tell */
	dir = fdopendir(qfd);
	if (!dir) {
		close(qfd);
		return -ENOMEM;
	}
	while (rc == 0 && (de = readdir(dir))) {
		struct bb_intent in;
		int r;

		if (!bb_intent_is_record(de->d_name))
			continue;
		r = bb_intent_read(dirfd(dir), de->d_name, &in);
		if (r == -EBADMSG)
			rc = bb_add_reason(s->bb, "repair_interrupted",
					   "%s/%s/%s: a record of a repair interrupted before it changed anything "
					   "(incomplete); dax-admin badblocks --finish %s --yes removes it",
					   m, DAXPOLICY_QUARANTINE_DIR, de->d_name, m);
		else if (r == 0)
			rc = bb_add_reason(s->bb, "repair_interrupted",
					   "the repair of %s/%s (inode %llu), bytes %llu+%llu, was interrupted; its "
					   "saved contents are in %s/%s/%s; finish it: dax-admin badblocks --finish %s --yes",
					   m, in.path, (unsigned long long)in.ino,
					   (unsigned long long)in.file_offset, (unsigned long long)in.block_size,
					   m, DAXPOLICY_QUARANTINE_DIR, de->d_name, m);
		free(in.data);
	}
	closedir(dir);
	return rc;
}

DAXPOLICY_EXPORT struct daxpolicy_reason *daxpolicy_badblocks_get_first_reason(struct daxpolicy_badblocks *bb)
{
	return bb->reasons;
}

DAXPOLICY_EXPORT int daxpolicy_badblocks_scan(struct daxpolicy_ctx *ctx, const char *path,
					      const struct daxpolicy_sector_range *list, size_t count,
					      struct daxpolicy_badblocks **result)
{
	struct bb_scan s;
	int fd, rc;

	if (!ctx || !path || !result || (count && !list))
		return -EINVAL;
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = bb_prepare(ctx, fd, list, count, &s);
	close(fd);
	if (rc == 0 && !s.mnt) {
		for (size_t i = 0; rc == 0 && i < s.bb->count; i++)
			if (!bb_new_hit(&s.bb->ranges[i], DAXPOLICY_HIT_UNKNOWN, s.bb->ranges[i].sector,
					s.bb->ranges[i].count))
				rc = -ENOMEM;
	} else if (rc == 0 && s.bb->count) {
		/* The reverse map first; a walk of every file only where it
		 * cannot name the owners. */
		rc = bb_fsmap_attribute(&s);
		dbg(ctx, "%s: %s", s.bb->mount, rc == 1 ? "owners named by the reverse map (GETFSMAP)" :
		    rc == 0 ? "no owners in the reverse map: mapping every file (FIEMAP)" : strerror(-rc));
		if (rc == 0) {
			rc = bb_fiemap_walk(ctx, &s);
			for (size_t i = 0; rc == 0 && i < s.bb->count; i++)
				rc = bb_fsmap_classify_gaps(&s, &s.bb->ranges[i]);
		}
		if (rc >= 0)
			rc = bb_cxl_narrow_hits(s.bb);
		mark_quarantined(&s);
	}
	if (rc >= 0 && s.mnt && s.rootfd >= 0)
		rc = check_repairs(ctx, &s);
	*result = NULL;
	if (rc >= 0) {
		*result = s.bb;
		s.bb = NULL;
	}
	bb_finish(&s);
	return rc < 0 ? rc : 0;
}

DAXPOLICY_EXPORT const char *daxpolicy_badblocks_get_disk(struct daxpolicy_badblocks *bb)
{
	return bb->disk;
}

DAXPOLICY_EXPORT const char *daxpolicy_badblocks_get_mount(struct daxpolicy_badblocks *bb)
{
	return bb->mount;
}

DAXPOLICY_EXPORT const char *daxpolicy_badblocks_get_source(struct daxpolicy_badblocks *bb)
{
	return bb->source;
}

DAXPOLICY_EXPORT struct daxpolicy_badrange *daxpolicy_badblocks_get_first(struct daxpolicy_badblocks *bb)
{
	return bb->count ? &bb->ranges[0] : NULL;
}

DAXPOLICY_EXPORT struct daxpolicy_badrange *daxpolicy_badrange_get_next(struct daxpolicy_badrange *r)
{
	return r->next;
}

DAXPOLICY_EXPORT uint64_t daxpolicy_badrange_get_sector(struct daxpolicy_badrange *r)
{
	return r->sector;
}

DAXPOLICY_EXPORT uint64_t daxpolicy_badrange_get_count(struct daxpolicy_badrange *r)
{
	return r->count;
}

DAXPOLICY_EXPORT const char *daxpolicy_badrange_get_source(struct daxpolicy_badrange *r)
{
	return r->source;
}

DAXPOLICY_EXPORT struct daxpolicy_poison *daxpolicy_badrange_get_first_poison(struct daxpolicy_badrange *r)
{
	return r->poison;
}

DAXPOLICY_EXPORT struct daxpolicy_poison *daxpolicy_poison_get_next(struct daxpolicy_poison *p)
{
	return p->next;
}

DAXPOLICY_EXPORT const char *daxpolicy_poison_get_memdev(struct daxpolicy_poison *p)
{
	return p->memdev;
}

#define POISON_GETTER(name)                                                   \
	DAXPOLICY_EXPORT uint64_t daxpolicy_poison_get_##name(struct daxpolicy_poison *p) \
	{                                                                     \
		return p->name;                                               \
	}
POISON_GETTER(dpa)
POISON_GETTER(dpa_length)
POISON_GETTER(offset)
POISON_GETTER(length)

DAXPOLICY_EXPORT struct daxpolicy_badhit *daxpolicy_badrange_get_first_hit(struct daxpolicy_badrange *r)
{
	return r->hits;
}

DAXPOLICY_EXPORT struct daxpolicy_badhit *daxpolicy_badhit_get_next(struct daxpolicy_badhit *h)
{
	return h->next;
}

#define HIT_GETTER(type, name)                                                \
	DAXPOLICY_EXPORT type daxpolicy_badhit_get_##name(struct daxpolicy_badhit *h) \
	{                                                                     \
		return h->name;                                               \
	}
HIT_GETTER(enum daxpolicy_hit_kind, kind)
HIT_GETTER(uint64_t, sector)
HIT_GETTER(uint64_t, count)
HIT_GETTER(uint64_t, inode)
HIT_GETTER(uint64_t, file_offset)
HIT_GETTER(uint64_t, length)
HIT_GETTER(bool, unwritten)
HIT_GETTER(bool, shared)

DAXPOLICY_EXPORT const char *daxpolicy_badhit_get_path(struct daxpolicy_badhit *h)
{
	return h->path ? h->path : "";
}
