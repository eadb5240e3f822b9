// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The log of `dax-admin monitor --log FILE` (one JSON event per line),
 * read back at start through monitor_log_open as the command does.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "monitor.h"
#include "monitor-disks.h"
#include "monitor-log.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[4200];
	struct monitor m = { .log = { .fd = -1 } };

	if (!path[0])
		snprintf(path, sizeof(path), "%s/monitor.log", fuzz_dir());
	fuzz_write_file(path, data, size);
	monitor_log_open(&m, path);
	if (m.log.fd >= 0)
		close(m.log.fd);
	monitor_disks_release(&m);
	return 0;
}
