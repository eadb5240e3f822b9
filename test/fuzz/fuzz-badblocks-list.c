// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The list of `dax-admin badblocks --from-list FILE`: "SECTOR COUNT" lines
 * with comments, parsed by the command's own list parser (parse-list.c),
 * against a disk of a size taken from the input too.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "parse-list.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct daxpolicy_sector_range *list = NULL;
	struct sector_list_error e;
	uint64_t disk = UINT64_MAX;
	size_t count = 0;

	/* The first 8 bytes, when there are enough, choose the disk's size
	 * (0: not known, then only a range past 2^64 is out of range). */
	if (size >= 8) {
		memcpy(&disk, data, 8);
		data += 8;
		size -= 8;
	}
	if (disk == 0)
		disk = UINT64_MAX;
	if (sector_list_parse((const char *)data, size, disk == UINT64_MAX ? 0 : disk, &list, &count, &e) == 0) {
		/* What was accepted is what the lines said: COUNT > 0, inside the disk. */
		for (size_t i = 0; i < count; i++)
			if (list[i].count == 0 || list[i].sector > disk ||
			    list[i].count > disk - list[i].sector)
				abort();
	} else if (strlen(e.message) == 0) {
		abort();    /* a refusal must say why */
	}
	free(list);
	return 0;
}
