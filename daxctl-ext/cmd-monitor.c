// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dax-admin monitor [--log FILE] [--interval S] [--count N] [--timeout S]
 * [-u] [MOUNT...]: wait for new media errors on the disks under mounted
 * filesystems and print one JSON line per new bad range with the files it
 * hits; --log keeps a durable record of them.
 *
 * Wake-ups: the nd regions' and the disks' badblocks attributes are
 * sysfs-notified when the platform reports an error (poll for
 * POLLPRI|POLLERR, then seek and re-read); badblocks set by software are
 * not, so the disks' lists are also re-read every --interval seconds.
 * Ranges are compared sector by sector with what is already known, so an
 * error next to an old one is reported for its new sectors only.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <inttypes.h>
#include <libmount.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <daxpolicy/libdaxpolicy.h>

#include "badblocks-json.h"
#include "builtin.h"
#include "json.h"
#include "probe-paths.h"

#define CMD "monitor"
#define SOURCE "sysfs"   /* the ranges are read from /sys/block/DISK/badblocks */

/* A set of sectors: sorted, disjoint, non-adjacent ranges. */
struct rset {
	struct daxpolicy_sector_range *v;
	size_t n, cap;
};

struct disk {
	char name[64];
	int fd;             /* /sys/block/NAME/badblocks, -1 when not open */
	bool watched;       /* a watched filesystem lives on it */
	struct rset seen;   /* the list as last read */
	struct rset known;  /* reported, logged, or there at start */
};

struct watch {
	char *mount;
	dev_t dev;
	struct disk *disk;
	uint64_t first, sectors;   /* the filesystem's device, in disk sectors */
	bool gone;
};

struct region {
	char *path;
	int fd;
};

struct monitor {
	struct daxpolicy_ctx *ctx;
	struct disk **disks;
	size_t ndisks;
	struct watch *watches;
	size_t nwatches, live;
	struct region *regions;
	size_t nregions;
	const char *log_name;
	int log_fd;
	bool log_newline;          /* the log's last line lacks its newline */
	unsigned int flags;
	unsigned long long count;  /* --count, 0 for none */
	unsigned long long errors; /* error lines printed */
	int failed;                /* an exit status, once writing failed */
};

/* ------------------------------------------------------------ sector sets */

static int rset_add(struct rset *s, uint64_t sector, uint64_t count)
{
	uint64_t end = sector + count;
	size_t i = 0, j;

	if (count == 0)
		return 0;
	/* First range that ends at or after @sector (adjacent ones merge). */
	while (i < s->n && s->v[i].sector + s->v[i].count < sector)
		i++;
	/* Ranges from i up to j (excluded) touch the new one. */
	for (j = i; j < s->n && s->v[j].sector <= end; j++) {
		if (s->v[j].sector < sector)
			sector = s->v[j].sector;
		if (s->v[j].sector + s->v[j].count > end)
			end = s->v[j].sector + s->v[j].count;
	}
	if (j == i) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 8;
			struct daxpolicy_sector_range *v = realloc(s->v, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			s->v = v;
			s->cap = cap;
		}
		memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(s->v[0]));
		s->n++;
	} else if (j > i + 1) {
		memmove(&s->v[i + 1], &s->v[j], (s->n - j) * sizeof(s->v[0]));
		s->n -= j - i - 1;
	}
	s->v[i] = (struct daxpolicy_sector_range){ sector, end - sector };
	return 0;
}

static int rset_sub(struct rset *s, uint64_t sector, uint64_t count)
{
	uint64_t end = sector + count;
	struct rset out = { 0 };
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < s->n; i++) {
		uint64_t a = s->v[i].sector, b = a + s->v[i].count;

		if (b <= sector || a >= end) {
			rc = rset_add(&out, a, b - a);
			continue;
		}
		if (a < sector)
			rc = rset_add(&out, a, sector - a);
		if (rc == 0 && b > end)
			rc = rset_add(&out, end, b - end);
	}
	if (rc < 0) {
		free(out.v);
		return rc;
	}
	free(s->v);
	*s = out;
	return 0;
}

/* @out = @a minus @b. */
static int rset_diff(struct rset *out, const struct rset *a, const struct rset *b)
{
	int rc = 0;

	*out = (struct rset){ 0 };
	for (size_t i = 0; rc == 0 && i < a->n; i++)
		rc = rset_add(out, a->v[i].sector, a->v[i].count);
	for (size_t i = 0; rc == 0 && i < b->n; i++)
		rc = rset_sub(out, b->v[i].sector, b->v[i].count);
	return rc;
}

