// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * CXL poison as a source of bad ranges. A pmem disk whose nvdimm region is
 * a CXL region keeps its media errors in the poison list of each memdev
 * behind the region, not in the nvdimm badblocks lists. The lists are read
 * as the kernel gives them: writing 1 to a memdev's trigger_poison_list
 * makes it emit one cxl:cxl_poison trace event per record, which is read
 * (libtracefs, libtraceevent) from a private tracefs instance, so the
 * system's own trace buffer and its settings are untouched. Each record's
 * DPA range goes through the region's interleave to disk bytes
 * (cxl-addr.c); the ranges keep those bytes (64-byte precision), and the
 * file hits are narrowed to them after attribution.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <tracefs.h>
#include <event-parse.h>

#include "badblocks.h"
#include "cxl-poison.h"
#include "private.h"

_Thread_local const struct daxpolicy_poison *bb_cxl_poison_now;

/* The records gathered from the memdevs of one region. */
struct records {
	struct dp_cxl_poison *v;
	size_t count, cap;
	const struct dp_cxl_region *region;
	int rc;
	size_t seen, malformed;   /* trace events read; cxl_poison ones without the fields */
};

static int add_record(struct records *rs, const char *text, size_t len)
{
	struct dp_cxl_poison rec;
	bool ours = false;

	if (dp_cxl_poison_parse(text, len, &rec) < 0) {
		rs->malformed++;   /* a record that cannot be read: refused */
		return 0;
	}
	if (strcmp(rec.trace_type, "List"))
		return 0;   /* an injection or a clear, not the list */
	for (unsigned int i = 0; i < rs->region->ntargets && i < DP_CXL_MAX_TARGETS; i++)
		if (!strcmp(rs->region->targets[i].memdev, rec.memdev))
			ours = true;
	if (!ours)
		return 0;   /* another memdev's list, triggered by someone else */
	for (size_t i = 0; i < rs->count; i++)
		if (!strcmp(rs->v[i].memdev, rec.memdev) && rs->v[i].dpa == rec.dpa &&
		    rs->v[i].dpa_length == rec.dpa_length) {
			rs->v[i].overflow |= rec.overflow;
			return 0;   /* listed twice (two triggers at once) */
		}
	if (rs->count == rs->cap) {
		size_t n = rs->cap ? rs->cap * 2 : 64;
		struct dp_cxl_poison *v = realloc(rs->v, n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		rs->v = v;
		rs->cap = n;
	}
	rs->v[rs->count++] = rec;
	return 0;
}

/* DAXPOLICY_TEST_CXL_POISON=FILE: the records are the lines of FILE (the
 * trace event's text), for tests and benchmarks on machines without CXL. */
static int records_from_file(struct daxpolicy_ctx *ctx, const char *file, struct records *rs)
{
	char *line = NULL;
	size_t size = 0;
	ssize_t n;
	FILE *f = fopen(file, "re");
	int rc = 0;

	if (!f) {
		err(ctx, "%s: %s", file, strerror(errno));
		return -errno;
	}
	while (rc == 0 && (n = getline(&line, &size, f)) > 0)
		rc = add_record(rs, line, (size_t)n);
	free(line);
	fclose(f);
	return rc;
}

/* A number field of the event; false when it has none. */
static bool field_number(struct tep_event *event, struct tep_record *record, const char *name,
			 unsigned long long *v)
{
	struct tep_format_field *f = tep_find_field(event, name);

	return f && tep_read_number_field(f, record->data, v) == 0;
}

/* A string field (__string: a dynamic array) as "%.*s" arguments. */
static int field_string(struct tep_event *event, struct tep_record *record, const char *name,
			const char **s)
{
	int len = 0;
	const char *p = tep_get_field_raw(NULL, event, name, record, &len, 0);

	*s = p ? p : "";
	if (!p || len <= 0)
		return 0;
	return (int)strnlen(p, (size_t)len);
}

/* One cxl_poison event, written out in the form the kernel prints it
 * (trace_type and flags by name) from its fields, and parsed as such:
 * how the fields are printed depends on libtraceevent's support for the
 * event's format, the fields do not. */
static int on_event(struct tep_event *event, struct tep_record *record, int cpu, void *arg)
{
	static const char *const types[] = { "List", "Inject", "Clear" };
	unsigned long long type = 0, dpa, length, flags = 0;
	struct records *rs = arg;
	const char *memdev, *region;
	int nm, nr;
	char text[256];

	(void)cpu;
	rs->seen++;
	if (rs->rc < 0 || strcmp(event->name, "cxl_poison"))
		return 0;
	nm = field_string(event, record, "memdev", &memdev);
	nr = field_string(event, record, "region", &region);
	if (!field_number(event, record, "dpa", &dpa) || !field_number(event, record, "dpa_length", &length)) {
		rs->malformed++;
		return 0;
	}
	field_number(event, record, "trace_type", &type);
	field_number(event, record, "flags", &flags);
	dp_snprintf(text, sizeof(text), "memdev=%.*s region=%.*s trace_type=%s dpa=0x%llx dpa_length=0x%llx flags=%s",
		    nm, memdev, nr, region, type < 3 ? types[type] : "Unknown", dpa, length,
		    flags & 2 ? "Overflow" : "");
	rs->rc = add_record(rs, text, strlen(text));
	return 0;
}

/* A parser of the cxl_poison event alone: the ring buffer's page header
 * and that event's format. (tracefs_local_events_system() would parse every
 * cxl event, and all of /proc/kallsyms, printk_formats and saved_cmdlines
 * besides: most of a scan's time on a small machine, for nothing the
 * poison records use.) NULL when the format cannot be read or parsed. */
static struct tep_handle *poison_parser(void)
{
	struct tep_handle *tep = tep_alloc();
	int header_len = 0, format_len = 0;
	char *header = tracefs_instance_file_read(NULL, "events/header_page", &header_len);
	char *format = tracefs_event_file_read(NULL, "cxl", "cxl_poison", "format", &format_len);

	if (tep && (!header || !format || header_len <= 0 || format_len <= 0 ||
		    tep_parse_header_page(tep, header, (unsigned long)header_len, sizeof(long)) < 0 ||
		    tep_parse_event(tep, format, (unsigned long)format_len, "cxl") != 0)) {
		tep_free(tep);
		tep = NULL;
	}
	free(header);
	free(format);
	return tep;
}

/* Trigger the list of every memdev of the region and read the events from
 * a private instance. */
static int records_from_tracefs(struct daxpolicy_ctx *ctx, const char *disk, struct records *rs)
{
	const struct dp_cxl_region *r = rs->region;
	struct tracefs_instance *inst;
	struct tep_handle *tep = NULL;
	char name[64], path[PATH_MAX];
	int rc = 0;

	if (!tracefs_tracing_dir())
		return bb_no_source(ctx, disk, "%s is on CXL region %s, whose media errors are in the memdevs' "
				    "poison lists, read through tracefs; tracefs is not mounted "
				    "(mount -t tracefs nodev /sys/kernel/tracing)", disk, r->region);
	dp_snprintf(name, sizeof(name), "daxpolicy-cxl-%ld-%ld", (long)getpid(), (long)syscall(SYS_gettid));
	inst = tracefs_instance_create(name);
	if (!inst)
		return bb_no_source(ctx, disk, "%s is on CXL region %s; its poison lists cannot be read: creating "
				    "tracefs instance %s: %s (needs root)", disk, r->region, name, strerror(errno));
	if (tracefs_event_enable(inst, "cxl", "cxl_poison") < 0) {
		rc = bb_no_source(ctx, disk, "%s is on CXL region %s; its poison lists cannot be read: this kernel "
				  "has no cxl:cxl_poison trace event", disk, r->region);
		goto out;
	}
	for (unsigned int i = 0; rc == 0 && i < r->ntargets && i < DP_CXL_MAX_TARGETS; i++) {
		FILE *f;

		rc = dp_sys_path(ctx, path, sizeof(path), "/sys/bus/cxl/devices/%s/trigger_poison_list",
				 r->targets[i].memdev);
		if (rc < 0)
			break;
		f = fopen(path, "we");
		if (!f || fputs("1", f) < 0 || fclose(f) != 0) {
			int e = errno;

			if (f && e == 0)
				e = EIO;
			rc = bb_no_source(ctx, disk, "%s is on CXL region %s; the poison list of %s cannot be read: "
					  "writing %s: %s", disk, r->region, r->targets[i].memdev, path, strerror(e));
		}
	}
	tracefs_event_disable(inst, "cxl", "cxl_poison");
	if (rc < 0)
		goto out;
	tep = poison_parser();
	if (!tep) {
		rc = bb_no_source(ctx, disk, "%s is on CXL region %s; the format of the cxl:cxl_poison trace event "
				  "cannot be read from tracefs", disk, r->region);
		goto out;
	}
	rs->rc = 0;
	if (tracefs_iterate_raw_events(tep, inst, NULL, 0, on_event, rs) < 0)
		rc = bb_no_source(ctx, disk, "%s is on CXL region %s; reading the poison records from tracefs "
				  "instance %s failed", disk, r->region, name);
	else
		rc = rs->rc;
	dbg(ctx, "%s: %zu trace event(s) read from tracefs instance %s", disk, rs->seen, name);
	if (rc == 0 && rs->malformed)
		rc = bb_no_source(ctx, disk, "%s is on CXL region %s; %zu cxl_poison event(s) lack the dpa or "
				  "dpa_length field: this kernel's poison records cannot be read", disk, r->region,
				  rs->malformed);
out:
	tep_free(tep);
	tracefs_instance_destroy(inst);
	tracefs_instance_free(inst);
	return rc;
}

/* Where a piece of poison goes on the disk. */
struct piece_arg {
	const struct dp_cxl_poison *rec;
	dp_range_fn fn;
	void *arg;
};

static int on_piece(void *arg, uint64_t offset, uint64_t length)
{
	struct piece_arg *p = arg;
	struct daxpolicy_poison now = { .offset = offset, .length = length,
					.dpa = p->rec->dpa, .dpa_length = p->rec->dpa_length };
	uint64_t first = offset / 512, end = (offset + length + 511) / 512;
	int rc;

	memcpy(now.memdev, p->rec->memdev, sizeof(now.memdev));
	bb_cxl_poison_now = &now;
	rc = p->fn(p->arg, first, end - first, "cxl");
	bb_cxl_poison_now = NULL;
	return rc;
}

/* Where the disk's bytes start: the resource of the device the disk is on,
 * which for fsdax (a pfn device) is past the info block and page map, and
 * for a raw namespace is the namespace's start. *@region: the nvdimm region
 * it is in. -ENOENT when the disk is not on an nvdimm region;
 * -EOPNOTSUPP for a btt. */
static int disk_data_start(struct daxpolicy_ctx *ctx, const char *disk, char *region, size_t size,
			   uint64_t *start)
{
	char path[PATH_MAX], real[PATH_MAX], *name, *parent;
	int rc = dp_sys_path(ctx, path, sizeof(path), "/sys/block/%s/device", disk);

	if (rc < 0)
		return rc;
	if (!realpath(path, real))
		return errno == ENOENT ? -ENOENT : -errno;
	name = strrchr(real, '/');
	if (!name)
		return -ENOENT;
	*name++ = '\0';
	parent = strrchr(real, '/');
	if (!parent || strncmp(parent + 1, "region", 6))
		return -ENOENT;   /* not on an nvdimm region */
	if (dp_snprintf(region, size, "%s", parent + 1) < 0)
		return -ENAMETOOLONG;
	if (!strncmp(name, "btt", 3))
		return -EOPNOTSUPP;
	return dp_read_u64(ctx, start, "/sys/bus/nd/devices/%s/resource", name);
}

/* Clearing: the disk bytes [offset, end) whose poison is cleared, 64 bytes
 * at a time, through the memdevs' debugfs clear_poison. */
struct clear_req {
	uint64_t offset, end;
	size_t units;
	bool offered;
};

/* Whether one 64-byte unit lies in the bytes to clear. */
static int unit_inside(void *arg, uint64_t offset, uint64_t length)
{
	const struct clear_req *c = arg;

	return offset >= c->offset && offset + length <= c->end ? 1 : 0;
}

/* Clear the units of record @rec that lie in @c's bytes: the kernel writes
 * zeros there and drops them from the device's list (64 bytes at a
 * 64-byte aligned DPA, root only). */
static int clear_record(struct daxpolicy_ctx *ctx, const struct dp_cxl_region *r, unsigned int pos,
			const struct dp_cxl_poison *rec, uint64_t start, uint64_t disk_bytes, struct clear_req *c)
{
	char path[PATH_MAX];
	int rc = dp_sys_path(ctx, path, sizeof(path), "/sys/kernel/debug/cxl/%s/clear_poison", rec->memdev);
	uint64_t first = rec->dpa / DP_CXL_POISON_UNIT * DP_CXL_POISON_UNIT;

	if (rc < 0)
		return rc;
	for (uint64_t u = first; u < rec->dpa + rec->dpa_length; u += DP_CXL_POISON_UNIT) {
		char text[32];
		int fd, in = dp_cxl_dpa_to_disk(r, pos, u, DP_CXL_POISON_UNIT, start, disk_bytes, unit_inside,
						c, NULL);
		ssize_t n;

		if (in <= 0)
			continue;
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			dbg(ctx, "%s: %s: not cleared here", path, strerror(errno));
			return 0;   /* not offered: no debugfs, no such command, not root */
		}
		c->offered = true;
		n = write(fd, text, (size_t)dp_snprintf(text, sizeof(text), "0x%llx", (unsigned long long)u));
		if (n < 0)
			dbg(ctx, "%s: DPA %#llx: %s", path, (unsigned long long)u, strerror(errno));
		else
			c->units++;
		close(fd);
	}
	return 0;
}

