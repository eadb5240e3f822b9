// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every number dax-admin reads (--offset, --length, --count, list lines,
 * --interval, --timeout) goes through parse-num.c: decimal, or hex after
 * 0x, nothing after it, never negative, no leading zero.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse-num.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), back[32];
	uint64_t v;
	double secs;

	if (parse_u64(s, &v) == 0) {
		if (strchr(s, '-') || !*s)
			abort();    /* a negative or empty number was accepted */
		/* What was read is what was written: print it back the same way. */
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
			snprintf(back, sizeof(back), "%" PRIx64, v);
		else
			snprintf(back, sizeof(back), "%" PRIu64, v);
		if (s[0] != '0' || s[1] == '\0' || s[1] == 'x' || s[1] == 'X') {
			const char *digits = (s[0] == '0' && s[1] && s[1] != '\0') ? s + 2 : s;

			while (digits[0] == '0' && digits[1])
				digits++;   /* 0x00ff is ff */
			if (strcasecmp(digits, back) != 0)
				abort();
		}
	}
	if (parse_seconds(s, &secs) == 0 && !(secs >= 0))
		abort();
	free(s);
	return 0;
}