static void rset_clear(struct rset *s)
{
	free(s->v);
	*s = (struct rset){ 0 };
}

/* ------------------------------------------------------------ output */

static void now_iso8601(char *buf, size_t size)
{
	struct tm tm;
	time_t t = time(NULL);

	if (!gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "%lld", (long long)t);
}

static struct json_object *event_head(const char *event, const char *dev, const char *mount)
{
	struct json_object *o = json_object_new_object();
	char when[64];

	now_iso8601(when, sizeof(when));
	json_object_object_add(o, "time", json_object_new_string(when));
	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(o, "dev", json_object_new_string(dev));
	json_object_object_add(o, "mount", mount ? json_path(mount) : NULL);
	return o;
}

static const char *to_line(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Log (durably) first, then print: a line on standard output is in the log
 * (when the log cannot be written, the line is still printed, and the
 * monitor stops). @plain is the event with sizes as numbers (what the log
 * keeps), @shown what standard output gets (the same unless -u). */
static int emit(struct monitor *m, struct json_object *plain, struct json_object *shown)
{
	if (m->log_fd >= 0 && !m->failed) {
		const char *text = to_line(plain);
		size_t len = strlen(text);
		char *line = malloc(len + 3);
		int rc;

		if (!line) {
			cmd_error(CMD, m->log_name, "out of memory");
			return m->failed = EXIT_UNMET;
		}
		snprintf(line, len + 3, "%s%s\n", m->log_newline ? "\n" : "", text);
		rc = write_all(m->log_fd, line, strlen(line));
		free(line);
		if (rc == 0 && fsync(m->log_fd) < 0)
			rc = -errno;
		if (rc < 0) {
			cmd_error(CMD, m->log_name, "cannot write the log: %s", strerror(-rc));
			m->failed = EXIT_UNMET;
		} else {
			m->log_newline = false;
		}
	}
	if (fputs(to_line(shown), stdout) == EOF || fputc('\n', stdout) == EOF ||
	    fflush(stdout) == EOF) {
		if (errno != EPIPE)
			fprintf(stderr, "dax-admin %s: write error on standard output: %s\n", CMD,
				strerror(errno));
		return m->failed = EXIT_UNMET;
	}
	return m->failed;
}

/* The watch a disk range belongs to: the first live one whose filesystem it
 * touches, else the first live one on the disk. */
static struct watch *owner(struct monitor *m, struct disk *d, uint64_t sector, uint64_t count)
{
	struct watch *first = NULL;

	for (size_t i = 0; i < m->nwatches; i++) {
		struct watch *w = &m->watches[i];

		if (w->disk != d || w->gone)
			continue;
		if (sector < w->first + w->sectors && sector + count > w->first)
			return w;
		if (!first)
			first = w;
	}
	return first;
}

static bool touches(const struct watch *w, const struct daxpolicy_sector_range *r)
{
	return r->sector < w->first + w->sectors && r->sector + r->count > w->first;
}

/* An error line for a range that could not be attributed. */
static struct json_object *unattributed_event(const char *event, struct disk *d, struct watch *w,
					      const struct daxpolicy_sector_range *r)
{
	struct json_object *o = event_head(event, d->name, w ? w->mount : NULL), *u, *h;

	json_object_object_add(o, "offset", json_object_new_uint64(r->sector));
	json_object_object_add(o, "length", json_object_new_uint64(r->count));
	json_object_object_add(o, "source", json_object_new_string(SOURCE));
	json_object_object_add(o, "files", json_object_new_array());
	json_object_object_add(o, "metadata", json_object_new_array());
	json_object_object_add(o, "unallocated", json_object_new_array());
	u = json_object_new_array();
	h = json_object_new_object();
	json_object_object_add(h, "sector", json_object_new_uint64(r->sector));
	json_object_object_add(h, "sectors", json_object_new_uint64(r->count));
	json_object_array_add(u, h);
	json_object_object_add(o, "unattributed", u);
	return o;
}

static int emit_pair(struct monitor *m, struct json_object *plain, struct json_object *shown)
{
	int rc = emit(m, plain, shown ? shown : plain);

	if (shown)
		json_object_put(shown);
	json_object_put(plain);
	return rc;
}

/* --count N: exactly N error lines, then stop. */
static bool count_reached(struct monitor *m)
{
	return m->count && m->errors >= m->count;
}

/* Report the ranges @list of disk @d, all touching watch @w (or none), as
 * error events attributed to files by a scan of @w's filesystem. */
static int report_errors(struct monitor *m, const char *event, struct disk *d, struct watch *w,
			 const struct daxpolicy_sector_range *list, size_t n)
{
	struct daxpolicy_badblocks *bb = NULL;
	int err = w ? daxpolicy_badblocks_scan(m->ctx, w->mount, list, n, &bb) : -ENODEV;
	bool human = m->flags & JSON_HUMAN;

	if (err < 0) {
		if (w) {
			fprintf(stderr, "dax-admin %s: ", CMD);
			print_escaped(stderr, w->mount);
			fprintf(stderr, ": cannot tell which files the new bad sectors of %s hit: %s\n",
				d->name, strerror(-err));
		}
		for (size_t i = 0; i < n && !count_reached(m); i++) {
			if (emit_pair(m, unattributed_event(event, d, w, &list[i]), NULL))
				return m->failed;
			m->errors++;
		}
		return 0;
	}
	for (struct daxpolicy_badrange *r = daxpolicy_badblocks_get_first(bb); r && !count_reached(m);
	     r = daxpolicy_badrange_get_next(r)) {
		struct json_object *plain = event_head(event, d->name, w->mount), *shown = NULL;

		badrange_to_json(plain, bb, r, SOURCE, 0);
		if (human) {
			shown = event_head(event, d->name, w->mount);
			badrange_to_json(shown, bb, r, SOURCE, JSON_HUMAN);
		}
		if (emit_pair(m, plain, shown))
			break;
		m->errors++;
	}
	daxpolicy_badblocks_free(bb);
	return m->failed;
}

/* New (or, at start, unlogged) bad sectors @pieces of disk @d: one scan per
 * filesystem they touch; sectors outside every watched filesystem go with
 * the first one (they come out unattributed). */
static int report_pieces(struct monitor *m, const char *event, struct disk *d, const struct rset *pieces)
{
	struct daxpolicy_sector_range *list;
	bool *done;
	int rc = 0;

	if (pieces->n == 0)
		return 0;
	list = calloc(pieces->n, sizeof(*list));
	done = calloc(pieces->n, sizeof(*done));
	if (!list || !done) {
		free(list);
		free(done);
		cmd_error(CMD, d->name, "out of memory");
		return m->failed = EXIT_UNMET;
	}
	for (size_t i = 0; rc == 0 && i < m->nwatches; i++) {
		struct watch *w = &m->watches[i];
		size_t n = 0;

		if (w->disk != d || w->gone)
			continue;
		for (size_t j = 0; j < pieces->n; j++)
			if (!done[j] && touches(w, &pieces->v[j])) {
				list[n++] = pieces->v[j];
				done[j] = true;
			}
		if (n)
			rc = report_errors(m, event, d, w, list, n);
	}
	for (size_t j = 0; rc == 0 && j < pieces->n; j++)
		if (!done[j])
			rc = report_errors(m, event, d, owner(m, d, pieces->v[j].sector, pieces->v[j].count),
					   &pieces->v[j], 1);
	free(list);
	free(done);
	return rc;
}

static int report_cleared(struct monitor *m, struct disk *d, const struct rset *pieces)
{
	for (size_t i = 0; i < pieces->n; i++) {
		const struct daxpolicy_sector_range *r = &pieces->v[i];
		struct watch *w = owner(m, d, r->sector, r->count);
		struct json_object *o = event_head("cleared", d->name, w ? w->mount : NULL);

		json_object_object_add(o, "offset", json_object_new_uint64(r->sector));
		json_object_object_add(o, "length", json_object_new_uint64(r->count));
		json_object_object_add(o, "source", json_object_new_string(SOURCE));
		if (emit_pair(m, o, NULL))
			return m->failed;
	}
	return 0;
}

/* ------------------------------------------------------------ disks */

static struct disk *find_disk(struct monitor *m, const char *name, bool add)
{
	struct disk *d, **v;

	for (size_t i = 0; i < m->ndisks; i++)
		if (strcmp(m->disks[i]->name, name) == 0)
			return m->disks[i];
	if (!add || strlen(name) >= sizeof(d->name))
		return NULL;
	d = calloc(1, sizeof(*d));
	v = realloc(m->disks, (m->ndisks + 1) * sizeof(*v));
	if (!d || !v) {
		free(d);
		if (v)
			m->disks = v;
		return NULL;
	}
	m->disks = v;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->fd = -1;
	m->disks[m->ndisks++] = d;
	return d;
}

/* Read all of a sysfs attribute from its start (which also re-arms poll);
 * a malloc'ed string, or NULL with errno. */
static char *read_attr(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap + 1);

	if (!buf)
		return NULL;
	if (lseek(fd, 0, SEEK_SET) < 0)
		goto fail;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *b = realloc(buf, cap * 2 + 1);

			if (!b)
				goto fail;
			buf = b;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
fail:
	free(buf);
	return NULL;
}

