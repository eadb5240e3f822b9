/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The --log file of 'dax-admin monitor': one JSON event per line, appended
 * and fsynced before the event is printed, locked against a second monitor.
 * At start its events tell which bad sectors are already known.
 */
#ifndef DAX_ADMIN_MONITOR_LOG_H
#define DAX_ADMIN_MONITOR_LOG_H

#include "monitor.h"

/* Open (or create) the log @name, lock it and read what it says into the
 * disks' known sectors; an exit status (messages on stderr). */
int monitor_log_open(struct monitor *m, const char *name);

enum monitor_log_result {
	MONITOR_LOG_WRITTEN,
	MONITOR_LOG_WRITE_FAILED,   /* said on stderr; the event may still be shown */
	MONITOR_LOG_NO_MEMORY,      /* said on stderr; nothing was written */
};

/* Append the event @text as one line, durably. */
enum monitor_log_result monitor_log_append(struct monitor_log *log, const char *text);

void monitor_log_close(struct monitor_log *log);

#endif
