// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
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

	if (m->state.fd >= 0 && !m->failed) {
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

/* Report the ranges @list of disk @d, all touching watch @w (or none), as
 * error events attributed to files by a scan of @w's filesystem. */
static int report_errors(struct monitor *m, const char *event, struct disk *d, struct watch *w,
			 const struct daxpolicy_sector_range *list, size_t n)
{
	struct daxpolicy_badblocks *bb = NULL;
	int err = w ? daxpolicy_badblocks_scan(m->ctx, w->mount, list, n, &bb) : -ENODEV;
	bool human = m->flags & JSON_HUMAN;

	if (err < 0) {
		if (w)
			cmd_error_path(MONITOR_CMD, w->mount,
				       "cannot tell which files the new bad sectors of %s hit: %s",
				       d->name, strerror(-err));
		for (size_t i = 0; i < n && !monitor_count_reached(m); i++) {
			if (emit(m, unattributed_event(event, d, w, &list[i]), NULL))
				return m->failed;
			m->errors++;
		}
		return 0;
	}
	for (struct daxpolicy_badrange *r = daxpolicy_badblocks_get_first(bb);
	     r && !monitor_count_reached(m); r = daxpolicy_badrange_get_next(r)) {
		struct json_object *plain = event_head(event, d->name, w->mount), *shown = NULL;

		badrange_to_json(plain, bb, r, SOURCE, 0);
		if (human) {
			shown = event_head(event, d->name, w->mount);
			badrange_to_json(shown, bb, r, SOURCE, JSON_HUMAN);
		}
		if (emit(m, plain, shown))
			break;
		m->errors++;
	}
	daxpolicy_badblocks_free(bb);
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
		json_object_object_add(o, "source", json_object_new_string(SOURCE));
		if (emit(m, o, NULL))
			return m->failed;
	}
	return 0;
}
