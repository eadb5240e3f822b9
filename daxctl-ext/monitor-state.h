/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state file of 'dax-admin monitor' (--state): one JSON record per
 * line (event, dev, offset, length) of every bad range reported or cleared,
 * appended and fsynced before the event is shown anywhere, locked against a
 * second monitor. At start it tells which bad sectors are already known,
 * so a restart reports nothing twice. It is kept apart from the log
 * (monitor-log.c), which can be rotated freely.
 */
#ifndef DAX_ADMIN_MONITOR_STATE_H
#define DAX_ADMIN_MONITOR_STATE_H

#include "monitor.h"

/* Open (or create) the state file @name safely (safe-file.h), lock it and
 * read what it says into the disks' known sectors; an exit status
 * (messages on stderr). */
int monitor_state_open(struct monitor *m, const char *name);

enum monitor_log_result {
	MONITOR_LOG_WRITTEN,
	MONITOR_LOG_WRITE_FAILED,   /* said on stderr; the event may still be shown */
	MONITOR_LOG_NO_MEMORY,      /* said on stderr; nothing was written */
};

/* Append @text as one line to the state file or the log, durably. */
enum monitor_log_result monitor_file_append(struct monitor_file *f, const char *text);

void monitor_file_close(struct monitor_file *f);

#endif
