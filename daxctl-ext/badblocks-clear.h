/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef DAX_ADMIN_BADBLOCKS_CLEAR_H
#define DAX_ADMIN_BADBLOCKS_CLEAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct daxpolicy_ctx;
struct daxpolicy_sector_range;

/* Repair bytes [offset, offset + length) of @path (only with @yes; a file
 * open elsewhere only with @force) and print the JSON report; returns an
 * exit status. */
int badblocks_clear(struct daxpolicy_ctx *ctx, const char *path, uint64_t offset, uint64_t length,
		    const struct daxpolicy_sector_range *list, size_t count, bool yes, bool force,
		    unsigned int flags);
/* Finish the interrupted repairs on the filesystem of @path (only with
 * @yes) and print what was done; returns an exit status. */
int badblocks_finish(struct daxpolicy_ctx *ctx, const char *path, bool yes, bool force, unsigned int flags);

#endif
