// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Text the kernel hands over in files: a sysfs attribute read through the
 * library's readers (a string, a whole number), a disk's badblocks list as
 * the monitor reads it ("SECTOR COUNT" lines), mount options (the DAX mode
 * of a superblock) and a requirement list (DAXPOLICY_REQUIRE).
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "private.h"
#include "cxl-region.h"
#include "monitor.h"
#include "monitor-disks.h"
#include "fuzz.h"

static struct daxpolicy_ctx *ctx;
static char attr[4200];

static void setup(void)
{
	/* The library reads sysfs below DAXPOLICY_SYSROOT. */
	setenv("DAXPOLICY_SYSROOT", fuzz_dir(), 1);
	if (daxpolicy_new(&ctx) < 0)
		abort();
	snprintf(attr, sizeof(attr), "%s/attr", fuzz_dir());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct monitor m = { .state = { .fd = -1 }, .log = { .fd = -1 } };
	enum daxpolicy_dax_mode mode;
	char buf[64], *s;
	unsigned int req;
	struct disk *d;
	uint64_t v;
	bool explicit_mode;

	if (!ctx)
		setup();
	fuzz_write_file(attr, data, size);
	dp_read_u64(ctx, &v, "/attr");
	dp_read_attr(ctx, buf, sizeof(buf), "/attr");

	d = monitor_find_disk(&m, "pmem0", true);
	if (d) {
		d->fd = open(attr, O_RDONLY | O_CLOEXEC);
		monitor_check_disk(&m, d, true);
	}
	monitor_disks_release(&m);

	s = fuzz_string(data, size);
	dp_mount_parse_dax("ext4", s, &mode, &explicit_mode);
	dp_mount_parse_dax("xfs", s, &mode, &explicit_mode);
	dp_parse_requirements(s, &req);
	dp_cxl_region_from_path(s, buf, sizeof(buf));
	dp_cxl_region_from_path(s, buf, 7);
	free(s);
	return 0;
}
