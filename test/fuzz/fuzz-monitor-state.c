// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The state file of `dax-admin monitor --state FILE` (one JSON record per
 * line), read back at start through monitor_state_open as the command does.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "monitor.h"
#include "monitor-disks.h"
#include "monitor-state.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[4200];
	struct monitor m = { .state = { .fd = -1 }, .log = { .fd = -1 } };

	if (!path[0])
		snprintf(path, sizeof(path), "%s/monitor.state", fuzz_dir());
	fuzz_write_file(path, data, size);
	monitor_state_open(&m, path);
	monitor_file_close(&m.state);
	monitor_disks_release(&m);
	return 0;
}
