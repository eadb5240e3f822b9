/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state of 'dax-admin monitor', shared by its parts: cmd-monitor.c
 * (options and the main loop), monitor-watch.c (which filesystems are
 * watched), monitor-disks.c (the badblocks lists of their disks and of the
 * nd regions), monitor-events.c (the JSON lines), monitor-log.c (the
 * --log file) and sector-set.c (the bad sectors known and seen).
 */
#ifndef DAX_ADMIN_MONITOR_H
#define DAX_ADMIN_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sector-set.h"

#define MONITOR_CMD "monitor"

struct daxpolicy_ctx;

struct disk {
	char name[64];
	int fd;                   /* /sys/block/NAME/badblocks, -1 when not open */
	bool watched;             /* a watched filesystem lives on it */
	struct sector_set seen;   /* the list as last read */
	struct sector_set known;  /* reported, logged, or there at start */
};

struct watch {
	char *mount;
	dev_t dev;
	struct disk *disk;
	uint64_t first, sectors;   /* the filesystem's device, in disk sectors */
	bool gone;
};

struct region {
	char *path;
	int fd;
};

struct monitor_log {
	const char *name;
	int fd;                    /* -1 without --log */
	bool newline_missing;      /* the log's last line lacks its newline */
};

struct monitor {
	struct daxpolicy_ctx *ctx;
	struct disk **disks;
	size_t ndisks;
	struct watch *watches;
	size_t nwatches, live;
	struct region *regions;
	size_t nregions;
	struct monitor_log log;
	unsigned int flags;
	unsigned long long count;  /* --count, 0 for none */
	unsigned long long errors; /* error lines printed */
	int failed;                /* an exit status, once writing failed */
};

/* --count N: exactly N error lines, then stop. */
static inline bool monitor_count_reached(const struct monitor *m)
{
	return m->count && m->errors >= m->count;
}

#endif