static int open_disk(struct disk *d)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/block/%s/badblocks", d->name);
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	return d->fd < 0 ? -errno : 0;
}

/* The disk's list now; -errno when it cannot be read (the disk went away). */
static int read_disk(struct disk *d, struct rset *cur)
{
	char *text, *p;
	int rc = 0;

	*cur = (struct rset){ 0 };
	if (d->fd < 0 && open_disk(d) < 0)
		return -errno;
	text = read_attr(d->fd);
	if (!text) {
		rc = -errno;
		close(d->fd);
		d->fd = -1;
		return rc;
	}
	for (p = text; rc == 0 && *p;) {
		unsigned long long sector, count;
		int used = 0;

		if (sscanf(p, "%llu %llu%n", &sector, &count, &used) != 2 || used == 0)
			break;
		rc = rset_add(cur, sector, count);
		p += used;
		p += strspn(p, " \t\n");
	}
	free(text);
	return rc;
}

/* Compare the disk's list with what is known and report the difference.
 * At start, ranges missing from the log are reported as "present" (when
 * there is a log) and nothing is "cleared". */
static int check_disk(struct monitor *m, struct disk *d, bool start)
{
	struct rset cur, cleared = { 0 }, fresh = { 0 };
	int rc = read_disk(d, &cur);

	if (rc < 0)
		return 0;   /* gone for now; its filesystems are checked apart */
	if (!start) {
		rc = rset_diff(&cleared, &d->seen, &cur);
		for (size_t i = 0; rc == 0 && i < cleared.n; i++)
			rc = rset_sub(&d->known, cleared.v[i].sector, cleared.v[i].count);
		if (rc == 0)
			rc = report_cleared(m, d, &cleared);
	}
	if (rc == 0)
		rc = rset_diff(&fresh, &cur, &d->known);
	for (size_t i = 0; rc == 0 && i < fresh.n; i++)
		rc = rset_add(&d->known, fresh.v[i].sector, fresh.v[i].count);
	if (rc == 0 && (!start || m->log_fd >= 0))
		rc = report_pieces(m, start ? "present" : "new", d, &fresh);
	rset_clear(&d->seen);
	d->seen = cur;
	rset_clear(&cleared);
	rset_clear(&fresh);
	if (rc == -ENOMEM) {
		cmd_error(CMD, d->name, "out of memory");
		rc = m->failed = EXIT_UNMET;
	}
	return rc;
}

