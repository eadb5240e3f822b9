// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The list of `dax-admin badblocks --from-list FILE`: "SECTOR COUNT" lines
 * with comments, read from a file by the command's own reader (the source
 * file is compiled in, so that its static functions are reachable).
 */
#include "cmd-badblocks.c"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[4200];
	struct daxpolicy_sector_range *list;
	size_t count;

	if (!path[0])
		snprintf(path, sizeof(path), "%s/list", fuzz_dir());
	fuzz_write_file(path, data, size);
	if (read_list(path, &list, &count) == 0) {
		/* What was accepted is what the line said: COUNT > 0. */
		for (size_t i = 0; i < count; i++)
			if (list[i].count == 0)
				abort();
		free(list);
	}
	return 0;
}
