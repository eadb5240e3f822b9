// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <daxpolicy/libdaxpolicy.h>

#include "badblocks-json.h"
#include "builtin.h"
#include "json.h"
#include "monitor-events.h"
#include "monitor-state.h"
#include "probe-paths.h"

#define SOURCE "sysfs"   /* the ranges are read from /sys/block/DISK/badblocks */
#define SOURCE_CXL "cxl" /* or from the poison lists of a CXL region's memdevs */

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
	json_add_path(o, "mount", mount);
	return o;
}

static const char *to_line(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* What the state file keeps of an event: enough to know its sectors. */
static struct json_object *state_record(struct json_object *plain)
{
	static const char *const keep[] = { "time", "event", "dev", "offset", "length" };
	struct json_object *o = json_object_new_object(), *v;

	for (size_t i = 0; o && i < sizeof(keep) / sizeof(keep[0]); i++)
		if (json_object_object_get_ex(plain, keep[i], &v))
			json_object_object_add(o, keep[i], json_object_get(v));
	return o;
}

/* @s for a syslog message: control characters, '"', '\\' and bytes that
 * are not ASCII as \xHH, so that a file name cannot forge a line. */
static void escape(char *out, size_t n, const char *s)
{
	size_t len = 0;

	for (; s && *s && len + 5 < n; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			len += (size_t)snprintf(out + len, n - len, "\\x%02x", c);
		else
			out[len++] = (char)c;
	}
	out[len] = '\0';
}

static uint64_t get_u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : 0;
}

static const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ?
		       json_object_get_string(v) : "";
}

/* One syslog message per file range an event names (or one for the range
 * when it names no file), as key=value pairs: event, device, sector,
 * sectors, file, offset, length. */
static void to_syslog(struct json_object *plain)
{
	const char *event = get_str(plain, "event"), *dev = get_str(plain, "dev");
	unsigned long long sector = get_u64(plain, "offset"), sectors = get_u64(plain, "length");
	int prio = strcmp(event, "cleared") == 0 ? LOG_NOTICE : LOG_ERR;
	struct json_object *files = NULL;
	char mount[512];
	size_t said = 0;

	escape(mount, sizeof(mount), get_str(plain, "mount"));
	if (strcmp(event, "repair_interrupted") == 0) {
		char file[1024], command[1024];

		escape(file, sizeof(file), get_str(plain, "file"));
		escape(command, sizeof(command), get_str(plain, "command"));
		syslog(LOG_ERR, "repair interrupted: device=%s mount=\"%s\" file=\"%s\" command=\"%s\"", dev,
		       mount, file, command);
		return;
	}
	json_object_object_get_ex(plain, "files", &files);
	for (size_t i = 0; files && i < json_object_array_length(files); i++) {
		struct json_object *f = json_object_array_get_idx(files, i), *ranges = NULL;
		char path[1024];

		escape(path, sizeof(path), get_str(f, "path"));
		json_object_object_get_ex(f, "ranges", &ranges);
		for (size_t j = 0; ranges && j < json_object_array_length(ranges); j++) {
			struct json_object *r = json_object_array_get_idx(ranges, j);

			syslog(prio, "media error: event=%s device=%s sector=%llu sectors=%llu mount=\"%s\" file=\"%s\" offset=%llu length=%llu",
			       event, dev, sector, sectors, mount, path,
			       (unsigned long long)get_u64(r, "file_offset"),
			       (unsigned long long)get_u64(r, "length"));
			said++;
		}
	}
	if (!said)
		syslog(prio, "media error: event=%s device=%s sector=%llu sectors=%llu mount=\"%s\" file=none",
		       event, dev, sector, sectors, mount);
}

/* The state file first, durably, then the log, syslog and standard output:
 * an event shown anywhere is recorded (when the state cannot be written,
 * the event is still shown, and the monitor stops). @plain is the event
 * with sizes as numbers (what the files keep), @shown what standard output
 * gets (NULL: the same, without -u). Both are released. */