static int poison_run(struct daxpolicy_ctx *ctx, const char *disk, dp_range_fn fn, void *arg,
		      struct clear_req *clear)
{
	struct dp_cxl_region *r;
	struct records rs = { 0 };
	char region[64];
	const char *file = secure_getenv("DAXPOLICY_TEST_CXL_POISON");
	uint64_t start = 0, sectors = 0;
	int rc;

	rc = disk_data_start(ctx, disk, region, sizeof(region), &start);
	if (rc == -ENOENT)
		return -ENOENT;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	if (rc == 0 || rc == -EOPNOTSUPP || rc == -EACCES || rc == -EPERM) {
		int c = dp_cxl_region_of_nd(ctx, region, r);

		if (c < 0) {
			free(r);
			return c;   /* -ENOENT: not CXL */
		}
	}
	if (rc == -EOPNOTSUPP) {
		rc = bb_no_source(ctx, disk, "%s is a btt (sector mode) namespace on CXL region %s: its sectors "
				  "are not at fixed addresses, so poison cannot be mapped to them", disk, r->region);
		goto out;
	}
	if (rc < 0) {
		rc = bb_no_source(ctx, disk, "%s is on CXL region %s; where its data starts cannot be read "
				  "(%s/resource: %s; needs root)", disk, r->region, region, strerror(-rc));
		goto out;
	}
	dp_read_u64(ctx, &sectors, "/sys/block/%s/size", disk);
	rs.region = r;
	rc = file ? records_from_file(ctx, file, &rs) : records_from_tracefs(ctx, disk, &rs);
	dbg(ctx, "%s: CXL region %s, %u way(s), granularity %u, data at %#llx: %zu poison record(s)",
	    disk, r->region, r->ways, r->granularity, (unsigned long long)start, rs.count);
	for (size_t i = 0; rc == 0 && i < rs.count; i++) {
		const struct dp_cxl_poison *rec = &rs.v[i];
		struct piece_arg p = { rec, fn, arg };
		uint64_t outside = 0;
		unsigned int pos = 0;

		if (rec->overflow) {
			rc = bb_no_source(ctx, disk, "%s: the poison list of %s overflowed: the device holds more "
					  "media errors than it lists, so the list cannot be complete", disk,
					  rec->memdev);
			break;
		}
		while (pos < r->ntargets && strcmp(r->targets[pos].memdev, rec->memdev))
			pos++;
		if (clear) {
			if (!file)
				rc = clear_record(ctx, r, pos, rec, start, sectors * 512, clear);
			continue;
		}
		rc = dp_cxl_dpa_to_disk(r, pos, rec->dpa, rec->dpa_length, start,
					sectors * 512, on_piece, &p, &outside);
		if (outside)
			info(ctx, "%s: %s poison at DPA %#llx+%#llx: %llu byte(s) outside %s's data "
			     "(another namespace, the info block, or not in region %s)", disk, rec->memdev,
			     (unsigned long long)rec->dpa, (unsigned long long)rec->dpa_length,
			     (unsigned long long)outside, disk, r->region);
	}
out:
	free(rs.v);
	free(r);
	return rc;
}

