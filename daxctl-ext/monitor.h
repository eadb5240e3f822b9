/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state of 'dax-admin monitor', shared by its parts: cmd-monitor.c
 * (options and the main loop), monitor-watch.c (which filesystems are
 * watched), monitor-disks.c (the badblocks lists of their disks and of the
 * nd regions), monitor-events.c (the JSON lines and syslog messages),
 * monitor-state.c (the --state file), monitor-log.c (the --log file),
 * safe-file.c (how both are opened) and sector-set.c (the bad sectors
 * known and seen).
 */
#ifndef DAX_ADMIN_MONITOR_H
#define DAX_ADMIN_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sector-set.h"

#define MONITOR_CMD "monitor"
/* MONITOR_STATE_DIR is $(localstatedir)/lib/dax-admin (Makefile.am). */
#define MONITOR_STATE_DEFAULT MONITOR_STATE_DIR "/monitor.state"

struct daxpolicy_ctx;

struct disk {
	char name[64];
	int fd;                   /* /sys/block/NAME/badblocks, -1 when not open */
	bool watched;             /* a watched filesystem lives on it */
	bool fresh;               /* just watched: open it and read it as at start */
	struct sector_set seen;   /* the list as last read */
	struct sector_set cxl;    /* what of it came from CXL poison records */
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

struct monitor_file {
	const char *name;
	int fd;                    /* -1 when not asked for */
	bool newline_missing;      /* the file's last line lacks its newline */
};

struct monitor {
	struct daxpolicy_ctx *ctx;
	struct disk **disks;
	size_t ndisks;
	struct watch *watches;
	size_t nwatches, live;
	struct region *regions;
	size_t nregions;
	struct monitor_file state;  /* --state: what was reported */
	struct monitor_file log;    /* --log: the events, rotatable */
	bool syslog;                /* --syslog: one message per event */
	unsigned int flags;
	bool wait;                 /* --wait: watch pmem filesystems as they are mounted */
	bool started;              /* the first reading is done */
	int mounts_fd;             /* /proc/self/mountinfo, polled for changes */
	unsigned long long count;  /* --count, 0 for none */
	unsigned long long errors; /* error lines printed */
	int failed;                /* an exit status, once writing failed */
	char **repairs_told;       /* interrupted repairs reported ("mount\nmessage") */
	size_t nrepairs_told;
};

/* --count N: exactly N error lines, then stop. */
static inline bool monitor_count_reached(const struct monitor *m)
{
	return m->count && m->errors >= m->count;
}

#endif
