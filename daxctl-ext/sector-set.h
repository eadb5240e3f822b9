/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A set of disk sectors kept as sorted, disjoint, non-adjacent ranges. */
#ifndef DAX_ADMIN_SECTOR_SET_H
#define DAX_ADMIN_SECTOR_SET_H

#include <stddef.h>
#include <stdint.h>

#include <daxpolicy/libdaxpolicy.h>

struct sector_set {
	struct daxpolicy_sector_range *v;
	size_t n, cap;
};

/* Add or remove @count sectors from @sector on; 0 or -ENOMEM. */
int sector_set_add(struct sector_set *s, uint64_t sector, uint64_t count);
int sector_set_sub(struct sector_set *s, uint64_t sector, uint64_t count);
/* @out = @a minus @b; 0 or -ENOMEM. */
int sector_set_diff(struct sector_set *out, const struct sector_set *a, const struct sector_set *b);
void sector_set_clear(struct sector_set *s);

#endif
