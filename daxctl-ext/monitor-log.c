// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <stdbool.h>
#include <unistd.h>

#include "builtin.h"
#include "monitor-log.h"
#include "probe-paths.h"
#include "safe-file.h"

int monitor_log_open(struct monitor *m, const char *name)
{
	char why[512];
	bool created;
	int fd = safe_file_open(name, &created, why, sizeof(why));

	if (fd < 0) {
		cmd_error_path(MONITOR_CMD, name, "log: %s", why);
		return EXIT_USAGE;
	}
	m->log.fd = fd;
	m->log.name = name;
	/* Appended to as it is: a line cut short by a crash gets its newline
	 * before the next one. */
	m->log.newline_missing = false;
	if (!created) {
		char last;
		off_t end = lseek(fd, 0, SEEK_END);

		if (end > 0 && pread(fd, &last, 1, end - 1) == 1 && last != '\n')
			m->log.newline_missing = true;
	}
	return EXIT_OK;
}

void monitor_log_reopen(struct monitor *m)
{
	struct monitor_file old = m->log;

	if (!old.name)
		return;
	if (monitor_log_open(m, old.name) != EXIT_OK) {
		m->log = old;
		cmd_error_path(MONITOR_CMD, old.name, "not reopened; still writing to the file open before");
		return;
	}
	if (old.fd >= 0)
		close(old.fd);
	cmd_error_path(MONITOR_CMD, old.name, "log reopened");
}
