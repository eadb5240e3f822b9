// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one number parser of dax-admin (rules in parse-num.h). Written out
 * by hand rather than with strtoull(), which skips blanks, takes a sign
 * ("-1" is 2^64 - 1) and, in base 0, reads "010" as octal.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "parse-num.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int parse_u64_prefix(const char *s, const char **end, uint64_t *v)
{
	unsigned int base = 10;
	uint64_t n = 0;
	const char *p = s;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		p += 2;
		if (hex_value(*p) < 0)
			return -EINVAL;
	} else if (!is_digit(*p)) {
		return -EINVAL;
	} else if (p[0] == '0' && is_digit(p[1])) {
		return -EDOM;
	}
	for (;; p++) {
		int d = base == 16 ? hex_value(*p) : is_digit(*p) ? *p - '0' : -1;

		if (d < 0)
			break;
		if (n > (UINT64_MAX - (unsigned int)d) / base)
			return -ERANGE;
		n = n * base + (unsigned int)d;
	}
	/* "12abc" or "0x1g": a number glued to a word is not a number. */
	if (isalnum((unsigned char)*p) || *p == '_' || *p == '.')
		return -EINVAL;
	*v = n;
	*end = p;
	return 0;
}

int parse_u64(const char *s, uint64_t *v)
{
	const char *end;
	uint64_t n;
	int rc = parse_u64_prefix(s, &end, &n);

	if (rc < 0)
		return rc;
	if (*end)
		return -EINVAL;
	*v = n;
	return 0;
}

int parse_seconds(const char *s, double *v)
{
	const char *p = s;
	double x;

	if (!is_digit(*p))
		return -EINVAL;
	if (p[0] == '0' && is_digit(p[1]))
		return -EDOM;
	while (is_digit(*p))
		p++;
	if (*p == '.') {
		p++;
		if (!is_digit(*p))
			return -EINVAL;
		while (is_digit(*p))
			p++;
	}
	if (*p)
		return -EINVAL;
	/* The grammar above is a subset of what strtod() reads, in any
	 * locale with '.' as its decimal point (dax-admin keeps "C"). */
	x = strtod(s, NULL);
	if (x > 1e9)
		return -ERANGE;
	*v = x;
	return 0;
}

const char *parse_num_strerror(int rc)
{
	switch (rc) {
	case -EDOM:
		return "a leading zero is refused (octal or decimal?): write it without, or in hex with 0x";
	case -ERANGE:
		return "too large (above 2^64 - 1)";
	default:
		return "not a number (decimal, or hexadecimal with 0x)";
	}
}