/* ------------------------------------------------------------ regions */

/* Open (and arm) the badblocks attribute of every nd region not open yet. */
static void open_regions(struct monitor *m)
{
	glob_t g;

	if (glob("/sys/bus/nd/devices/region*/badblocks", 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct region *slot = NULL, *v;
		char *text;
		int fd;

		for (size_t j = 0; j < m->nregions; j++)
			if (strcmp(m->regions[j].path, g.gl_pathv[i]) == 0)
				slot = &m->regions[j];
		if (slot && slot->fd >= 0)
			continue;
		fd = open(g.gl_pathv[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		text = read_attr(fd);   /* arms poll */
		if (!text) {
			close(fd);
			continue;
		}
		free(text);
		if (!slot) {
			char *path = strdup(g.gl_pathv[i]);

			v = path ? realloc(m->regions, (m->nregions + 1) * sizeof(*v)) : NULL;
			if (!v) {
				free(path);
				close(fd);
				continue;
			}
			m->regions = v;
			slot = &m->regions[m->nregions++];
			slot->path = path;
		}
		slot->fd = fd;
	}
	globfree(&g);
}

/* ------------------------------------------------------------ filesystems */

static int add_watch(struct monitor *m, const char *arg, struct daxpolicy_report *r, bool quiet)
{
	const char *name = daxpolicy_report_get_device_name(r), *disk = daxpolicy_report_get_device_disk(r);
	const char *target = daxpolicy_report_get_mount_target(r);
	unsigned long long size = 0;
	char path[PATH_MAX];
	struct watch *v;
	struct stat st;
	FILE *f;

	if (!name[0]) {
		fprintf(stderr, "dax-admin %s: ", CMD);
		print_escaped(stderr, arg);
		fprintf(stderr, ": not on a block device (no media to have errors)\n");
		return EXIT_USAGE;
	}
	if (!disk[0])
		disk = name;
	snprintf(path, sizeof(path), "/sys/block/%s/badblocks", disk);
	if (access(path, R_OK) != 0) {
		if (quiet)
			return EXIT_OK;
		fprintf(stderr, "dax-admin %s: ", CMD);
		print_escaped(stderr, arg);
		fprintf(stderr, ": %s (%s) keeps no list of bad sectors; only filesystems on persistent memory (pmem disks and their partitions) can be monitored\n",
			disk, daxpolicy_report_get_device_kind(r));
		return EXIT_USAGE;
	}
	if (!target[0] || stat(target, &st) < 0) {
		fprintf(stderr, "dax-admin %s: ", CMD);
		print_escaped(stderr, arg);
		fprintf(stderr, ": cannot find its mount point\n");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < m->nwatches; i++)
		if (m->watches[i].dev == st.st_dev)
			return EXIT_OK;   /* the same filesystem, named twice */
	v = realloc(m->watches, (m->nwatches + 1) * sizeof(*v));
	if (!v)
		goto nomem;
	m->watches = v;
	v = &m->watches[m->nwatches];
	*v = (struct watch){ .dev = st.st_dev, .mount = strdup(target),
			     .disk = find_disk(m, disk, true),
			     .first = daxpolicy_report_get_device_start(r) / 512 };
	if (!v->mount || !v->disk) {
		free(v->mount);
		goto nomem;
	}
	snprintf(path, sizeof(path), "/sys/class/block/%s/size", name);
	f = fopen(path, "re");
	if (!f || fscanf(f, "%llu", &size) != 1)
		size = UINT64_MAX - v->first;
	if (f)
		fclose(f);
	v->sectors = size;
	v->disk->watched = true;
	m->nwatches++;
	m->live++;
	return EXIT_OK;
nomem:
	cmd_error(CMD, arg, "out of memory");
	return EXIT_UNMET;
}

static int watch_args(struct monitor *m, char **paths, int n)
{
	int rc = EXIT_OK;

	for (int i = 0; i < n; i++) {
		struct daxpolicy_report *r;
		int err = daxpolicy_probe_path(m->ctx, paths[i], DAXPOLICY_PROBE_NO_MMAP, &r);
		int status;

		if (err < 0) {
			fprintf(stderr, "dax-admin %s: ", CMD);
			print_escaped(stderr, paths[i]);
			fprintf(stderr, ": %s\n", err == -ENOENT ? "no such file or directory" :
				err == -EACCES ? "permission denied (run as root)" : strerror(-err));
			rc = EXIT_USAGE;
			continue;
		}
		status = add_watch(m, paths[i], r, false);
		daxpolicy_report_free(r);
		if (status != EXIT_OK)
			rc = status;
	}
	return rc;
}

/* Every mounted filesystem on a pmem disk or a partition of one. */
static int watch_all(struct monitor *m)
{
	struct libmnt_table *tb = mnt_new_table_from_file("/proc/self/mountinfo");
	struct libmnt_iter *itr = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	int rc = EXIT_OK;

	if (!tb || !itr) {
		mnt_free_iter(itr);
		mnt_unref_table(tb);
		cmd_error(CMD, "/proc/self/mountinfo", "cannot read the mount table");
		return EXIT_UNMET;
	}
	while (rc == EXIT_OK && mnt_table_next_fs(tb, itr, &fs) == 0) {
		struct daxpolicy_report *r;

		if (major(mnt_fs_get_devno(fs)) == 0)
			continue;
		if (daxpolicy_probe_path(m->ctx, mnt_fs_get_target(fs), DAXPOLICY_PROBE_NO_MMAP, &r) < 0)
			continue;
		if (strcmp(daxpolicy_report_get_device_kind(r), "pmem") == 0)
			rc = add_watch(m, mnt_fs_get_target(fs), r, true);
		daxpolicy_report_free(r);
	}
	mnt_free_iter(itr);
	mnt_unref_table(tb);
	if (rc == EXIT_OK && m->nwatches == 0) {
		cmd_error(CMD, NULL, "no filesystem on persistent memory is mounted; nothing to watch (mount one first, or name a mount point)");
		rc = EXIT_USAGE;
	}
	return rc;
}

/* A watched filesystem that is no longer mounted where it was is dropped. */
static void check_mounts(struct monitor *m)
{
	for (size_t i = 0; i < m->nwatches; i++) {
		struct watch *w = &m->watches[i];
		struct stat st;

		if (w->gone || (stat(w->mount, &st) == 0 && st.st_dev == w->dev))
			continue;
		w->gone = true;
		m->live--;
		fprintf(stderr, "dax-admin %s: ", CMD);
		print_escaped(stderr, w->mount);
		fprintf(stderr, ": no longer mounted; stopped watching it\n");
		/* Its disk may go away too: stop polling it when nothing else
		 * on it is watched. */
		w->disk->watched = false;
		for (size_t j = 0; j < m->nwatches; j++)
			if (m->watches[j].disk == w->disk && !m->watches[j].gone)
				w->disk->watched = true;
		if (!w->disk->watched && w->disk->fd >= 0) {
			close(w->disk->fd);
			w->disk->fd = -1;
		}
	}
}

/* ------------------------------------------------------------ the log */

static bool is_count(struct json_object *o, uint64_t *v)
{
	if (!o || !json_object_is_type(o, json_type_int))
		return false;
	if (json_object_get_int64(o) < 0 && json_object_get_uint64(o) == 0)
		return false;
	*v = json_object_get_uint64(o);
	return true;
}

/* One line of the log: 0, or -1 when it is not an event. */
static int log_apply(struct monitor *m, const char *line, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o, *ev = NULL, *dev = NULL, *off = NULL, *length = NULL;
	const char *event;
	uint64_t sector, count;
	struct disk *d;
	int rc = -1;

	if (!tok)
		return -1;
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    (size_t)json_tokener_get_parse_end(tok) != len || !json_object_is_type(o, json_type_object))
		goto out;
	json_object_object_get_ex(o, "event", &ev);
	json_object_object_get_ex(o, "dev", &dev);
	json_object_object_get_ex(o, "offset", &off);
	json_object_object_get_ex(o, "length", &length);
	if (!ev || !json_object_is_type(ev, json_type_string) || !dev ||
	    !json_object_is_type(dev, json_type_string) || !is_count(off, &sector) ||
	    !is_count(length, &count) || count == 0 || count > UINT64_MAX - sector)
		goto out;
	event = json_object_get_string(ev);
	d = find_disk(m, json_object_get_string(dev), true);
	if (!d)
		goto out;
	if (strcmp(event, "new") == 0 || strcmp(event, "present") == 0)
		rc = rset_add(&d->known, sector, count) < 0 ? -1 : 0;
	else if (strcmp(event, "cleared") == 0)
		rc = rset_sub(&d->known, sector, count) < 0 ? -1 : 0;
out:
	json_object_put(o);
	json_tokener_free(tok);
	return rc;
}

static int log_open(struct monitor *m, const char *name)
{
	bool created = true;
	char *line = NULL;
	size_t cap = 0;
	unsigned int lineno = 0;
	struct stat st;
	ssize_t n;
	FILE *f;
	int fd;

	fd = open(name, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0 && errno == EEXIST) {
		created = false;
		fd = open(name, O_RDWR | O_APPEND | O_CLOEXEC | O_NOCTTY);
	}
	if (fd < 0) {
		cmd_error(CMD, name, "cannot open the log: %s", strerror(errno));
		return EXIT_USAGE;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		cmd_error(CMD, name, "the log must be a regular file");
		close(fd);
		return EXIT_USAGE;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		cmd_error(CMD, name, "the log is in use by another dax-admin monitor");
		close(fd);
		return EXIT_USAGE;
	}
	if (created) {
		/* Make the new file's name durable too. */
		char *dir = strdup(name), *slash = dir ? strrchr(dir, '/') : NULL;
		int dfd;

		if (dir) {
			if (slash)
				slash[slash == dir] = '\0';
			dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (dfd >= 0) {
				fsync(dfd);
				close(dfd);
			}
			free(dir);
		}
	}
	m->log_fd = fd;
	m->log_name = name;
	f = fdopen(dup(fd), "re");
	if (!f) {
		cmd_error(CMD, name, "cannot read the log: %s", strerror(errno));
		return EXIT_UNMET;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		size_t len = (size_t)n;

		lineno++;
		m->log_newline = line[len - 1] != '\n';
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
			       line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--;
		if (strspn(line, " \t") == len)
			continue;
		if (memchr(line, '\0', len) || log_apply(m, line, len) < 0) {
			fprintf(stderr, "dax-admin %s: ", CMD);
			print_escaped(stderr, name);
			fprintf(stderr, ": line %u: not a monitor event (one JSON object with event, dev, offset and length per line); the log was left as it is\n",
				lineno);
			free(line);
			fclose(f);
			return EXIT_USAGE;
		}
	}
	free(line);
	if (ferror(f)) {
		cmd_error(CMD, name, "cannot read the log: %s", strerror(errno));
		fclose(f);
		return EXIT_UNMET;
	}
	fclose(f);
	return EXIT_OK;
}

/* ------------------------------------------------------------ main loop */

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool parse_seconds(const char *opt, const char *arg, bool zero_ok, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v < 0 || (!zero_ok && v == 0) || v > 1e9) {
		cmd_error(CMD, NULL, "%s: expected a number of seconds%s, got '%s'", opt,
			  zero_ok ? "" : " greater than 0", arg);
		return false;
	}
	*out = v;
	return true;
}

static int check_all(struct monitor *m, bool start)
{
	if (!start)
		check_mounts(m);
	for (size_t i = 0; i < m->ndisks && !count_reached(m); i++) {
		struct disk *d = m->disks[i];

		if (d->watched && check_disk(m, d, start))
			return m->failed ? m->failed : EXIT_UNMET;
	}
	return EXIT_OK;
}

static int run(struct monitor *m, double interval, double timeout, int sigfd)
{
	double start = now_seconds(), next = start + interval;
	double deadline = timeout >= 0 ? start + timeout : INFINITY;
	struct pollfd *pfd = NULL;
	int rc;

	for (;;) {
		size_t n = 0;
		double now = now_seconds(), until = next < deadline ? next : deadline;
		bool check = false;
		int ms;

		if (count_reached(m))
			break;
		if (m->live == 0) {
			cmd_error(CMD, NULL, "no watched filesystem is left");
			rc = EXIT_UNMET;
			goto out;
		}
		if (now >= deadline) {
			if (m->count) {
				cmd_error(CMD, NULL, "timed out after %g seconds with %llu of %llu errors",
					  timeout, m->errors, m->count);
				rc = EXIT_UNMET;
				goto out;
			}
			break;
		}
		free(pfd);
		pfd = calloc(1 + m->ndisks + m->nregions, sizeof(*pfd));
		if (!pfd) {
			cmd_error(CMD, NULL, "out of memory");
			rc = EXIT_UNMET;
			goto out;
		}
		pfd[n++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		for (size_t i = 0; i < m->ndisks; i++)
			pfd[n++] = (struct pollfd){ .fd = m->disks[i]->watched ? m->disks[i]->fd : -1,
						    .events = POLLPRI };
		for (size_t i = 0; i < m->nregions; i++)
			pfd[n++] = (struct pollfd){ .fd = m->regions[i].fd, .events = POLLPRI };
		ms = until > now ? (int)ceil((until - now) * 1000) : 0;
		if (poll(pfd, n, ms) < 0 && errno != EINTR) {
			cmd_error(CMD, NULL, "poll: %s", strerror(errno));
			rc = EXIT_UNMET;
			goto out;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) > 0)
				break;   /* SIGINT, SIGTERM or SIGHUP: a clean stop */
		}
		for (size_t i = 0; i < m->ndisks; i++)
			if (pfd[1 + i].revents)
				check = true;   /* the disk is re-read below */
		for (size_t i = 0; i < m->nregions; i++) {
			struct region *r = &m->regions[i];
			char *text;

			if (!pfd[1 + m->ndisks + i].revents)
				continue;
			check = true;
			text = read_attr(r->fd);   /* re-arm */
			if (!text) {
				close(r->fd);   /* the region went away */
				r->fd = -1;
			}
			free(text);
		}
		now = now_seconds();
		if (now >= next) {
			check = true;
			open_regions(m);
			next = now + interval;
		}
		if (check && (rc = check_all(m, false)) != EXIT_OK)
			goto out;
	}
	rc = EXIT_OK;
out:
	free(pfd);
	return rc;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: dax-admin monitor [--log FILE] [--interval SECONDS] [--count N]\n"
		     "                         [--timeout SECONDS] [-u] [MOUNT...]\n");
}

