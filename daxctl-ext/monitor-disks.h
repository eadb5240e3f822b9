/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The badblocks lists 'dax-admin monitor' reads: each watched disk's
 * /sys/block/DISK/badblocks, compared sector by sector with what is known,
 * and every nd region's badblocks, polled only as a wake-up (the kernel
 * notifies both when the platform reports an error; poll for
 * POLLPRI|POLLERR, then seek and re-read to re-arm).
 */
#ifndef DAX_ADMIN_MONITOR_DISKS_H
#define DAX_ADMIN_MONITOR_DISKS_H

#include <poll.h>
#include <stdbool.h>

#include "monitor.h"

/* The disk named @name, added (not open yet) when @add; NULL when it is
 * not there, or out of memory. */
struct disk *monitor_find_disk(struct monitor *m, const char *name, bool add);
/* Open (and so arm) a disk's badblocks; 0 or -errno. */
int monitor_open_disk(struct disk *d);
/* Read a disk's list and report what changed (at start, ranges missing
 * from the log are reported as "present" when there is a log, and nothing
 * is "cleared"); 0, or non-zero once the monitor must stop. */
int monitor_check_disk(struct monitor *m, struct disk *d, bool start);
/* Open and read, as at start, the disks marked fresh (their first watched
 * filesystem was just added); an exit status. */
int monitor_start_fresh(struct monitor *m);
/* Open (and arm) the badblocks of every nd region not open yet. */
void monitor_open_regions(struct monitor *m);

/* The descriptors to poll: @sigfd first, the mount table second, then the
 * disks', then the regions'; NULL when out of memory. */
struct pollfd *monitor_poll_set(const struct monitor *m, int sigfd, size_t *n);
/* After poll(): re-arm the regions that woke it; whether a disk or a
 * region did (the disks are then to be re-read). */
bool monitor_poll_woken(struct monitor *m, const struct pollfd *pfd);

void monitor_disks_release(struct monitor *m);

#endif