int bb_cxl_ranges(struct daxpolicy_ctx *ctx, const char *disk, dp_range_fn fn, void *arg)
{
	return poison_run(ctx, disk, fn, arg, NULL);
}

int bb_cxl_clear(struct daxpolicy_ctx *ctx, const char *disk, uint64_t offset, uint64_t length, size_t *units)
{
	struct clear_req c = { .offset = offset, .end = offset + length };
	int rc = poison_run(ctx, disk, NULL, NULL, &c);

	*units = c.units;
	if (rc < 0)
		return rc;
	return c.offered ? 0 : -EOPNOTSUPP;
}

/* The file bytes of hit @h (disk bytes from its first sector on) that
 * poison piece @p covers; false when they do not meet. */
static bool narrow(const struct daxpolicy_badhit *h, const struct daxpolicy_poison *p,
		   uint64_t *offset, uint64_t *length, uint64_t *disk)
{
	uint64_t hs = h->sector * 512, he = hs + h->length;
	uint64_t a = p->offset > hs ? p->offset : hs;
	uint64_t b = p->offset + p->length < he ? p->offset + p->length : he;

	if (a >= b)
		return false;
	*offset = h->file_offset + (a - hs);
	*length = b - a;
	*disk = a;
	return true;
}

/* The file hits of a range made only of CXL poison, narrowed to the
 * poisoned bytes: one hit per piece. */