static int emit(struct monitor *m, struct json_object *plain, struct json_object *shown)
{
	enum monitor_log_result logged = MONITOR_LOG_WRITTEN;

	/* The state file keeps bad ranges only (what was reported of them). */
	if (m->state.fd >= 0 && !m->failed && json_object_object_get_ex(plain, "offset", NULL)) {
		struct json_object *rec = state_record(plain);

		logged = rec ? monitor_file_append(&m->state, to_line(rec)) : MONITOR_LOG_NO_MEMORY;
		json_object_put(rec);
	}
	if (logged == MONITOR_LOG_WRITTEN && m->log.fd >= 0 && !m->failed)
		logged = monitor_file_append(&m->log, to_line(plain));
	if (logged != MONITOR_LOG_WRITTEN)
		m->failed = EXIT_UNMET;
	if (logged != MONITOR_LOG_NO_MEMORY && m->syslog)
		to_syslog(plain);
	if (logged != MONITOR_LOG_NO_MEMORY &&
	    (fputs(to_line(shown ? shown : plain), stdout) == EOF || fputc('\n', stdout) == EOF ||
	     fflush(stdout) == EOF)) {
		if (errno != EPIPE)
			cmd_error(MONITOR_CMD, NULL, "write error on standard output: %s", strerror(errno));
		m->failed = EXIT_UNMET;
	}
	json_object_put(shown);
	json_object_put(plain);
	return m->failed;
}

static bool touches(const struct watch *w, const struct daxpolicy_sector_range *r)
{
	return r->sector < w->first + w->sectors && r->sector + r->count > w->first;
}

/* The watch a disk range belongs to: the first live one whose filesystem it
 * touches, else the first live one on the disk. */
static struct watch *owner(struct monitor *m, struct disk *d, const struct daxpolicy_sector_range *r)
{
	struct watch *first = NULL;

	for (size_t i = 0; i < m->nwatches; i++) {
		struct watch *w = &m->watches[i];

		if (w->disk != d || w->gone)
			continue;
		if (touches(w, r))
			return w;
		if (!first)
			first = w;
	}
	return first;
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

/* Does @s hold a sector of @sector + @count? */
static bool meets(const struct sector_set *s, uint64_t sector, uint64_t count)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].sector < sector + count && sector < s->v[i].sector + s->v[i].count)
			return true;
	return false;
}

/* The ranges of scan @bb of @w's filesystem as error events, with @source
 * (NULL: each range's own); with @want, only those that meet it, and the
 * sectors reported added to @got. */
static void emit_ranges(struct monitor *m, const char *event, struct disk *d, struct watch *w,
			struct daxpolicy_badblocks *bb, const char *source, const struct sector_set *want,
			struct sector_set *got)
{
	bool human = m->flags & JSON_HUMAN;

	for (struct daxpolicy_badrange *r = daxpolicy_badblocks_get_first(bb);
	     r && !monitor_count_reached(m); r = daxpolicy_badrange_get_next(r)) {
		uint64_t sector = daxpolicy_badrange_get_sector(r), count = daxpolicy_badrange_get_count(r);
		struct json_object *plain, *shown = NULL;

		if (want && !meets(want, sector, count))
			continue;
		plain = event_head(event, d->name, w->mount);
		badrange_to_json(plain, bb, r, source, 0);
		if (human) {
			shown = event_head(event, d->name, w->mount);
			badrange_to_json(shown, bb, r, source, JSON_HUMAN);
		}
		if (emit(m, plain, shown))
			break;
		m->errors++;
		if (got && sector_set_add(got, sector, count) < 0)
			m->failed = EXIT_UNMET;
	}
}

/* New ranges @list of a disk with CXL poison among them: scanned from the
 * disk's own lists, so that a range from a poison record carries it
 * (memdev, DPA, 64-byte precision) and says source "cxl", as dax-admin
 * badblocks does. What of @list that scan does not cover (the lists moved
 * since they were read, or it failed) is left in @rest. */
static int report_own_ranges(struct monitor *m, const char *event, struct disk *d, struct watch *w,
			     const struct daxpolicy_sector_range *list, size_t n, struct sector_set *rest)
{
	struct sector_set want = { 0 }, got = { 0 };
	struct daxpolicy_badblocks *bb = NULL;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = sector_set_add(&want, list[i].sector, list[i].count);
	if (rc == 0 && daxpolicy_badblocks_scan(m->ctx, w->mount, NULL, 0, &bb) == 0) {
		emit_ranges(m, event, d, w, bb, NULL, &want, &got);
		daxpolicy_badblocks_free(bb);
	}
	if (rc == 0 && !m->failed)
		rc = sector_set_diff(rest, &want, &got);
	sector_set_clear(&want);
	sector_set_clear(&got);
	if (rc < 0)
		m->failed = EXIT_UNMET;
	return m->failed;
}

/* Report the ranges @list of disk @d, all touching watch @w (or none), as
 * error events attributed to files by a scan of @w's filesystem. */