int cmd_monitor(int argc, char **argv, struct daxpolicy_ctx *ctx)
{
	static const struct option longopts[] = {
		{ "log", required_argument, NULL, 'l' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "human", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct monitor m = { .ctx = ctx, .log_fd = -1 };
	double interval = 5, timeout = -1;
	const char *log_name = NULL;
	sigset_t mask, old;
	int opt, rc, sigfd = -1;

	sigemptyset(&old);

	while ((opt = getopt_long(argc, argv, "l:i:c:t:uh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			log_name = optarg;
			break;
		case 'i':
			if (!parse_seconds("--interval", optarg, false, &interval))
				return EXIT_USAGE;
			break;
		case 't':
			if (!parse_seconds("--timeout", optarg, true, &timeout))
				return EXIT_USAGE;
			break;
		case 'c': {
			char *end;

			errno = 0;
			m.count = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || m.count == 0 || optarg[0] == '-') {
				cmd_error(CMD, NULL, "--count: expected a whole number greater than 0, got '%s'",
					  optarg);
				return EXIT_USAGE;
			}
			break;
		}
		case 'u':
			m.flags |= JSON_HUMAN;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (log_name && !log_name[0]) {
		cmd_error(CMD, NULL, "--log: expected a file name");
		return EXIT_USAGE;
	}

	/* The log first: a damaged log is the first thing to know about. */
	rc = log_name ? log_open(&m, log_name) : EXIT_OK;
	if (rc == EXIT_OK)
		rc = optind < argc ? watch_args(&m, argv + optind, argc - optind) : watch_all(&m);
	if (rc != EXIT_OK)
		goto out;

	/* Signals arrive through a descriptor polled with the rest. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sigfd < 0) {
		cmd_error(CMD, NULL, "signalfd: %s", strerror(errno));
		rc = EXIT_UNMET;
		goto out;
	}

	/* Arm every wake-up before the first read, so nothing falls between. */
	open_regions(&m);
	for (size_t i = 0; i < m.ndisks; i++)
		if (m.disks[i]->watched && open_disk(m.disks[i]) < 0) {
			cmd_error(CMD, m.disks[i]->name, "cannot open its badblocks: %s", strerror(errno));
			rc = EXIT_UNMET;
			goto out;
		}
	rc = check_all(&m, true);
	if (rc != EXIT_OK)
		goto out;
	for (size_t i = 0; i < m.nwatches; i++) {
		struct watch *w = &m.watches[i];

		fprintf(stderr, "dax-admin %s: ", CMD);
		print_escaped(stderr, w->mount);
		fprintf(stderr, ": watching %s (%zu bad range%s listed)\n", w->disk->name,
			w->disk->seen.n, w->disk->seen.n == 1 ? "" : "s");
	}
	rc = run(&m, interval, timeout, sigfd);
out:
	if (sigfd >= 0) {
		close(sigfd);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	if (m.log_fd >= 0)
		close(m.log_fd);
	for (size_t i = 0; i < m.ndisks; i++) {
		if (m.disks[i]->fd >= 0)
			close(m.disks[i]->fd);
		rset_clear(&m.disks[i]->seen);
		rset_clear(&m.disks[i]->known);
		free(m.disks[i]);
	}
	free(m.disks);
	for (size_t i = 0; i < m.nwatches; i++)
		free(m.watches[i].mount);
	free(m.watches);
	for (size_t i = 0; i < m.nregions; i++) {
		if (m.regions[i].fd >= 0)
			close(m.regions[i].fd);
		free(m.regions[i].path);
	}
	free(m.regions);
	return rc;
}
