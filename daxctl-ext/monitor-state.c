// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <json-c/json.h>

#include "builtin.h"
#include "monitor-disks.h"
#include "monitor-state.h"
#include "safe-file.h"
#include "probe-paths.h"

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
	d = monitor_find_disk(m, json_object_get_string(dev), true);
	if (!d)
		goto out;
	if (strcmp(event, "new") == 0 || strcmp(event, "present") == 0)
		rc = sector_set_add(&d->known, sector, count) < 0 ? -1 : 0;
	else if (strcmp(event, "cleared") == 0)
		rc = sector_set_sub(&d->known, sector, count) < 0 ? -1 : 0;
out:
	json_object_put(o);
	json_tokener_free(tok);
	return rc;
}

/* Read the records of the state file open on @fd; an exit status. */
static int log_read(struct monitor *m, int fd, const char *name)
{
	unsigned int lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f = fdopen(dup(fd), "re");

	if (!f) {
		cmd_error(MONITOR_CMD, name, "cannot read the state file: %s", strerror(errno));
		return EXIT_UNMET;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		size_t len = (size_t)n;

		lineno++;
		m->state.newline_missing = line[len - 1] != '\n';
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
			       line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--;
		if (strspn(line, " \t") == len)
			continue;
		if (memchr(line, '\0', len) || log_apply(m, line, len) < 0) {
			cmd_error_path(MONITOR_CMD, name, "line %u: not a monitor record (one JSON object with event, dev, offset and length per line); the state file was left as it is",
				       lineno);
			free(line);
			fclose(f);
			return EXIT_USAGE;
		}
	}
	free(line);
	if (ferror(f)) {
		cmd_error(MONITOR_CMD, name, "cannot read the state file: %s", strerror(errno));
		fclose(f);
		return EXIT_UNMET;
	}
	fclose(f);
	return EXIT_OK;
}

int monitor_state_open(struct monitor *m, const char *name)
{
	char why[512];
	bool created;
	int fd = safe_file_open(name, &created, why, sizeof(why));

	if (fd < 0) {
		cmd_error_path(MONITOR_CMD, name, "state file: %s", why);
		return EXIT_USAGE;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		cmd_error_path(MONITOR_CMD, name, "the state file is in use by another dax-admin monitor");
		close(fd);
		return EXIT_USAGE;
	}
	m->state.fd = fd;
	m->state.name = name;
	return log_read(m, fd, name);
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

enum monitor_log_result monitor_file_append(struct monitor_file *log, const char *text)
{
	size_t len = strlen(text);
	char *line = malloc(len + 3);
	int rc;

	if (!line) {
		cmd_error_path(MONITOR_CMD, log->name, "out of memory");
		return MONITOR_LOG_NO_MEMORY;
	}
	snprintf(line, len + 3, "%s%s\n", log->newline_missing ? "\n" : "", text);
	rc = write_all(log->fd, line, strlen(line));
	free(line);
	if (rc == 0 && fsync(log->fd) < 0)
		rc = -errno;
	if (rc < 0) {
		cmd_error_path(MONITOR_CMD, log->name, "cannot write it: %s", strerror(-rc));
		return MONITOR_LOG_WRITE_FAILED;
	}
	log->newline_missing = false;
	return MONITOR_LOG_WRITTEN;
}

void monitor_file_close(struct monitor_file *log)
{
	if (log->fd >= 0)
		close(log->fd);
	log->fd = -1;
}
