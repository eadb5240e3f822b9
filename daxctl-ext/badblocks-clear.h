/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef DAX_ADMIN_BADBLOCKS_CLEAR_H
#define DAX_ADMIN_BADBLOCKS_CLEAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct daxpolicy_ctx;
struct daxpolicy_sector_range;

/* Repair bytes [offset, offset + length) of @path (only with @yes) and
 * print the JSON report; returns an exit status. */
int badblocks_clear(struct daxpolicy_ctx *ctx, const char *path, uint64_t offset, uint64_t length,
		    const struct daxpolicy_sector_range *list, size_t count, bool yes, unsigned int flags);

#endif
