// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "builtin.h"
#include "monitor-disks.h"
#include "monitor-log.h"
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

/* Make the name of a file just created durable too. */
static void sync_parent_dir(const char *name)
{
	char *dir = strdup(name), *slash = dir ? strrchr(dir, '/') : NULL;
	int dfd;

	if (!dir)
		return;
	if (slash)
		slash[slash == dir] = '\0';
	dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dir);
}

/* Read the events of the log open on @fd; an exit status. */
static int log_read(struct monitor *m, int fd, const char *name)
{
	unsigned int lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f = fdopen(dup(fd), "re");

	if (!f) {
		cmd_error(MONITOR_CMD, name, "cannot read the log: %s", strerror(errno));
		return EXIT_UNMET;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		size_t len = (size_t)n;

		lineno++;
		m->log.newline_missing = line[len - 1] != '\n';
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
			       line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--;
		if (strspn(line, " \t") == len)
			continue;
		if (memchr(line, '\0', len) || log_apply(m, line, len) < 0) {
			cmd_error_path(MONITOR_CMD, name, "line %u: not a monitor event (one JSON object with event, dev, offset and length per line); the log was left as it is",
				       lineno);
			free(line);
			fclose(f);
			return EXIT_USAGE;
		}
	}
	free(line);
	if (ferror(f)) {
		cmd_error(MONITOR_CMD, name, "cannot read the log: %s", strerror(errno));
		fclose(f);
		return EXIT_UNMET;
	}
	fclose(f);
	return EXIT_OK;
}

int monitor_log_open(struct monitor *m, const char *name)
{
	bool created = true;
	struct stat st;
	int fd;

	fd = open(name, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0 && errno == EEXIST) {
		created = false;
		fd = open(name, O_RDWR | O_APPEND | O_CLOEXEC | O_NOCTTY);
	}
	if (fd < 0) {
		cmd_error(MONITOR_CMD, name, "cannot open the log: %s", strerror(errno));
		return EXIT_USAGE;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		cmd_error(MONITOR_CMD, name, "the log must be a regular file");
		close(fd);
		return EXIT_USAGE;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		cmd_error(MONITOR_CMD, name, "the log is in use by another dax-admin monitor");
		close(fd);
		return EXIT_USAGE;
	}
	if (created)
		sync_parent_dir(name);
	m->log.fd = fd;
	m->log.name = name;
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

enum monitor_log_result monitor_log_append(struct monitor_log *log, const char *text)
{
	size_t len = strlen(text);
	char *line = malloc(len + 3);
	int rc;

	if (!line) {
		cmd_error(MONITOR_CMD, log->name, "out of memory");
		return MONITOR_LOG_NO_MEMORY;
	}
	snprintf(line, len + 3, "%s%s\n", log->newline_missing ? "\n" : "", text);
	rc = write_all(log->fd, line, strlen(line));
	free(line);
	if (rc == 0 && fsync(log->fd) < 0)
		rc = -errno;
	if (rc < 0) {
		cmd_error(MONITOR_CMD, log->name, "cannot write the log: %s", strerror(-rc));
		return MONITOR_LOG_WRITE_FAILED;
	}
	log->newline_missing = false;
	return MONITOR_LOG_WRITTEN;
}

void monitor_log_close(struct monitor_log *log)
{
	if (log->fd >= 0)
		close(log->fd);
	log->fd = -1;
}