static int report_errors(struct monitor *m, const char *event, struct disk *d, struct watch *w,
			 const struct daxpolicy_sector_range *list, size_t n)
{
	struct daxpolicy_badblocks *bb = NULL;
	struct sector_set rest = { 0 };
	int err;

	for (size_t i = 0; w && i < n; i++) {
		if (!meets(&d->cxl, list[i].sector, list[i].count))
			continue;
		if (report_own_ranges(m, event, d, w, list, n, &rest) || monitor_count_reached(m) || !rest.n) {
			sector_set_clear(&rest);
			return m->failed;
		}
		list = rest.v;
		n = rest.n;
		break;
	}
	err = w ? daxpolicy_badblocks_scan(m->ctx, w->mount, list, n, &bb) : -ENODEV;

	if (err < 0) {
		if (w)
			cmd_error_path(MONITOR_CMD, w->mount,
				       "cannot tell which files the new bad sectors of %s hit: %s",
				       d->name, strerror(-err));
		for (size_t i = 0; i < n && !monitor_count_reached(m); i++) {
			if (emit(m, unattributed_event(event, d, w, &list[i]), NULL))
				break;
			m->errors++;
		}
	} else {
		emit_ranges(m, event, d, w, bb, SOURCE, NULL, NULL);
		daxpolicy_badblocks_free(bb);
	}
	sector_set_clear(&rest);
	return m->failed;
}

int monitor_report_new(struct monitor *m, const char *event, struct disk *d,
		       const struct sector_set *pieces)
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
		cmd_error(MONITOR_CMD, d->name, "out of memory");
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
			rc = report_errors(m, event, d, owner(m, d, &pieces->v[j]), &pieces->v[j], 1);
	free(list);
	free(done);
	return rc;
}

int monitor_report_cleared(struct monitor *m, struct disk *d, const struct sector_set *pieces)
{
	for (size_t i = 0; i < pieces->n; i++) {
		const struct daxpolicy_sector_range *r = &pieces->v[i];
		struct watch *w = owner(m, d, r);
		struct json_object *o = event_head("cleared", d->name, w ? w->mount : NULL);

		json_object_object_add(o, "offset", json_object_new_uint64(r->sector));
		json_object_object_add(o, "length", json_object_new_uint64(r->count));
		json_object_object_add(o, "source", json_object_new_string(meets(&d->cxl, r->sector, r->count) ?
									    SOURCE_CXL : SOURCE));
		if (emit(m, o, NULL))
			return m->failed;
	}
	return 0;
}

/* The file a repair_interrupted reason names ("the repair of FILE (inode
 * N), ..."; the library's message), or NULL (an incomplete record). */
static struct json_object *repair_file(const char *message)
{
	const char *a = strstr(message, "the repair of "), *b;

	if (!a)
		return NULL;
	a += strlen("the repair of ");
	b = strstr(a, " (inode ");
	return b ? json_object_new_string_len(a, (int)(b - a)) : NULL;
}

static bool told(struct monitor *m, const char *key)
{
	char **v;

	for (size_t i = 0; i < m->nrepairs_told; i++)
		if (strcmp(m->repairs_told[i], key) == 0)
			return true;
	v = realloc(m->repairs_told, (m->nrepairs_told + 1) * sizeof(*v));
	if (v) {
		m->repairs_told = v;
		if ((v[m->nrepairs_told] = strdup(key)))
			m->nrepairs_told++;
	}
	return false;
}

int monitor_report_repairs(struct monitor *m, const char *mount, const char *dev)
{
	static const struct daxpolicy_sector_range none = { 0, 0 };
	struct daxpolicy_badblocks *bb = NULL;
	struct daxpolicy_reason *reason;
	char command[PATH_MAX + 64], key[2048];

	/* An empty list: no walk, only the filesystem's repair records. */
	if (daxpolicy_badblocks_scan(m->ctx, mount, &none, 0, &bb) < 0)
		return 0;
	for (reason = daxpolicy_badblocks_get_first_reason(bb); reason && !m->failed;
	     reason = daxpolicy_reason_get_next(reason)) {
		const char *message = daxpolicy_reason_get_message(reason);
		struct json_object *o;

		if (strcmp(daxpolicy_reason_get_code(reason), "repair_interrupted") != 0)
			continue;
		snprintf(key, sizeof(key), "%s\n%s", mount, message);
		if (told(m, key))
			continue;
		snprintf(command, sizeof(command), "dax-admin badblocks --finish %s --yes",
			 daxpolicy_badblocks_get_mount(bb));
		o = event_head("repair_interrupted", dev, daxpolicy_badblocks_get_mount(bb));
		json_object_object_add(o, "code", json_object_new_string("repair_interrupted"));
		json_object_object_add(o, "file", repair_file(message));
		json_object_object_add(o, "message", json_object_new_string(message));
		json_object_object_add(o, "command", json_object_new_string(command));
		emit(m, o, NULL);
	}
	daxpolicy_badblocks_free(bb);
	return m->failed;
}
