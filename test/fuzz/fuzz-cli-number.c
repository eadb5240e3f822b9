// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CLI's whole numbers (`badblocks --offset/--length`): decimal or 0x
 * hex, nothing after, never negative. The command's source file is compiled
 * in, so that its static parser is reachable.
 */
#include "cmd-badblocks.c"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	unsigned long long v;

	if (parse_u64(s, &v) == 0 && (strchr(s, '-') || !*s))
		abort();    /* a negative or empty number was accepted */
	free(s);
	return 0;
}
