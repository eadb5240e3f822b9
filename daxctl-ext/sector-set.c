// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sector-set.h"

int sector_set_add(struct sector_set *s, uint64_t sector, uint64_t count)
{
	uint64_t end = sector + count;
	size_t i = 0, j;

	if (count == 0)
		return 0;
	/* First range that ends at or after @sector (adjacent ones merge). */
	while (i < s->n && s->v[i].sector + s->v[i].count < sector)
		i++;
	/* Ranges from i up to j (excluded) touch the new one. */
	for (j = i; j < s->n && s->v[j].sector <= end; j++) {
		if (s->v[j].sector < sector)
			sector = s->v[j].sector;
		if (s->v[j].sector + s->v[j].count > end)
			end = s->v[j].sector + s->v[j].count;
	}
	if (j == i) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 8;
			struct daxpolicy_sector_range *v = realloc(s->v, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			s->v = v;
			s->cap = cap;
		}
		memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(s->v[0]));
		s->n++;
	} else if (j > i + 1) {
		memmove(&s->v[i + 1], &s->v[j], (s->n - j) * sizeof(s->v[0]));
		s->n -= j - i - 1;
	}
	s->v[i] = (struct daxpolicy_sector_range){ sector, end - sector };
	return 0;
}

int sector_set_sub(struct sector_set *s, uint64_t sector, uint64_t count)
{
	uint64_t end = sector + count;
	struct sector_set out = { 0 };
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < s->n; i++) {
		uint64_t a = s->v[i].sector, b = a + s->v[i].count;

		if (b <= sector || a >= end) {
			rc = sector_set_add(&out, a, b - a);
			continue;
		}
		if (a < sector)
			rc = sector_set_add(&out, a, sector - a);
		if (rc == 0 && b > end)
			rc = sector_set_add(&out, end, b - end);
	}
	if (rc < 0) {
		free(out.v);
		return rc;
	}
	free(s->v);
	*s = out;
	return 0;
}

int sector_set_diff(struct sector_set *out, const struct sector_set *a, const struct sector_set *b)
{
	int rc = 0;

	*out = (struct sector_set){ 0 };
	for (size_t i = 0; rc == 0 && i < a->n; i++)
		rc = sector_set_add(out, a->v[i].sector, a->v[i].count);
	for (size_t i = 0; rc == 0 && i < b->n; i++)
		rc = sector_set_sub(out, b->v[i].sector, b->v[i].count);
	return rc;
}

void sector_set_clear(struct sector_set *s)
{
	free(s->v);
	*s = (struct sector_set){ 0 };
}