static int narrow_range(struct daxpolicy_badrange *r)
{
	struct daxpolicy_badhit **pos = &r->hits;

	while (*pos) {
		struct daxpolicy_badhit *h = *pos, *last = h, *tail = h->next;
		uint64_t off, len, disk, first_off = 0, first_len = 0, first_disk = 0;
		bool have = false;

		if (h->kind != DAXPOLICY_HIT_FILE) {
			pos = &h->next;
			continue;
		}
		for (const struct daxpolicy_poison *p = r->poison; p; p = p->next) {
			struct daxpolicy_badhit *n;

			if (!narrow(h, p, &off, &len, &disk))
				continue;
			if (!have) {
				first_off = off, first_len = len, first_disk = disk;
				have = true;
				continue;
			}
			if (last == h && first_off + first_len == off) {
				first_len += len;
				continue;
			}
			if (last != h && last->file_offset + last->length == off) {
				last->length += len;
				last->count = (disk + len + 511) / 512 - last->sector;
				continue;
			}
			n = calloc(1, sizeof(*n));
			if (!n)
				return -ENOMEM;
			*n = (struct daxpolicy_badhit){ .kind = h->kind, .sector = disk / 512,
				.count = (disk + len + 511) / 512 - disk / 512,
				.path = h->path ? strdup(h->path) : NULL,
				.inode = h->inode, .file_offset = off, .length = len,
				.unwritten = h->unwritten, .shared = h->shared };
			if (h->path && !n->path) {
				free(n);
				return -ENOMEM;
			}
			last->next = n;
			n->next = tail;
			last = n;
		}
		if (have) {
			h->file_offset = first_off;
			h->length = first_len;
			h->sector = first_disk / 512;
			h->count = (first_disk + first_len + 511) / 512 - h->sector;
		}
		pos = &last->next;
	}
	return 0;
}

