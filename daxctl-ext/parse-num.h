/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one number parser of dax-admin: every number it reads from a command
 * line or a file (--offset, --length, --count, --interval, --timeout, the
 * lines of a --from-list list) goes through here, with the same rules:
 *
 *   - decimal digits, or hexadecimal digits after "0x" or "0X";
 *   - no sign, no blank, no suffix, nothing after the number;
 *   - no leading zero before a decimal number ("010" is refused: in C and
 *     in the shell it is octal eight, here it would be ten, and a list
 *     that drives a destructive command must not be read two ways);
 *     "0" itself and "0x010" are fine;
 *   - a value above 18446744073709551615 (2^64 - 1) is out of range.
 *
 * Seconds (--interval, --timeout) are decimal with an optional fraction
 * ("5", "0.5"): no exponent, no hexadecimal, no "inf" or "nan".
 */
#ifndef DAX_ADMIN_PARSE_NUM_H
#define DAX_ADMIN_PARSE_NUM_H

#include <stdint.h>

/* The number at the start of @s, which may be followed by anything; *@end
 * is set to the first character after it (only on success). 0, -EINVAL
 * (no number there, a sign, or "0x" without digits), -EDOM (a leading
 * zero) or -ERANGE (above 2^64 - 1). */
int parse_u64_prefix(const char *s, const char **end, uint64_t *v);
/* The whole of @s is one number: as parse_u64_prefix(), and -EINVAL when
 * anything follows it. */
int parse_u64(const char *s, uint64_t *v);
/* The whole of @s is a number of seconds, at most 1e9: 0, -EINVAL, -EDOM
 * or -ERANGE as above. */
int parse_seconds(const char *s, double *v);
/* What a negative return of the functions above means, for a message:
 * "not a number (decimal, or hexadecimal with 0x)" ... */
const char *parse_num_strerror(int rc);

#endif
