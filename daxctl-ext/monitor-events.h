/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The events of 'dax-admin monitor', one JSON line each: "new" (or, at
 * start, "present") bad ranges with the files they hit, and "cleared" ones.
 * Each goes to the log first, durably, then to standard output.
 */
#ifndef DAX_ADMIN_MONITOR_EVENTS_H
#define DAX_ADMIN_MONITOR_EVENTS_H

#include "monitor.h"

/* Report the bad sectors @pieces of disk @d as @event ("new" or
 * "present"): one scan per watched filesystem they touch; sectors outside
 * every watched filesystem go with the first one on the disk (they come out
 * unattributed). 0, or non-zero once the monitor must stop. */
int monitor_report_new(struct monitor *m, const char *event, struct disk *d,
		       const struct sector_set *pieces);
/* Report the sectors @pieces of disk @d as "cleared"; 0 or non-zero as above. */
int monitor_report_cleared(struct monitor *m, struct disk *d, const struct sector_set *pieces);

/* Report each interrupted repair on the filesystem at @mount (of device
 * @dev) as a "repair_interrupted" line, with the file and the command that
 * finishes it; each once per run. 0, or non-zero once the monitor must stop. */
int monitor_report_repairs(struct monitor *m, const char *mount, const char *dev);

#endif
