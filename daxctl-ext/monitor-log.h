/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The log of 'dax-admin monitor' (--log): the events, one JSON line each,
 * appended; never read back (what was reported is in the state file), so it
 * may be rotated: SIGHUP makes the monitor open it again by name.
 */
#ifndef DAX_ADMIN_MONITOR_LOG_H
#define DAX_ADMIN_MONITOR_LOG_H

#include "monitor.h"

/* Open (or create) the log @name safely (safe-file.h); an exit status. */
int monitor_log_open(struct monitor *m, const char *name);
/* Open the log again by its name (after rotation). When that fails, the
 * reason is said and the old descriptor is kept. */
void monitor_log_reopen(struct monitor *m);

#endif
