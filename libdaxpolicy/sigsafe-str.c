// SPDX-License-Identifier: LGPL-2.1-or-later
/* Async-signal-safe string building (sigsafe-str.h). */
#include "config.h"

#include "sigsafe-str.h"

bool dp_sig_append(char *buf, size_t size, size_t *len, const char *s)
{
	while (*s) {
		if (*len + 1 >= size)
			return false;
		buf[(*len)++] = *s++;
	}
	buf[*len] = '\0';
	return true;
}

bool dp_sig_append_num(char *buf, size_t size, size_t *len, uint64_t v, unsigned int base)
{
	char digits[72];
	int n = sizeof(digits);

	if (base < 2 || base > 16)
		return false;
	digits[--n] = '\0';
	do {
		digits[--n] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	return dp_sig_append(buf, size, len, digits + n);
}
