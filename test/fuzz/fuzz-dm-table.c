// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A DM_TABLE_STATUS answer (struct dm_ioctl, then the target specs and
 * their parameters), as the kernel would hand it to dp_dm_parse_table; also
 * at an odd address, since nothing promises the buffer is aligned.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "fuzz.h"

static void parse(const void *buf, size_t size)
{
	struct dp_dm_target *t;
	size_t n;

	if (dp_dm_parse_table(buf, size, &t, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			if (memchr(t[i].type, '\0', sizeof(t[i].type)) == NULL)
				abort();
		free(t);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *odd = malloc(size + 1);

	if (!odd)
		return 0;
	parse(data, size);
	memcpy(odd + 1, data, size);
	parse(odd + 1, size);
	free(odd);
	return 0;
}