int bb_cxl_narrow_hits(struct daxpolicy_badblocks *bb)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < bb->count; i++)
		if (bb->ranges[i].poison && bb->ranges[i].bytes_exact)
			rc = narrow_range(&bb->ranges[i]);
	return rc;
}


/* The sectors of a disk's poison, gathered for a caller. */
struct sector_list {
	struct daxpolicy_sector_range *v;
	size_t n, cap;
};

static int add_sectors(void *arg, uint64_t sector, uint64_t count, const char *source)
{
	struct sector_list *l = arg;

	(void)source;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct daxpolicy_sector_range *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct daxpolicy_sector_range){ .sector = sector, .count = count };
	return 0;
}

DAXPOLICY_EXPORT int daxpolicy_cxl_poison_sectors(struct daxpolicy_ctx *ctx, const char *disk,
						  struct daxpolicy_sector_range **list, size_t *count)
{
	struct sector_list l = { 0 };
	int rc;

	if (!ctx || !disk || !list || !count)
		return -EINVAL;
	*list = NULL;
	*count = 0;
	rc = bb_cxl_ranges(ctx, disk, add_sectors, &l);
	if (rc < 0) {
		free(l.v);
		return rc;
	}
	*list = l.v;
	*count = l.n;
	return 0;
}
