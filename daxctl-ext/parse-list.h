/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lists of bad sectors, as given to 'dax-admin badblocks --from-list':
 *
 *   # comment (a '#' anywhere starts one, to the end of the line)
 *   SECTOR COUNT
 *
 * one range a line, in 512-byte sectors numbered on the disk; blank lines
 * and lines of any length are fine; the numbers follow parse-num.h (decimal,
 * or hexadecimal with 0x); COUNT > 0. A list with no range is an empty list
 * (no known error), not an error. The format of /sys/block/DISK/badblocks.
 */
#ifndef DAX_ADMIN_PARSE_LIST_H
#define DAX_ADMIN_PARSE_LIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <daxpolicy/libdaxpolicy.h>

/* Why a list was refused. */
struct sector_list_error {
	unsigned int line;   /* the line at fault, from 1; 0 when no one line is */
	char message[256];   /* what is wrong, without the line number */
};

/*
 * sector_list_read - read a whole list from @f (to its end; @f stays open).
 * @disk_sectors: the size of the disk the sectors are numbered on, for the
 *	end check; 0 when it is not known (then only a range past 2^64 is
 *	out of range).
 * @list, @count: on success a malloc()ed array (never NULL, even when
 *	empty) of @count ranges in list order; free() it. Untouched on
 *	failure.
 * @e: filled in on failure.
 * Returns 0; -EINVAL for a line that is not "SECTOR COUNT" or data that is
 * not text (a NUL byte); -ERANGE for a number above 2^64 - 1 or a range
 * past the end of the disk or past 2^64; the read's negative errno (-EISDIR for a directory, -EIO ...);
 * -ENOMEM.
 */
int sector_list_read(FILE *f, uint64_t disk_sectors, struct daxpolicy_sector_range **list,
		     size_t *count, struct sector_list_error *e);

/* The same, from the @len bytes at @buf (which need not end with a NUL or
 * a newline). */
int sector_list_parse(const char *buf, size_t len, uint64_t disk_sectors,
		      struct daxpolicy_sector_range **list, size_t *count, struct sector_list_error *e);

#endif
