/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which filesystems 'dax-admin monitor' watches: those named on the
 * command line, or every mounted one on persistent memory; each with its
 * disk and the disk sectors it covers. One that is unmounted is dropped;
 * with --wait, filesystems mounted later are added (the mount table is
 * polled for POLLPRI, which the kernel raises on every mount change).
 */
#ifndef DAX_ADMIN_MONITOR_WATCH_H
#define DAX_ADMIN_MONITOR_WATCH_H

#include "monitor.h"

/* Watch the filesystems of the @n paths @paths; an exit status. */
int monitor_watch_args(struct monitor *m, char **paths, int n);
/* Watch every mounted filesystem on a pmem disk or a partition of one not
 * watched yet; an exit status (EXIT_USAGE when there is none, unless
 * m->wait). Disks that get their first watched filesystem are marked
 * fresh. */
int monitor_watch_all(struct monitor *m);
/* Open the mount table for poll(): POLLPRI when a mount comes or goes. */
int monitor_mounts_open(struct monitor *m);
/* The mount table changed: drop the filesystems unmounted, and with
 * m->wait watch the new ones; an exit status. */
int monitor_mounts_changed(struct monitor *m);
/* Drop the watched filesystems that are no longer mounted where they were. */
void monitor_check_mounts(struct monitor *m);

void monitor_watches_release(struct monitor *m);

#endif
